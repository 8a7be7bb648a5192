{#- How the store reads one feature from one upstream join (alias J of the generated joins). Every feature-input
    model exposes, for each feature it owns, the value and `<feature>_null_reason` (docs/model_interfaces.md);
    `<feature>_source` only where a value can come from more than one source. Their contracts are enforced, so
    the columns declared in their YAML are the columns they have: the store reads that declaration from dbt's
    graph at compile time instead of asking the warehouse. -#}

{#- The upstream's null_reason for the feature. -#}
{% macro feature_input_null_reason(j, name) -%}
    cast({{ j.alias }}.{{ name }}_null_reason as {{ dbt.type_string() }})
{%- endmacro %}


{#- Whether the upstream model declares `<feature>_source` (its YAML, contract enforced). -#}
{% macro feature_input_has_source(j, name) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ j.model) -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("the feature store reads " ~ j.model ~ ", which is not a model") }}
    {%- endif -%}
    {{ return((name ~ '_source') in node.columns) }}
{%- endmacro %}


{#- True when the upstream tagged its own value as a stand-in (`<f>_source` default, fallback, missing or
    constant): such a value is a default here too, whichever model produced it. -#}
{% macro feature_input_flags_default(j, name) -%}
    {%- if feature_input_has_source(j, name) -%}
        coalesce({{ j.alias }}.{{ name }}_source in ('default', 'fallback', 'missing', 'constant'), false)
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{#- The upstream's own tag of a real value (`<f>_source`, e.g. a fallback source such as short_window), NULL
    where it flags a stand-in or declares no source. -#}
{% macro feature_input_source(j, name) -%}
    {%- if feature_input_has_source(j, name) -%}
        case when not {{ feature_input_flags_default(j, name) }} then {{ j.alias }}.{{ name }}_source end
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
