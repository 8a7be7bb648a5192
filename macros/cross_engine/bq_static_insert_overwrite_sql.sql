{#- dbt-bigquery 1.12.1's static-partition insert_overwrite, overridden by the root project with one change: the
    comment between the MERGE and the temp-table DROP is gone. In that spot (`...;-- 2. clean up`) crucible-emulator's
    parser (sqlglot) reads the comment as an empty statement and refuses the request, so the feature store's
    incremental rerun failed on the emulator only. The SQL sent to BigQuery is otherwise identical.
    Remove this file when dbt-bigquery or crucible changes (runner/tests/test_bigquery_emulator.py reruns it). -#}
{% macro bq_static_insert_overwrite_sql(
    tmp_relation, target_relation, sql, partition_by, partitions, dest_columns, tmp_relation_exists, copy_partitions
) %}

    {%- if copy_partitions %}
        {{ bq_static_copy_partitions_insert_overwrite_sql(tmp_relation, target_relation, sql, partition_by, partitions, tmp_relation_exists) }}
    {% else -%}
        {% set predicate -%}
            {{ partition_by.render_wrapped(alias='dbt_internal_dest') }} in (
                {{ partitions | join (', ') }}
            )
        {%- endset %}

        {%- set source_sql = bq_static_select_insert_overwrite_sql(tmp_relation, sql, partition_by, tmp_relation_exists) %}

        {{ get_insert_overwrite_merge_sql(target_relation, source_sql, dest_columns, [predicate], include_sql_header = not tmp_relation_exists) }};

        {%- if tmp_relation_exists %}
        drop table if exists {{ tmp_relation }};
        {%- endif -%}

    {%- endif -%}
{% endmacro %}
