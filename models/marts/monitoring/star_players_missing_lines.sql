{{ config(tags=['monitoring']) }}
-- Grain: game_date, player_lookup. Alert rows (must be empty on a healthy day): players who play, whose
-- season points average before the date is above var star_points_avg_min, and who have no pre-tip-off line.
-- Books post lines for every star, so a missing star line points at the odds scraper, not at the player;
-- bench players without lines are normal and never appear here.

with stars_without_line as (

    select
        game_date,
        game_id,
        player_lookup,
        player_name,
        team_abbr,
        opponent_team_abbr,
        spine_reason,
        points_avg_season
    from {{ ref('player_line_coverage') }}
    where is_star and is_playing and not has_vegas_line

),

line_snapshots as (

    select
        game_date,
        game_id,
        player_lookup,
        is_pre_tipoff,
        is_line_usable,
        {{ at_or_before_as_of('snapshot_at') }} as is_before_as_of
    from {{ ref('int_prop_lines_resolved') }}
    where game_id is not null

),

player_snapshots as (

    select
        game_id,
        player_lookup,
        count(*) as snapshots_total,
        sum(case when is_pre_tipoff and is_line_usable and is_before_as_of then 1 else 0 end)
            as snapshots_visible,
        sum(case when is_pre_tipoff then 1 else 0 end) as snapshots_pre_tipoff,
        sum(case when is_pre_tipoff and is_line_usable then 1 else 0 end) as snapshots_usable,
        sum(case when not is_pre_tipoff then 1 else 0 end) as snapshots_after_tipoff
    from line_snapshots
    group by game_id, player_lookup

),

-- Players with any visible line that day: zero means the whole scrape is missing, not one player.
date_line_players as (

    select
        game_date,
        count(distinct player_lookup) as players_with_lines
    from line_snapshots
    where is_pre_tipoff and is_line_usable and is_before_as_of
    group by game_date

),

diagnosed as (

    select
        stars.game_date,
        stars.game_id,
        stars.player_lookup,
        stars.player_name,
        stars.team_abbr,
        stars.opponent_team_abbr,
        stars.spine_reason,
        stars.points_avg_season,
        coalesce(snapshots.snapshots_total, 0) as line_snapshots_total,
        coalesce(snapshots.snapshots_after_tipoff, 0) as line_snapshots_after_tipoff,
        coalesce(date_lines.players_with_lines, 0) as date_players_with_lines,
        case
            when coalesce(date_lines.players_with_lines, 0) = 0 then 'no_lines_for_date'
            when coalesce(snapshots.snapshots_total, 0) = 0 then 'no_snapshot_for_player'
            when coalesce(snapshots.snapshots_pre_tipoff, 0) = 0 then 'only_after_tipoff'
            when coalesce(snapshots.snapshots_usable, 0) = 0 then 'only_unusable_lines'
            when coalesce(snapshots.snapshots_visible, 0) = 0 then 'only_after_as_of'
            else 'line_not_selected'
        end as missing_line_reason
    from stars_without_line as stars
    left join player_snapshots as snapshots
        on
            stars.game_id = snapshots.game_id
            and stars.player_lookup = snapshots.player_lookup
    left join date_line_players as date_lines
        on stars.game_date = date_lines.game_date

)

select
    game_date,
    game_id,
    player_lookup,
    player_name,
    team_abbr,
    opponent_team_abbr,
    spine_reason,
    round(points_avg_season, 1) as points_avg_season,
    missing_line_reason,
    line_snapshots_total,
    line_snapshots_after_tipoff,
    date_players_with_lines
from diagnosed
