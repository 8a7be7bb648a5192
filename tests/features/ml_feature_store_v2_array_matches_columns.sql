-- The features array is derived from the value columns: element i = value i, or its contract fill value
-- when the value is NULL; feature_names is the contract order.
{%- set contract = feature_contract() %}
with store as ({{ feature_store_rows_in_range() }})
{% for f in contract %}
select
    player_lookup,
    game_date,
    '{{ f.name }}' as feature_name
from store
where
    {{ array_element('features', f.index) }} is null
    or abs({{ array_element('features', f.index) }} - coalesce({{ f.name }}, {{ f.fill_value }})) > 1e-9
    or {{ array_element('feature_names', f.index) }} != '{{ f.name }}'
    or {{ array_length('features') }} != {{ contract | length }}
{{ 'union all' if not loop.last }}
{%- endfor %}
