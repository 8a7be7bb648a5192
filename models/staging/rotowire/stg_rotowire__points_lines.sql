-- One row per snapshot, book and player: the Points line with Over and Under paired.
-- Incremental by the snapshot's ET date (macro history_incremental_config): a run re-stages the dates of the
-- files loaded since the last run (and of a changed file's old content) from every load holding those dates,
-- so duplicates across files are settled as in a full build; nothing else is read.
{%- set history = {
    'key': 'snapshot_date_et',
    'changes': [{'raw': ['rotowire_prop_snapshots'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup', 'book'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

source as (

    select * from {{ source('rotowire', 'rotowire_prop_snapshots') }}
    {%- if is_incremental() %}
    where {{ history_source_loads('rotowire_prop_snapshots', changed, history) }}
    {%- endif %}

),

points_source as (

    -- the Points prop only (a sixth of the file); read twice below, so this is what DuckDB materialises
    select * from source
    where lower(trim(prop)) = 'points'

),

player_names as (

    -- a few hundred names behind hundreds of thousands of rows: normalise each name once
    select
        player_name as raw_player_name,
        {{ player_lookup('player_name') }} as player_lookup
    from (select distinct player_name from points_source) as names

),

points_rows as (

    select
        {{ parse_utc_timestamp('snapshot_utc') }} as snapshot_at,
        {{ book_key('book') }} as book,
        trim(points_source.player_name) as player_name,
        player_names.player_lookup,
        nullif(trim(points_source.opp), '') as opp,
        lower(trim(points_source.side)) as side,
        {{ try_cast('points_source.line', dbt.type_float()) }} as line,
        {{ try_cast('points_source.price_american', dbt.type_float()) }} as price,
        points_source._loaded_at,
        points_source._row_number
    from points_source
    left join player_names
        on points_source.player_name is not distinct from player_names.raw_player_name

),

deduplicated as (

    -- the hourly file repeats keys (same snapshot, player, side, book); keep one, the latest row
    select *
    from points_rows
    where true
    qualify row_number() over (
        partition by snapshot_at, book, player_lookup, side order by _loaded_at desc, _row_number desc
    ) = 1

),

paired as (

    select
        snapshot_at,
        book,
        player_lookup,
        max(player_name) as player_name,
        max(opp) as opp,
        max(case when side = 'over' then line end) as over_line,
        max(case when side = 'under' then line end) as under_line,
        max(case when side = 'over' then price end) as over_price,
        max(case when side = 'under' then price end) as under_price
    from deduplicated
    group by snapshot_at, book, player_lookup

),

final as (

    select
        'rotowire' as line_source,
        snapshot_at,
        -- the ET date of the scrape itself; late-night scrapes may already list the next day's games, so
        -- the game is resolved downstream (int_prop_lines_resolved), not assumed to be on this date
        {{ utc_to_et_date('snapshot_at') }} as snapshot_date_et,
        book,
        player_name,
        player_lookup,
        -- no team column in this source: the team is the other side of the resolved game
        cast(null as {{ dbt.type_string() }}) as team_abbr,
        {{ team_abbr('opp') }} as opponent_team_abbr,
        -- '@PHI' = the player's team is away at PHI; 'PHI' = at home; empty = unknown
        case when opp like '@%' then false when opp is not null then true end as is_home,
        -- the Over line; when the sides disagree (sides_disagree) the Under line is in under_line upstream
        coalesce(over_line, under_line) as points_line,
        over_price,
        under_price,
        {{ is_price_absurd('over_price', 'under_price') }} as is_price_absurd,
        coalesce(over_line != under_line, false) as sides_disagree
    from paired

)

select
    *,
    {{ history_columns(history) }}
from final
{%- if is_incremental() %}
where {{ history_key_in('snapshot_date_et', changed, history) }}
{%- endif %}
{{ history_order_by('snapshot_date_et') }}
