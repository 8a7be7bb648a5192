-- One row per injury-list move: a player placed on or activated from the list.
with

source as (

    select * from {{ source('injuries', 'injury_list_moves') }}

),

moves as (

    -- a source row names the player in Relinquished (placed) or Acquired (activated); a row naming both is
    -- two moves, a row naming neither is no move at all
    select
        cast(date as date) as move_date,
        team,
        relinquished as player_name_raw,
        'placed' as move,
        notes,
        _loaded_at,
        _row_number
    from source
    where nullif(trim(relinquished), '') is not null

    union all

    select
        cast(date as date) as move_date,
        team,
        acquired as player_name_raw,
        'activated' as move,
        notes,
        _loaded_at,
        _row_number
    from source
    where nullif(trim(acquired), '') is not null

),

renamed as (

    select
        move_date,
        {{ team_abbr('team') }} as team_abbr,
        -- names carry a leading space, sometimes a '(middle name)' and a 'Legal Name / Common Name' pair:
        -- keep the common name (the last one), which is what box scores print
        trim({{ regex_replace_all(regex_replace_all('player_name_raw', '[(][^)]*[)]', ''), '^.*/', '') }}) as player_name,
        move,
        nullif(trim(notes), '') as notes,
        _loaded_at,
        _row_number
    from moves

),

deduplicated as (

    select *
    from renamed
    where true
    qualify row_number() over (
        partition by move_date, team_abbr, player_name, move order by _loaded_at desc, _row_number desc
    ) = 1

)

select
    move_date,
    team_abbr,
    player_name,
    {{ player_lookup('player_name') }} as player_lookup,
    move,
    notes
from deduplicated
