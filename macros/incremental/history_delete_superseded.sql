{#- Post-hook of a full-history model (history_incremental_config): after the run appended the new version of
    every changed key, delete the earlier versions of those keys, and every earlier row of a changed key whose
    source rows are gone (such a key has no new version, so it is found again from the late-row rule, which
    reads the same state as the model did: earlier batches' rows are untouched until this statement). With a
    `unique_id`, an earlier row of a rewritten id goes too, whatever its key (a game moved to another date). -#}
{% macro history_delete_superseded() -%}
    {%- set history = config.get('meta')['history'] -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where
            _built_at <> {{ history_batch() }}
            and (
                {{ history.key }} in (
                    select rewritten.{{ history.key }} from {{ this }} as rewritten
                    where rewritten._built_at = {{ history_batch() }}
                )
                or {{ history.key }} in ({{ history_changed_keys(history) }})
                {%- if history.unique_id %}
                or {{ history.unique_id }} in (
                    select rewritten.{{ history.unique_id }} from {{ this }} as rewritten
                    where rewritten._built_at = {{ history_batch() }}
                )
                {%- endif %}
            )
    {%- endif -%}
{%- endmacro %}
