-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- Features 5-8, the reference's phase-4 composite formulas on our inputs:
-- fatigue_score (0-100, higher = more rested): 100; player's back-to-back (days rest 1) -15, else days rest
--   >= 3 +5; games in the last 7 days >= 4 -10; minutes in the last 7 days > 240 -10; minutes per game in
--   the last 7 days > 35 -8; back-to-backs in the last 14 days >= 2 -12, = 1 -5; clamped 0-100. The
--   reference's age terms (>= 30 -5, >= 35 -10) are left out: our data has no ages, and no age is assumed.
--   NULL (no_prior_games) when the player has no game this season, instead of the reference's assumed rest.
-- shot_zone_mismatch_score: the opponent's FG% allowed vs the league in the player's primary zone
--   (percentage points) times min(zone rate * 100 / 50, 1), x1.2 when its magnitude exceeds 5, clamped +-10;
--   0 for a balanced player (no primary zone); NULL with the upstream reason when either side is missing.
--   Where the shot data does not cover the date either side may be a carried profile (the player's or the
--   opponent's latest before the date): the score is then tagged carried_shot_profile, with both ages.
-- pace_score: expected game pace ((team last-10 pace + opponent last-10 pace) / 2) minus the team's pace,
--   divided by 2, clamped +-3.
-- usage_spike_score: (usage over the last 7 played games - season usage, percent) * 0.3, clamped +-3; the
--   reference's star-teammates-out multiplier is not applied (no projected usage in our data).
-- Short window: the score's inputs may come from fewer games than their minimum (source short_window, see
-- int_player_shot_zone_profile); usage_spike_score with fewer played games than rolling_min_games but at
-- least var short_window_min_games (default 2) is the same formula over the games there are. A score is
-- tagged with its weakest input's source (carried_shot_profile, then short_window, then calculated).
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set min_games = var('rolling_min_games', 3) %}
{%- set usage_min_games = short_window_min_games(min_games) %}

with

