{{ config(tags=['monitoring']) }}
-- Grain: relation_name. Latest data date per raw source (read through its staging view, where the date is
-- typed) and per mart, with the last load time from raw.load_log. days_behind_box_scores compares each
-- with the newest box score, the warehouse's own "today" (a historical warehouse has no wall-clock today).
{%- set relations = [
    {'layer': 'raw', 'model': 'stg_nba_stats__player_game_logs', 'date': 'game_date', 'raw_table': 'player_game_logs', 'is_box_score': true},
    {'layer': 'raw', 'model': 'stg_nba_stats__playoff_player_boxes', 'date': 'game_date', 'raw_table': 'playoff_player_boxes', 'is_box_score': true},
    {'layer': 'raw', 'model': 'stg_nba_stats__shots', 'date': 'game_date', 'raw_table': 'shots'},
    {'layer': 'raw', 'model': 'stg_nba_stats__team_game_logs', 'date': 'game_date', 'raw_table': 'team_game_logs'},
    {'layer': 'raw', 'model': 'stg_nba_stats__team_possessions', 'date': 'game_date', 'raw_table': 'team_box_score_advanced'},
    {'layer': 'raw', 'model': 'stg_league__schedule_games', 'date': 'game_date', 'raw_table': 'schedule_games'},
    {'layer': 'raw', 'model': 'stg_injuries__status_snapshots', 'date': 'snapshot_date_et', 'raw_table': 'injury_status_snapshots'},
    {'layer': 'raw', 'model': 'stg_injuries__list_moves', 'date': 'move_date', 'raw_table': 'injury_list_moves'},
    {'layer': 'raw', 'model': 'stg_rotowire__points_lines', 'date': 'snapshot_date_et', 'raw_table': 'rotowire_prop_snapshots'},
    {'layer': 'raw', 'model': 'stg_odds_api__points_lines', 'date': 'game_date', 'raw_table': 'oddsapi_player_props'},
    {'layer': 'raw', 'model': 'stg_multibook__points_lines', 'date': 'scrape_date', 'raw_table': 'multibook_props'},
    {'layer': 'raw', 'model': 'stg_closing_lines__game_lines', 'date': 'game_date', 'raw_table': 'closing_game_lines'},
    {'layer': 'mart', 'model': 'player_daily_cache', 'date': 'game_date', 'raw_table': none},
    {'layer': 'mart', 'model': 'ml_feature_store_v2', 'date': 'game_date', 'raw_table': none},
] %}

with relation_dates as (

    {%- for relation in relations %}
    select
        '{{ relation.layer }}' as layer,
        '{{ relation.model }}' as relation_name,
        {{ "'" ~ relation.raw_table ~ "'" if relation.raw_table else "cast(null as " ~ dbt.type_string() ~ ")" }}
            as raw_table,
        {{ "true" if relation.is_box_score else "false" }} as is_box_score,
        min({{ relation.date }}) as earliest_date,
        max({{ relation.date }}) as latest_date,
        count(*) as row_count
    from {{ ref(relation.model) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

loads as (

    select
        raw_table,
        max(loaded_at) as last_loaded_at
    from {{ source('loads', 'load_log') }}
    group by raw_table

),

newest_box_score as (

    select max(latest_date) as box_score_date
    from relation_dates
    where is_box_score

)

select
    relation_dates.layer,
    relation_dates.relation_name,
    relation_dates.raw_table,
    relation_dates.earliest_date,
    relation_dates.latest_date,
    relation_dates.row_count,
    loads.last_loaded_at,
    {{ dbt.datediff('relation_dates.latest_date', 'newest_box_score.box_score_date', 'day') }}
        as days_behind_box_scores
from relation_dates
cross join newest_box_score
left join loads
    on relation_dates.raw_table = loads.raw_table
