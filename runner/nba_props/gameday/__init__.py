"""The game day: `nba-props daily` (the morning, in order) and `nba-props watch` (new lines until tip-off).

The command modules (`commands/daily.py`, `commands/watch.py`) parse options and print; the steps they run
are the other commands' own functions (load, build, predict, validate-daily, report). What is recorded or
decided lives here: the step table in the warehouse, the landing folder, the clock, which models a landed file
changes, the retry of a failed dbt step, the alerts posted to a webhook.
"""
