-- Grain: player_lookup, game_id, line_source, book. The closing quote of each book and feed: its last usable
-- snapshot before tip-off (line and both prices). Closing-line value compares the quote a prediction was made
-- with to the close of the same book in the same feed. A view with no vars: as fresh as
-- int_prop_lines_resolved; grading reads it after the games, so it is not bounded by `as_of`.
{{ config(materialized='view') }}

with

quotes as (

    select
        player_lookup,
        game_id,
        line_source,
        book,
        snapshot_at,
        points_line,
        over_price,
        under_price,
        tipoff_at
    from {{ ref('int_prop_lines_resolved') }}
    where
        game_id is not null
        and is_line_usable
        and snapshot_at < tipoff_at

)

select
    player_lookup,
    game_id,
    line_source,
    book,
    snapshot_at as close_snapshot_at,
    {{ minutes_between('snapshot_at', 'tipoff_at') }} as close_minutes_before_tipoff,
    points_line as close_line,
    over_price as close_over_price,
    under_price as close_under_price,
    {{ no_vig_over_probability('over_price', 'under_price') }} as close_no_vig_over
from quotes
where true
qualify row_number() over (
    partition by player_lookup, game_id, line_source, book order by snapshot_at desc
) = 1
