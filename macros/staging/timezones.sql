{#- Time-zone helpers. Timestamps are UTC everywhere (DuckDB: naive TIMESTAMP holding UTC; BigQuery:
    TIMESTAMP); the basketball calendar is US Eastern, so dates are derived through America/New_York,
    which handles daylight saving (a 02:00 UTC snapshot belongs to the previous ET day). -#}

{#- ISO-8601 text ('2024-01-17T20:10:55Z', offsets allowed, UTC when no zone) to a UTC timestamp. -#}
{% macro parse_utc_timestamp(expr) -%}
    {{ return(adapter.dispatch('parse_utc_timestamp', 'nba_props')(expr)) }}
{%- endmacro %}

{% macro default__parse_utc_timestamp(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}

{% macro duckdb__parse_utc_timestamp(expr) -%}
    cast(timezone('UTC', try_cast({{ expr }} as timestamptz)) as timestamp)
{%- endmacro %}

{% macro bigquery__parse_utc_timestamp(expr) -%}
    safe_cast({{ expr }} as timestamp)
{%- endmacro %}


{#- The US Eastern calendar date of a UTC timestamp. -#}
{% macro utc_to_et_date(ts) -%}
    {{ return(adapter.dispatch('utc_to_et_date', 'nba_props')(ts)) }}
{%- endmacro %}

{% macro default__utc_to_et_date(ts) -%}
    cast({{ ts }} as date)
{%- endmacro %}

{% macro duckdb__utc_to_et_date(ts) -%}
    cast(timezone('America/New_York', timezone('UTC', {{ ts }})) as date)
{%- endmacro %}

{% macro bigquery__utc_to_et_date(ts) -%}
    date({{ ts }}, 'America/New_York')
{%- endmacro %}


{#- A US Eastern wall-clock time ('HH:MM' text) on an ET date, as a UTC timestamp. -#}
{% macro et_to_utc(date_expr, hhmm) -%}
    {{ return(adapter.dispatch('et_to_utc', 'nba_props')(date_expr, hhmm)) }}
{%- endmacro %}

{% macro default__et_to_utc(date_expr, hhmm) -%}
    cast(cast({{ date_expr }} as varchar) || ' ' || {{ hhmm }} as timestamp)
{%- endmacro %}

{% macro duckdb__et_to_utc(date_expr, hhmm) -%}
    cast(timezone('UTC', timezone('America/New_York',
        strptime(cast({{ date_expr }} as varchar) || ' ' || {{ hhmm }}, '%Y-%m-%d %H:%M'))) as timestamp)
{%- endmacro %}

{% macro bigquery__et_to_utc(date_expr, hhmm) -%}
    timestamp(datetime({{ date_expr }}, parse_time('%H:%M', {{ hhmm }})), 'America/New_York')
{%- endmacro %}
