-- Every staged Points line reaches int_prop_lines_resolved (resolved or with a reason): nothing is dropped
-- silently between staging and resolution. Returns the sources whose counts differ.
with

staged as (

    select
        'rotowire' as line_source,
        count(*) as line_keys
    from (select distinct
        snapshot_at,
        book,
        player_lookup
    from {{ ref('stg_rotowire__points_lines') }}) as keys
    union all
    select
        'odds_api' as line_source,
        count(*) as line_keys
    from (select distinct
        snapshot_at,
        book,
        player_lookup
    from {{ ref('stg_odds_api__points_lines') }}) as keys
    union all
    select
        'multibook' as line_source,
        count(*) as line_keys
    from (select distinct
        snapshot_at,
        book,
        player_lookup
    from {{ ref('stg_multibook__points_lines') }}) as keys

),

resolved as (

    select
        line_source,
        count(*) as line_keys
    from (
        select distinct
            line_source,
            snapshot_at,
            book,
            player_lookup
        from {{ ref('int_prop_lines_resolved') }}
    ) as keys
    group by line_source

)

select
    staged.line_source,
    staged.line_keys as staged_keys,
    coalesce(resolved.line_keys, 0) as resolved_keys
from staged
left join resolved
    on staged.line_source = resolved.line_source
where staged.line_keys != coalesce(resolved.line_keys, 0)
