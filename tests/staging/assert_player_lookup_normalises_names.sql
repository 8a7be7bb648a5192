-- player_lookup on hand-picked spellings: accents, punctuation, suffixes and aliases. Returns the failures.
with

cases as (

    {% set cases = [
        ('Luka Dončić', 'lukadoncic'),
        ('Nikola Jokić', 'nikolajokic'),
        ('Alperen Şengün', 'alperensengun'),
        ('Jonas Valančiūnas', 'jonasvalanciunas'),
        ('A.J. Green', 'ajgreen'),
        ('P.J. Washington', 'pjwashington'),
        ('Shai Gilgeous-Alexander', 'shaigilgeousalexander'),
        ('Jaren Jackson Jr.', 'jarenjackson'),
        ('Gary Trent Jr', 'garytrent'),
        ('Trey Murphy III', 'treymurphy'),
        ('Wendell Carter, Jr.', 'wendellcarter'),
        ('  LeBron   James ', 'lebronjames'),
        ('Herb Jones', 'herbertjones'),
        ('Kenyon Martin Jr.', 'kjmartin'),
        ('Nicolas Claxton', 'nicclaxton'),
        ('Carlton Carrington', 'bubcarrington'),
        ('Wembanyama Victor', 'victorwembanyama'),
    ] %}
    {% for raw_name, expected in cases %}
    -- (no apostrophes in the cases: DuckDB and BigQuery escape them differently)
    select '{{ raw_name }}' as raw_name, '{{ expected }}' as expected_lookup
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    raw_name,
    expected_lookup,
    {{ player_lookup('raw_name') }} as actual_lookup
from cases
where {{ player_lookup('raw_name') }} is distinct from expected_lookup
