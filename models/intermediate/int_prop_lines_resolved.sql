-- Grain: line_source, snapshot_at, book, player_lookup, game_id. The Points lines of all three line sources
-- resolved to a game through the schedule and the teams they name, with minutes before tip-off. Snapshots
-- after tip-off are kept and flagged (is_pre_tipoff); lines that resolve to no game are kept with a NULL
-- game_id and resolution_status = 'game_unresolved' so that coverage reports can count them.
{%- set max_days_ahead = var('multibook_max_days_ahead', 7) %}

with

games as (

    select
        game_id,
        game_date,
        season_type,
        home_team_abbr,
        away_team_abbr,
        tipoff_at,
        tipoff_source
    from {{ ref('int_games') }}

),

rotowire as (

    select * from {{ ref('stg_rotowire__points_lines') }}

),

odds_api as (

    select * from {{ ref('stg_odds_api__points_lines') }}

),

multibook as (

    select * from {{ ref('stg_multibook__points_lines') }}

),

box_score_teams as (

    select
        player_lookup,
        game_date,
        team_abbr
    from {{ ref('stg_nba_stats__player_game_logs') }}
    union all
    select
        player_lookup,
        game_date,
        team_abbr
    from {{ ref('stg_nba_stats__playoff_player_boxes') }}

),

rotowire_keys as (

    -- the game depends only on the player, the scrape's ET date and the opponent Rotowire names, so it is
    -- resolved once per such key (about 8 k keys for 200 k snapshot rows) and joined back to every snapshot
    select distinct
        player_lookup,
        snapshot_date_et,
        is_home,
        opponent_team_abbr
    from rotowire

),

player_dates as (

    select distinct
        player_lookup,
        snapshot_date_et
    from rotowire_keys

),

recent_teams as (

    -- the player's team in his latest box score strictly before the scrape date (known before the game, so no
    -- look-ahead): finds the game when early snapshots carry no opponent, and catches stale opponent codes
    select
        player_dates.player_lookup,
        player_dates.snapshot_date_et,
        box_score_teams.team_abbr
    from player_dates
    inner join box_score_teams
        on
            player_dates.player_lookup = box_score_teams.player_lookup
            and box_score_teams.game_date < player_dates.snapshot_date_et
    where true
    qualify row_number() over (
        partition by player_dates.player_lookup, player_dates.snapshot_date_et
        order by box_score_teams.game_date desc
    ) = 1

),

keys_with_team as (

    select
        rotowire_keys.player_lookup,
        rotowire_keys.snapshot_date_et,
        rotowire_keys.is_home,
        rotowire_keys.opponent_team_abbr,
        recent_teams.team_abbr as recent_team_abbr
    from rotowire_keys
    left join recent_teams
        on
            rotowire_keys.player_lookup = recent_teams.player_lookup
            and rotowire_keys.snapshot_date_et = recent_teams.snapshot_date_et

),

game_sides as (

    -- each game twice, once from each team's side, so candidates are found by equality joins
    select
        game_id,
        game_date,
        true as is_home,
        home_team_abbr as team_abbr,
        away_team_abbr as opponent_team_abbr
    from games
    union all
    select
        game_id,
        game_date,
        false as is_home,
        away_team_abbr as team_abbr,
        home_team_abbr as opponent_team_abbr
    from games

),

key_dates as (

    -- late-night scrapes already list the next day's games: a key may name a game on its date or the next
    select
        keys_with_team.*,
        keys_with_team.snapshot_date_et as candidate_date
    from keys_with_team
    union all
    select
        keys_with_team.*,
        {{ add_days('keys_with_team.snapshot_date_et', 1) }} as candidate_date
    from keys_with_team

),

candidate_games as (

    -- Rotowire names only the opponent ('@PHI' away at PHI, 'PHI' home vs PHI): the game on the candidate
    -- date against that opponent from the named side; without an opponent, the player's recent team's game
    select
        key_dates.*,
        game_sides.game_id,
        game_sides.game_date,
        game_sides.team_abbr,
        game_sides.opponent_team_abbr as game_opponent_team_abbr
    from key_dates
    inner join game_sides
        on
            key_dates.candidate_date = game_sides.game_date
            and (
                (
                    key_dates.opponent_team_abbr = game_sides.opponent_team_abbr
                    and key_dates.is_home = game_sides.is_home
                )
                or (
                    key_dates.opponent_team_abbr is null
                    and key_dates.recent_team_abbr = game_sides.team_abbr
                )
            )

),

