-- One row per event, snapshot, book and player: the main Points line (alternates dropped, counted).
-- Incremental by the game's ET date (the event's commence time; macro history_incremental_config): a run
-- re-stages the dates of the files loaded since the last run from every load holding them.
{%- set history = {
    'key': 'game_date',
    'changes': [{'raw': ['oddsapi_player_props'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup', 'book'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

source as (

    select * from {{ source('odds_api', 'oddsapi_player_props') }}
    {%- if is_incremental() %}
    where {{ history_source_loads('oddsapi_player_props', changed, history) }}
    {%- endif %}

),

points_rows as (

    select
        trim(event_id) as event_id,
        {{ parse_utc_timestamp('commence_time') }} as tipoff_at,
        {{ team_abbr('home_team') }} as home_team_abbr,
        {{ team_abbr('away_team') }} as away_team_abbr,
        {{ parse_utc_timestamp('market_last_update') }} as snapshot_at,
        {{ book_key('bookmaker_key') }} as book,
        trim(player_name) as player_name,
        {{ player_lookup('player_name') }} as player_lookup,
        lower(trim(side)) as side,
        {{ try_cast('line', dbt.type_float()) }} as line,
        {{ try_cast('price_american', dbt.type_float()) }} as price,
        _loaded_at,
        _row_number
    from source
    where lower(trim(market_key)) = 'player_points'

),

deduplicated as (

    select *
    from points_rows
    where true
    qualify row_number() over (
        partition by event_id, snapshot_at, book, player_lookup, side, line order by _loaded_at desc, _row_number desc
    ) = 1

),

paired as (

    -- one row per offered line: Over and Under side by side
    select
        event_id,
        snapshot_at,
        book,
        player_lookup,
        line,
        max(tipoff_at) as tipoff_at,
        max(home_team_abbr) as home_team_abbr,
        max(away_team_abbr) as away_team_abbr,
        max(player_name) as player_name,
        max(case when side = 'over' then price end) as over_price,
        max(case when side = 'under' then price end) as under_price
    from deduplicated
    group by event_id, snapshot_at, book, player_lookup, line

),

ranked as (

    -- the main line is the two-sided line priced nearest even; ties go to the lower line
    select
        *,
        count(*) over (partition by event_id, snapshot_at, book, player_lookup) - 1 as alternate_count,
        row_number() over (
            partition by event_id, snapshot_at, book, player_lookup
            order by
                case when over_price is not null and under_price is not null then 0 else 1 end,
                {{ distance_from_even('over_price', 'under_price') }},
                line
        ) as line_rank
    from paired

),

final as (

    select
        'odds_api' as line_source,
        event_id,
        tipoff_at,
        {{ utc_to_et_date('tipoff_at') }} as game_date,
        home_team_abbr,
        away_team_abbr,
        {{ matchup_key('home_team_abbr', 'away_team_abbr') }} as matchup_key,
        snapshot_at,
        book,
        player_name,
        player_lookup,
        line as points_line,
        over_price,
        under_price,
        {{ is_price_absurd('over_price', 'under_price') }} as is_price_absurd,
        alternate_count
    from ranked
    where line_rank = 1

)

select
    *,
    {{ history_columns(history) }}
from final
{%- if is_incremental() %}
where {{ history_key_in('game_date', changed, history) }}
{%- endif %}
{{ history_order_by('game_date') }}
