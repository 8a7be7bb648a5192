-- Grain: game_id. Every game of the box scores and the schedule (preseason excluded), with its tip-off time.
{%- set assumed_tipoff_et = var('assumed_tipoff_et', '19:00') %}

with

player_logs as (

    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        is_home
    from {{ ref('stg_nba_stats__player_game_logs') }}

),

playoff_boxes as (

    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        is_home
    from {{ ref('stg_nba_stats__playoff_player_boxes') }}

),

team_logs as (

    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        is_home
    from {{ ref('stg_nba_stats__team_game_logs') }}

),

box_score_sides as (

    select * from player_logs
    union all
    select * from playoff_boxes
    union all
    select * from team_logs

),

box_score_games as (

    select
        game_id,
        min(game_date) as game_date,
        max(season) as season,
        -- the id prefix is authoritative (002 regular, 004 playoffs, 005 play-in, 006 NBA Cup final)
        case substr(game_id, 1, 3)
            when '004' then 'playoffs'
            when '005' then 'play_in'
            else max(season_type)
        end as season_type,
        max(case when is_home then team_abbr end) as home_team_abbr,
        max(case when not is_home then team_abbr end) as away_team_abbr
    from box_score_sides
    group by game_id

),

scheduled_games as (

    select
        game_date,
        season,
        season_type,
        home_team_abbr,
        away_team_abbr
    from {{ ref('stg_league__schedule_games') }}
    where season_type != 'preseason'

),

games as (

    select
        -- schedule-only games (future, or missing from the box scores) get a 10-character surrogate id that
        -- cannot collide with NBA.com ids: 'x' + yymmdd + home tricode (a team hosts at most one game a day)
        coalesce(
            box_score_games.game_id,
            'x' || {{ dbt.concat(["substr(cast(scheduled_games.game_date as " ~ dbt.type_string() ~ "), 3, 2)",
                                  "substr(cast(scheduled_games.game_date as " ~ dbt.type_string() ~ "), 6, 2)",
                                  "substr(cast(scheduled_games.game_date as " ~ dbt.type_string() ~ "), 9, 2)",
                                  "scheduled_games.home_team_abbr"]) }}
        ) as game_id,
        coalesce(box_score_games.game_date, scheduled_games.game_date) as game_date,
        coalesce(scheduled_games.season, box_score_games.season) as season,
        coalesce(scheduled_games.season_type, box_score_games.season_type) as season_type,
        coalesce(box_score_games.home_team_abbr, scheduled_games.home_team_abbr) as home_team_abbr,
        coalesce(box_score_games.away_team_abbr, scheduled_games.away_team_abbr) as away_team_abbr,
        box_score_games.game_id is not null as has_box_score,
        scheduled_games.game_date is not null as is_in_schedule
    from box_score_games
    -- matched on the unordered pair: neutral-site games (NBA Cup knockouts, Paris, Mexico City) name the
    -- home side differently in the two sources, and two teams meet at most once a day
    full outer join scheduled_games
        on
            box_score_games.game_date = scheduled_games.game_date
            and least(box_score_games.home_team_abbr, box_score_games.away_team_abbr)
            = least(scheduled_games.home_team_abbr, scheduled_games.away_team_abbr)
            and greatest(box_score_games.home_team_abbr, box_score_games.away_team_abbr)
            = greatest(scheduled_games.home_team_abbr, scheduled_games.away_team_abbr)

),

odds_api_tipoffs as (

    -- The Odds API commence time of the event, from its latest pull (a rescheduled start moves here)
    select
        game_date,
        home_team_abbr,
        away_team_abbr,
        tipoff_at
    from {{ ref('stg_odds_api__events') }}
    where true
    qualify row_number() over (
        partition by game_date, least(home_team_abbr, away_team_abbr), greatest(home_team_abbr, away_team_abbr)
        order by snapshot_at desc, tipoff_at desc
    ) = 1

),

final as (

    select
        games.game_id,
        games.game_date,
        games.season,
        games.season_type,
        games.home_team_abbr,
        games.away_team_abbr,
        coalesce(
            odds_api_tipoffs.tipoff_at,
            {{ et_to_utc('games.game_date', "'" ~ assumed_tipoff_et ~ "'") }}
        ) as tipoff_at,
        case when odds_api_tipoffs.tipoff_at is not null then 'odds_api' else 'assumed' end as tipoff_source,
        games.has_box_score,
        games.is_in_schedule
    from games
    left join odds_api_tipoffs
        on
            games.game_date = odds_api_tipoffs.game_date
            and least(games.home_team_abbr, games.away_team_abbr)
            = least(odds_api_tipoffs.home_team_abbr, odds_api_tipoffs.away_team_abbr)
            and greatest(games.home_team_abbr, games.away_team_abbr)
            = greatest(odds_api_tipoffs.home_team_abbr, odds_api_tipoffs.away_team_abbr)

)

select * from final
