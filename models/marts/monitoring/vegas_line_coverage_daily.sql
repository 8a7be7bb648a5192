{{ config(tags=['monitoring']) }}
-- Grain: game_date. Share of playing players, and of star players, whose feature row has a pre-tip-off line;
-- plus "pipeline drops": players with a visible line that day but no feature row (should be 0; usually a
-- name that did not resolve).

with player_lines as (

    select
        game_date,
        player_lookup,
        is_playing,
        is_star,
        has_vegas_line
    from {{ ref('player_line_coverage') }}

),

coverage_by_date as (

    select
        game_date,
        sum(case when is_playing then 1 else 0 end) as playing_players,
        sum(case when is_playing and has_vegas_line then 1 else 0 end) as playing_players_with_line,
        sum(case when is_playing and is_star then 1 else 0 end) as star_players,
        sum(case when is_playing and is_star and has_vegas_line then 1 else 0 end) as star_players_with_line
    from player_lines
    group by game_date

),

visible_line_players as (

    select distinct
        game_date,
        player_lookup
    from {{ ref('int_prop_lines_resolved') }}
    where
        game_date is not null
        and is_pre_tipoff
        and is_line_usable
        and {{ at_or_before_as_of('snapshot_at') }}

),

line_players_by_date as (

    select
        lines.game_date,
        count(*) as line_players,
        sum(case when features.player_lookup is null then 1 else 0 end) as line_players_without_feature_row
    from visible_line_players as lines
    left join player_lines as features
        on
            lines.game_date = features.game_date
            and lines.player_lookup = features.player_lookup
    group by lines.game_date

),

final as (

    select
        coverage.game_date,
        coverage.playing_players,
        coverage.playing_players_with_line,
        round(100.0 * coverage.playing_players_with_line / nullif(coverage.playing_players, 0), 2)
            as pct_playing_with_line,
        coverage.star_players,
        coverage.star_players_with_line,
        coverage.star_players - coverage.star_players_with_line as star_players_missing_line,
        round(100.0 * coverage.star_players_with_line / nullif(coverage.star_players, 0), 2)
            as pct_stars_with_line,
        coalesce(line_players.line_players, 0) as line_players,
        coalesce(line_players.line_players_without_feature_row, 0) as line_players_without_feature_row
    from coverage_by_date as coverage
    left join line_players_by_date as line_players
        on coverage.game_date = line_players.game_date

)

select * from final
