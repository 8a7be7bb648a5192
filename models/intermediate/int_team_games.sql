-- Grain: team_abbr, game_id. One row per team per game with a box score, with possessions, pace and ratings.
-- Possessions come from the advanced box score; where it lacks the game they are estimated from the team box
-- (FGA + 0.44 FTA - OREB + TOV) and possessions_source says so.
-- Incremental by game_date (late-row rule in the model's meta): a row depends only on its game's team box and
-- advanced box, so a load of either rebuilds the dates it touches; readers filter it by season or date.
{%- set history = {
    'key': 'game_date',
    'changes': [{'raw': ['team_game_logs', 'team_box_score_advanced'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['team_abbr'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

team_box as (

    select * from {{ ref('stg_nba_stats__team_game_logs') }}
    {%- if is_incremental() %}
    where {{ history_key_in('game_date', changed, history) }}
    {%- endif %}

),

possessions as (

    select * from {{ ref('stg_nba_stats__team_possessions') }}
    {%- if is_incremental() %}
    where game_id in (select team_box.game_id from team_box)
    {%- endif %}

),

team_games_with_possessions as (

    select
        team_box.game_id,
        team_box.game_date,
        team_box.season,
        team_box.season_type,
        team_box.team_abbr,
        team_box.opponent_team_abbr,
        team_box.is_home,
        team_box.is_win,
        team_box.points,
        team_box.opponent_points,
        team_box.fga,
        team_box.fta,
        team_box.tov,
        coalesce(possessions.minutes, 240) as team_minutes,
        possessions.minutes is null as is_minutes_assumed,
        coalesce(
            possessions.possessions,
            team_box.fga + 0.44 * team_box.fta - team_box.oreb + team_box.tov
        ) as possessions,
        case when possessions.possessions is null then 'estimated_from_box' else 'advanced_box' end
            as possessions_source
    from team_box
    left join possessions
        on
            team_box.game_id = possessions.game_id
            and team_box.team_abbr = possessions.team_abbr

),

paired as (

    select
        team_game.*,
        opponent.possessions as opponent_possessions
    from team_games_with_possessions as team_game
    left join team_games_with_possessions as opponent
        on
            team_game.game_id = opponent.game_id
            and team_game.opponent_team_abbr = opponent.team_abbr

),

final as (

    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        opponent_team_abbr,
        is_home,
        is_win,
        points,
        opponent_points,
        fga,
        fta,
        tov,
        team_minutes,
        is_minutes_assumed,
        possessions,
        opponent_possessions,
        possessions_source,
        -- pace = possessions per 48 minutes, averaged over both sides (basketball-reference definition)
        48.0 * ((possessions + coalesce(opponent_possessions, possessions)) / 2.0) / (team_minutes / 5.0) as pace,
        100.0 * points / nullif(possessions, 0) as offensive_rating,
        100.0 * opponent_points / nullif(coalesce(opponent_possessions, possessions), 0) as defensive_rating
    from paired

)

select
    *,
    {{ history_columns(history) }}
from final
{{ history_order_by('game_date') }}
