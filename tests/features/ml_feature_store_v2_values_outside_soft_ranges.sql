{{ config(severity='warn', warn_if='>0') }}
-- Real values outside the contract's (non-critical) range: kept as real, listed here for a look (the
-- reference system logged these as range warnings).
{%- set soft = feature_contract() | rejectattr('is_range_critical') | list %}
with store as ({{ feature_store_rows_in_range() }})
{% for f in soft %}
select player_lookup, game_date, '{{ f.name }}' as feature_name, {{ f.name }} as value
from store
where {{ f.name }} < {{ f.min_value }} or {{ f.name }} > {{ f.max_value }}
{{ 'union all' if not loop.last }}
{%- endfor %}
