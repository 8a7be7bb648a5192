{#- True when a snapshot could have been seen before the game: strictly before tip-off and at or before the
    `as_of` var. Every line and injury snapshot the features read goes through it. -#}
{% macro snapshot_visible(snapshot_column, tipoff_column) -%}
    ({{ snapshot_column }} < {{ tipoff_column }} and {{ at_or_before_as_of(snapshot_column) }})
{%- endmacro %}


{#- True when the snapshot was taken at or before the `as_of` var (macro as_of_utc), or `true` without one.
    The monitoring marts bound their line counts by it too, so as_of is read in one place. -#}
{% macro at_or_before_as_of(snapshot_column) -%}
    {%- set as_of = as_of_utc() -%}
    {%- if as_of -%}
        ({{ snapshot_column }} <= cast('{{ as_of }}' as timestamp))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
