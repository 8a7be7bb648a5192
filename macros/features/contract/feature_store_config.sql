{#- Incremental config of feature_store_gaps: an upsert keyed on gap_id (history is never deleted). -#}
{% macro feature_store_gaps_incremental_config() -%}
    {{ return(adapter.dispatch('feature_store_gaps_incremental_config')()) }}
{%- endmacro %}

{% macro default__feature_store_gaps_incremental_config() -%}
    {{ return({'incremental_strategy': 'merge', 'unique_key': 'gap_id'}) }}
{%- endmacro %}

{% macro duckdb__feature_store_gaps_incremental_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'gap_id'}) }}
{%- endmacro %}


{#- The float type of feature values: DOUBLE on DuckDB (its FLOAT is 4 bytes), FLOAT64 on BigQuery. -#}
{% macro feature_float_type() -%}
    {{ return(adapter.dispatch('feature_float_type')()) }}
{%- endmacro %}

{% macro default__feature_float_type() -%}double{%- endmacro %}

{% macro bigquery__feature_float_type() -%}float64{%- endmacro %}


{#- An array literal of int expressions with the NULL elements removed, order kept. -#}
{% macro array_without_nulls(expressions) -%}
    {{ return(adapter.dispatch('array_without_nulls')(expressions)) }}
{%- endmacro %}

{% macro duckdb__array_without_nulls(expressions) -%}
    list_filter([{{ expressions | join(', ') }}], lambda element: element is not null)
{%- endmacro %}

{% macro default__array_without_nulls(expressions) -%}
    array(
        select element from unnest([{{ expressions | join(', ') }}]) as element with offset as position
        where element is not null order by position
    )
{%- endmacro %}


{#- Element INDEX (0-based, as in the contract) of an array column. -#}
{% macro array_element(array_column, index) -%}
    {{ return(adapter.dispatch('array_element')(array_column, index)) }}
{%- endmacro %}

{% macro default__array_element(array_column, index) -%}
    {{ array_column }}[{{ index + 1 }}]
{%- endmacro %}

{% macro bigquery__array_element(array_column, index) -%}
    {{ array_column }}[safe_offset({{ index }})]
{%- endmacro %}


{#- Number of elements of an array column. -#}
{% macro array_length(array_column) -%}
    {{ return(adapter.dispatch('array_length')(array_column)) }}
{%- endmacro %}

{% macro default__array_length(array_column) -%}
    len({{ array_column }})
{%- endmacro %}

{% macro bigquery__array_length(array_column) -%}
    array_length({{ array_column }})
{%- endmacro %}
