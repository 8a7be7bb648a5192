-- One row per event and pull: the game an Odds API event names (teams, commence time) as of each pull.
-- Incremental by the game's ET date (the event's commence time; macro history_incremental_config).
{%- set history = {
    'key': 'game_date',
    'changes': [{'raw': ['oddsapi_player_props'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['matchup_key'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

source as (

    select * from {{ source('odds_api', 'oddsapi_player_props') }}
    {%- if is_incremental() %}
    where {{ history_source_loads('oddsapi_player_props', changed, history) }}
    {%- endif %}

),

pulls as (

    -- the export repeats the event's columns on every price row: each distinct pull once, before parsing.
    -- Only player_points rows, the market this project reads, so tip-offs come from the pulls its lines do.
    select distinct
        event_id,
        commence_time,
        home_team,
        away_team,
        market_last_update
    from source
    where lower(trim(market_key)) = 'player_points'

),

parsed as (

    select distinct
        trim(event_id) as event_id,
        {{ parse_utc_timestamp('commence_time') }} as tipoff_at,
        {{ utc_to_et_date(parse_utc_timestamp('commence_time')) }} as game_date,
        {{ team_abbr('home_team') }} as home_team_abbr,
        {{ team_abbr('away_team') }} as away_team_abbr,
        {{ parse_utc_timestamp('market_last_update') }} as snapshot_at
    from pulls

),

final as (

    select
        event_id,
        tipoff_at,
        game_date,
        home_team_abbr,
        away_team_abbr,
        {{ matchup_key('home_team_abbr', 'away_team_abbr') }} as matchup_key,
        snapshot_at
    from parsed

)

select
    *,
    {{ history_columns(history) }}
from final
{%- if is_incremental() %}
where {{ history_key_in('game_date', changed, history) }}
{%- endif %}
{{ history_order_by('game_date') }}
