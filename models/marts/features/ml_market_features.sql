{#- ml_market_features: one row per (player_lookup, game_date) of int_feature_spine (the store's rows, bounded by
    `start_date` / `end_date`): the points-prop market of the player's game as of the run, point in time like
    the store (the last ml_market_states state taken before tip-off and at or before `as_of`), and how the
    player has done against his closing lines in games strictly before the date. Optional model inputs beside
    the 37-feature contract, joined on player_lookup and game_date; the contract is not changed by them.
    Incremental like the store: a run replaces the dates of its range. -#}
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'], on_schema_change='sync_all_columns')) }}

with

spine as (

    select
        player_lookup,
        game_date,
        game_id
    from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

visible_states as (

    select * from {{ ref('ml_market_states') }}
    where {{ snapshot_visible('state_at', 'tipoff_at') }}

),

current_states as (

    -- the market as of the run: the latest visible state of the spine's games
    select *
    from visible_states
    where
        game_id in (select distinct spine.game_id from spine)
    qualify row_number() over (partition by player_lookup, game_id order by state_at desc) = 1

),

closing_lines as (

    -- each earlier game's last visible state is its closing market; the game must have tipped off by `as_of`
    -- (its box score is read below)
    select
        player_lookup,
        game_id,
        game_date,
        line_points as closing_line
    from visible_states
    where
        player_lookup in (select distinct spine.player_lookup from spine)
        and {{ at_or_before_as_of('tipoff_at') }}
    qualify row_number() over (partition by player_lookup, game_id order by state_at desc) = 1

),

settled as (

    -- played games against their closing line; a push counts toward the residual but not the over rate
    select
        closing_lines.player_lookup,
        closing_lines.game_id,
        closing_lines.game_date,
        player_games.points - closing_lines.closing_line as residual,
        case
            when player_games.points > closing_lines.closing_line then 1.0
            when player_games.points < closing_lines.closing_line then 0.0
        end as went_over
    from closing_lines
    inner join {{ ref('int_player_games') }} as player_games
        on
            player_games.player_lookup = closing_lines.player_lookup
            and player_games.game_id = closing_lines.game_id
    where
        not coalesce(player_games.is_dnp, false)
        and player_games.points is not null

),

rolling as (

    select
        player_lookup,
        game_id,
        game_date,
        row_number() over (partition by player_lookup order by game_date, game_id) as prior_lined_games,
        avg(residual) over (
            partition by player_lookup order by game_date, game_id rows between 9 preceding and current row
        ) as prior_residual_avg_last_10,
        avg(went_over) over (
            partition by player_lookup order by game_date, game_id rows between 19 preceding and current row
        ) as prior_over_rate_last_20
    from settled

),

history as (

    -- the latest settled game strictly before the date carries the windows that end before it
    select
        spine.player_lookup,
        spine.game_date,
        rolling.prior_lined_games,
        rolling.prior_residual_avg_last_10,
        rolling.prior_over_rate_last_20
    from spine
    inner join rolling
        on
            rolling.player_lookup = spine.player_lookup
            and rolling.game_date < spine.game_date
    where true
    qualify row_number() over (
        partition by spine.player_lookup, spine.game_date order by rolling.game_date desc, rolling.game_id desc
    ) = 1

)

select
    spine.player_lookup,
    spine.game_date,
    spine.game_id,
    current_states.state_at,
    current_states.line_points,
    current_states.line_book,
    current_states.line_source,
    current_states.line_snapshot_at,
    current_states.line_minutes_before_tipoff,
    current_states.opening_line,
    current_states.line_move,
    current_states.over_price,
    current_states.under_price,
    current_states.no_vig_over,
    current_states.overround,
    current_states.books_quoting,
    current_states.consensus_line,
    current_states.line_min,
    current_states.line_max,
    current_states.line_stddev,
    current_states.consensus_no_vig_over,
    current_states.books_at_line,
    current_states.best_over_price,
    current_states.best_over_book,
    current_states.best_under_price,
    current_states.best_under_book,
    coalesce(history.prior_lined_games, 0) as prior_lined_games,
    history.prior_residual_avg_last_10,
    history.prior_over_rate_last_20
from spine
left join current_states
    on
        current_states.player_lookup = spine.player_lookup
        and current_states.game_id = spine.game_id
left join history
    on
        history.player_lookup = spine.player_lookup
        and history.game_date = spine.game_date
