{#- How the store reads one feature from one upstream join (alias J of the generated joins), knowing the
    upstream's columns (COLUMNS, read at execution). -#}

{#- The upstream's null_reason for the feature, or a NULL string when the upstream has no such column. -#}
{% macro feature_input_null_reason(j, name, columns) -%}
    {%- if (name ~ '_null_reason') in columns.get(j.alias, []) -%}
        cast({{ j.alias }}.{{ name }}_null_reason as {{ dbt.type_string() }})
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}


{#- True when the upstream tagged its own value as a stand-in (`<f>_source` default, fallback, missing or
    constant): such a value is a default here too, whichever model produced it. -#}
{% macro feature_input_flags_default(j, name, columns) -%}
    {%- if (name ~ '_source') in columns.get(j.alias, []) -%}
        coalesce({{ j.alias }}.{{ name }}_source in ('default', 'fallback', 'missing', 'constant'), false)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}
