-- Grain: player_lookup, game_id, state_at. The points-prop market of a player's game as it stood from each
-- pre-tip-off snapshot time (state_at) until the next one: every book's latest usable quote at or before
-- state_at (a book quoted through two feeds counts once: its latest snapshot, ties by feed name), the primary
-- line chosen by the rule of feature 25 (best book by seeds/bookmaker_priority.csv, its latest snapshot) with
-- its prices and opening line (feature 26's rule), the consensus across books and the best price at the
-- primary line. Bounded by `start_date` / `end_date` (games of the range, incremental like the store) but never
-- by `as_of`: a consumer picks the state at its own time, the last state_at at or before it
-- (ml_market_features with the `as_of` var, the walk-forward evaluation at each game date's decision time).
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'], on_schema_change='sync_all_columns')) }}

with

priorities as (

    select
        book,
        priority
    from {{ ref('bookmaker_priority') }}

),

usable_quotes as (

    -- usable quotes (a line with both sides sanely priced) of a resolved game of the date range, taken before
    -- its tip-off
    select
        lines.player_lookup,
        lines.game_id,
        lines.game_date,
        lines.tipoff_at,
        lines.line_source,
        lines.book,
        lines.snapshot_at,
        lines.points_line,
        lines.over_price,
        lines.under_price,
        coalesce(priorities.priority, 999) as book_priority
    from {{ ref('int_prop_lines_resolved') }} as lines
    left join priorities
        on priorities.book = lines.book
    where
        lines.game_id is not null
        and lines.is_line_usable
        and lines.snapshot_at < lines.tipoff_at
        and {{ date_range_filter('lines.game_date') }}

),

quotes as (

    -- a book quoted through two feeds at the same time counts once: the feed first by name
    select *
    from usable_quotes
    where true
    qualify row_number() over (
        partition by player_lookup, game_id, book, snapshot_at order by line_source
    ) = 1

),

state_times as (

    select distinct
        player_lookup,
        game_id,
        snapshot_at as state_at
    from quotes

),

latest_per_book as (

    -- each book's latest snapshot at or before each state time
    select
        state_times.player_lookup,
        state_times.game_id,
        state_times.state_at,
        quotes.book,
        max(quotes.snapshot_at) as snapshot_at
    from state_times
    inner join quotes
        on
            quotes.player_lookup = state_times.player_lookup
            and quotes.game_id = state_times.game_id
            and quotes.snapshot_at <= state_times.state_at
    group by 1, 2, 3, 4

),

book_quotes as (

    select
        latest_per_book.state_at,
        quotes.*,
        {{ no_vig_over_probability('quotes.over_price', 'quotes.under_price') }} as no_vig_over,
        row_number() over state_books as primary_rank,
        first_value(quotes.points_line) over state_books as primary_line,
        row_number() over (
            partition by quotes.player_lookup, quotes.game_id, latest_per_book.state_at
            order by quotes.points_line
        ) as line_rank,
        count(*) over (
            partition by quotes.player_lookup, quotes.game_id, latest_per_book.state_at
        ) as books_quoting
    from latest_per_book
    inner join quotes
        on
            quotes.player_lookup = latest_per_book.player_lookup
            and quotes.game_id = latest_per_book.game_id
            and quotes.book = latest_per_book.book
            and quotes.snapshot_at = latest_per_book.snapshot_at
    -- feature 25's rule: the best book by priority, its latest snapshot (ties: feed name, then book)
    -- (no frame: ranking functions take none on BigQuery, and first_value's default frame starts at the first)
    window state_books as (
        partition by quotes.player_lookup, quotes.game_id, latest_per_book.state_at
        order by quotes.book_priority, quotes.snapshot_at desc, quotes.line_source, quotes.book
    )

),

priced_at_primary_line as (

    -- among the books quoting the primary line, rank each side's price (highest payout; ties: priority, book)
    select
        *,
        points_line = primary_line as is_at_primary_line,
        row_number() over (
            partition by player_lookup, game_id, state_at, points_line = primary_line
            order by {{ american_to_decimal('over_price') }} desc, book_priority, book
        ) as over_price_rank,
        row_number() over (
            partition by player_lookup, game_id, state_at, points_line = primary_line
            order by {{ american_to_decimal('under_price') }} desc, book_priority, book
        ) as under_price_rank
    from book_quotes

),

states as (

    select
        player_lookup,
        game_id,
        state_at,
        max(game_date) as game_date,
        max(tipoff_at) as tipoff_at,
        max(case when primary_rank = 1 then points_line end) as line_points,
        max(case when primary_rank = 1 then book end) as line_book,
        max(case when primary_rank = 1 then line_source end) as line_source,
        max(case when primary_rank = 1 then snapshot_at end) as line_snapshot_at,
        max(case when primary_rank = 1 then over_price end) as over_price,
        max(case when primary_rank = 1 then under_price end) as under_price,
        max(case when primary_rank = 1 then no_vig_over end) as no_vig_over,
        max(books_quoting) as books_quoting,
        -- the median of the books' lines (the mean of the two middle lines for an even count)
        avg(
            case
                when line_rank in (floor((books_quoting + 1) / 2), floor(books_quoting / 2) + 1) then points_line
            end
        ) as consensus_line,
        min(points_line) as line_min,
        max(points_line) as line_max,
        stddev_samp(points_line) as line_stddev,
        avg(no_vig_over) as consensus_no_vig_over,
        sum(case when is_at_primary_line then 1 else 0 end) as books_at_line,
        max(case when is_at_primary_line and over_price_rank = 1 then over_price end) as best_over_price,
        max(case when is_at_primary_line and over_price_rank = 1 then book end) as best_over_book,
        max(case when is_at_primary_line and under_price_rank = 1 then under_price end) as best_under_price,
        max(case when is_at_primary_line and under_price_rank = 1 then book end) as best_under_book
    from priced_at_primary_line
    group by 1, 2, 3

),

openings as (

    -- feature 26's rule: the earliest snapshot of the same book in the same feed (at or before every state
    -- that can pick that book's later quotes)
    select
        player_lookup,
        game_id,
        line_source,
        book,
        points_line as opening_line
    from usable_quotes
    where true
    qualify row_number() over (
        partition by player_lookup, game_id, line_source, book
        order by snapshot_at, points_line
    ) = 1

)

select
    states.player_lookup,
    states.game_id,
    states.game_date,
    states.tipoff_at,
    states.state_at,
    lead(states.state_at) over game_states as next_state_at,
    lead(states.state_at) over game_states is null as is_closing_state,
    states.line_points,
    states.line_book,
    states.line_source,
    states.line_snapshot_at,
    {{ minutes_between('states.line_snapshot_at', 'states.tipoff_at') }} as line_minutes_before_tipoff,
    openings.opening_line,
    states.line_points - openings.opening_line as line_move,
    states.over_price,
    states.under_price,
    states.no_vig_over,
    {{ american_to_probability('states.over_price') }}
    + {{ american_to_probability('states.under_price') }} - 1 as overround,
    states.books_quoting,
    states.consensus_line,
    states.line_min,
    states.line_max,
    states.line_stddev,
    states.consensus_no_vig_over,
    states.books_at_line,
    states.best_over_price,
    states.best_over_book,
    states.best_under_price,
    states.best_under_book
from states
inner join openings
    on
        openings.player_lookup = states.player_lookup
        and openings.game_id = states.game_id
        and openings.line_source = states.line_source
        and openings.book = states.line_book
window game_states as (partition by states.player_lookup, states.game_id order by states.state_at)
