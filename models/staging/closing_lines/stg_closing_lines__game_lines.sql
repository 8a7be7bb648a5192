-- One row per game: closing spread (home perspective) and total.
with

source as (

    select * from {{ source('closing_lines', 'closing_game_lines') }}

),

renamed as (

    select
        cast(date as date) as game_date,
        {{ team_abbr('home') }} as home_team_abbr,
        {{ team_abbr('away') }} as away_team_abbr,
        -- the source gives an unsigned spread and which side it favours; negative = home favoured
        case lower(trim(whos_favored))
            when 'home' then -1 * abs({{ try_cast('spread', dbt.type_float()) }})
            when 'away' then abs({{ try_cast('spread', dbt.type_float()) }})
        end as spread_home,
        {{ try_cast('total', dbt.type_float()) }} as total,
        _loaded_at,
        _row_number

    from source

),

deduplicated as (

    select *
    from renamed
    where true
    qualify row_number() over (partition by game_date, home_team_abbr order by _loaded_at desc, _row_number desc) = 1

)

select
    game_date,
    home_team_abbr,
    away_team_abbr,
    spread_home,
    total
from deduplicated
