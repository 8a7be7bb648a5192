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


{#- True when a dated fact (a day's transaction, such as an injured-list move) was known at the `as_of` var: its
    day was over before as_of's US Eastern day began; `true` without as_of. The ET date is rendered either way,
    so the parsed model depends on the same macros with and without the var (the runner reuses one manifest). -#}
{% macro day_over_before_as_of(date_column) -%}
    {%- set as_of = as_of_utc() -%}
    {%- set as_of_date = utc_to_et_date("cast('" ~ (as_of or '1970-01-01 00:00:00') ~ "' as timestamp)") -%}
    {%- if as_of -%}
        ({{ date_column }} < {{ as_of_date }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
