{#- The grain test: no two rows share the combination. NULLs compare equal (an unresolved key is still a key). -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

keyed as (

    select
        {% for column in combination_of_columns -%}
        coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>') as key_{{ loop.index }}{{ ',' if not loop.last }}
        {% endfor %}
    from {{ model }}

)

select
    {% for column in combination_of_columns -%}
    key_{{ loop.index }},
    {% endfor -%}
    count(*) as row_count
from keyed
group by {% for column in combination_of_columns %}key_{{ loop.index }}{{ ', ' if not loop.last }}{% endfor %}
having count(*) > 1

{% endtest %}
