{#- A hash of one raw row's content (an integer below 10^9 + 7, so sums of them fit a 64-bit integer): every
    column the source declares in its YAML except the load bookkeeping, plus `_row_number` (the row's place in
    its file breaks ties between duplicate keys in staging). Read from dbt's graph at compile time. -#}
{% macro raw_row_hash(source_relation) -%}
    {%- set columns = ['_row_number'] -%}
    {%- if execute -%}
        {%- set node = graph.sources.values() | selectattr('identifier', 'equalto', source_relation.identifier)
            | first -%}
        {%- for name in node.columns if not name.startswith('_') -%}
            {%- do columns.append(adapter.quote(name)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(adapter.dispatch('raw_row_hash', 'nba_props')(columns)) }}
{%- endmacro %}

{% macro default__raw_row_hash(columns) -%}
    cast(hash({{ columns | join(', ') }}) % 1000000007 as bigint)
{%- endmacro %}

{#- MD5's first 60 bits as an integer rather than FARM_FINGERPRINT, which crucible-emulator cannot run -#}
{% macro bigquery__raw_row_hash(columns) -%}
    mod(
        cast(concat('0x', substr(to_hex(md5(to_json_string(struct({{ columns | join(', ') }})))), 1, 15)) as int64),
        1000000007
    )
{%- endmacro %}
