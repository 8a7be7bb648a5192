{{ config(tags=['monitoring']) }}
-- Grain: game_date. The store dates built before one of their inputs was rebuilt (a late or corrected box
-- score, shot file, injury report or line file, or a game's own box scores arriving after its pre-game
-- build): their rows may no longer be what a build would give, so they are to be built again (a backfill or
-- `dbt run` of their range). Empty when every store date is current. Inputs of a date D: the player games,
-- shot-zone games, team games and games of D's season up to D (rolling windows, rosters, DNP rows), the
-- injury snapshots dated D and the resolved lines of D's games. The store's built_at has whole seconds: the
-- rebuilds are compared at that precision.
with

store_dates as (

    select
        game_date,
        min(season) as season,
        min(built_at) as store_built_at
    from {{ ref('ml_feature_store_v2') }}
    group by game_date

),

-- inputs read cumulatively within a season: their latest rebuild on or before each date
season_inputs as (

    select
        'int_player_games' as input_model,
        season,
        game_date,
        max({{ dbt.date_trunc('second', '_built_at') }}) as rebuilt_at
    from {{ ref('int_player_games') }}
    group by season, game_date
    union all
    select
        'int_shot_zone_games' as input_model,
        season,
        game_date,
        max({{ dbt.date_trunc('second', '_built_at') }}) as rebuilt_at
    from {{ ref('int_shot_zone_games') }}
    group by season, game_date
    union all
    select
        'int_team_games' as input_model,
        season,
        game_date,
        max({{ dbt.date_trunc('second', '_built_at') }}) as rebuilt_at
    from {{ ref('int_team_games') }}
    group by season, game_date
    union all
    select
        'int_games' as input_model,
        season,
        game_date,
        max({{ dbt.date_trunc('second', '_built_at') }}) as rebuilt_at
    from {{ ref('int_games') }}
    group by season, game_date

),

-- inputs read for the date itself
date_inputs as (

    select
        'stg_injuries__status_snapshots' as input_model,
        snapshot_date_et as game_date,
        max({{ dbt.date_trunc('second', '_built_at') }}) as rebuilt_at
    from {{ ref('stg_injuries__status_snapshots') }}
    group by snapshot_date_et
    {% for source_model in ['int_prop_lines_resolved_rotowire', 'int_prop_lines_resolved_odds_api',
                            'int_prop_lines_resolved_multibook'] %}
    union all
    select
        '{{ source_model }}' as input_model,
        games.game_date,
        max({{ dbt.date_trunc('second', 'lines._built_at') }}) as rebuilt_at
    from {{ ref(source_model) }} as lines
    inner join {{ ref('int_games') }} as games
        on games.game_id = lines.game_id
    group by games.game_date
    {%- endfor %}

),

newer_inputs as (

    select
        store_dates.game_date,
        season_inputs.input_model,
        max(season_inputs.rebuilt_at) as rebuilt_at
    from store_dates
    inner join season_inputs
        on
            season_inputs.season = store_dates.season
            and season_inputs.game_date <= store_dates.game_date
            and season_inputs.rebuilt_at > store_dates.store_built_at
    group by store_dates.game_date, season_inputs.input_model
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
