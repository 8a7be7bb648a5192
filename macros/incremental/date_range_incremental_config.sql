{#- How a model bounded by the run's date range (the `start_date` / `end_date` vars) keeps its history: each
    run replaces exactly the game_dates of its range and leaves every other date as it was (the store, the
    player cache). DuckDB: a pre-hook deletes the range (every date of it, also one that lost all its rows),
    then the run's rows are appended. BigQuery: insert_overwrite of the range's day partitions, listed
    statically so the emulator (no scripting) runs it and an emptied day is replaced too; without a range the
    table is rebuilt (full_refresh). A new column makes an incremental run fail (`on_schema_change: fail`)
    until one `dbt run --full-refresh --select <model>`, unless the model passes another on_schema_change (the
    market marts add their columns: `sync_all_columns`). On DuckDB no config depends on a var. -#}
{% macro date_range_incremental_config(cluster_by=none, on_schema_change='fail') -%}
    {%- set cfg = {'materialized': 'incremental', 'on_schema_change': on_schema_change} -%}
    {%- do cfg.update(adapter.dispatch('date_range_storage_config', 'nba_props')(cluster_by)) -%}
    {{ return(cfg) }}
{%- endmacro %}

{% macro default__date_range_storage_config(cluster_by) -%}
    {{ return({'incremental_strategy': 'append', 'pre_hook': "{{ date_range_clear() }}"}) }}
{%- endmacro %}

{% macro bigquery__date_range_storage_config(cluster_by) -%}
    {%- set cfg = {
        'incremental_strategy': 'insert_overwrite',
        'partition_by': {'field': 'game_date', 'data_type': 'date', 'granularity': 'day'},
        'full_refresh': var('start_date', none) is none and var('end_date', none) is none,
    } -%}
    {%- if cluster_by -%}
        {%- do cfg.update({'cluster_by': cluster_by}) -%}
    {%- endif -%}
    {%- set days = date_range_days() -%}
    {%- if days -%}
        {%- do cfg.update({'partitions': days}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}


{#- Pre-hook of a date-range model on DuckDB: on an incremental run, delete the var range (every date when no
    var is set). -#}
{% macro date_range_clear() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ date_range_filter('game_date') }}
    {%- endif -%}
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
