"""Backfill machinery: plan (dates, chunks), preflight, warehouse checkpoints, the runner lock and execution.

The command modules (`commands/backfill.py`, `commands/build.py`) only parse options and print; everything
that decides or records lives here so it can be tested without the CLI.
"""
