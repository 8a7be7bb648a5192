-- Grain: snapshot_at, book, player_lookup, game_id. The multibook Points lines resolved to a game: the file's
-- date is the scrape date; it may hold the next day's games, and playoff files list later games of a series
-- under the same 'away @ home' key (home and away may be swapped), so the game is the pair's earliest game on
-- or after the scrape date, within `multibook_max_days_ahead` days. A key whose pair met in the 30 days before
-- the scrape is a stale listing. The game's own fields are added by int_prop_lines_resolved, the union
-- consumers read.
-- Incremental by scrape_date (late-row rule in the model's meta): a row depends on its scrape and on the games
-- from 30 days before to `multibook_max_days_ahead` days after it, so a game change on X rebuilds the scrape
-- dates X - multibook_max_days_ahead .. X + 30.
{%- set max_days_ahead = var('multibook_max_days_ahead', 7) %}
{%- set stale_days = 30 %}
{%- set history = {
    'key': 'scrape_date',
    'changes': [
        {'raw': ['multibook_props'], 'days': [0, 0]},
        {'model': 'int_games', 'column': 'game_date', 'days': [-max_days_ahead, stale_days]},
        {'raw': ['player_game_logs', 'playoff_player_boxes', 'team_game_logs', 'schedule_games'],
         'days': [-max_days_ahead, stale_days]},
    ],
    'domain': {'model': 'stg_multibook__points_lines', 'column': 'scrape_date'},
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup', 'book'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

multibook as (

    select * from {{ ref('stg_multibook__points_lines') }}
    {%- if is_incremental() %}
    where {{ history_key_in('scrape_date', changed, history) }}
    {%- endif %}

),

games as (

    select
        game_id,
        game_date,
        matchup_key
    from {{ ref('int_games') }}

),

candidates as (

    -- the pair's games on or after the scrape date, within multibook_max_days_ahead days, earliest first
    select
        multibook.scrape_date,
        multibook.book,
        multibook.game,
        multibook.player_lookup,
        games.game_id,
        row_number() over (
            partition by multibook.scrape_date, multibook.book, multibook.game, multibook.player_lookup
            order by games.game_date
        ) as candidate_rank
    from multibook
    inner join games
        on
            games.game_date >= multibook.scrape_date
            and games.game_date <= {{ add_days('multibook.scrape_date', max_days_ahead) }}
            and multibook.matchup_key = games.matchup_key

),

stale_listings as (

    -- scrapers keep listing a game after it was played (e.g. play-in games for days afterwards): an unresolved
    -- key whose pair met in the 30 days before the scrape date is a stale listing, not a resolution failure
    select distinct
        multibook.scrape_date,
        multibook.game
    from multibook
    inner join games
        on
            games.game_date < multibook.scrape_date
            and games.game_date >= {{ add_days('multibook.scrape_date', -stale_days) }}
            and multibook.matchup_key = games.matchup_key

),

resolved as (

    select
        multibook.line_source,
        multibook.snapshot_at,
        multibook.scrape_date,
        multibook.book,
        multibook.player_lookup,
        multibook.player_name,
        candidates.game_id,
        cast(null as {{ dbt.type_string() }}) as team_abbr,
        cast(null as {{ dbt.type_string() }}) as opponent_team_abbr,
        multibook.points_line,
        multibook.over_price,
        multibook.under_price,
        multibook.is_price_absurd,
        case
            when candidates.game_id is not null then 'resolved'
            when stale_listings.game is not null then 'stale_listing'
            else 'game_unresolved'
        end as resolution_status
    from multibook
    left join stale_listings
        on
            multibook.scrape_date = stale_listings.scrape_date
            and multibook.game = stale_listings.game
    left join candidates
        on
            multibook.scrape_date = candidates.scrape_date
            and multibook.book = candidates.book
            and multibook.game = candidates.game
            and multibook.player_lookup = candidates.player_lookup
            and candidates.candidate_rank = 1

),

deduplicated as (

    -- one line per grain: a file can list the same game under both 'a @ b' and 'b @ a'; keep the line priced
    -- nearest even
    select *
    from resolved
    where true
    qualify row_number() over (
        partition by snapshot_at, book, player_lookup, game_id
        order by {{ distance_from_even('over_price', 'under_price') }}, points_line
    ) = 1

)

select
    *,
    {{ history_columns(history) }}
from deduplicated
{{ history_order_by('scrape_date') }}
