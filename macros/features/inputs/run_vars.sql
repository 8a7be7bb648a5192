{#- The run's vars, checked once where every model reads them: `start_date` / `end_date` (YYYY-MM-DD) and
    `as_of` (a timestamp, UTC unless it says otherwise). A wrong value stops the run with one compiler error
    that names the var, instead of a database cast error deep in a model, a range that builds nothing, or an
    offset the database would silently drop. -#}

{#- [start_date, end_date] as YYYY-MM-DD strings (none when unset); end_date before start_date is an error. -#}
{% macro date_range_vars() -%}
    {%- set start_date = checked_date_var('start_date') -%}
    {%- set end_date = checked_date_var('end_date') -%}
    {%- if start_date and end_date and end_date < start_date -%}
        {{ exceptions.raise_compiler_error(
            "var end_date " ~ end_date ~ " is before start_date " ~ start_date ~ ": the date range is empty"
        ) }}
    {%- endif -%}
    {{ return([start_date, end_date]) }}
{%- endmacro %}


{#- One date var as YYYY-MM-DD, or none. YAML turns an unquoted 2024-03-05 into a date: both forms pass. -#}
{% macro checked_date_var(name) -%}
    {%- set value = var(name, none) -%}
    {%- if value is none or value | string == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string -%}
    {%- set ymd = modules.re.fullmatch('([0-9]{4})-(0[1-9]|1[0-2])-([0-2][0-9]|3[01])', text) -%}
    {%- if not ymd -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ "='" ~ text ~ "' is not a date in YYYY-MM-DD form") }}
    {%- endif -%}
    {%- set year, month, day = ymd.group(1) | int, ymd.group(2) | int, ymd.group(3) | int -%}
    {%- set first = modules.datetime.date(year, month, 1) -%}
    {%- set next_first = modules.datetime.date(year + 1, 1, 1) if month == 12
        else modules.datetime.date(year, month + 1, 1) -%}
    {%- if day < 1 or day > (next_first - first).days -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ "='" ~ text ~ "' is not a day of the calendar") }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{#- The as_of var as a UTC timestamp literal 'YYYY-MM-DD HH:MM:SS[.ffffff]', or none. A value with an offset
    (2024-03-05T10:00:00-05:00, or what YAML makes of it) is converted to UTC: a cast of the text would drop
    the offset and see five hours of snapshots too many or too few. A value without one is UTC. -#}
{% macro as_of_utc() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value is none or value | string == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {#- YAML may have made a date or a datetime of it: their text parses the same way -#}
    {%- set text = value | string -%}
    {%- set pattern = '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?)?'
        ~ '(Z|[+-][0-9]{2}:?[0-9]{2})?' -%}
    {%- if not modules.re.fullmatch(pattern, text) -%}
        {{ exceptions.raise_compiler_error(
            "var as_of='" ~ text ~ "' is not a timestamp (YYYY-MM-DDTHH:MM:SSZ, UTC unless it gives an offset)"
        ) }}
    {%- endif -%}
    {%- set value = modules.datetime.datetime.fromisoformat(text) -%}
    {%- if value.tzinfo is not none -%}
        {%- set value = value.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- endif -%}
    {{ return(value.isoformat(sep=' ')) }}
{%- endmacro %}
