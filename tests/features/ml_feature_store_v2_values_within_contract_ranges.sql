-- A real feature value outside its contract range: the store must turn it into a default (out_of_range).
{%- set contract = feature_contract() %}
{% for f in contract %}
select player_lookup, game_date, '{{ f.name }}' as feature_name, {{ f.name }} as value
from {{ ref('ml_feature_store_v2') }}
where {{ f.name }} < {{ f.min_value }} or {{ f.name }} > {{ f.max_value }}
{{ 'union all' if not loop.last }}
{%- endfor %}
