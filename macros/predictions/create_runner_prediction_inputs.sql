{#- The runner's record of what each prediction was made from (schema `runner`): one row per prediction and
    contract feature with the store row's value, source and default reason when it was served. Created empty
    when missing so that the served-vs-rebuilt marts build before the first prediction. The runner creates
    the same table (runner/nba_props/predictions/history.py, INPUT_COLUMNS); a pytest compares the two. -#}
{% macro create_runner_prediction_inputs() -%}
    {%- set columns = [
        ('prediction_id', 'string'), ('feature_index', 'integer'), ('feature_name', 'string'),
        ('feature_value', 'double'), ('feature_source', 'string'), ('default_reason', 'string'),
    ] -%}
    {%- set table = api.Relation.create(
        database=target.database, schema=var('runner_schema', 'runner'), identifier='prediction_inputs') -%}
    create schema if not exists {{ table.without_identifier() }};
    create table if not exists {{ table }} (
    {%- for name, kind in columns %}
        {{ name }} {{ runner_column_type(kind) }}{{ ',' if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}
