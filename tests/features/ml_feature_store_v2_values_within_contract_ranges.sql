-- A range-critical feature (is_range_critical in the contract) never holds a value outside its range: the
-- store turns such a value into a default with reason out_of_range.
{%- set critical = feature_contract() | selectattr('is_range_critical') | list %}
with store as ({{ feature_store_rows_in_range() }})
{% for f in critical %}
select player_lookup, game_date, '{{ f.name }}' as feature_name, {{ f.name }} as value
from store
where {{ f.name }} < {{ f.min_value }} or {{ f.name }} > {{ f.max_value }}
{{ 'union all' if not loop.last }}
{%- else %}
select cast(null as {{ dbt.type_string() }}) as player_lookup limit 0
{%- endfor %}
