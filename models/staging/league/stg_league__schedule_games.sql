-- One row per scheduled game (all season types; preseason is kept and filtered downstream).
with

source as (

    select * from {{ source('league', 'schedule_games') }}

),

renamed as (

    select
        cast(game_date as date) as game_date,
        -- '2023-24' (label) or '2023' (start year): the start year either way
        cast(substr(trim(season), 1, 4) as integer) as season,
        case
            when lower(season_type) in ('playoff', 'playoffs') then 'playoffs'
            when lower(season_type) in ('playin', 'play_in', 'play-in') then 'play_in'
            when lower(season_type) in ('preseason', 'pre_season', 'pre-season') then 'preseason'
            else 'regular'
        end as season_type,
        {{ team_abbr('home_team') }} as home_team_abbr,
        {{ team_abbr('away_team') }} as away_team_abbr,
        _loaded_at,
        _row_number

    from source

),

deduplicated as (

    select *
    from renamed
    where true
    qualify row_number() over (
        partition by game_date, home_team_abbr, away_team_abbr order by _loaded_at desc, _row_number desc
    ) = 1

)

select
    game_date,
    season,
    season_type,
    home_team_abbr,
    away_team_abbr,
    {{ matchup_key('home_team_abbr', 'away_team_abbr') }} as matchup_key
from deduplicated
