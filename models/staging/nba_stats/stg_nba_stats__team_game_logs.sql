-- Two rows per game: the home and road sides of the team box score, unpivoted.
with

source as (

    select * from {{ source('nba_stats', 'team_game_logs') }}

),

deduplicated as (

    select *
    from source
    where true
    qualify row_number() over (partition by lpad(trim(game_id), 10, '0') order by _loaded_at desc, _row_number desc) = 1

),

{%- set stats = ['fga', 'fta', 'oreb', 'tov', 'fgm', 'fg3a', 'fg3m', 'ftm', 'dreb'] %}

sides as (

    {% for side, other in [('home', 'road'), ('road', 'home')] %}
    select
        lpad(trim(game_id), 10, '0') as game_id,
        cast(game_date as date) as game_date,
        cast(substr(trim(season), 1, 4) as integer) as season,
        case
            when lower(game_type) in ('playoff', 'playoffs') then 'playoffs'
            when lower(game_type) in ('playin', 'play_in', 'play-in') then 'play_in'
            -- NBA Cup games (group, knockout and final) count as regular-season games
            else 'regular'
        end as season_type,
        {{ team_abbr('team_abbreviation_' ~ side) }} as team_abbr,
        {{ team_abbr('team_abbreviation_' ~ other) }} as opponent_team_abbr,
        {{ 'true' if side == 'home' else 'false' }} as is_home,
        cast({{ try_cast('pts_' ~ side, dbt.type_float()) }} as integer) as points,
        cast({{ try_cast('pts_' ~ other, dbt.type_float()) }} as integer) as opponent_points,
        {% for stat in stats %}
        cast({{ try_cast(stat ~ '_' ~ side, dbt.type_float()) }} as integer) as {{ stat }},
        {% endfor %}
        upper(wl_home) = '{{ 'W' if side == 'home' else 'L' }}' as wl_flag
    from deduplicated
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        opponent_team_abbr,
        {{ matchup_key('team_abbr', 'opponent_team_abbr') }} as matchup_key,
        is_home,
        points,
        opponent_points,
        -- wl_home is the source's verdict; fall back to the score when it is missing
        case
            when points is not null and opponent_points is not null and points != opponent_points
                then points > opponent_points
            else wl_flag
        end as is_win,
        {{ stats | join(',\n        ') }}
    from sides

)

select * from final
