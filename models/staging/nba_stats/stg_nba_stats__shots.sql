-- One row per field-goal attempt (or per aggregated zone row of a sample file, with shot_count).
-- Incremental by game date (macro history_incremental_config): a run re-stages the dates of the files loaded
-- since the last run from every load holding them.
{%- set history = {
    'key': 'game_date',
    'changes': [{'raw': ['shots'], 'days': [0, 0]}],
} %}
{{ config(**history_incremental_config(history, cluster_by=['player_id'])) }}
{{ history_depends_on(history) }}
{%- set changed = history_changed_key_list(history) if is_incremental() else none %}

with

source as (

    select * from {{ source('nba_stats', 'shots') }}
    {%- if is_incremental() %}
    where {{ history_source_loads('shots', changed, history) }}
    {%- endif %}

),

teams as (

    select * from {{ ref('teams') }}

),

renamed as (

    select
        source._source_file || ':' || cast(source._row_number as {{ dbt.type_string() }}) as shot_key,
        lpad(trim(source.game_id), 10, '0') as game_id,
        coalesce(
            {{ parse_date('source.game_date', '%m-%d-%Y') }},
            {{ parse_date('source.game_date', '%Y-%m-%d') }}
        ) as game_date,
        cast(substr(lpad(trim(source.game_id), 10, '0'), 4, 2) as integer) + 2000 as season,
        cast({{ try_cast('source.player_id', dbt.type_float()) }} as bigint) as player_id,
        coalesce(teams.team_abbr, {{ team_abbr('source.team_name') }}) as team_abbr,
        case lower(trim(source.basic_zone))
            when 'restricted area' then 'restricted_area'
            when 'in the paint (non-ra)' then 'paint_non_ra'
            when 'mid-range' then 'mid_range'
            when 'left corner 3' then 'corner_3'
            when 'right corner 3' then 'corner_3'
            when 'above the break 3' then 'above_break_3'
            when 'backcourt' then 'backcourt'
        end as shot_zone,
        upper(coalesce(source.shot_type, '')) like '3PT%' as is_three,
        upper(trim(source.shot_made)) in ('TRUE', '1', 'T', 'YES') as is_made,
        coalesce(cast({{ try_cast('source.shot_count', dbt.type_float()) }} as integer), 1) as shot_count

    from source
    left join teams
        on cast(teams.team_id as bigint) = cast({{ try_cast('source.team_id', dbt.type_float()) }} as bigint)

),

final as (

    select * from renamed

)

select
    *,
    {{ history_columns(history) }}
from final
{%- if is_incremental() %}
where {{ history_key_in('game_date', changed, history) }}
{%- endif %}
{{ history_order_by('game_date') }}
