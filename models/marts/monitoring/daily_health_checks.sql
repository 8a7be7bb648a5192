{{ config(tags=['monitoring']) }}
-- Grain: game_date, check_name. The daily runbook as data: one row per date and check with the observed
-- value, its warn and alert thresholds (dbt vars, defaults from the reference system's runbook) and a status
-- ok / warn / alert. `nba-props validate-daily` prints these rows; dashboards filter status != 'ok'.
-- Dates: every date of the feature store, plus dates with games inside the store's range that have no rows.
-- Star players without a line warn from one and alert from var star_missing_lines_alert_min when they are also
-- at least var star_missing_lines_alert_pct of the date's playing stars: a book pulling one questionable
-- star's line is normal, a scraper outage takes most of them.
-- fallback_source_pct: the largest share of a date's rows that one fallback source (daily_feature_sources:
-- weighted below the feature's primary source) carries for one required feature. A warning only: the rows are
-- still served, with a lower score, but the primary source of that feature is missing for the date.
{%- set checks = [
    {'name': 'feature_rows_present', 'bound': 'lower', 'warn': 1, 'alert': 1},
    {'name': 'quality_ready_pct', 'bound': 'lower', 'warn': var('quality_ready_min_pct'), 'alert': var('quality_ready_alert_pct')},
    {'name': 'red_alert_pct', 'bound': 'upper', 'warn': var('red_alert_max_pct'), 'alert': var('red_alert_alert_pct')},
    {'name': 'matchup_quality_pct', 'bound': 'lower', 'warn': var('matchup_quality_min_pct'), 'alert': var('matchup_quality_alert_pct')},
    {'name': 'avg_default_features', 'bound': 'upper', 'warn': var('avg_defaults_max'), 'alert': var('avg_defaults_alert')},
    {'name': 'cache_miss_pct', 'bound': 'upper', 'warn': var('cache_miss_max_pct'), 'alert': var('cache_miss_alert_pct')},
    {'name': 'star_players_missing_lines', 'bound': 'upper', 'warn': 0, 'alert': var('star_missing_lines_alert_min') - 1,
     'alert_also': 'star_players_missing_pct >= ' ~ var('star_missing_lines_alert_pct')},
    {'name': 'vegas_line_coverage_pct', 'bound': 'lower', 'warn': var('vegas_coverage_min_pct'), 'alert': none},
    {'name': 'line_pipeline_drops_pct', 'bound': 'upper', 'warn': var('line_drops_max_pct'), 'alert': none},
    {'name': 'contract_drift_rows', 'bound': 'upper', 'warn': 0, 'alert': 0},
    {'name': 'box_score_days_missing', 'bound': 'upper', 'warn': 0, 'alert': none},
    {'name': 'fallback_source_pct', 'bound': 'upper', 'warn': var('fallback_source_max_pct'), 'alert': none},
] %}

with quality as (

    select * from {{ ref('daily_feature_quality') }}

),

line_coverage as (

    select * from {{ ref('vegas_line_coverage_daily') }}

),

scheduled_dates as (

    select distinct game_date
    from {{ ref('int_games') }}
    where game_date between (select min(game_date) from quality) and (select max(game_date) from quality)

),

check_dates as (

    select game_date from quality
    union distinct
    select game_date from scheduled_dates

),

drifted_rows_by_date as (

    -- This date's rows built under another contract (feature_contract_drift groups them into ranges).
    select
        game_date,
        count(*) as drifted_rows
    from {{ ref('ml_feature_store_v2') }}
    where
        feature_version != '{{ var('feature_version', none) or feature_contract_version() }}'
        or contract_hash != '{{ feature_contract_hash() }}'
        or feature_version is null
        or contract_hash is null
    group by game_date

),

box_score_dates as (

    select distinct game_date from {{ ref('int_player_box_scores') }}

),

-- Game days before each date (within 7 days) that the schedule has but the box scores lack: features of the
-- date then silently miss those games.
box_score_gaps as (

    select
        check_dates.game_date,
        count(distinct games.game_date) as box_score_days_missing
    from check_dates
    inner join {{ ref('int_games') }} as games
        on
            games.season_type in ('regular', 'play_in', 'playoffs')
            and games.game_date < check_dates.game_date
            and games.game_date >= cast({{ dbt.dateadd('day', -7, 'check_dates.game_date') }} as date)
    left join box_score_dates
        on games.game_date = box_score_dates.game_date
    where box_score_dates.game_date is null
    group by check_dates.game_date

),

fallback_share_by_date as (

    select
        game_date,
        max(pct_of_rows) as fallback_source_pct
    from {{ ref('daily_feature_sources') }}
    where is_fallback_source and not is_optional
    group by game_date

),

observations as (

    select
        check_dates.game_date,
        cast(coalesce(quality.total_rows, 0) as {{ dbt.type_float() }}) as feature_rows_present,
        cast(quality.pct_playing_quality_ready as {{ dbt.type_float() }}) as quality_ready_pct,
        cast(quality.pct_red_alert as {{ dbt.type_float() }}) as red_alert_pct,
        cast(quality.avg_matchup_quality_pct as {{ dbt.type_float() }}) as matchup_quality_pct,
        cast(quality.avg_default_feature_count as {{ dbt.type_float() }}) as avg_default_features,
        cast(quality.pct_cache_miss as {{ dbt.type_float() }}) as cache_miss_pct,
        cast(line_coverage.star_players_missing_line as {{ dbt.type_float() }}) as star_players_missing_lines,
        cast(
            100.0 - line_coverage.pct_stars_with_line as {{ dbt.type_float() }}
        ) as star_players_missing_pct,
        cast(line_coverage.pct_playing_with_line as {{ dbt.type_float() }}) as vegas_line_coverage_pct,
        cast(
            round(100.0 * line_coverage.line_players_without_feature_row / nullif(line_coverage.line_players, 0), 2)
            as {{ dbt.type_float() }}
        ) as line_pipeline_drops_pct,
        cast(coalesce(drifted_rows_by_date.drifted_rows, 0) as {{ dbt.type_float() }}) as contract_drift_rows,
        cast(coalesce(box_score_gaps.box_score_days_missing, 0) as {{ dbt.type_float() }}) as box_score_days_missing,
        -- no fallback on a date with store rows is 0%; a date without rows has nothing to measure
        cast(
            case when quality.game_date is not null then coalesce(fallback_share_by_date.fallback_source_pct, 0) end
            as {{ dbt.type_float() }}
        ) as fallback_source_pct
    from check_dates
    left join quality
        on check_dates.game_date = quality.game_date
    left join line_coverage
        on check_dates.game_date = line_coverage.game_date
    left join drifted_rows_by_date
        on check_dates.game_date = drifted_rows_by_date.game_date
    left join box_score_gaps
        on check_dates.game_date = box_score_gaps.game_date
    left join fallback_share_by_date
        on check_dates.game_date = fallback_share_by_date.game_date

),

checks as (

    {%- for check in checks %}
    {#- The thresholds in words, for people reading the table: "ok >= 80; alert < 60". #}
    {%- set rule = 'ok ' ~ ('>=' if check.bound == 'lower' else '<=') ~ ' ' ~ check.warn %}
    {%- if check.alert is not none %}
    {%- set rule = rule ~ '; alert ' ~ ('<' if check.bound == 'lower' else '>') ~ ' ' ~ check.alert %}
    {%- endif %}
    {%- if check.alert_also %}{% set rule = rule ~ ' and ' ~ check.alert_also %}{% endif %}
    select
        game_date,
        {{ loop.index }} as check_order,
        '{{ check.name }}' as check_name,
        '{{ check.bound }}' as bound,
        {{ check.name }} as observed_value,
        cast({{ check.warn if check.warn is not none else 'null' }} as {{ dbt.type_float() }}) as warn_threshold,
        cast({{ check.alert if check.alert is not none else 'null' }} as {{ dbt.type_float() }}) as alert_threshold,
        {{ check.alert_also if check.alert_also else 'true' }} as alert_condition_met,
        '{{ rule }}' as rule
    from observations
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

final as (

    select
        game_date,
        check_order,
        check_name,
        bound,
        observed_value,
        warn_threshold,
        alert_threshold,
        rule,
        case
            -- Nothing to measure (e.g. no playing players): feature_rows_present reports the real problem.
            when observed_value is null then 'ok'
            when bound = 'lower' and observed_value < alert_threshold and alert_condition_met then 'alert'
            when bound = 'upper' and observed_value > alert_threshold and alert_condition_met then 'alert'
            when bound = 'lower' and observed_value < warn_threshold then 'warn'
            when bound = 'upper' and observed_value > warn_threshold then 'warn'
            else 'ok'
        end as status
    from checks

)

select * from final
