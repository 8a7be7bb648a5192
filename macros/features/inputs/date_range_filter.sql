{#- Bounds a model's output rows to the `start_date` / `end_date` vars (inclusive; null = unbounded).
    History before start_date is still read by the model: apply this to the output rows only. -#}
{% macro date_range_filter(column) -%}
    {%- set start_date = var('start_date', none) -%}
    {%- set end_date = var('end_date', none) -%}
    ({% if start_date %}{{ column }} >= cast('{{ start_date }}' as date){% else %}true{% endif %}
    and {% if end_date %}{{ column }} <= cast('{{ end_date }}' as date){% else %}true{% endif %})
{%- endmacro %}
