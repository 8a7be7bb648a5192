-- Grain: snapshot_at, book, player_lookup, game_id. The Odds API Points lines resolved to a game: the event
-- names both teams and its tip-off, so the game is the one of that team pair on the tip-off's ET date
-- (event_date). The game's own fields are added by int_prop_lines_resolved, the union consumers read.
-- Incremental by event_date (late-row rule in the model's meta): a row depends on its pull and on the games of
-- its date, so a load of pulls or a game change rebuilds the dates it touches.
{%- set history = {
    'key': 'event_date',
    'changes': [
        {'raw': ['oddsapi_player_props'], 'days': [0, 0]},
        {'model': 'int_games', 'column': 'game_date', 'days': [0, 0]},
        {'raw': ['player_game_logs', 'playoff_player_boxes', 'team_game_logs', 'schedule_games'], 'days': [0, 0]},
    ],
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup', 'book'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

odds_api as (

    select * from {{ ref('stg_odds_api__points_lines') }}
    {%- if is_incremental() %}
    where {{ history_key_in('game_date', changed, history) }}
    {%- endif %}

),

games as (

    select
        game_id,
        game_date,
        matchup_key
    from {{ ref('int_games') }}

),

resolved as (

    select
        odds_api.line_source,
        odds_api.snapshot_at,
        odds_api.game_date as event_date,
        odds_api.book,
        odds_api.player_lookup,
        odds_api.player_name,
        games.game_id,
        cast(null as {{ dbt.type_string() }}) as team_abbr,
        cast(null as {{ dbt.type_string() }}) as opponent_team_abbr,
        odds_api.points_line,
        odds_api.over_price,
        odds_api.under_price,
        odds_api.is_price_absurd,
        case when games.game_id is null then 'game_unresolved' else 'resolved' end as resolution_status
    from odds_api
    left join games
        on
            odds_api.game_date = games.game_date
            and odds_api.matchup_key = games.matchup_key

),

deduplicated as (

    -- one line per grain (a pull lists each player once per book and event; kept as a guard): the line priced
    -- nearest even
    select *
    from resolved
    where true
    qualify row_number() over (
        partition by snapshot_at, book, player_lookup, game_id
        order by {{ distance_from_even('over_price', 'under_price') }}, points_line
    ) = 1

)

select
    *,
    {{ history_columns(history) }}
from deduplicated
{{ history_order_by('event_date') }}
