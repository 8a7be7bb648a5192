-- Grain: player_lookup, game_date. The rows the feature store is built for, bounded by the `start_date` /
-- `end_date` vars. Past dates (a game with box scores): every player of both teams, played or DNP, from
-- int_player_games. Games without box scores yet (pre-game): the team's recent roster, i.e. players whose
-- latest game of the season before the date was for the team and who played in one of its last
-- `dnp_roster_window_games` games, plus players of the team on its pre-game injury report (as of `as_of`)
-- whose latest game was for the team. One row per player and date (a player has at most one game a day;
-- a played row wins over a DNP row should two sources disagree).
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set roster_window = var('dnp_roster_window_games', 10) %}

with

player_games as (

    -- the range's seasons: every row below looks at games of its own season only
    select * from {{ ref('int_player_games') }}
    where season in {{ range_seasons() }}

),

games as (

    select * from {{ ref('int_games') }}
    where season_type in ('regular', 'play_in', 'playoffs')

),

games_with_box_scores as (

    select distinct game_id from player_games

),

past_rows as (

    select
        player_lookup,
        game_date,
        game_id,
        player_id,
        player_name,
        team_abbr,
        opponent_team_abbr,
        is_home,
        season,
        season_type,
        case when is_dnp then 'dnp' else 'played' end as spine_reason
    from player_games
    where {{ date_range_filter('game_date') }}

),

pre_game_team_games as (

    select
        game_id,
        game_date,
        season,
        season_type,
        home_team_abbr as team_abbr,
        away_team_abbr as opponent_team_abbr,
        true as is_home
    from games
    where
        game_id not in (select game_id from games_with_box_scores)
        and {{ date_range_filter('game_date') }}
    union all
    select
        game_id,
        game_date,
        season,
        season_type,
        away_team_abbr as team_abbr,
        home_team_abbr as opponent_team_abbr,
        false as is_home
    from games
    where
        game_id not in (select game_id from games_with_box_scores)
        and {{ date_range_filter('game_date') }}

),

played_rows as (

    select
        player_lookup,
        player_id,
        player_name,
        team_abbr,
        season,
        game_date
    from player_games
    where not is_dnp

),

-- team games numbered within the season so "the team's last N games" can be found for a future date
team_game_dates as (

    select distinct
        team_abbr,
        season,
        game_date
    from player_games

),

team_window_start as (

    select
        game_id,
        team_abbr,
        min(game_date) as window_start_date
    from (
        select
            pre_game_team_games.game_id,
            pre_game_team_games.team_abbr,
            team_game_dates.game_date,
            row_number() over (
                partition by pre_game_team_games.game_id, pre_game_team_games.team_abbr
                order by team_game_dates.game_date desc
            ) as games_back
        from pre_game_team_games
        inner join team_game_dates
            on
                team_game_dates.team_abbr = pre_game_team_games.team_abbr
                and team_game_dates.season = pre_game_team_games.season
                and team_game_dates.game_date < pre_game_team_games.game_date
    ) as earlier_team_games
    where games_back <= {{ roster_window }}
    group by 1, 2

),

latest_game_per_player as (

    select
        pre_game_team_games.game_id,
        pre_game_team_games.team_abbr,
        played_rows.player_lookup,
        played_rows.player_id,
        played_rows.player_name,
        played_rows.team_abbr as last_team_abbr,
        played_rows.game_date as last_game_date,
        row_number() over (
            partition by pre_game_team_games.game_id, pre_game_team_games.team_abbr, played_rows.player_lookup
            order by played_rows.game_date desc
        ) as recency_rank
    from pre_game_team_games
    inner join played_rows
        on
            played_rows.season = pre_game_team_games.season
            and played_rows.team_abbr = pre_game_team_games.team_abbr
            and played_rows.game_date < pre_game_team_games.game_date

),

injury_listed as (

    select * from {{ ref('int_player_injury_status') }}
    where {{ date_range_filter('game_date') }}

),

pre_game_rows as (

    select
        latest_game_per_player.player_lookup,
        pre_game_team_games.game_date,
        pre_game_team_games.game_id,
        latest_game_per_player.player_id,
        latest_game_per_player.player_name,
        pre_game_team_games.team_abbr,
        pre_game_team_games.opponent_team_abbr,
        pre_game_team_games.is_home,
        pre_game_team_games.season,
        pre_game_team_games.season_type,
        'pre_game_roster' as spine_reason
    from pre_game_team_games
    inner join latest_game_per_player
        on
            latest_game_per_player.game_id = pre_game_team_games.game_id
            and latest_game_per_player.team_abbr = pre_game_team_games.team_abbr
            and latest_game_per_player.recency_rank = 1
    left join team_window_start
        on
            team_window_start.game_id = pre_game_team_games.game_id
            and team_window_start.team_abbr = pre_game_team_games.team_abbr
    left join injury_listed
        on
            injury_listed.game_id = pre_game_team_games.game_id
            and injury_listed.team_abbr = pre_game_team_games.team_abbr
            and injury_listed.player_lookup = latest_game_per_player.player_lookup
    -- his latest game of the season must be for this team (not traded since)
    where not exists (
        select 1
        from played_rows as later
        where
            later.player_lookup = latest_game_per_player.player_lookup
            and later.season = pre_game_team_games.season
            and later.game_date > latest_game_per_player.last_game_date
            and later.game_date < pre_game_team_games.game_date
    )
    and (
        latest_game_per_player.last_game_date >= team_window_start.window_start_date
        or injury_listed.player_lookup is not null
    )

),

all_rows as (

    select * from past_rows
    union all
    select * from pre_game_rows

),

ranked as (

    select
        all_rows.*,
        row_number() over (
            partition by player_lookup, game_date
            order by case spine_reason when 'played' then 0 when 'dnp' then 1 else 2 end, game_id
        ) as row_rank
    from all_rows

),

spine_rows as (

    select
        player_lookup,
        game_date,
        game_id,
        player_id,
        player_name,
        team_abbr,
        opponent_team_abbr,
        is_home,
        season,
        season_type,
        spine_reason
    from ranked
    where row_rank = 1

)

select {{ contract_columns() }}
from spine_rows
