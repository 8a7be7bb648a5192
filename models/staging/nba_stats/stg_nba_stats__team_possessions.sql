-- Two rows per game (home and road): minutes and possessions for pace and ratings.
with

source as (

    select * from {{ source('nba_stats', 'team_box_score_advanced') }}

),

deduplicated as (

    select *
    from source
    where true
    qualify row_number() over (partition by lpad(trim(game_id), 10, '0') order by _loaded_at desc, _row_number desc) = 1

),

sides as (

    {% for side in ['home', 'road'] %}
    select
        lpad(trim(game_id), 10, '0') as game_id,
        cast(game_date as date) as game_date,
        {{ team_abbr('team_abbreviation_' ~ side) }} as team_abbr,
        {{ try_cast('minutes_' ~ side, dbt.type_float()) }} as minutes,
        {{ try_cast('possessions_' ~ side, dbt.type_float()) }} as possessions
    from deduplicated
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from sides
