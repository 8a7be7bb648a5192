{#- Bounds a model's output rows to the `start_date` / `end_date` vars (inclusive; null = unbounded).
    History before start_date is still read by the model: apply this to the output rows only.
    Unbounded renders `1 = 1`. Unit tests of bounded models run with the vars unset (fixtures are old dates). -#}
{% macro date_range_filter(column) -%}
    {%- set start_date, end_date = date_range_vars() -%}
    {%- set conditions = [] -%}
    {%- if start_date %}{% do conditions.append(column ~ " >= cast('" ~ start_date ~ "' as date)") %}{% endif -%}
    {%- if end_date %}{% do conditions.append(column ~ " <= cast('" ~ end_date ~ "' as date)") %}{% endif -%}
    ({{ conditions | join(' and ') if conditions else '1 = 1' }})
{%- endmacro %}


{#- The seasons of the dates in the run's range (every season without a range), as a subquery: a date-bounded
    model reads history of these seasons only, so a day's build does not grow with the seasons kept. -#}
{% macro range_seasons() -%}
    (select distinct range_games.season from {{ ref('int_games') }} as range_games
    where {{ date_range_filter('range_games.game_date') }})
{%- endmacro %}
