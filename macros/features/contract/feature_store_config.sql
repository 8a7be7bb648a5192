{#- How ml_feature_store_v2 replaces a game_date range, per engine (one idea: the store's incremental config).
    DuckDB: delete+insert keyed on game_date, plus a pre-hook that clears the whole var range first so a date
    that lost every row is emptied too. BigQuery: insert_overwrite of day partitions; with both bounds set the
    partitions are listed statically, so every day of the range is replaced even when it has no new rows. -#}
{% macro feature_store_incremental_config() -%}
    {{ return(adapter.dispatch('feature_store_incremental_config')()) }}
{%- endmacro %}

{% macro default__feature_store_incremental_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'game_date'}) }}
{%- endmacro %}

{% macro duckdb__feature_store_incremental_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'game_date'}) }}
{%- endmacro %}

{% macro bigquery__feature_store_incremental_config() -%}
    {%- set cfg = {
        'incremental_strategy': 'insert_overwrite',
        'partition_by': {'field': 'game_date', 'data_type': 'date', 'granularity': 'day'},
        'cluster_by': ['player_lookup', 'feature_version'],
    } -%}
    {%- set days = date_range_days() -%}
    {%- if days -%}
        {%- do cfg.update({'partitions': days}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}


{#- Every day of [start_date, end_date] as a SQL date literal, or none when a bound is missing. -#}
{% macro date_range_days() -%}
    {%- set start_date, end_date = date_range_vars() -%}
    {%- if not start_date or not end_date -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set first = modules.datetime.date.fromisoformat(start_date) -%}
    {%- set last = modules.datetime.date.fromisoformat(end_date) -%}
    {%- set days = [] -%}
    {%- for n in range((last - first).days + 1) -%}
        {%- do days.append("date '" ~ (first + modules.datetime.timedelta(days=n)).isoformat() ~ "'") -%}
    {%- endfor -%}
    {{ return(days) }}
{%- endmacro %}


{#- Whether a run rebuilds the whole store table. BigQuery: when no date range is given (its insert_overwrite
    replaces only the partitions a range lists). DuckDB: none (dbt's --full-refresh decides): a run without a
    range is already exact there, because the pre-hook clears every date before the insert. No var reaches the
    parsed config on DuckDB, which lets the runner parse once and render many date ranges (nba_props/dbt.py). -#}
{% macro feature_store_full_refresh() -%}
    {{ return(adapter.dispatch('feature_store_full_refresh')()) }}
{%- endmacro %}

{% macro default__feature_store_full_refresh() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro bigquery__feature_store_full_refresh() -%}
    {{ return(var('start_date', none) is none and var('end_date', none) is none) }}
{%- endmacro %}


{#- Pre-hook of the store: on an incremental run, delete the var range (both engines' SQL; BigQuery does not
    need it because static partitions replace the range, so it emits nothing there). -#}
{% macro feature_store_clear_range() -%}
    {{ return(adapter.dispatch('feature_store_clear_range')()) }}
{%- endmacro %}

{% macro default__feature_store_clear_range() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ date_range_filter('game_date') }}
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__feature_store_clear_range() -%}
{%- endmacro %}


{#- Incremental config of feature_store_gaps: an upsert keyed on gap_id (history is never deleted). -#}
{% macro feature_store_gaps_incremental_config() -%}
    {{ return(adapter.dispatch('feature_store_gaps_incremental_config')()) }}
{%- endmacro %}

{% macro default__feature_store_gaps_incremental_config() -%}
    {{ return({'incremental_strategy': 'merge', 'unique_key': 'gap_id'}) }}
{%- endmacro %}

{% macro duckdb__feature_store_gaps_incremental_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'gap_id'}) }}
{%- endmacro %}


{#- The float type of feature values: DOUBLE on DuckDB (its FLOAT is 4 bytes), FLOAT64 on BigQuery. -#}
{% macro feature_float_type() -%}
    {{ return(adapter.dispatch('feature_float_type')()) }}
{%- endmacro %}

{% macro default__feature_float_type() -%}double{%- endmacro %}

{% macro bigquery__feature_float_type() -%}float64{%- endmacro %}


{#- An array literal of int expressions with the NULL elements removed, order kept. -#}
{% macro array_without_nulls(expressions) -%}
    {{ return(adapter.dispatch('array_without_nulls')(expressions)) }}
{%- endmacro %}

{% macro duckdb__array_without_nulls(expressions) -%}
    list_filter([{{ expressions | join(', ') }}], lambda element: element is not null)
{%- endmacro %}

{% macro default__array_without_nulls(expressions) -%}
    array(
        select element from unnest([{{ expressions | join(', ') }}]) as element with offset as position
        where element is not null order by position
    )
{%- endmacro %}


{#- Element INDEX (0-based, as in the contract) of an array column. -#}
{% macro array_element(array_column, index) -%}
    {{ return(adapter.dispatch('array_element')(array_column, index)) }}
{%- endmacro %}

{% macro default__array_element(array_column, index) -%}
    {{ array_column }}[{{ index + 1 }}]
{%- endmacro %}

{% macro bigquery__array_element(array_column, index) -%}
    {{ array_column }}[safe_offset({{ index }})]
{%- endmacro %}


{#- Number of elements of an array column. -#}
{% macro array_length(array_column) -%}
    {{ return(adapter.dispatch('array_length')(array_column)) }}
{%- endmacro %}

{% macro default__array_length(array_column) -%}
    len({{ array_column }})
{%- endmacro %}

{% macro bigquery__array_length(array_column) -%}
    array_length({{ array_column }})
{%- endmacro %}