rotowire_candidates as (

    -- the earliest matching game, preferring one the player's recent team plays in
    select
        player_lookup,
        snapshot_date_et,
        is_home,
        opponent_team_abbr as key_opponent_team_abbr,
        game_id,
        team_abbr,
        -- a game without the player's recent team is a stale or wrong opponent code (some snapshots keep the
        -- previous game's opponent), or a player traded since his last game: not resolved, flagged
        recent_team_abbr is null
        or recent_team_abbr in (team_abbr, game_opponent_team_abbr) as fits_recent_team
    from candidate_games
    where true
    qualify row_number() over (
        partition by player_lookup, snapshot_date_et, is_home, opponent_team_abbr
        order by
            case
                when recent_team_abbr is null or recent_team_abbr in (team_abbr, game_opponent_team_abbr)
                    then 0
                else 1
            end,
            game_date
    ) = 1

),

rotowire_stale as (

    -- early snapshots still list the previous day's slate: an unresolved row whose opponent game was on the
    -- day before the scrape is a stale listing, not a resolution failure
    select distinct
        rotowire_keys.player_lookup,
        rotowire_keys.snapshot_date_et,
        rotowire_keys.is_home,
        rotowire_keys.opponent_team_abbr
    from rotowire_keys
    inner join games
        on
            games.game_date = {{ add_days('rotowire_keys.snapshot_date_et', -1) }}
            and (
                (rotowire_keys.is_home and games.away_team_abbr = rotowire_keys.opponent_team_abbr)
                or (not rotowire_keys.is_home and games.home_team_abbr = rotowire_keys.opponent_team_abbr)
            )

),

rotowire_resolved as (

    select
        rotowire.line_source,
        rotowire.snapshot_at,
        rotowire.book,
        rotowire.player_lookup,
        rotowire.player_name,
        case when rotowire_candidates.fits_recent_team then rotowire_candidates.game_id end as game_id,
        case when rotowire_candidates.fits_recent_team then rotowire_candidates.team_abbr end as team_abbr,
        rotowire.opponent_team_abbr,
        rotowire.points_line,
        rotowire.over_price,
        rotowire.under_price,
        rotowire.is_price_absurd,
        case
            when rotowire_candidates.fits_recent_team then 'resolved'
            when rotowire_candidates.game_id is not null then 'team_mismatch'
            when rotowire.opponent_team_abbr is null then 'no_opponent_in_source'
            when rotowire_stale.snapshot_date_et is not null then 'stale_listing'
            else 'game_unresolved'
        end as resolution_status
    from rotowire
    left join rotowire_stale
        on
            rotowire.player_lookup is not distinct from rotowire_stale.player_lookup
            and rotowire.snapshot_date_et = rotowire_stale.snapshot_date_et
            and rotowire.is_home is not distinct from rotowire_stale.is_home
            and rotowire.opponent_team_abbr is not distinct from rotowire_stale.opponent_team_abbr
    left join rotowire_candidates
        on
            rotowire.player_lookup is not distinct from rotowire_candidates.player_lookup
            and rotowire.snapshot_date_et = rotowire_candidates.snapshot_date_et
            and rotowire.is_home is not distinct from rotowire_candidates.is_home
            and rotowire.opponent_team_abbr is not distinct from rotowire_candidates.key_opponent_team_abbr

),

odds_api_resolved as (

    -- the event names both teams and its tip-off: the game is the one on the tip-off's ET date
    select
        odds_api.line_source,
        odds_api.snapshot_at,
        odds_api.book,
        odds_api.player_lookup,
        odds_api.player_name,
        games.game_id,
        cast(null as {{ dbt.type_string() }}) as team_abbr,
        cast(null as {{ dbt.type_string() }}) as opponent_team_abbr,
        odds_api.points_line,
        odds_api.over_price,
        odds_api.under_price,
        odds_api.is_price_absurd,
        case when games.game_id is null then 'game_unresolved' else 'resolved' end as resolution_status
    from odds_api
    left join games
        on
            odds_api.game_date = games.game_date
            and least(odds_api.home_team_abbr, odds_api.away_team_abbr)
            = least(games.home_team_abbr, games.away_team_abbr)
            and greatest(odds_api.home_team_abbr, odds_api.away_team_abbr)
            = greatest(games.home_team_abbr, games.away_team_abbr)

),

