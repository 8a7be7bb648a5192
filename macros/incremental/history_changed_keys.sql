{#- The keys of a full-history model that this run must rebuild (one column, changed_key), from the model's
    late-row rule (history_incremental_config) and what the model's earlier batches recorded:
      - a raw table of the rule: every event date of every load of a file that has a load after the model's
        `_loaded_through`, or that raw.load_log says was replaced since (a new file's dates; a changed file's
        new dates and the dates of its old content, which stg_loads__file_dates keeps);
      - an upstream full-history model of the rule: the keys it rewrote after this model's last build;
      - as_of: keys whose rows were built under another as_of than this run's (history_expected_as_of).
    The model and its post-hook call this with the same state (earlier batches' rows, the same raw tables),
    so both see the same keys. -#}
{% macro history_changed_keys(history) -%}
    {%- set earlier = "(select * from " ~ this ~ " where _built_at <> " ~ history_batch() ~ ")" -%}
    {%- set no_time = "cast('0001-01-01 00:00:00' as timestamp)" -%}
    {%- set marks = {
        'loaded_through': "(select coalesce(max(m._loaded_through), " ~ no_time ~ ") from " ~ earlier ~ " as m)",
        'built_at': "(select coalesce(max(m._built_at), " ~ no_time ~ ") from " ~ earlier ~ " as m)",
    } -%}
    select distinct changed_key
    from (
        {%- for change in history.changes %}
        {% if not loop.first %}union all{% endif %}
        {{ history_keys_of_change(history, change, history_change_dates(change, marks)) }}
        {%- endfor %}
        {%- if history.as_of %}
        union all
        select m.{{ history.key }} as changed_key
        from {{ earlier }} as m
        where m._built_as_of is distinct from {{ history_expected_as_of('m.' ~ history.key) }}
        {%- endif %}
    ) as changed_keys
{%- endmacro %}


{#- The dates X at which one input of the rule changed since the model's last build (column changed_date).
    A raw table: for every file with a load after the model's `_loaded_through` (in stg_loads__file_dates, or
    in raw.load_log for a load that left no rows), the dates whose row count or content hash differs between
    the file's load the model last saw (its latest load at or before `_loaded_through`; none for a new file)
    and its current load: every date of a new file; of a changed file, the dates whose rows changed, were added
    or are gone. An upstream model: the keys it rewrote after this model's last build. -#}
{% macro history_change_dates(change, marks) -%}
    {%- if change.raw -%}
        {%- set index = ref('stg_loads__file_dates') -%}
        {%- set tables = "'" ~ change.raw | join("', '") ~ "'" -%}
        {%- set loaded_through = marks.loaded_through -%}
        with

        file_loads as (
            select distinct
                raw_table,
                source_file,
                load_id,
                loaded_at
            from {{ index }}
            where raw_table in ({{ tables }})
            union distinct
            select
                raw_table,
                file_name as source_file,
                load_id,
                loaded_at
            from {{ source('loads', 'load_log') }}
            where raw_table in ({{ tables }})
        ),

        -- files with a load since the model last ran: the load it saw then, and the current one
        changed_files as (
            select
                raw_table,
                source_file,
                max(case when is_seen and seen_rank = 1 then load_id end) as seen_load_id,
                max(case when current_rank = 1 then load_id end) as current_load_id
            from (
                select
                    *,
                    row_number() over (
                        partition by raw_table, source_file, is_seen order by loaded_at desc, load_id desc
                    ) as seen_rank,
                    row_number() over (
                        partition by raw_table, source_file order by loaded_at desc, load_id desc
                    ) as current_rank
                from (
                    select
                        *,
                        loaded_at <= {{ loaded_through }} as is_seen
                    from file_loads
                ) as marked_loads
            ) as ranked_loads
            group by raw_table, source_file
            having max(loaded_at) > {{ loaded_through }}
        ),

        current_dates as (
            select
                changed_files.raw_table,
                changed_files.source_file,
                loads.event_date,
                loads.row_count,
                loads.content_hash
            from changed_files
            inner join {{ index }} as loads
                on
                    loads.raw_table = changed_files.raw_table
                    and loads.load_id = changed_files.current_load_id
        ),

        seen_dates as (
            select
                changed_files.raw_table,
                changed_files.source_file,
                loads.event_date,
                loads.row_count,
                loads.content_hash
            from changed_files
            inner join {{ index }} as loads
                on
                    loads.raw_table = changed_files.raw_table
                    and loads.load_id = changed_files.seen_load_id
        )

        select distinct coalesce(current_dates.event_date, seen_dates.event_date) as changed_date
        from current_dates
        full outer join seen_dates
            on
                current_dates.raw_table = seen_dates.raw_table
                and current_dates.source_file = seen_dates.source_file
                and current_dates.event_date = seen_dates.event_date
        where
            coalesce(current_dates.event_date, seen_dates.event_date) is not null
            and (
                current_dates.content_hash is distinct from seen_dates.content_hash
                or current_dates.row_count is distinct from seen_dates.row_count
            )
    {%- else -%}
        select distinct upstream.{{ change.column }} as changed_date
        from {{ ref(change.model) }} as upstream
        where upstream._built_at > {{ marks.built_at }}
    {%- endif -%}
{%- endmacro %}


{#- Change dates X (DATES_SQL) mapped onto the model's keys: X itself for days [0, 0]; otherwise every key of
    the domain in [X + lo, X + hi] (hi none: every later key), within X's season when same_season (a date
    that no longer has games has no season: every later key then), plus X itself when lo <= 0 <= hi (its rows
    may be all that is left of it). -#}
{% macro history_keys_of_change(history, change, dates_sql) -%}
    {%- set lo, hi = change.days -%}
    {%- if lo == 0 and hi == 0 and not change.same_season -%}
        select change_dates.changed_date as changed_key
        from ({{ dates_sql }}) as change_dates
    {%- else -%}
        {%- set domain = history.domain -%}
        {%- set domain_sql -%}
            select distinct
                {{ domain.column }} as domain_key
                {%- if change.same_season %},
                {{ domain.season }} as domain_season
                {%- endif %}
            from {{ ref(domain.model) }}
        {%- endset -%}
        select domain_keys.domain_key as changed_key
        from ({{ dates_sql }}) as change_dates
        inner join ({{ domain_sql }}) as domain_keys
            on
                domain_keys.domain_key >= {{ add_days('change_dates.changed_date', lo) }}
                {%- if hi is not none %}
                and domain_keys.domain_key <= {{ add_days('change_dates.changed_date', hi) }}
                {%- endif %}
        {%- if change.same_season %}
        left join ({{ domain_sql }}) as change_season
            on change_season.domain_key = change_dates.changed_date
        where change_season.domain_season is null or change_season.domain_season = domain_keys.domain_season
        {%- endif %}
        {%- if lo <= 0 and (hi is none or hi >= 0) %}
        union all
        select change_dates.changed_date as changed_key
        from ({{ dates_sql }}) as change_dates
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- The keys this run rebuilds, as a sorted list of ISO dates: history_changed_keys run once when the model is
    compiled (just before it runs), so the model and its post-hook filter on literal dates, which DuckDB turns
    into a table filter that skips every other row group (a semi-join on a subquery scanned whole tables).
    None in a unit test, which renders the model from fixtures: the filters use the subquery there. -#}
{% macro history_changed_key_list(history) -%}
    {%- if model.tested_node_unique_id or not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(history_changed_keys(history)) -%}
    {{ return(result.columns[0].values() | reject('none') | map('string') | unique | sort) }}
{%- endmacro %}


{#- `COLUMN in (the changed keys)`: a literal list (false when nothing changed), or the subquery in a unit
    test (KEYS none). -#}
{% macro history_key_in(column, keys, history) -%}
    {%- if keys is none -%}
        {{ column }} in ({{ history_changed_keys(history) }})
    {%- elif keys -%}
        {{ column }} in ({% for key in keys %}cast('{{ key }}' as date){{ ', ' if not loop.last }}{% endfor %})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}


{#- The changed keys as a relation (column changed_key), for a model that joins them. -#}
{% macro history_changed_dates(keys, history) -%}
    {%- if keys is none -%}
        {{ history_changed_keys(history) }}
    {%- elif keys -%}
        {%- for key in keys %}
        select cast('{{ key }}' as date) as changed_key
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    {%- else -%}
        select cast(null as date) as changed_key from (select 1 as one) as nothing_changed where false
    {%- endif -%}
{%- endmacro %}


{#- DuckDB: rows written in key order, so a filter on the key skips whole row groups (zone maps). BigQuery
    partitions by the key instead. -#}
{% macro history_order_by(key) -%}
    {{ return(adapter.dispatch('history_order_by', 'nba_props')(key)) }}
{%- endmacro %}

{% macro default__history_order_by(key) -%}
order by {{ key }}
{%- endmacro %}

{% macro bigquery__history_order_by(key) -%}
{%- endmacro %}


{#- `_load_id in (...)` for a staging model re-staging changed dates from a raw table: the loads of RAW_TABLE
    that hold one of the KEYS (stg_loads__file_dates), as literals, so DuckDB reads only their row groups. -#}
{% macro history_source_loads(raw_table, keys, history) -%}
    {%- set index = ref('stg_loads__file_dates') -%}
    {%- set loads_sql -%}
        select distinct loads.load_id
        from {{ index }} as loads
        where loads.raw_table = '{{ raw_table }}' and {{ history_key_in('loads.event_date', keys, history) }}
    {%- endset -%}
    {%- if keys is none -%}
        _load_id in ({{ loads_sql }})
    {%- else -%}
        {%- set load_ids = run_query(loads_sql).columns[0].values() | list if keys else [] -%}
        {%- if load_ids -%}
            _load_id in ('{{ load_ids | join("', '") }}')
        {%- else -%}
            false
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
