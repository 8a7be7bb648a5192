{{ config(tags=['monitoring']) }}
-- Grain: game_date. One dashboard row per date of ml_feature_store_v2: how many rows are usable.
with feature_rows as (

    select
        game_date,
        spine_reason,
        coalesce(cast(is_quality_ready as {{ dbt.type_int() }}), 0) as is_quality_ready,
        required_default_count,
        default_feature_count,
        quality_alert_level,
        feature_quality_score,
        matchup_quality_pct,
        player_history_quality_pct,
        coalesce(cast(cache_miss_fallback_used as {{ dbt.type_int() }}), 0) as is_cache_miss,
        coalesce(cast(has_vegas_line as {{ dbt.type_int() }}), 0) as has_vegas_line,
        built_at
    from {{ ref('ml_feature_store_v2') }}

),

quality_by_date as (

    select
        game_date,
        count(*) as total_rows,
        -- DNP rows are kept in the store (they are real history) but a pre-game run would not serve them.
        sum(case when spine_reason = 'dnp' then 1 else 0 end) as dnp_rows,
        sum(case when spine_reason != 'dnp' then 1 else 0 end) as playing_rows,
        sum(is_quality_ready) as quality_ready_rows,
        sum(case when spine_reason != 'dnp' then is_quality_ready else 0 end) as playing_quality_ready_rows,
        sum(case when required_default_count = 0 then 1 else 0 end) as required_defaults_zero_rows,
        sum(case when default_feature_count = 0 then 1 else 0 end) as all_defaults_zero_rows,
        sum(case when quality_alert_level = 'red' then 1 else 0 end) as red_alert_rows,
        sum(case when quality_alert_level = 'yellow' then 1 else 0 end) as yellow_alert_rows,
        sum(is_cache_miss) as cache_miss_rows,
        sum(has_vegas_line) as vegas_line_rows,
        avg(feature_quality_score) as avg_feature_quality_score,
        avg(matchup_quality_pct) as avg_matchup_quality_pct,
        avg(player_history_quality_pct) as avg_player_history_quality_pct,
        avg(default_feature_count) as avg_default_feature_count,
        avg(required_default_count) as avg_required_default_count,
        max(built_at) as store_built_at
    from feature_rows
    group by game_date

),

final as (

    select
        game_date,
        total_rows,
        dnp_rows,
        playing_rows,
        quality_ready_rows,
        playing_quality_ready_rows,
        required_defaults_zero_rows,
        all_defaults_zero_rows,
        red_alert_rows,
        yellow_alert_rows,
        cache_miss_rows,
        vegas_line_rows,
        round(100.0 * quality_ready_rows / total_rows, 2) as pct_quality_ready,
        round(100.0 * playing_quality_ready_rows / nullif(playing_rows, 0), 2) as pct_playing_quality_ready,
        round(100.0 * required_defaults_zero_rows / total_rows, 2) as pct_required_defaults_zero,
        round(100.0 * all_defaults_zero_rows / total_rows, 2) as pct_all_defaults_zero,
        round(100.0 * red_alert_rows / total_rows, 2) as pct_red_alert,
        round(100.0 * cache_miss_rows / total_rows, 2) as pct_cache_miss,
        round(100.0 * vegas_line_rows / total_rows, 2) as pct_vegas_line,
        round(avg_feature_quality_score, 2) as avg_feature_quality_score,
        round(avg_matchup_quality_pct, 2) as avg_matchup_quality_pct,
        round(avg_player_history_quality_pct, 2) as avg_player_history_quality_pct,
        round(avg_default_feature_count, 2) as avg_default_feature_count,
        round(avg_required_default_count, 2) as avg_required_default_count,
        store_built_at
    from quality_by_date

)

select * from final
