-- One row per scrape date, book, game and player: the main Points line (alternates and milestone ladders dropped).
-- Incremental by scrape date (macro history_incremental_config): a run re-stages the dates of the files
-- loaded since the last run from every load holding them.
{%- set history = {
    'key': 'scrape_date',
    'changes': [{'raw': ['multibook_props'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup', 'book'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

source as (

    select * from {{ source('multibook', 'multibook_props') }}
    {%- if is_incremental() %}
    where {{ history_source_loads('multibook_props', changed, history) }}
    {%- endif %}

),

points_rows as (

    select
        cast(game_date as date) as scrape_date,
        {{ book_key('book') }} as book,
        lower(trim(game)) as game,
        {{ team_abbr(dbt.split_part('game', "' @ '", 2)) }} as home_team_abbr,
        {{ team_abbr(dbt.split_part('game', "' @ '", 1)) }} as away_team_abbr,
        trim(player_name_lower) as player_name,
        {{ player_lookup('player_name_lower') }} as player_lookup,
        {{ try_cast('line', dbt.type_float()) }} as line,
        {{ try_cast('over_american', dbt.type_float()) }} as over_price,
        {{ try_cast('under_american', dbt.type_float()) }} as under_price,
        _loaded_at,
        _row_number
    from source
    -- 'pts' only: milestone markets ('25+ pts') and quarter markets are other bets
    where lower(trim(market)) = 'pts'

),

deduplicated as (

    select *
    from points_rows
    where true
    qualify row_number() over (
        partition by scrape_date, book, game, player_lookup, line order by _loaded_at desc, _row_number desc
    ) = 1

),

ranked as (

    -- books list a ladder of alternates (often Over-only); the main line is the two-sided one priced
    -- nearest even, ties to the lower line
    select
        *,
        count(*) over (partition by scrape_date, book, game, player_lookup) - 1 as alternate_count,
        row_number() over (
            partition by scrape_date, book, game, player_lookup
            order by
                case when over_price is not null and under_price is not null then 0 else 1 end,
                {{ distance_from_even('over_price', 'under_price') }},
                line
        ) as line_rank
    from deduplicated

),

final as (

    select
        'multibook' as line_source,
        scrape_date,
        game,
        home_team_abbr,
        away_team_abbr,
        {{ matchup_key('home_team_abbr', 'away_team_abbr') }} as matchup_key,
        book,
        player_name,
        player_lookup,
        line as points_line,
        over_price,
        under_price,
        {{ is_price_absurd('over_price', 'under_price') }} as is_price_absurd,
        alternate_count,
        -- the scrape time is not in the file: assume 09:00 ET on the scrape date (documented); the real
        -- scrape may be later, so minutes_before_tipoff for this source is an upper bound
        {{ et_to_utc('scrape_date', "'09:00'") }} as snapshot_at
    from ranked
    where line_rank = 1

)

select
    *,
    {{ history_columns(history) }}
from final
{%- if is_incremental() %}
where {{ history_key_in('scrape_date', changed, history) }}
{%- endif %}
{{ history_order_by('scrape_date') }}
