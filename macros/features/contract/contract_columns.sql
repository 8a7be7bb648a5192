{#- A contracted model's select list, from its YAML: every declared column in the declared order, cast to the
    declared type. The YAML is then the one place a column and its type are written, and the columns come out
    alike on DuckDB and BigQuery (an integer sum is HUGEINT on one and INT64 on the other). -#}
{% macro contract_columns(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {%- if model.tested_node_unique_id -%}
        {#- a unit test renders the model under its own node, without the graph: its expected rows name the
            columns they check, and the casts are checked by the contract on every real build -#}
    {{ prefix }}*
    {%- else -%}
    {%- for column in model.columns.values() %}
    cast({{ prefix }}{{ column.name }} as {{ column.data_type }}) as {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
    {%- endif -%}
{%- endmacro %}
