-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- The injured list as of the day before the game, the fallback of injury_risk where no daily injury report is
-- visible: a move is known once its day is over, so only moves dated before the game date (and before the ET
-- date of `as_of`) count. The player is out when his latest such move placed him on the list and he has not
-- played a game since (a return is often not recorded as an activation, a played game is); otherwise he is
-- available, whether activated or never listed.
-- Coverage: the list covers a date when it has a move of any player in the `injured_list_freshness_days`
-- (default 14) days before it. Looking back only, so a later load never changes an earlier date's row; a
-- league's list moves every few days in season, so two weeks of silence means the feed stopped (or the season
-- has not started), and the fallback then stands down rather than call everyone available.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set freshness_days = var('injured_list_freshness_days', 14) %}

with

spine as (

    select
        player_lookup,
        game_date
    from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

moves as (

    select
        player_lookup,
        move_date,
        move
    from {{ ref('stg_injuries__list_moves') }}
    where
        player_lookup is not null
        and {{ day_over_before_as_of('move_date') }}

),

feed_dates as (

    select distinct move_date from moves

),

spine_dates as (

    select distinct game_date from spine

),

coverage as (

    select
        spine_dates.game_date,
        max(feed_dates.move_date) as latest_list_move_date
    from spine_dates
    left join feed_dates
        on
            feed_dates.move_date < spine_dates.game_date
            and feed_dates.move_date >= {{ add_days('spine_dates.game_date', -freshness_days) }}
    group by 1

),

-- the player's latest move before the date; an activation and a placement on the same day count as activated
latest_moves as (

    select
        spine.player_lookup,
        spine.game_date,
        moves.move_date,
        moves.move,
        row_number() over (
            partition by spine.player_lookup, spine.game_date
            order by moves.move_date desc, case moves.move when 'activated' then 0 else 1 end
        ) as recency_rank
    from spine
    inner join moves
        on
            moves.player_lookup = spine.player_lookup
            and moves.move_date < spine.game_date

),

placed as (

    select
        player_lookup,
        game_date,
        move_date
    from latest_moves
    where recency_rank = 1 and move = 'placed'

),

-- placed players who played after the placement (and before the date): back, recorded or not
returned as (

    select distinct
        placed.player_lookup,
        placed.game_date
    from placed
    inner join {{ ref('int_player_games') }} as player_games
        on
            player_games.player_lookup = placed.player_lookup
            and player_games.game_date > placed.move_date
            and player_games.game_date < placed.game_date
            and not player_games.is_dnp

),

statuses as (

    select
        spine.player_lookup,
        spine.game_date,
        coverage.latest_list_move_date,
        latest_moves.move_date as player_move_date,
        latest_moves.move as player_move,
        coverage.latest_list_move_date is not null as is_covered,
        case
            when coverage.latest_list_move_date is null then null
            when latest_moves.move = 'placed' and returned.player_lookup is null then 'out'
            else 'available'
        end as injured_list_status
    from spine
    inner join coverage
        on coverage.game_date = spine.game_date
    left join latest_moves
        on
            latest_moves.player_lookup = spine.player_lookup
            and latest_moves.game_date = spine.game_date
            and latest_moves.recency_rank = 1
    left join returned
        on
            returned.player_lookup = spine.player_lookup
            and returned.game_date = spine.game_date

)

select
    player_lookup,
    game_date,
    is_covered,
    latest_list_move_date,
    player_move_date,
    player_move,
    injured_list_status,
    case injured_list_status when 'out' then 3 when 'available' then 0 end as injury_risk,
    case when not is_covered then 'no_injured_list_for_date' end as injury_risk_null_reason
from statuses
