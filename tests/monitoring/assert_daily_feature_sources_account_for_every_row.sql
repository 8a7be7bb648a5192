-- Every store row of a date has exactly one source per feature: per date and feature the source counts sum to
-- the date's rows, and the default sources' counts equal daily_feature_defaults' (two views of one fact).
with per_feature as (

    select
        game_date,
        feature_name,
        max(total_rows) as total_rows,
        sum(source_rows) as source_rows,
        sum(case when is_default_source then source_rows else 0 end) as default_rows
    from {{ ref('daily_feature_sources') }}
    group by game_date, feature_name

),

defaults as (

    select
        game_date,
        feature_name,
        sum(defaulted_rows) as defaulted_rows
    from {{ ref('daily_feature_defaults') }}
    group by game_date, feature_name

),

store_dates as (

    select
        game_date,
        count(*) as store_rows
    from {{ ref('ml_feature_store_v2') }}
    group by game_date

)

select
    per_feature.game_date,
    per_feature.feature_name,
    per_feature.total_rows,
    per_feature.source_rows,
    store_dates.store_rows,
    per_feature.default_rows,
    coalesce(defaults.defaulted_rows, 0) as defaulted_rows
from per_feature
left join store_dates
    on per_feature.game_date = store_dates.game_date
left join defaults
    on
        per_feature.game_date = defaults.game_date
        and per_feature.feature_name = defaults.feature_name
where
    per_feature.source_rows != per_feature.total_rows
    or store_dates.store_rows is null
    or per_feature.total_rows != store_dates.store_rows
    or per_feature.default_rows != coalesce(defaults.defaulted_rows, 0)
