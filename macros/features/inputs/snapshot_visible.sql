{#- True when a snapshot could have been seen before the game: strictly before tip-off and, when the
    `as_of` var is set (macro as_of_utc), at or before as_of. Every line and injury snapshot goes through it. -#}
{% macro snapshot_visible(snapshot_column, tipoff_column) -%}
    {%- set as_of = as_of_utc() -%}
    ({{ snapshot_column }} < {{ tipoff_column }}
    {%- if as_of %} and {{ snapshot_column }} <= cast('{{ as_of }}' as timestamp){% endif %})
{%- endmacro %}
