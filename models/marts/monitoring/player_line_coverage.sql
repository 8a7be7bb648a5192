{{ config(tags=['monitoring']) }}
-- Grain: game_date, player_lookup. One row per feature-store row with what the line monitors need:
-- is the player a star (season points average before the date above var star_points_avg_min), does he
-- play, and did the store find a pre-tip-off line (and which one).
with feature_rows as (

    select
        game_date,
        game_id,
        player_lookup,
        player_name,
        team_abbr,
        opponent_team_abbr,
        spine_reason,
        points_avg_season,
        points_avg_season_source,
        coalesce(cast(has_vegas_line as {{ dbt.type_int() }}), 0) as has_vegas_line,
        vegas_line_source,
        vegas_line_book
    from {{ ref('ml_feature_store_v2') }}

),

classified as (

    select
        game_date,
        game_id,
        player_lookup,
        player_name,
        team_abbr,
        opponent_team_abbr,
        spine_reason,
        -- A defaulted season average is a constant, not evidence of stardom.
        case
            when points_avg_season_source in ('default', 'missing') then null
            else points_avg_season
        end as points_avg_season,
        spine_reason != 'dnp' as is_playing,
        coalesce(
            points_avg_season_source not in ('default', 'missing')
            and points_avg_season > {{ var('star_points_avg_min') }},
            false
        ) as is_star,
        has_vegas_line = 1 as has_vegas_line,
        vegas_line_source,
        vegas_line_book
    from feature_rows

)

select
    game_date,
    game_id,
    player_lookup,
    player_name,
    team_abbr,
    opponent_team_abbr,
    spine_reason,
    points_avg_season,
    is_playing,
    is_star,
    has_vegas_line,
    vegas_line_source,
    vegas_line_book
from classified
