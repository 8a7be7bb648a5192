-- One row per event and pull: the game an Odds API event names (teams, commence time) as of each pull.
with

source as (

    select * from {{ source('odds_api', 'oddsapi_player_props') }}

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

final as (

    select distinct
        trim(event_id) as event_id,
        {{ parse_utc_timestamp('commence_time') }} as tipoff_at,
        {{ utc_to_et_date(parse_utc_timestamp('commence_time')) }} as game_date,
        {{ team_abbr('home_team') }} as home_team_abbr,
        {{ team_abbr('away_team') }} as away_team_abbr,
        {{ parse_utc_timestamp('market_last_update') }} as snapshot_at
    from pulls

)

select * from final
