-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- The share of field-goal attempts from three computed from the box scores (FG3A / FGA) over the same window
-- as the shot-location value: the player's last 10 games with a field-goal attempt of the season strictly
-- before the date, needing var shot_min_games (default 3). The fallback of pct_three where the shot data does
-- not cover the date (int_player_shot_zone_profile tags it box_score); the box score cannot split two-point
-- attempts into paint and mid-range, so it stands in for pct_three only. With fewer games than shot_min_games
-- but at least var short_window_min_games (default 2): the same share over the games there are, pct_three_source
-- short_window (else box_score).
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set min_games = var('shot_min_games', 3) %}
{%- set short_min_games = short_window_min_games(min_games) %}

with

spine as (

    select
        player_lookup,
        game_date,
        season
    from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

-- games with a field-goal attempt: the box-score counterpart of a game with shots
shooting_games as (

    select
        player_lookup,
        season,
        game_date,
        row_number() over (partition by player_lookup, season order by game_date, game_id) as shooting_game_seq,
        sum(fg3a) over last_10 as three_attempts_last_10,
        sum(fga) over last_10 as field_goal_attempts_last_10
    from {{ ref('int_player_games') }}
    where
        not is_dnp
        and fga > 0
        -- windows are per player and season: the spine's seasons only
        and season in (select spine.season from spine)
    window last_10 as (
        partition by player_lookup, season order by game_date, game_id rows between 9 preceding and current row
    )

),

latest_before as (

    select
        spine.player_lookup,
        spine.game_date,
        max(shooting_games.shooting_game_seq) as shooting_games_before
    from spine
    left join shooting_games
        on
            shooting_games.player_lookup = spine.player_lookup
            and shooting_games.season = spine.season
            and shooting_games.game_date < spine.game_date
    group by 1, 2

),

shares as (

    select
        latest_before.player_lookup,
        latest_before.game_date,
        coalesce(latest_before.shooting_games_before, 0) as shooting_games_before,
        shooting_games.three_attempts_last_10,
        shooting_games.field_goal_attempts_last_10
    from latest_before
    inner join spine
        on
            spine.player_lookup = latest_before.player_lookup
            and spine.game_date = latest_before.game_date
    left join shooting_games
        on
            shooting_games.player_lookup = latest_before.player_lookup
            and shooting_games.season = spine.season
            and shooting_games.shooting_game_seq = latest_before.shooting_games_before

)

select
    player_lookup,
    game_date,
    least(shooting_games_before, 10) as shooting_games_in_window,
    three_attempts_last_10,
    field_goal_attempts_last_10,
    case
        when shooting_games_before >= {{ short_min_games }}
            then 1.0 * three_attempts_last_10 / field_goal_attempts_last_10
    end as pct_three,
    case
        when shooting_games_before = 0 then 'no_prior_games'
        when shooting_games_before < {{ short_min_games }} then 'too_few_games'
    end as pct_three_null_reason,
    case
        when shooting_games_before >= {{ min_games }} then 'box_score'
        when shooting_games_before >= {{ short_min_games }} then 'short_window'
    end as pct_three_source
from shares
