-- Grain: snapshot_at, book, player_lookup (one game per row). The Rotowire Points lines resolved to a game:
-- through the opponent code on the scrape's ET date or the next day (late-night scrapes list tomorrow's
-- games), or, when early snapshots carry no opponent, through the player's team in his latest box score
-- strictly before the scrape date. The game's own fields (date, teams, tip-off, minutes before it) are added
-- by int_prop_lines_resolved, the union of the three line sources that consumers read.
-- Incremental by snapshot_date_et (late-row rule in the model's meta): a row depends on its snapshot, on the
-- games of the day before, of and after its date, and on the player's box scores before its date, so a load
-- of lines rebuilds its dates, a game change on X rebuilds X - 1 .. X + 1, and a box score on X rebuilds X - 1
-- and every later date (the latest box score before a later date may be the one on X).
{%- set history = {
    'key': 'snapshot_date_et',
    'changes': [
        {'raw': ['rotowire_prop_snapshots'], 'days': [0, 0]},
        {'model': 'int_games', 'column': 'game_date', 'days': [-1, 1]},
        {'raw': ['team_game_logs', 'schedule_games', 'oddsapi_player_props'], 'days': [-1, 1]},
        {'raw': ['player_game_logs', 'playoff_player_boxes'], 'days': [-1, none]},
    ],
    'domain': {'model': 'stg_rotowire__points_lines', 'column': 'snapshot_date_et'},
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_lookup', 'book'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

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
    {%- if is_incremental() %}
    where {{ history_key_in('snapshot_date_et', changed, history) }}
    {%- endif %}

),

box_score_teams as (

    select
        player_lookup,
        game_date,
        team_abbr
    from {{ ref('int_player_box_scores') }}

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

resolved as (

    select
        rotowire.line_source,
        rotowire.snapshot_at,
        rotowire.snapshot_date_et,
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

)

select
    *,
    {{ history_columns(history) }}
from resolved
{{ history_order_by('snapshot_date_et') }}
