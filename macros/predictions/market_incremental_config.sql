{#- How ml_market_states and ml_market_features replace a game_date range, per engine: the store's scheme (delete+insert keyed on
    game_date after the pre-hook feature_store_clear_range on DuckDB; insert_overwrite of day partitions on
    BigQuery, listed statically when both bounds are set), clustered by player only (no feature_version). -#}
{% macro market_incremental_config() -%}
    {{ return(adapter.dispatch('market_incremental_config')()) }}
{%- endmacro %}

{% macro default__market_incremental_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'game_date'}) }}
{%- endmacro %}

{% macro bigquery__market_incremental_config() -%}
    {%- set cfg = {
        'incremental_strategy': 'insert_overwrite',
        'partition_by': {'field': 'game_date', 'data_type': 'date', 'granularity': 'day'},
        'cluster_by': ['player_lookup'],
    } -%}
    {%- set days = date_range_days() -%}
    {%- if days -%}
        {%- do cfg.update({'partitions': days}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}
