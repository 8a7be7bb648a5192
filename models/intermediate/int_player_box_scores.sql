-- Grain: game_id, player_id. Every player box score: the regular-season logs and the playoff / play-in boxes
-- in one relation, so that no model writes the union out again. A view: the two staging views are small.
{{ config(materialized='view') }}
{%- set columns = [
    'game_id', 'game_date', 'season', 'season_type', 'player_id', 'player_name', 'player_lookup', 'team_abbr',
    'opponent_team_abbr', 'matchup_key', 'is_home', 'is_win', 'minutes', 'points', 'fgm', 'fga', 'fg3m', 'fg3a',
    'ftm', 'fta', 'oreb', 'dreb', 'reb', 'ast', 'stl', 'blk', 'tov', 'pf', 'plus_minus', 'is_starter',
    'usage_rate',
] %}

with

regular_season as (

    select
        {{ columns | join(',\n        ') }}
    from {{ ref('stg_nba_stats__player_game_logs') }}

),

playoffs as (

    select
        {{ columns | join(',\n        ') }}
    from {{ ref('stg_nba_stats__playoff_player_boxes') }}

)

select * from regular_season
union all
select * from playoffs