multibook_candidates as (

    -- the file's date is the scrape date; it may hold the next day's games, and playoff files list later
    -- games of a series under the same 'away @ home' key (home and away may be swapped): the game is the
    -- pair's earliest game on or after the scrape date, within multibook_max_days_ahead days
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
            and least(multibook.home_team_abbr, multibook.away_team_abbr)
            = least(games.home_team_abbr, games.away_team_abbr)
            and greatest(multibook.home_team_abbr, multibook.away_team_abbr)
            = greatest(games.home_team_abbr, games.away_team_abbr)

),

multibook_stale as (

    -- scrapers keep listing a game after it was played (e.g. play-in games for days afterwards): an unresolved
    -- key whose pair met in the 30 days before the scrape date is a stale listing, not a resolution failure
    select distinct
        multibook.scrape_date,
        multibook.game
    from multibook
    inner join games
        on
            games.game_date < multibook.scrape_date
            and games.game_date >= {{ add_days('multibook.scrape_date', -30) }}
            and least(multibook.home_team_abbr, multibook.away_team_abbr)
            = least(games.home_team_abbr, games.away_team_abbr)
            and greatest(multibook.home_team_abbr, multibook.away_team_abbr)
            = greatest(games.home_team_abbr, games.away_team_abbr)

),

multibook_resolved as (

    select
        multibook.line_source,
        multibook.snapshot_at,
        multibook.book,
        multibook.player_lookup,
        multibook.player_name,
        multibook_candidates.game_id,
        cast(null as {{ dbt.type_string() }}) as team_abbr,
        cast(null as {{ dbt.type_string() }}) as opponent_team_abbr,
        multibook.points_line,
        multibook.over_price,
        multibook.under_price,
        multibook.is_price_absurd,
        case
            when multibook_candidates.game_id is not null then 'resolved'
            when multibook_stale.game is not null then 'stale_listing'
            else 'game_unresolved'
        end as resolution_status
    from multibook
    left join multibook_stale
        on
            multibook.scrape_date = multibook_stale.scrape_date
            and multibook.game = multibook_stale.game
    left join multibook_candidates
        on
            multibook.scrape_date = multibook_candidates.scrape_date
            and multibook.book = multibook_candidates.book
            and multibook.game = multibook_candidates.game
            and multibook.player_lookup = multibook_candidates.player_lookup
            and multibook_candidates.candidate_rank = 1

),

event_lines as (

    select * from odds_api_resolved
    union all
    select * from multibook_resolved

),

deduplicated as (

    -- one line per grain: a multibook file can list the same game under both 'a @ b' and 'b @ a'; keep the
    -- line priced nearest even. Rotowire rows are unique per grain already (one row per snapshot, book and
    -- player in staging, one game per resolution key).
    select * from rotowire_resolved
    union all
    select *
    from event_lines
    where true
    qualify row_number() over (
        partition by line_source, snapshot_at, book, player_lookup, game_id
        order by {{ distance_from_even('over_price', 'under_price') }}, points_line
    ) = 1

),

final as (

    select
        deduplicated.line_source,
        deduplicated.snapshot_at,
        deduplicated.book,
        deduplicated.player_lookup,
        deduplicated.player_name,
        deduplicated.game_id,
        games.game_date,
        games.season_type,
        games.home_team_abbr,
        games.away_team_abbr,
        deduplicated.team_abbr,
        coalesce(
            deduplicated.opponent_team_abbr,
            case deduplicated.team_abbr
                when games.home_team_abbr then games.away_team_abbr
                when games.away_team_abbr then games.home_team_abbr
            end
        ) as opponent_team_abbr,
        deduplicated.points_line,
        deduplicated.over_price,
        deduplicated.under_price,
        deduplicated.is_price_absurd,
        -- usable = a real line with both sides priced sensibly; consumers select lines with this
        deduplicated.points_line is not null and not deduplicated.is_price_absurd as is_line_usable,
        games.tipoff_at,
        games.tipoff_source,
        {{ minutes_between('deduplicated.snapshot_at', 'games.tipoff_at') }} as minutes_before_tipoff,
        coalesce(deduplicated.snapshot_at < games.tipoff_at, false) as is_pre_tipoff,
        deduplicated.resolution_status
    from deduplicated
    left join games
        on deduplicated.game_id = games.game_id

)

select * from final
