-- Grain of daily_feature_sources: one row per (game_date, feature_name, feature_source).
select
    game_date,
    feature_name,
    feature_source,
    count(*) as rows_per_key
from {{ ref('daily_feature_sources') }}
group by
    game_date,
    feature_name,
    feature_source
having count(*) > 1
