{#- Clamp a numeric expression to [low, high]; NULL stays NULL (least/greatest would also return NULL, kept explicit). -#}
{% macro clamp(expression, low, high) -%}
    case when ({{ expression }}) is null then null
        else least(greatest(({{ expression }}), {{ low }}), {{ high }}) end
{%- endmacro %}
