-- Grain: game_id. Every game of the box scores and the schedule (preseason excluded), with its tip-off time.
-- Incremental by game_date (late-row rule in the model's meta, macro history_incremental_config): a load of box
-- scores, team games, the schedule or Odds API pulls rebuilds every game of the dates it touches, and of the
-- other dates of those games' box scores (a correction that moves a game to another date rebuilds both).
{%- set assumed_tipoff_et = var('assumed_tipoff_et', '19:00') %}
{%- set history = {
    'key': 'game_date',
    'unique_id': 'game_id',
    'changes': [
        {'raw': ['player_game_logs', 'playoff_player_boxes', 'team_game_logs', 'schedule_games',
                 'oddsapi_player_props'], 'days': [0, 0]},
    ],
} %}
{{ config(**history_incremental_config(history, cluster_by=['matchup_key'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

box_score_sides as (

    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        is_home
    from {{ ref('int_player_box_scores') }}
    union all
    select
        game_id,
        game_date,
        season,
        season_type,
        team_abbr,
        is_home
    from {{ ref('stg_nba_stats__team_game_logs') }}

),

{% if is_incremental() %}
changed_dates as (

    {{ history_changed_dates(changed, history) }}

),

-- every date of the box scores of a game with a box score on a changed date: that game is rebuilt, on the
-- date it has now
rebuilt_dates as (

    select changed_dates.changed_key as game_date from changed_dates
    union distinct
    select box_score_sides.game_date
    from box_score_sides
    where box_score_sides.game_id in (
        select changed_sides.game_id
        from box_score_sides as changed_sides
        where {{ history_key_in('changed_sides.game_date', changed, history) }}
    )

),

sides_in_scope as (

    select *
    from box_score_sides
    where game_id in (
        select scoped.game_id
        from box_score_sides as scoped
        where scoped.game_date in (select rebuilt_dates.game_date from rebuilt_dates)
    )

),

{% else %}
sides_in_scope as (

    select * from box_score_sides

),

{% endif %}
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
    from sides_in_scope
    group by game_id

),

box_score_games_keyed as (

    select
        *,
        {{ matchup_key('home_team_abbr', 'away_team_abbr') }} as matchup_key
    from box_score_games

),

scheduled_games as (

    select
        game_date,
        season,
        season_type,
        home_team_abbr,
        away_team_abbr,
        matchup_key
    from {{ ref('stg_league__schedule_games') }}
    where
        season_type != 'preseason'
    {%- if is_incremental() %}
        and game_date in (select rebuilt_dates.game_date from rebuilt_dates)
        {%- endif %}

),

games as (

    select
        -- schedule-only games (future, or missing from the box scores) get a 10-character surrogate id that
        -- cannot collide with NBA.com ids: 'x' + yymmdd + home tricode (a team hosts at most one game a day)
        coalesce(
            box_score_games_keyed.game_id,
            'x' || {{ dbt.concat(["substr(cast(scheduled_games.game_date as " ~ dbt.type_string() ~ "), 3, 2)",
                                  "substr(cast(scheduled_games.game_date as " ~ dbt.type_string() ~ "), 6, 2)",
                                  "substr(cast(scheduled_games.game_date as " ~ dbt.type_string() ~ "), 9, 2)",
                                  "scheduled_games.home_team_abbr"]) }}
        ) as game_id,
        coalesce(box_score_games_keyed.game_date, scheduled_games.game_date) as game_date,
        coalesce(scheduled_games.season, box_score_games_keyed.season) as season,
        coalesce(scheduled_games.season_type, box_score_games_keyed.season_type) as season_type,
        coalesce(box_score_games_keyed.home_team_abbr, scheduled_games.home_team_abbr) as home_team_abbr,
        coalesce(box_score_games_keyed.away_team_abbr, scheduled_games.away_team_abbr) as away_team_abbr,
        coalesce(box_score_games_keyed.matchup_key, scheduled_games.matchup_key) as matchup_key,
        box_score_games_keyed.game_id is not null as has_box_score,
        scheduled_games.game_date is not null as is_in_schedule
    from box_score_games_keyed
    full outer join scheduled_games
        on
            box_score_games_keyed.game_date = scheduled_games.game_date
            and box_score_games_keyed.matchup_key = scheduled_games.matchup_key
    {%- if is_incremental() %}
    where coalesce(box_score_games_keyed.game_date, scheduled_games.game_date) in (
        select rebuilt_dates.game_date from rebuilt_dates
    )
    {%- endif %}

),

odds_api_tipoffs as (

    -- The Odds API commence time of the event, from its latest pull (a rescheduled start moves here)
    select
        game_date,
        matchup_key,
        tipoff_at
    from {{ ref('stg_odds_api__events') }}
    {%- if is_incremental() %}
    where game_date in (select rebuilt_dates.game_date from rebuilt_dates)
    {%- else %}
    where true
    {%- endif %}
    qualify row_number() over (partition by game_date, matchup_key order by snapshot_at desc, tipoff_at desc) = 1

),

final as (

    select
        games.game_id,
        games.game_date,
        games.season,
        games.season_type,
        games.home_team_abbr,
        games.away_team_abbr,
        games.matchup_key,
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
            and games.matchup_key = odds_api_tipoffs.matchup_key

)

select
    *,
    {{ history_columns(history) }}
from final
{{ history_order_by('game_date') }}
