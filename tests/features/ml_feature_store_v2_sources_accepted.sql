-- Every source tag is one of the weighted sources, and a feature's real tag is its contract real_source
-- (or last_games for the cache-miss fallback, no_history where the contract allows an empty history, or a
-- fallback source where the feature's upstream model tags its own values in `<feature>_source`: that
-- column's accepted_values test in the upstream YAML says which).
{%- set contract = feature_contract() %}
{%- set sources = feature_source_weights() | map(attribute='source') | list %}
with store as ({{ feature_store_rows_in_range() }})
{% for f in contract %}
{%- set allowed = [f.real_source, 'default', 'missing'] %}
{%- if f.fallback_model %}{% do allowed.append('last_games') %}{% endif %}
{%- if f.no_history_reasons %}{% do allowed.append('no_history') %}{% endif %}
{%- if feature_input_has_source({'model': f.upstream_model}, f.name) %}
{%- for w in feature_source_weights() if not w.is_default and w.source not in allowed %}{% do allowed.append(w.source) %}{% endfor %}
{%- endif %}
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
