{#- Post-hook of a full-history model (history_incremental_config): after the run appended the new version of
    every changed key, delete the earlier versions of those keys, and every earlier row of a changed key whose
    source rows are gone (such a key has no new version). The keys are the rule's (history_changed_key_list,
    which reads the same state as the model did: earlier batches' rows are untouched until this statement)
    and the keys the run wrote (a model may write more, e.g. int_games every date of a rebuilt game). With a
    `unique_id`, an earlier row of a rewritten id goes too, whatever its key (a game moved to another date).
    Nothing to do after a build that created the table (no earlier rows). -#}
{% macro history_delete_superseded() -%}
    {%- set history = config.get('meta')['history'] -%}
    {%- if is_incremental() and execute -%}
        {%- set earlier = run_query(
            "select count(*) from " ~ this ~ " where _built_at <> " ~ history_batch()
        ).columns[0].values()[0] -%}
        {%- if earlier -%}
            {%- set written = run_query(
                "select distinct " ~ history.key ~ " from " ~ this ~ " where _built_at = " ~ history_batch()
            ).columns[0].values() | reject('none') | map('string') | list -%}
            {%- set keys = (history_changed_key_list(history) + written) | unique | sort -%}
            {%- set ids = [] -%}
            {%- if history.unique_id -%}
                {%- set ids = run_query(
                    "select distinct " ~ history.unique_id ~ " from " ~ this ~ " where _built_at = "
                    ~ history_batch()
                ).columns[0].values() | reject('none') | list -%}
            {%- endif -%}
            {%- if keys or ids -%}
                {%- set superseded -%}
                    _built_at <> {{ history_batch() }}
                    and (
                        {{ history_key_in(history.key, keys, history) }}
                        {%- if ids %}
                        or {{ history.unique_id }} in ('{{ ids | join("', '") }}')
                        {%- endif %}
                    )
                {%- endset -%}
                {{ delete_rows(this, superseded) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- `delete from RELATION where CONDITION`; on BigQuery as a MERGE that deletes the target rows no source row
    matches (the statement dbt's insert_overwrite uses), which crucible-emulator runs (it has no DELETE). -#}
{% macro delete_rows(relation, condition) -%}
    {{ return(adapter.dispatch('delete_rows', 'nba_props')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_rows(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro bigquery__delete_rows(relation, condition) -%}
    merge into {{ relation }} using (select 1 as nothing) on false
    when not matched by source and {{ condition }} then delete
{%- endmacro %}
