-- One row per player per playoff (004) or play-in (005) game, with starter flag and usage.
-- Incremental by game date (macro history_incremental_config), like the regular-season logs.
{%- set history = {
    'key': 'game_date',
    'changes': [{'raw': ['playoff_player_boxes'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

source as (

    select * from {{ source('nba_stats', 'playoff_player_boxes') }}
    {%- if is_incremental() %}
    where {{ history_source_loads('playoff_player_boxes', changed, history) }}
    {%- endif %}

),

renamed as (

    select
        lpad(trim(game_id), 10, '0') as game_id,
        cast(game_date as date) as game_date,
        cast(substr(lpad(trim(game_id), 10, '0'), 4, 2) as integer) + 2000 as season,
        case substr(lpad(trim(game_id), 10, '0'), 1, 3)
            when '005' then 'play_in'
            else 'playoffs'
        end as season_type,
        cast({{ try_cast('player_id', dbt.type_float()) }} as bigint) as player_id,
        trim(player_name) as player_name,
        {{ player_lookup('player_name') }} as player_lookup,
        {{ team_abbr('team_abbreviation') }} as team_abbr,
        {{ team_abbr('opp_abbreviation') }} as opponent_team_abbr,
        case
            when trim(home_game) in ('1', '1.0', 'True', 'true') then true
            when trim(home_game) in ('0', '0.0', 'False', 'false') then false
            else matchup like '% vs. %'
        end as is_home,
        case upper(wl) when 'W' then true when 'L' then false end as is_win,
        {{ try_cast('min', dbt.type_float()) }} as minutes,
        cast({{ try_cast('pts', dbt.type_float()) }} as integer) as points,
        cast({{ try_cast('fgm', dbt.type_float()) }} as integer) as fgm,
        cast({{ try_cast('fga', dbt.type_float()) }} as integer) as fga,
        cast({{ try_cast('fg3m', dbt.type_float()) }} as integer) as fg3m,
        cast({{ try_cast('fg3a', dbt.type_float()) }} as integer) as fg3a,
        cast({{ try_cast('ftm', dbt.type_float()) }} as integer) as ftm,
        cast({{ try_cast('fta', dbt.type_float()) }} as integer) as fta,
        cast({{ try_cast('oreb', dbt.type_float()) }} as integer) as oreb,
        cast({{ try_cast('dreb', dbt.type_float()) }} as integer) as dreb,
        cast({{ try_cast('reb', dbt.type_float()) }} as integer) as reb,
        cast({{ try_cast('ast', dbt.type_float()) }} as integer) as ast,
        cast({{ try_cast('stl', dbt.type_float()) }} as integer) as stl,
        cast({{ try_cast('blk', dbt.type_float()) }} as integer) as blk,
        cast({{ try_cast('tov', dbt.type_float()) }} as integer) as tov,
        cast({{ try_cast('pf', dbt.type_float()) }} as integer) as pf,
        cast({{ try_cast('plus_minus', dbt.type_float()) }} as integer) as plus_minus,
        -- START_POSITION is G/F/C for starters and empty for the bench
        coalesce(trim(start_position), '') != '' as is_starter,
        -- USG_PCT is already a fraction (0-1) in this source
        {{ try_cast('usg_pct', dbt.type_float()) }} as usage_rate,
        _loaded_at,
        _row_number

    from source

),

deduplicated as (

    select *
    from renamed
    where true
    qualify row_number() over (partition by game_id, player_id order by _loaded_at desc, _row_number desc) = 1

)

select
    {{ star_except(['_loaded_at', '_row_number']) }},
    {{ matchup_key('team_abbr', 'opponent_team_abbr') }} as matchup_key,
    {{ history_columns(history) }}
from deduplicated
{%- if is_incremental() %}
where {{ history_key_in('game_date', changed, history) }}
{%- endif %}
{{ history_order_by('game_date') }}
