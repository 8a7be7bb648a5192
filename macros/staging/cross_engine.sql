{#- Cross-engine helpers used by staging. One idea per macro; engine variants side by side. -#}

{#- A cast that yields NULL instead of failing (dbt.safe_cast is a plain cast on DuckDB). -#}
{% macro try_cast(expr, type) -%}
    {{ return(adapter.dispatch('try_cast', 'nba_props')(expr, type)) }}
{%- endmacro %}

{% macro default__try_cast(expr, type) -%}
    cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro duckdb__try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro bigquery__try_cast(expr, type) -%}
    safe_cast({{ expr }} as {{ type }})
{%- endmacro %}


{#- Text with a strftime-style format to a date, NULL when it does not parse. -#}
{% macro parse_date(expr, fmt) -%}
    {{ return(adapter.dispatch('parse_date', 'nba_props')(expr, fmt)) }}
{%- endmacro %}

{% macro default__parse_date(expr, fmt) -%}
    cast({{ expr }} as date)
{%- endmacro %}

{% macro duckdb__parse_date(expr, fmt) -%}
    cast(try_strptime({{ expr }}, '{{ fmt }}') as date)
{%- endmacro %}

{% macro bigquery__parse_date(expr, fmt) -%}
    safe.parse_date('{{ fmt }}', {{ expr }})
{%- endmacro %}


{#- Boolean: the text matches the (RE2) pattern somewhere. -#}
{% macro regex_contains(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_contains', 'nba_props')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro bigquery__regex_contains(expr, pattern) -%}
    regexp_contains({{ expr }}, r'{{ pattern }}')
{%- endmacro %}


{#- Implied probability (0-1) of an American price; NULL for NULL or an impossible price (|price| < 100). -#}
{% macro american_to_probability(price) -%}
    case
        when {{ price }} <= -100 then -1.0 * {{ price }} / (-1.0 * {{ price }} + 100)
        when {{ price }} >= 100 then 100.0 / ({{ price }} + 100)
    end
{%- endmacro %}


{#- Whole minutes from `earlier` to `later` (both UTC timestamps); negative when later is before earlier. -#}
{% macro minutes_between(earlier, later) -%}
    {{ return(adapter.dispatch('minutes_between', 'nba_props')(earlier, later)) }}
{%- endmacro %}

{% macro default__minutes_between(earlier, later) -%}
    cast(floor(extract(epoch from ({{ later }} - {{ earlier }})) / 60) as integer)
{%- endmacro %}

{% macro duckdb__minutes_between(earlier, later) -%}
    cast(floor((epoch({{ later }}) - epoch({{ earlier }})) / 60) as integer)
{%- endmacro %}

{% macro bigquery__minutes_between(earlier, later) -%}
    cast(floor(timestamp_diff({{ later }}, {{ earlier }}, second) / 60) as int64)
{%- endmacro %}


{#- Add whole days to a date. -#}
{% macro add_days(date_expr, days) -%}
    {{ return(adapter.dispatch('add_days', 'nba_props')(date_expr, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, days) -%}
    cast({{ date_expr }} + {{ days }} as date)
{%- endmacro %}

{% macro duckdb__add_days(date_expr, days) -%}
    cast({{ date_expr }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}

{% macro bigquery__add_days(date_expr, days) -%}
    date_add({{ date_expr }}, interval {{ days }} day)
{%- endmacro %}


{#- Replace every match of an RE2 pattern (DuckDB replaces only the first without the 'g' flag). -#}
{% macro regex_replace_all(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all', 'nba_props')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro bigquery__regex_replace_all(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, r'{{ pattern }}', r'{{ replacement }}')
{%- endmacro %}


{#- `select *` minus some columns (DuckDB: EXCLUDE, BigQuery: EXCEPT). -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'nba_props')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro bigquery__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}
