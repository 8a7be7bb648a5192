{{ config(tags=['monitoring']) }}
-- Grain: game_date. The store dates built before one of their inputs changed (a late or corrected box score,
-- shot file, injury report, injured-list move or line file, or a game's own box scores arriving after its
-- pre-game build): their rows may no longer be what a build would give, so they are to be built again (a
-- backfill or `dbt run` of their range). Empty when every store date is current. Inputs of a date D: the
-- player games, team games and games of D's season up to D (rolling windows, rosters, DNP rows); the shot-zone
-- games up to D of D's season and of earlier seasons (a carried shot profile reads the latest one, whatever its
-- season); the injured-list moves before D (the list as of the day before, any season); the injury snapshots
-- dated D and the resolved lines of D's games. The store's built_at has whole seconds: changes are compared at
-- that precision.
{%- set cumulative_inputs = [
    {'model': 'int_player_games', 'earlier_seasons': false},
    {'model': 'int_team_games', 'earlier_seasons': false},
    {'model': 'int_games', 'earlier_seasons': false},
    {'model': 'int_shot_zone_games', 'earlier_seasons': true},
] %}
{%- set line_inputs = ['int_prop_lines_resolved_rotowire', 'int_prop_lines_resolved_odds_api',
                       'int_prop_lines_resolved_multibook'] %}
with

store_dates as (

    select
        game_date,
        min(season) as season,
        min(built_at) as store_built_at
    from {{ ref('ml_feature_store_v2') }}
    group by game_date

),

-- full-history inputs read cumulatively up to the date: their latest rebuild per date
cumulative_inputs as (

    {%- for input in cumulative_inputs %}
    {% if not loop.first %}union all{% endif %}
    select
        '{{ input.model }}' as input_model,
        {{ 'true' if input.earlier_seasons else 'false' }} as reads_earlier_seasons,
        season,
        game_date,
        max({{ dbt.date_trunc('second', '_built_at') }}) as rebuilt_at
    from {{ ref(input.model) }}
    group by season, game_date
    {%- endfor %}

),

-- full-history inputs read for the date itself
date_inputs as (

    select
        'stg_injuries__status_snapshots' as input_model,
        snapshot_date_et as game_date,
        max({{ dbt.date_trunc('second', '_built_at') }}) as rebuilt_at
    from {{ ref('stg_injuries__status_snapshots') }}
    group by snapshot_date_et
    {%- for line_input in line_inputs %}
    union all
    select
        '{{ line_input }}' as input_model,
        games.game_date,
        max({{ dbt.date_trunc('second', 'lines._built_at') }}) as rebuilt_at
    from {{ ref(line_input) }} as lines
    inner join {{ ref('int_games') }} as games
        on games.game_id = lines.game_id
    group by games.game_date
    {%- endfor %}

),

-- The injured-list moves are a view over raw, with no rebuild time of their own: their changes come from the
-- load index, as (move date, load) pairs where a load of a file holds other rows for the date than the
-- file's previous load (a new date, changed rows, or rows gone).
list_move_loads as (

    select
        source_file,
        load_id,
        loaded_at,
        event_date,
        row_count,
        content_hash
    from {{ ref('stg_loads__file_dates') }}
    where raw_table = 'injury_list_moves'

),

list_move_file_loads as (

    select distinct
        source_file,
        load_id,
        loaded_at
    from list_move_loads

),

list_move_file_dates as (

    select distinct
        source_file,
        event_date
    from list_move_loads
    where event_date is not null

),

-- every load of a file against every date the file ever had: a date a load no longer has is a NULL row
list_move_dates_by_load as (

    select
        list_move_file_loads.source_file,
        list_move_file_loads.load_id,
        list_move_file_loads.loaded_at,
        list_move_file_dates.event_date,
        list_move_loads.row_count,
        list_move_loads.content_hash
    from list_move_file_loads
    inner join list_move_file_dates
        on list_move_file_dates.source_file = list_move_file_loads.source_file
    left join list_move_loads
        on
            list_move_loads.load_id = list_move_file_loads.load_id
            and list_move_loads.event_date = list_move_file_dates.event_date

),

list_move_changes as (

    select
        event_date as move_date,
        max({{ dbt.date_trunc('second', 'loaded_at') }}) as rebuilt_at
    from (
        select
            event_date,
            loaded_at,
            row_count,
            content_hash,
            lag(row_count) over (partition by source_file, event_date order by loaded_at, load_id) as previous_row_count,
            lag(content_hash) over (partition by source_file, event_date order by loaded_at, load_id) as previous_content_hash,
            row_number() over (partition by source_file, event_date order by loaded_at, load_id) as load_number
        from list_move_dates_by_load
    ) as sequenced
    where
        (load_number = 1 and row_count is not null)
        or (
            load_number > 1
            and (
                row_count is distinct from previous_row_count
                or content_hash is distinct from previous_content_hash
            )
        )
    group by event_date

),

newer_inputs as (

    select
        store_dates.game_date,
        cumulative_inputs.input_model,
        max(cumulative_inputs.rebuilt_at) as rebuilt_at
    from store_dates
    inner join cumulative_inputs
        on
            (
                cumulative_inputs.season = store_dates.season
                or (cumulative_inputs.reads_earlier_seasons and cumulative_inputs.season < store_dates.season)
            )
            and cumulative_inputs.game_date <= store_dates.game_date
            and cumulative_inputs.rebuilt_at > store_dates.store_built_at
    group by store_dates.game_date, cumulative_inputs.input_model
    union all
    select
        store_dates.game_date,
        date_inputs.input_model,
        date_inputs.rebuilt_at
    from store_dates
    inner join date_inputs
        on
            date_inputs.game_date = store_dates.game_date
            and date_inputs.rebuilt_at > store_dates.store_built_at
    union all
    select
        store_dates.game_date,
        'stg_injuries__list_moves' as input_model,
        max(list_move_changes.rebuilt_at) as rebuilt_at
    from store_dates
    inner join list_move_changes
        on
            list_move_changes.move_date < store_dates.game_date
            and list_move_changes.rebuilt_at > store_dates.store_built_at
    group by store_dates.game_date

)

select
    store_dates.game_date,
    store_dates.season,
    store_dates.store_built_at,
    max(newer_inputs.rebuilt_at) as inputs_rebuilt_at,
    {{ dbt.listagg('newer_inputs.input_model', "', '", "order by newer_inputs.input_model") }} as rebuilt_inputs
from store_dates
inner join newer_inputs
    on newer_inputs.game_date = store_dates.game_date
group by store_dates.game_date, store_dates.season, store_dates.store_built_at