spine as (

    select * from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

rolling as (

    select * from {{ ref('int_player_rolling_stats') }}
    where {{ date_range_filter('game_date') }}

),

shot_profile as (

    select * from {{ ref('int_player_shot_zone_profile') }}
    where {{ date_range_filter('game_date') }}

),

zone_defense as (

    select * from {{ ref('int_team_zone_defense') }}
    where {{ date_range_filter('game_date') }}

),

team_rolling as (

    select * from {{ ref('int_team_rolling_stats') }}
    where {{ date_range_filter('game_date') }}

),

joined as (

    select
        spine.player_lookup,
        spine.game_date,
        spine.team_abbr,
        spine.opponent_team_abbr,
        rolling.games_played_season,
        rolling.days_since_last_game,
        rolling.games_in_last_7_days,
        rolling.minutes_in_last_7_days,
        rolling.back_to_backs_last_14_days,
        rolling.usage_avg_last_7,
        rolling.usage_avg_season,
        shot_profile.primary_zone,
        shot_profile.primary_zone_rate,
        shot_profile.pct_paint_null_reason as shot_profile_null_reason,
        shot_profile.shot_profile_source,
        shot_profile.shot_profile_age_days,
        zone_defense.zone_defense_source,
        zone_defense.zone_defense_age_days,
        case shot_profile.primary_zone
            when 'paint' then zone_defense.paint_defense_vs_league_avg
            when 'perimeter' then zone_defense.three_defense_vs_league_avg
            when 'mid_range' then zone_defense.mid_range_defense_vs_league_avg
        end as opponent_zone_defense_vs_league,
        coalesce(zone_defense.zone_defense_null_reason, case when zone_defense.team_abbr is null then 'no_team_games' end)
            as zone_defense_null_reason,
        team_rolling.team_pace,
        team_rolling.opponent_pace_last_10,
        team_rolling.team_pace_null_reason,
        case
            when team_rolling.team_abbr is null then 'no_team_games'
            when team_rolling.opponent_pace_last_10 is null then 'opponent_too_few_games'
        end as opponent_pace_null_reason
    from spine
    left join rolling
        on
            rolling.player_lookup = spine.player_lookup
            and rolling.game_date = spine.game_date
    left join shot_profile
        on
            shot_profile.player_lookup = spine.player_lookup
            and shot_profile.game_date = spine.game_date
    left join zone_defense
        on
            zone_defense.team_abbr = spine.opponent_team_abbr
            and zone_defense.game_date = spine.game_date
    left join team_rolling
        on
            team_rolling.team_abbr = spine.team_abbr
            and team_rolling.game_date = spine.game_date

),

scored as (

    select
        joined.*,
        case
            when days_since_last_game is not null then
                100
                + case when days_since_last_game = 1 then -15 when days_since_last_game >= 3 then 5 else 0 end
                + case when games_in_last_7_days >= 4 then -10 else 0 end
                + case when minutes_in_last_7_days > 240 then -10 else 0 end
                + case
                    when games_in_last_7_days > 0 and 1.0 * minutes_in_last_7_days / games_in_last_7_days > 35
                        then -8
                    else 0
                end
                + case when back_to_backs_last_14_days >= 2 then -12 when back_to_backs_last_14_days = 1 then -5 else 0 end
        end as fatigue_raw,
        opponent_zone_defense_vs_league * least(primary_zone_rate * 100.0 / 50.0, 1.0) as mismatch_raw,
        ((team_pace + opponent_pace_last_10) / 2.0 - team_pace) / 2.0 as pace_raw,
        (usage_avg_last_7 - usage_avg_season) * 0.3 as usage_spike_raw
    from joined

),

factors as (

    select
        player_lookup,
        game_date,
        team_abbr,
        opponent_team_abbr,
        days_since_last_game,
        games_in_last_7_days,
        minutes_in_last_7_days,
        back_to_backs_last_14_days,
        primary_zone,
        opponent_zone_defense_vs_league,
        shot_profile_age_days,
        case when primary_zone != 'balanced' then zone_defense_age_days end as zone_defense_age_days,
        team_pace,
        opponent_pace_last_10,
        usage_avg_last_7,
        usage_avg_season,
        -- 5
        {{ clamp('fatigue_raw', 0, 100) }} as fatigue_score,
        case when fatigue_raw is null then 'no_prior_games' end as fatigue_score_null_reason,
        -- 6
        case
            when shot_profile_null_reason is not null or primary_zone is null then null
            when primary_zone = 'balanced' then 0.0
            when opponent_zone_defense_vs_league is null then null
            else {{ clamp('case when abs(mismatch_raw) > 5 then mismatch_raw * 1.2 else mismatch_raw end', -10, 10) }}
        end as shot_zone_mismatch_score,
        case
            when shot_profile_null_reason is not null then shot_profile_null_reason
            when primary_zone is null then 'no_shot_profile'
            when primary_zone = 'balanced' then null
            when opponent_zone_defense_vs_league is null then coalesce(zone_defense_null_reason, 'no_zone_defense')
        end as shot_zone_mismatch_score_null_reason,
        case
            when shot_profile_null_reason is not null or primary_zone is null then null
            when primary_zone = 'balanced' then shot_profile_source
            when opponent_zone_defense_vs_league is null then null
            when 'carried_shot_profile' in (shot_profile_source, zone_defense_source) then 'carried_shot_profile'
            when 'short_window' in (shot_profile_source, zone_defense_source) then 'short_window'
            else 'calculated'
        end as shot_zone_mismatch_score_source,
        -- 7
        {{ clamp('pace_raw', -3, 3) }} as pace_score,
        case when pace_raw is null then coalesce(team_pace_null_reason, opponent_pace_null_reason, 'no_team_games') end
            as pace_score_null_reason,
        -- 8
        case when games_played_season >= {{ usage_min_games }} then {{ clamp('usage_spike_raw', -3, 3) }} end
            as usage_spike_score,
        case
            when coalesce(games_played_season, 0) = 0 then 'no_prior_games'
            when games_played_season < {{ usage_min_games }} then 'too_few_games'
            when usage_spike_raw is null then 'no_usage_data'
        end as usage_spike_score_null_reason,
        case
            when games_played_season < {{ usage_min_games }} or usage_spike_raw is null then null
            when games_played_season < {{ min_games }} then 'short_window'
            else 'calculated'
        end as usage_spike_score_source
    from scored

)

select {{ contract_columns() }}
from factors
