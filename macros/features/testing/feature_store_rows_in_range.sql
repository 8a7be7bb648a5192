{#- The store rows a data test checks: those of the run's date range (start_date..end_date vars), or every row
    when no range is given. A backfill chunk or a day's build then tests the rows it wrote, not the whole
    table again (a season of tests per date). -#}
{% macro feature_store_rows_in_range() -%}
    select * from {{ ref('ml_feature_store_v2') }} where {{ date_range_filter('game_date') }}
{%- endmacro %}
