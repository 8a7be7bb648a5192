-- Grain: line_source, match_status. How many (player, game) pairs of each line source match a box-score
-- player-game, and why the others do not. Not date-bounded: it summarises every line loaded.
with

lines as (

    select
        line_source,
        player_lookup,
        player_name,
        game_id,
        resolution_status,
        {{ utc_to_et_date('snapshot_at') }} as snapshot_date_et
    from {{ ref('int_prop_lines_resolved') }}

),

box_scores as (

    select
        player_lookup,
        game_id
    from {{ ref('int_player_box_scores') }}

),

box_score_players as (

    select distinct player_lookup from box_scores

),

box_score_games as (

    select distinct game_id from box_scores

),

player_games as (

    -- one row per (player, game) a source offered a line for; unresolved lines count once per player and
    -- scrape date, the closest thing to a game they have
    select
        line_source,
        player_lookup,
        coalesce(game_id, 'unresolved:' || cast(snapshot_date_et as {{ dbt.type_string() }})) as game_key,
        max(game_id) as game_id,
        max(player_name) as player_name,
        max(resolution_status) as resolution_status
    from lines
    group by line_source, player_lookup, coalesce(game_id, 'unresolved:' || cast(snapshot_date_et as {{ dbt.type_string() }}))

),

classified as (

    select
        player_games.line_source,
        player_games.player_lookup,
        player_games.player_name,
        case
            when player_games.resolution_status != 'resolved' then player_games.resolution_status
            when matched.game_id is not null then 'matched'
            -- the game has no box score at all: not played yet, or outside the loaded box scores
            when box_score_games.game_id is null then 'game_not_in_box_scores'
            -- the name is known from other games: the player sat this one out (or changed teams)
            when box_score_players.player_lookup is not null then 'did_not_play'
            else 'unknown_alias'
        end as match_status
    from player_games
    left join box_scores as matched
        on
            player_games.player_lookup = matched.player_lookup
            and player_games.game_id = matched.game_id
    left join box_score_games
        on player_games.game_id = box_score_games.game_id
    left join box_score_players
        on player_games.player_lookup = box_score_players.player_lookup

),

player_counts as (

    select
        line_source,
        match_status,
        player_name,
        count(*) as player_game_count
    from classified
    group by line_source, match_status, player_name

),

ranked_players as (

    select
        *,
        row_number() over (
            partition by line_source, match_status order by player_game_count desc, player_name
        ) as player_rank
    from player_counts

),

examples as (

    select
        line_source,
        match_status,
        {{ dbt.listagg(
            "player_name || ' (' || cast(player_game_count as " ~ dbt.type_string() ~ ") || ')'",
            "', '",
            "order by player_game_count desc, player_name"
        ) }} as example_players
    from ranked_players
    where player_rank <= 10
    group by line_source, match_status

),

by_status as (

    select
        line_source,
        match_status,
        count(*) as player_game_count,
        count(distinct player_lookup) as player_count
    from classified
    group by line_source, match_status

),

by_source as (

    select
        line_source,
        sum(player_game_count) as source_player_game_count,
        sum(case when match_status = 'matched' then player_game_count else 0 end) as source_matched_count,
        sum(
            case when match_status in ('matched', 'did_not_play', 'unknown_alias') then player_game_count else 0 end
        ) as source_gradable_count
    from by_status
    group by line_source

),

final as (

    select
        by_status.line_source,
        by_status.match_status,
        by_status.match_status = 'matched' as is_matched,
        by_status.player_game_count,
        by_status.player_count,
        by_source.source_player_game_count,
        round(100.0 * by_status.player_game_count / by_source.source_player_game_count, 2) as pct_of_source,
        round(100.0 * by_source.source_matched_count / by_source.source_player_game_count, 2) as source_match_rate_pct,
        round(
            100.0 * by_source.source_matched_count / nullif(by_source.source_gradable_count, 0), 2
        ) as source_match_rate_box_score_games_pct,
        examples.example_players
    from by_status
    inner join by_source
        on by_status.line_source = by_source.line_source
    left join examples
        on
            by_status.line_source = examples.line_source
            and by_status.match_status = examples.match_status

)

select * from final
