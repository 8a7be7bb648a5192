-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- Features 25-28 from int_prop_lines_resolved, using only usable lines (a line with sane prices) of the
-- player's game whose snapshot is strictly before tip-off and at or before `as_of` (macro snapshot_visible):
-- current line = the snapshot of the best book by seeds/bookmaker_priority.csv (unlisted books last), the
-- latest of that book (ties: line_source name); opening line = the earliest snapshot of the same book in the
-- same feed; move = current - opening. has_vegas_line = 1 only when a current line exists, else 0 (a real
-- 0, never NULL); 25-27 are NULL with null_reason no_line_before_tipoff when no line qualifies.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
with

spine as (

    select
        player_lookup,
        game_date,
        game_id
    from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

priorities as (

    select
        book,
        priority
    from {{ ref('bookmaker_priority') }}

),

-- only lines of the spine's games are read: both rankings are within a player's game, so lines of other games
-- cannot change a rank read back for a spine row
visible_lines as (

    select
        lines.player_lookup,
        lines.game_id,
        lines.line_source,
        lines.book,
        lines.snapshot_at,
        lines.points_line,
        lines.minutes_before_tipoff,
        coalesce(priorities.priority, 999) as book_priority
    from {{ ref('int_prop_lines_resolved') }} as lines
    left join priorities
        on priorities.book = lines.book
    where
        lines.game_id is not null
        and lines.is_line_usable
        and {{ snapshot_visible('lines.snapshot_at', 'lines.tipoff_at') }}
        and lines.game_id in (select distinct spine.game_id from spine)

),

-- the current line comes from the best book of the player's game, so only that book's snapshots are ranked
best_book as (

    select
        player_lookup,
        game_id,
        min(book_priority) as book_priority
    from visible_lines
    group by 1, 2

),

ranked as (

    select
        visible_lines.*,
        row_number() over (
            partition by visible_lines.player_lookup, visible_lines.game_id
            order by
                visible_lines.book_priority,
                visible_lines.snapshot_at desc,
                visible_lines.line_source,
                visible_lines.book
        ) as current_rank
    from visible_lines
    inner join best_book
        on
            best_book.player_lookup = visible_lines.player_lookup
            and best_book.game_id = visible_lines.game_id
            and best_book.book_priority = visible_lines.book_priority

),

current_lines as (

    select * from ranked
    where current_rank = 1

),

-- the opening line is only read for the current line's book and feed, so only those snapshots are ranked
-- (whole partitions are kept, so the ranks are the same as over every book)
current_book_lines as (

    select
        visible_lines.*,
        row_number() over (
            partition by
                visible_lines.player_lookup,
                visible_lines.game_id,
                visible_lines.line_source,
                visible_lines.book
            order by visible_lines.snapshot_at, visible_lines.points_line
        ) as opening_rank
    from visible_lines
    inner join current_lines
        on
            current_lines.player_lookup = visible_lines.player_lookup
            and current_lines.game_id = visible_lines.game_id
            and current_lines.line_source = visible_lines.line_source
            and current_lines.book = visible_lines.book

),

opening_lines as (

    select * from current_book_lines
    where opening_rank = 1

),

line_rows as (

    select
        spine.player_lookup,
        spine.game_date,
        spine.game_id,
        -- 25
        current_lines.points_line as vegas_points_line,
        case when current_lines.points_line is null then 'no_line_before_tipoff' end as vegas_points_line_null_reason,
        -- 26
        opening_lines.points_line as vegas_opening_line,
        case when opening_lines.points_line is null then 'no_line_before_tipoff' end as vegas_opening_line_null_reason,
        -- 27
        current_lines.points_line - opening_lines.points_line as vegas_line_move,
        case when current_lines.points_line is null then 'no_line_before_tipoff' end as vegas_line_move_null_reason,
        -- 28
        case when current_lines.points_line is not null then 1 else 0 end as has_vegas_line,
        cast(null as {{ dbt.type_string() }}) as has_vegas_line_null_reason,
        current_lines.book as vegas_line_book,
        current_lines.snapshot_at as vegas_line_snapshot_at,
        current_lines.minutes_before_tipoff as vegas_line_minutes_before_tipoff,
        current_lines.line_source as vegas_line_source,
        opening_lines.snapshot_at as vegas_opening_snapshot_at
    from spine
    left join current_lines
        on
            current_lines.player_lookup = spine.player_lookup
            and current_lines.game_id = spine.game_id
    left join opening_lines
        on
            opening_lines.player_lookup = current_lines.player_lookup
            and opening_lines.game_id = current_lines.game_id
            and opening_lines.line_source = current_lines.line_source
            and opening_lines.book = current_lines.book

)

select {{ contract_columns() }}
from line_rows
