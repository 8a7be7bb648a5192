-- Every source tag is one of the weighted sources, and a feature's real tag is its contract real_source
-- (or last_games for the cache-miss fallback, no_history where the contract allows an empty history).
{%- set contract = feature_contract() %}
{%- set sources = feature_source_weights() | map(attribute='source') | list %}
with store as ({{ feature_store_rows_in_range() }})
{% for f in contract %}
{%- set allowed = [f.real_source, 'default', 'missing'] %}
{%- if f.fallback_model %}{% do allowed.append('last_games') %}{% endif %}
{%- if f.no_history_reasons %}{% do allowed.append('no_history') %}{% endif %}
select
    player_lookup,
    game_date,
    '{{ f.name }}' as feature_name,
    {{ f.name }}_source as source
from store
where
    {{ f.name }}_source is null
    or {{ f.name }}_source not in ('{{ allowed | join("', '") }}')
    or {{ f.name }}_source not in ('{{ sources | join("', '") }}')
{{ 'union all' if not loop.last }}
{%- endfor %}
