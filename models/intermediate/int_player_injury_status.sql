-- Grain: game_id, player_lookup. Players listed on the injury report visible before the game
-- (see int_injury_reports) with their status in that report. A player absent from a visible report is
-- not listed (available); a game without a visible report has no rows here and int_injury_reports says so.
-- A view over int_injury_reports (as_of-dependent, like it).
{{ config(materialized='view') }}

with

reports as (

    select * from {{ ref('int_injury_reports') }}
    where has_injury_report

),

statuses as (

    select * from {{ ref('stg_injuries__status_snapshots') }}

),

listed as (

    select
        reports.game_id,
        reports.game_date,
        reports.team_abbr,
        statuses.player_lookup,
        statuses.player_name,
        statuses.status,
        statuses.status_detail,
        reports.report_snapshot_at,
        row_number() over (
            partition by reports.game_id, reports.team_abbr, statuses.player_lookup
            order by statuses.status_detail
        ) as duplicate_rank
    from reports
    inner join statuses
        on
            statuses.snapshot_at = reports.report_snapshot_at
            and statuses.team_abbr = reports.team_abbr

)

select
    game_id,
    game_date,
    team_abbr,
    player_lookup,
    player_name,
    status,
    status_detail,
    report_snapshot_at,
    case status
        when 'available' then 0
        when 'probable' then 1
        when 'questionable' then 2
        when 'doubtful' then 3
        when 'out' then 3
    end as injury_risk
from listed
where duplicate_rank = 1
