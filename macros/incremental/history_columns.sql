{#- The bookkeeping columns every full-history model appends to its rows (not data: left out of content
    comparisons):
      _built_at        the run that wrote the row (its batch; also what downstream models compare their own
                       last build with, to find keys an upstream model rewrote);
      _loaded_through  the latest raw load the run had seen: loads after it are news for the next run;
      _built_as_of     (as_of-dependent models) the `as_of` the row honours: the var for rows dated on or after
                       the ET date of as_of, NULL for earlier rows, which no as_of can change. -#}
{% macro history_columns(history) -%}
    {{ history_batch() }} as _built_at,
    (
        select max(loaded_at)
        from (
            select loaded_at from {{ ref('stg_loads__file_dates') }}
            union all
            select loaded_at from {{ source('loads', 'load_log') }}
        ) as loads
    ) as _loaded_through
    {%- if history.as_of %},
    {{ history_expected_as_of(history.key) }} as _built_as_of
    {%- endif %}
{%- endmacro %}


{#- The as_of a row dated KEY must honour in this run: the var on or after its ET date, NULL before (every
    snapshot of an earlier game day was taken before as_of, so those rows are the same under any as_of). -#}
{% macro history_expected_as_of(key) -%}
    {%- set as_of = as_of_utc() -%}
    {%- if as_of -%}
        {%- set as_of_et_date = modules.datetime.datetime.fromisoformat(as_of).replace(tzinfo=modules.pytz.utc)
            .astimezone(modules.pytz.timezone('America/New_York')).date().isoformat() -%}
        case when {{ key }} >= cast('{{ as_of_et_date }}' as date) then cast('{{ as_of }}' as timestamp) end
    {%- else -%}
        cast(null as timestamp)
    {%- endif -%}
{%- endmacro %}
