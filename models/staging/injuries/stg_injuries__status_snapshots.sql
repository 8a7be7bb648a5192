-- One row per snapshot, team and player: the injury-report status at that scrape.
-- Incremental by the snapshot's ET date (macro history_incremental_config): a run re-stages the dates of the
-- files loaded since the last run from every load holding them.
{%- set history = {
    'key': 'snapshot_date_et',
    'changes': [{'raw': ['injury_status_snapshots'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['team_abbr'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

source as (

    select * from {{ source('injuries', 'injury_status_snapshots') }}
    {%- if is_incremental() %}
    where {{ history_source_loads('injury_status_snapshots', changed, history) }}
    {%- endif %}

),

renamed as (

    select
        {{ parse_utc_timestamp('snapshot_utc') }} as snapshot_at,
        {{ team_abbr('team') }} as team_abbr,
        trim(player_name) as player_name,
        {{ player_lookup('player_name') }} as player_lookup,
        lower(trim(status)) as status_text,
        nullif(trim(coalesce(details, status)), '') as status_detail,
        _loaded_at,
        _row_number

    from source

),

classified as (

    select
        snapshot_at,
        {{ utc_to_et_date('snapshot_at') }} as snapshot_date_et,
        team_abbr,
        player_name,
        player_lookup,
        -- the feed mixes report codes with reporters' phrases; map both to the six statuses (order matters:
        -- 'unlikely' before 'likely'); anything else (e.g. 'TBD') is 'unknown', never a guess
        case
            when status_text like 'out%' then 'out'
            when status_text like 'suspended%' then 'out'
            when status_text like 'injured%' then 'out'
            when status_text like 'doubtful%' then 'doubtful'
            when status_text like 'unlikely to play%' then 'doubtful'
            when status_text like 'questionable%' then 'questionable'
            when status_text like 'day to day%' then 'questionable'
            when status_text like 'game time decision%' then 'questionable'
            when status_text like 'game-time decision%' then 'questionable'
            when status_text like 'uncertain to play%' then 'questionable'
            when status_text like 'could return%' then 'questionable'
            when status_text like 'probable%' then 'probable'
            when status_text like 'likely to play%' then 'probable'
            when status_text like 'expects to play%' then 'probable'
            when status_text like 'expected to%' then 'probable'
            when status_text like 'plans to play%' then 'probable'
            when status_text like 'intends to play%' then 'probable'
            when status_text like 'optimistic to play%' then 'probable'
            when status_text like 'on track to play%' then 'probable'
            when status_text like 'available%' then 'available'
            when status_text like 'will play%' then 'available'
            when status_text like 'said he%ll play%' then 'available'
            when status_text = 'in' then 'available'
            when status_text like 'not on injury report%' then 'available'
            when status_text like 'not listed on injury report%' then 'available'
            else 'unknown'
        end as status,
        status_detail,
        _loaded_at,
        _row_number

    from renamed

),

deduplicated as (

    select *
    from classified
    where true
    qualify row_number() over (
        partition by snapshot_at, team_abbr, player_lookup order by _loaded_at desc, _row_number desc
    ) = 1

)

select
    snapshot_at,
    snapshot_date_et,
    team_abbr,
    player_name,
    player_lookup,
    status,
    status_detail,
    {{ history_columns(history) }}
from deduplicated
{%- if is_incremental() %}
where {{ history_key_in('snapshot_date_et', changed, history) }}
{%- endif %}
{{ history_order_by('snapshot_date_et') }}
