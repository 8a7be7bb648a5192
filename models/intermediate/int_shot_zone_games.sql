-- Grain: player_lookup, game_id. Field-goal attempts and makes per shot zone per player per game from the
-- shot data (paint = restricted area + paint non-RA; three = corner, above the break and backcourt zones; the
-- zone decides, not the shot type: 21 shots carry a zone that contradicts their 2PT/3PT type),
-- with the shooter's team and the defending team. player_lookup comes from the box score of the same game
-- (shots carry player ids only); a shot whose player is not in that box score is kept under lookup NULL.
-- Incremental by game_date (late-row rule in the model's meta): a row depends only on its game's shots and
-- box score, so a load of either rebuilds the dates it touches.
{%- set history = {
    'key': 'game_date',
    'changes': [{'raw': ['shots', 'player_game_logs', 'playoff_player_boxes'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

shots as (

    select * from {{ ref('stg_nba_stats__shots') }}
    {%- if is_incremental() %}
    where {{ history_key_in('game_date', changed, history) }}
    {%- endif %}

),

player_games as (

    select
        game_id,
        player_id,
        player_lookup,
        opponent_team_abbr
    from {{ ref('int_player_games') }}
    where
        not is_dnp
    {%- if is_incremental() %}
        and {{ history_key_in('game_date', changed, history) }}
        {%- endif %}

),

per_game as (

    select
        game_id,
        game_date,
        season,
        player_id,
        team_abbr,
        sum(case when shot_zone in ('restricted_area', 'paint_non_ra') then shot_count else 0 end) as paint_attempts,
        sum(case when shot_zone in ('restricted_area', 'paint_non_ra') and is_made then shot_count else 0 end)
            as paint_makes,
        sum(case when shot_zone = 'mid_range' then shot_count else 0 end) as mid_range_attempts,
        sum(case when shot_zone = 'mid_range' and is_made then shot_count else 0 end) as mid_range_makes,
        sum(case when shot_zone in ('corner_3', 'above_break_3', 'backcourt') then shot_count else 0 end) as three_attempts,
        sum(case when shot_zone in ('corner_3', 'above_break_3', 'backcourt') and is_made then shot_count else 0 end)
            as three_makes,
        sum(shot_count) as field_goal_attempts
    from shots
    group by 1, 2, 3, 4, 5

),

final as (

    select
        per_game.game_id,
        per_game.game_date,
        per_game.season,
        per_game.player_id,
        player_games.player_lookup,
        per_game.team_abbr,
        player_games.opponent_team_abbr as defending_team_abbr,
        per_game.paint_attempts,
        per_game.paint_makes,
        per_game.mid_range_attempts,
        per_game.mid_range_makes,
        per_game.three_attempts,
        per_game.three_makes,
        per_game.field_goal_attempts
    from per_game
    left join player_games
        on
            player_games.game_id = per_game.game_id
            and player_games.player_id = per_game.player_id

)

select
    *,
    {{ history_columns(history) }}
from final
{{ history_order_by('game_date') }}
