-- Grain: player_lookup, game_id. Every player row of every box score (played) plus did-not-play rows:
-- a player whose latest game this season (strictly before the game date) was for the team and who either
-- played in one of the team's last `dnp_roster_window_games` games or was listed out on its injury report,
-- and who is absent from every box score of the date, gets a DNP row (dnp_reason absent_from_box_score or
-- listed_out). Box rows with 0 minutes and 0 points are DNP too (zero_minutes), as the reference's "played"
-- test (minutes > 0 or points > 0) requires. Traded players are not DNP for their old team: their latest
-- game before the date must be for this team.
-- usage_rate (percent) is estimated from team totals for every row (the same formula on regular season and
-- playoffs): 100 * (FGA + 0.44 FTA + TOV) * (team minutes / 5) / (minutes * (team FGA + 0.44 team FTA + team TOV)).
-- Incremental by game_date (late-row rule in the model's meta): a row depends on the box scores of its season
-- up to its date (the recent roster, the player's latest game), on its game's team totals and on the injury
-- report before its tip-off, so a box-score change rebuilds its date and every later date of its season, and a
-- team-game, injury-report or game change rebuilds its date. Rows on or after the ET date of `as_of` depend
-- on as_of (the report visible then) and are rebuilt when a run's as_of differs from theirs.
{%- set roster_window = var('dnp_roster_window_games', 10) %}
{%- set no_next_game = "cast('9999-12-31' as date)" %}
{%- set history = {
    'key': 'game_date',
    'changes': [
        {'raw': ['player_game_logs', 'playoff_player_boxes'], 'days': [0, none], 'same_season': true},
        {'raw': ['team_game_logs', 'team_box_score_advanced', 'injury_status_snapshots'], 'days': [0, 0]},
        {'model': 'int_games', 'column': 'game_date', 'days': [0, 0]},
    ],
    'domain': {'model': 'int_games', 'column': 'game_date', 'season': 'season'},
    'as_of': true,
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

box_scores as (

    -- a row reads only its own season: on an incremental run, the seasons of the changed dates
    select
        game_id,
        game_date,
        season,
        season_type,
        player_id,
        player_name,
        player_lookup,
        team_abbr,
        opponent_team_abbr,
        is_home,
        minutes,
        points,
        fgm,
        fga,
        fg3m,
        fg3a,
        ftm,
        fta,
        tov,
        is_starter
    from {{ ref('int_player_box_scores') }}
    {%- if is_incremental() %}
    where season in (
        select changed_seasons.season
        from {{ ref('int_player_box_scores') }} as changed_seasons
        where {{ history_key_in('changed_seasons.game_date', changed, history) }}
    )
    {%- endif %}

),

team_games as (

    select * from {{ ref('int_team_games') }}

),

-- team games that have a player box score (a game without one, such as a cup final missing from the
-- player logs, must not turn the whole roster into DNPs), numbered within the team's season
box_team_games as (

    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        opponent_team_abbr,
        is_home,
        row_number() over (partition by team_abbr, season order by game_date, game_id) as team_game_number
    from (
        select distinct
            game_id,
            game_date,
            season,
            season_type,
            team_abbr,
            opponent_team_abbr,
            is_home
        from box_scores
    ) as distinct_team_games

),

played_rows as (

    select
        box_scores.*,
        box_team_games.team_game_number,
        lead(box_scores.game_date) over (
            partition by box_scores.player_lookup order by box_scores.game_date, box_scores.game_id
        ) as next_game_date
    from box_scores
    inner join box_team_games
        on
            box_scores.game_id = box_team_games.game_id
            and box_scores.team_abbr = box_team_games.team_abbr

),

dates_played as (

    select distinct
        player_lookup,
        game_date
    from box_scores

),

injury_listed as (

    select * from {{ ref('int_player_injury_status') }}

),

-- the team games whose DNP rows are built: on an incremental run, those of the changed dates (the earlier
-- games of their seasons are still read above, for the rosters)
target_team_games as (

    select * from box_team_games
    {%- if is_incremental() %}
    where {{ history_key_in('game_date', changed, history) }}
    {%- endif %}

),

-- recent roster: players who played for the team in one of its last N games before this one (a bounded
-- range join), each with his latest such row. max_by instead of row_number() = 1: DuckDB hashes the 0.5 M
-- candidate rows instead of sorting them (0.65 s -> 0.43 s for a season, same rows). The latest row is unique
-- (one box score per player and team game); max_by skips NULL values on DuckDB, so the nullable next game
-- date goes through a sentinel to keep the latest row's NULL.
window_candidates as (

    select
        target_team_games.game_id,
        target_team_games.game_date,
        target_team_games.team_abbr,
        earlier.player_lookup,
        max_by(earlier.player_id, earlier.team_game_number) as player_id,
        max_by(earlier.player_name, earlier.team_game_number) as player_name,
        nullif(
            max_by(coalesce(earlier.next_game_date, {{ no_next_game }}), earlier.team_game_number),
            {{ no_next_game }}
        ) as next_game_date
    from target_team_games
    inner join played_rows as earlier
        on
            earlier.team_abbr = target_team_games.team_abbr
            and earlier.season = target_team_games.season
            and earlier.team_game_number < target_team_games.team_game_number
            and earlier.team_game_number >= target_team_games.team_game_number - {{ roster_window }}
    group by
        target_team_games.game_id,
        target_team_games.game_date,
        target_team_games.team_abbr,
        earlier.player_lookup

),

-- players listed out or doubtful on the team's pre-game injury report (a short list, joined to the players'
-- earlier games by player: the join order stays right whatever the planner estimates for the report view)
listed_out as (

    select
        target_team_games.game_id,
        target_team_games.game_date,
        target_team_games.season,
        target_team_games.team_abbr,
        injury_listed.player_lookup
    from target_team_games
    inner join injury_listed
        on
            injury_listed.game_id = target_team_games.game_id
            and injury_listed.team_abbr = target_team_games.team_abbr
            and injury_listed.status in ('out', 'doubtful')

),

-- with their latest game of the season
listed_out_candidates as (

    select
        listed_out.game_id,
        listed_out.game_date,
        listed_out.team_abbr,
        earlier.player_lookup,
        earlier.player_id,
        earlier.player_name,
        earlier.next_game_date,
        earlier.team_abbr as last_team_abbr,
        row_number() over (
            partition by listed_out.game_id, listed_out.team_abbr, earlier.player_lookup
            order by earlier.game_date desc, earlier.game_id desc
        ) as recency_rank
    from listed_out
    inner join played_rows as earlier
        on
            earlier.player_lookup = listed_out.player_lookup
            and earlier.season = listed_out.season
            and earlier.game_date < listed_out.game_date

),

candidates as (

    select
        game_id,
        game_date,
        team_abbr,
        player_lookup,
        player_id,
        player_name,
        next_game_date
    from window_candidates
    union distinct
    select
        game_id,
        game_date,
        team_abbr,
        player_lookup,
        player_id,
        player_name,
        next_game_date
    from listed_out_candidates
    where recency_rank = 1 and last_team_abbr = team_abbr

),

-- kept only when the candidate's latest game before the date is for this team (next game after the date)
-- and he is absent from every box score that day
dnp_rows as (

    select
        candidates.game_id,
        candidates.game_date,
        box_team_games.season,
        box_team_games.season_type,
        candidates.player_id,
        candidates.player_lookup,
        candidates.player_name,
        candidates.team_abbr,
        box_team_games.opponent_team_abbr,
        box_team_games.is_home,
        case
            when injury_listed.status in ('out', 'doubtful') then 'listed_out'
            else 'absent_from_box_score'
        end as dnp_reason
    from candidates
    inner join box_team_games
        on
            candidates.game_id = box_team_games.game_id
            and candidates.team_abbr = box_team_games.team_abbr
    left join dates_played
        on
            candidates.player_lookup = dates_played.player_lookup
            and candidates.game_date = dates_played.game_date
    left join injury_listed
        on
            candidates.game_id = injury_listed.game_id
            and candidates.team_abbr = injury_listed.team_abbr
            and candidates.player_lookup = injury_listed.player_lookup
    where
        (candidates.next_game_date is null or candidates.next_game_date > candidates.game_date)
        and dates_played.player_lookup is null

),

team_totals as (

    select
        game_id,
        team_abbr,
        team_minutes,
        fga,
        fta,
        tov
    from team_games

),

played as (

    select
        box_scores.game_id,
        box_scores.game_date,
        box_scores.season,
        box_scores.season_type,
        box_scores.player_id,
        box_scores.player_lookup,
        box_scores.player_name,
        box_scores.team_abbr,
        box_scores.opponent_team_abbr,
        box_scores.is_home,
        not(coalesce(box_scores.minutes, 0) > 0 or coalesce(box_scores.points, 0) > 0) as is_dnp,
        case
            when not (coalesce(box_scores.minutes, 0) > 0 or coalesce(box_scores.points, 0) > 0)
                then 'zero_minutes'
        end as dnp_reason,
        box_scores.minutes,
        box_scores.points,
        box_scores.fgm,
        box_scores.fga,
        box_scores.fg3m,
        box_scores.fg3a,
        box_scores.ftm,
        box_scores.fta,
        box_scores.tov,
        case
            when box_scores.minutes > 0 and team_totals.fga is not null
                then
                    100.0 * (box_scores.fga + 0.44 * box_scores.fta + box_scores.tov) * (team_totals.team_minutes / 5.0)
                    / (box_scores.minutes * nullif(team_totals.fga + 0.44 * team_totals.fta + team_totals.tov, 0))
        end as usage_rate,
        box_scores.is_starter
    from box_scores
    left join team_totals
        on
            box_scores.game_id = team_totals.game_id
            and box_scores.team_abbr = team_totals.team_abbr

),

all_rows as (

    select
        game_id,
        game_date,
        season,
        season_type,
        player_id,
        player_lookup,
        player_name,
        team_abbr,
        opponent_team_abbr,
        is_home,
        is_dnp,
        dnp_reason,
        minutes,
        points,
        fgm,
        fga,
        fg3m,
        fg3a,
        ftm,
        fta,
        tov,
        usage_rate,
        is_starter
    from played

    union all

    select
        game_id,
        game_date,
        season,
        season_type,
        player_id,
        player_lookup,
        player_name,
        team_abbr,
        opponent_team_abbr,
        is_home,
        true as is_dnp,
        dnp_reason,
        cast(null as {{ dbt.type_int() }}) as minutes,
        cast(null as {{ dbt.type_int() }}) as points,
        cast(null as {{ dbt.type_int() }}) as fgm,
        cast(null as {{ dbt.type_int() }}) as fga,
        cast(null as {{ dbt.type_int() }}) as fg3m,
        cast(null as {{ dbt.type_int() }}) as fg3a,
        cast(null as {{ dbt.type_int() }}) as ftm,
        cast(null as {{ dbt.type_int() }}) as fta,
        cast(null as {{ dbt.type_int() }}) as tov,
        cast(null as {{ dbt.type_float() }}) as usage_rate,
        cast(null as boolean) as is_starter
    from dnp_rows

)

select
    *,
    {{ history_columns(history) }}
from all_rows
{%- if is_incremental() %}
where {{ history_key_in('game_date', changed, history) }}
{%- endif %}
{{ history_order_by('game_date') }}
