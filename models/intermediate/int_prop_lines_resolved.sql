-- Grain: line_source, snapshot_at, book, player_lookup, game_id. The Points lines of all three line sources,
-- each resolved to a game by its own model (int_prop_lines_resolved_rotowire, _odds_api, _multibook), with the
-- game's date, teams and tip-off, and minutes before tip-off. Snapshots after tip-off are kept and flagged
-- (is_pre_tipoff); lines that resolve to no game are kept with a NULL game_id and a resolution_status so that
-- coverage reports can count them. A view: the game fields are read from int_games when the lines are read,
-- so a new tip-off time needs no rebuild of the lines.
{{ config(materialized='view') }}

{%- set columns = [
    'line_source', 'snapshot_at', 'book', 'player_lookup', 'player_name', 'game_id', 'team_abbr',
    'opponent_team_abbr', 'points_line', 'over_price', 'under_price', 'is_price_absurd', 'resolution_status',
] %}

with

resolved as (

    {% for source_model in ['int_prop_lines_resolved_rotowire', 'int_prop_lines_resolved_odds_api',
                            'int_prop_lines_resolved_multibook'] %}
    select
        {{ columns | join(',\n        ') }}
    from {{ ref(source_model) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

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

final as (

    select
        resolved.line_source,
        resolved.snapshot_at,
        resolved.book,
        resolved.player_lookup,
        resolved.player_name,
        resolved.game_id,
        games.game_date,
        games.season_type,
        games.home_team_abbr,
        games.away_team_abbr,
        resolved.team_abbr,
        coalesce(
            resolved.opponent_team_abbr,
            case resolved.team_abbr
                when games.home_team_abbr then games.away_team_abbr
                when games.away_team_abbr then games.home_team_abbr
            end
        ) as opponent_team_abbr,
        resolved.points_line,
        resolved.over_price,
        resolved.under_price,
        resolved.is_price_absurd,
        -- usable = a real line with both sides priced sensibly; consumers select lines with this
        resolved.points_line is not null and not resolved.is_price_absurd as is_line_usable,
        games.tipoff_at,
        games.tipoff_source,
        {{ minutes_between('resolved.snapshot_at', 'games.tipoff_at') }} as minutes_before_tipoff,
        coalesce(resolved.snapshot_at < games.tipoff_at, false) as is_pre_tipoff,
        resolved.resolution_status
    from resolved
    left join games
        on resolved.game_id = games.game_id

)

select * from final
