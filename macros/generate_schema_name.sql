{#- Custom schemas are used as given (staging, features, ...), not prefixed with the target schema,
    so the warehouse reads the same on DuckDB and BigQuery. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
