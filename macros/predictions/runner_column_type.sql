{#- Column types of the runner's tables, named once per engine (dbt.type_float is a 4-byte REAL on DuckDB). -#}
{% macro runner_column_type(kind) -%}
    {{ return(adapter.dispatch('runner_column_type', 'nba_props')(kind)) }}
{%- endmacro %}

{% macro default__runner_column_type(kind) -%}
    {{ return({'string': 'varchar', 'double': 'double', 'integer': 'integer', 'boolean': 'boolean',
               'timestamp': 'timestamp', 'date': 'date'}[kind]) }}
{%- endmacro %}

{% macro bigquery__runner_column_type(kind) -%}
    {{ return({'string': 'string', 'double': 'float64', 'integer': 'int64', 'boolean': 'bool',
               'timestamp': 'timestamp', 'date': 'date'}[kind]) }}
{%- endmacro %}
