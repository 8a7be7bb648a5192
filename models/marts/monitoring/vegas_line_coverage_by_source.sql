{{ config(tags=['monitoring']) }}
-- Grain: game_date, line_source. For each line source (rotowire, odds_api, multibook): how many playing
-- players (and stars) it had a visible pre-tip-off line for, and how many feature rows selected it. A source
-- that drops to zero while the others hold is a scraper problem of that source.

with player_lines as (

    select
        game_date,
        player_lookup,
        is_playing,
        is_star,
        vegas_line_source,
        vegas_line_book
    from {{ ref('player_line_coverage') }}

),

players_by_date as (

    select
        game_date,
        sum(case when is_playing then 1 else 0 end) as playing_players,
        sum(case when is_playing and is_star then 1 else 0 end) as star_players
    from player_lines
    group by game_date

),

visible_lines as (

    select distinct
        game_date,
        line_source,
        player_lookup
    from {{ ref('int_prop_lines_resolved') }}
    where
        game_date is not null
        and is_pre_tipoff
        and is_line_usable
        and {{ at_or_before_as_of('snapshot_at') }}

),

lines_by_source as (

    select
        lines.game_date,
        lines.line_source,
        count(*) as line_players,
        sum(case when features.is_playing then 1 else 0 end) as playing_players_with_line,
        sum(case when features.is_playing and features.is_star then 1 else 0 end) as star_players_with_line
    from visible_lines as lines
    left join player_lines as features
        on
            lines.game_date = features.game_date
            and lines.player_lookup = features.player_lookup
    group by lines.game_date, lines.line_source

),

selected_by_source as (

    select
        game_date,
        vegas_line_source as line_source,
        count(*) as selected_rows
    from player_lines
    where vegas_line_source is not null
    group by game_date, vegas_line_source

),

final as (

    select
        lines.game_date,
        lines.line_source,
        lines.line_players,
        lines.playing_players_with_line,
        players.playing_players,
        round(100.0 * lines.playing_players_with_line / nullif(players.playing_players, 0), 2)
            as pct_playing_with_line,
        lines.star_players_with_line,
        players.star_players,
        round(100.0 * lines.star_players_with_line / nullif(players.star_players, 0), 2)
            as pct_stars_with_line,
        coalesce(selected.selected_rows, 0) as selected_rows
    from lines_by_source as lines
    left join players_by_date as players
        on lines.game_date = players.game_date
    left join selected_by_source as selected
        on
            lines.game_date = selected.game_date
            and lines.line_source = selected.line_source

)

select * from final
