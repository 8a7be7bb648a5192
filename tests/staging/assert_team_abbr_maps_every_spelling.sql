-- team_abbr on the spellings the sources use (ESPN codes, full names, nicknames, '@' opponents). Returns failures.
with

cases as (

    {% set cases = [
        ('gs', 'GSW'), ('utah', 'UTA'), ('wsh', 'WAS'), ('no', 'NOP'), ('ny', 'NYK'), ('sa', 'SAS'),
        ('@PHI', 'PHI'), ('PHI', 'PHI'), ('Los Angeles Clippers', 'LAC'), ('LA Clippers', 'LAC'),
        ('Trail Blazers', 'POR'), ('76ers', 'PHI'), ('BKN', 'BKN'), ('pho', 'PHX'), ('cha', 'CHA'),
    ] %}
    {% for raw_team, expected in cases %}
    select '{{ raw_team }}' as raw_team, '{{ expected }}' as expected_abbr
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    raw_team,
    expected_abbr,
    {{ team_abbr('raw_team') }} as actual_abbr
from cases
where {{ team_abbr('raw_team') }} is distinct from expected_abbr
