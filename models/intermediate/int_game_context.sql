-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- Features 9, 10, 15, 16, 17. home_away, back_to_back (the team played the day before) and playoff_game
-- (playoffs or play-in) are always known for a spine row. rest_advantage = player's days since his last
-- played game of the season minus the opponent's days since its last game of the season, clamped to +-2
-- (NULL, no_prior_games, when either has none). injury_risk, best source first, tagged in injury_risk_source:
-- the player's status on the latest injury report dated on the game day, strictly before tip-off and at or
-- before `as_of` (available 0, probable 1, questionable 2, doubtful or out 3; a player absent from that report
-- is 0; source calculated); else, where no report is visible, the injured list as of the day before
-- (int_player_injured_list: out 3, available 0; source injured_list) when the list covers the date; else NULL
-- with no_injury_source_for_date. unknown_injury_status for an unmapped status on the report.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
with

spine as (

    select * from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

games as (

    -- a team's previous game is looked up within its season: the spine's seasons only
    select * from {{ ref('int_games') }}
    where
        season_type in ('regular', 'play_in', 'playoffs')
        and season in (select spine.season from spine)

),

team_schedule as (

    select
        team_abbr,
        game_id,
        game_date,
        lag(game_date) over (partition by team_abbr, season order by game_date, game_id) as previous_game_date
    from (
        select
            home_team_abbr as team_abbr,
            game_id,
            game_date,
            season
        from games
        union all
        select
            away_team_abbr as team_abbr,
            game_id,
            game_date,
            season
        from games
    ) as team_games

),

rolling as (

    select
        player_lookup,
        game_date,
        days_since_last_game
    from {{ ref('int_player_rolling_stats') }}
    where {{ date_range_filter('game_date') }}

),

reports as (

    select * from {{ ref('int_injury_reports') }}
    where {{ date_range_filter('game_date') }}

),

listed as (

    select * from {{ ref('int_player_injury_status') }}
    where {{ date_range_filter('game_date') }}

),

injured_list as (

    select * from {{ ref('int_player_injured_list') }}
    where {{ date_range_filter('game_date') }}

),

joined as (

    select
        spine.player_lookup,
        spine.game_date,
        spine.game_id,
        spine.team_abbr,
        spine.opponent_team_abbr,
        spine.is_home,
        spine.season_type,
        team_schedule.previous_game_date as team_previous_game_date,
        rolling.days_since_last_game as player_days_rest,
        {{ days_between('opponent_schedule.previous_game_date', 'spine.game_date') }} as opponent_days_rest,
        coalesce(reports.has_injury_report, false) as has_injury_report,
        reports.report_snapshot_at as injury_report_snapshot_at,
        listed.status as injury_status,
        listed.injury_risk as listed_injury_risk,
        coalesce(injured_list.is_covered, false) as has_injured_list,
        injured_list.injury_risk as injured_list_injury_risk,
        injured_list.player_move_date as injured_list_move_date
    from spine
    left join team_schedule
        on
            team_schedule.team_abbr = spine.team_abbr
            and team_schedule.game_id = spine.game_id
    left join team_schedule as opponent_schedule
        on
            opponent_schedule.team_abbr = spine.opponent_team_abbr
            and opponent_schedule.game_id = spine.game_id
    left join rolling
        on
            rolling.player_lookup = spine.player_lookup
            and rolling.game_date = spine.game_date
    left join reports
        on
            reports.game_id = spine.game_id
            and reports.team_abbr = spine.team_abbr
    left join listed
        on
            listed.game_id = spine.game_id
            and listed.team_abbr = spine.team_abbr
            and listed.player_lookup = spine.player_lookup
    left join injured_list
        on
            injured_list.player_lookup = spine.player_lookup
            and injured_list.game_date = spine.game_date

),

context_rows as (

    select
        player_lookup,
        game_date,
        game_id,
        team_abbr,
        opponent_team_abbr,
        player_days_rest,
        opponent_days_rest,
        team_previous_game_date,
        injury_status,
        injury_report_snapshot_at,
        injured_list_move_date,
        -- 9
        {{ clamp('player_days_rest - opponent_days_rest', -2, 2) }} as rest_advantage,
        case when player_days_rest is null or opponent_days_rest is null then 'no_prior_games' end
            as rest_advantage_null_reason,
        -- 10
        case
            when has_injury_report and injury_status is null then 0
            when has_injury_report then listed_injury_risk
            when has_injured_list then injured_list_injury_risk
        end as injury_risk,
        case
            when has_injury_report and (injury_status is null or listed_injury_risk is not null) then 'calculated'
            when has_injury_report then null
            when has_injured_list then 'injured_list'
        end as injury_risk_source,
        case
            when has_injury_report and injury_status is not null and listed_injury_risk is null
                then 'unknown_injury_status'
            when not has_injury_report and not has_injured_list then 'no_injury_source_for_date'
        end as injury_risk_null_reason,
        -- 15, 16, 17
        case when is_home then 1 else 0 end as home_away,
        cast(null as {{ dbt.type_string() }}) as home_away_null_reason,
        case when {{ days_between('team_previous_game_date', 'game_date') }} = 1 then 1 else 0 end as back_to_back,
        cast(null as {{ dbt.type_string() }}) as back_to_back_null_reason,
        case when season_type in ('playoffs', 'play_in') then 1 else 0 end as playoff_game,
        cast(null as {{ dbt.type_string() }}) as playoff_game_null_reason
    from joined

)

select {{ contract_columns() }}
from context_rows
