-- One row per raw table, load and event date: which dates each loaded file touches (its game dates, or the
-- US Eastern dates of its snapshots), how many rows it has on each and a hash of their content. Append-only,
-- like raw.load_log: a changed file's new load adds rows and those of its earlier loads stay, so the
-- full-history models rebuild exactly the dates whose content differs between the load they last saw and the
-- current one, including dates the new content no longer has (macro history_change_dates). Each run reads only
-- raw rows loaded after the latest load it has of that table. The event date is parsed as the table's staging
-- model parses it; the content hash covers every column the source declares (and the row's number in the
-- file, which breaks ties between duplicate keys), not the load bookkeeping.
{{ config(materialized='incremental', incremental_strategy=append_strategy(), on_schema_change='fail') }}

{%- set raw_tables = [
    ('player_game_logs', source('nba_stats', 'player_game_logs'), 'game_date', try_cast('event_text', 'date')),
    ('playoff_player_boxes', source('nba_stats', 'playoff_player_boxes'), 'game_date',
        try_cast('event_text', 'date')),
    ('team_game_logs', source('nba_stats', 'team_game_logs'), 'game_date', try_cast('event_text', 'date')),
    ('team_box_score_advanced', source('nba_stats', 'team_box_score_advanced'), 'game_date',
        try_cast('event_text', 'date')),
    ('shots', source('nba_stats', 'shots'), 'game_date',
        'coalesce(' ~ parse_date('event_text', '%m-%d-%Y') ~ ', ' ~ parse_date('event_text', '%Y-%m-%d') ~ ')'),
    ('schedule_games', source('league', 'schedule_games'), 'game_date', try_cast('event_text', 'date')),
    ('injury_status_snapshots', source('injuries', 'injury_status_snapshots'), 'snapshot_utc',
        utc_to_et_date(parse_utc_timestamp('event_text'))),
    ('injury_list_moves', source('injuries', 'injury_list_moves'), 'date', try_cast('event_text', 'date')),
    ('rotowire_prop_snapshots', source('rotowire', 'rotowire_prop_snapshots'), 'snapshot_utc',
        utc_to_et_date(parse_utc_timestamp('event_text'))),
    ('oddsapi_player_props', source('odds_api', 'oddsapi_player_props'), 'commence_time',
        utc_to_et_date(parse_utc_timestamp('event_text'))),
    ('multibook_props', source('multibook', 'multibook_props'), 'game_date', try_cast('event_text', 'date')),
    ('multibook_game_lines', source('multibook', 'multibook_game_lines'), 'game_date',
        try_cast('event_text', 'date')),
    ('closing_game_lines', source('closing_lines', 'closing_game_lines'), 'date', try_cast('event_text', 'date')),
] -%}

with

{% for name, relation, date_column, event_date in raw_tables %}
{{ name }} as (

    -- the distinct date texts of each load first: a few thousand to parse instead of every row
    select
        '{{ name }}' as raw_table,
        source_file,
        load_id,
        loaded_at,
        {{ event_date }} as event_date,
        sum(row_count) as row_count,
        sum(content_hash) as content_hash
    from (
        select
            _source_file as source_file,
            _load_id as load_id,
            _loaded_at as loaded_at,
            {{ date_column }} as event_text,
            count(*) as row_count,
            sum({{ raw_row_hash(relation) }}) as content_hash
        from {{ relation }}
        {%- if is_incremental() %}
        where _loaded_at > (
            select coalesce(max(indexed.loaded_at), cast('0001-01-01 00:00:00' as timestamp))
            from {{ this }} as indexed
            where indexed.raw_table = '{{ name }}'
        )
        {%- endif %}
        group by 1, 2, 3, 4
    ) as load_texts
    group by 1, 2, 3, 4, 5

),
{% endfor %}

loaded_dates as (

    {% for name, relation, date_column, event_date in raw_tables %}
    select * from {{ name }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

)

select
    raw_table,
    source_file,
    load_id,
    loaded_at,
    event_date,
    row_count,
    content_hash
from loaded_dates
