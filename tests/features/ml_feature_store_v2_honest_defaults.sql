-- No hidden default: a default reason is present exactly when the source is default or missing; a
-- defaulted value column is NULL (the stand-in lives only in the array); no NULL value carries a real tag;
-- no_history is a NULL value without a default reason.
{%- set contract = feature_contract() %}
with store as ({{ feature_store_rows_in_range() }})
{% for f in contract %}
select
    player_lookup,
    game_date,
    '{{ f.name }}' as feature_name,
    {{ f.name }}_source as source,
    {{ f.name }}_default_reason as default_reason
from store
where
    ({{ feature_is_default(f.name ~ '_source') }} and ({{ f.name }}_default_reason is null or {{ f.name }} is not null))
    or (not {{ feature_is_default(f.name ~ '_source') }} and {{ f.name }}_default_reason is not null)
    or ({{ f.name }} is null and {{ f.name }}_source not in ('default', 'missing', 'no_history'))
    or ({{ f.name }} is not null and {{ f.name }}_source = 'no_history')
{{ 'union all' if not loop.last }}
{%- endfor %}
