{#- How a full-history model is kept up to date: incremental, replacing the keys (dates) a change touches.

    HISTORY describes the model's late-row rule (also kept in the model's `meta`, so `dbt docs` shows it):
      key       the replacement key, a date column of the model (game_date, snapshot_date_et, ...);
      changes   what rebuilds a key: raw tables (`raw`: a load after the model's last build, or a changed file,
                touches the event dates of its old and new content; see stg_loads__file_dates) and upstream
                full-history models (`model` + its key `column`: keys it rewrote since this model's last
                build), each mapped onto this model's keys by `days` [lo, hi] (hi none = every later key) and,
                with `same_season`, only within the season of the change (`domain` gives key -> season);
      domain    the model and column that list this model's possible keys (for `days` other than [0, 0]);
      unique_id (optional) a column that identifies a row whatever its key: an earlier row of a rewritten id
                is deleted too (a game whose date a correction moved);
      as_of     whether rows depend on the `as_of` var (injury reports): rows of dates on or after the ET date
                of as_of are rebuilt whenever they were built under another as_of (or none).
    Every run appends the new version of each changed key (strategy append on DuckDB, a MERGE without key on
    BigQuery: an insert the emulator runs without scripting), then the post-hook deletes the earlier versions
    of those keys, including keys whose source rows are gone. On DuckDB both happen in one transaction. -#}
{% macro history_incremental_config(history, cluster_by=none) -%}
    {%- set cfg = {
        'materialized': 'incremental',
        'on_schema_change': 'fail',
        'meta': {'history': history},
        'post_hook': "{{ history_delete_superseded() }}",
    } -%}
    {%- do cfg.update(adapter.dispatch('history_storage_config', 'nba_props')(history.key, cluster_by)) -%}
    {{ return(cfg) }}
{%- endmacro %}

{% macro default__history_storage_config(key, cluster_by) -%}
    {{ return({'incremental_strategy': append_strategy()}) }}
{%- endmacro %}

{% macro bigquery__history_storage_config(key, cluster_by) -%}
    {%- set cfg = {
        'incremental_strategy': append_strategy(),
        'partition_by': {'field': key, 'data_type': 'date', 'granularity': 'day'},
    } -%}
    {%- if cluster_by -%}
        {%- do cfg.update({'cluster_by': cluster_by}) -%}
    {%- endif -%}
    {{ return(cfg) }}
{%- endmacro %}


{#- `-- depends_on` lines for the relations the late-row rule reads only on incremental runs, so dbt orders
    the model after them and lists them in its lineage. -#}
{% macro history_depends_on(history) -%}
-- depends_on: {{ ref('stg_loads__file_dates') }}
{%- for change in history.changes if change.model %}
-- depends_on: {{ ref(change.model) }}
{%- endfor %}
{%- if history.domain %}
-- depends_on: {{ ref(history.domain.model) }}
{%- endif %}
{%- endmacro %}


{#- This run's batch marker: every row a run writes carries it in `_built_at` (dbt's run_started_at, UTC). -#}
{% macro history_batch() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}


{#- The incremental strategy that only inserts the model's rows: `append` where the adapter has it; on
    BigQuery a MERGE without unique_key (`on false ... when not matched then insert`), which is an insert. -#}
{% macro append_strategy() -%}
    {{ return(adapter.dispatch('append_strategy', 'nba_props')()) }}
{%- endmacro %}

{% macro default__append_strategy() -%}
    {{ return('append') }}
{%- endmacro %}

{% macro bigquery__append_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}
