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
                delete from {{ this }}
                where
                    _built_at <> {{ history_batch() }}
                    and (
                        {{ history_key_in(history.key, keys, history) }}
                        {%- if ids %}
                        or {{ history.unique_id }} in ('{{ ids | join("', '") }}')
                        {%- endif %}
                    )
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
