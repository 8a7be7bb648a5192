-- Grain of daily_feature_defaults: one row per (game_date, feature_name, default_source, default_reason).
select
    game_date,
    feature_name,
    default_source,
    default_reason,
    count(*) as rows_per_key
from {{ ref('daily_feature_defaults') }}
group by
    game_date,
    feature_name,
    default_source,
    default_reason
having count(*) > 1
