{#- feature_store_gaps: the history of player-dates the store could not serve cleanly. One row per gap
    episode (gap_id): a player-date that has no store row although the player played, or whose row has a
    defaulted required feature. Each build looks at the store over the var range and
      - opens a gap (detected_at = this build) for a new problem,
      - updates the reason of a still-open gap when it changed (detected_at kept),
      - resolves an open gap of the range that the store no longer shows (resolved_at, resolved_by), per
        player-date: a build that fixes one player does not resolve the others of the date.
    A resolved gap that comes back later opens a new episode, so the history is never rewritten.
    fallback_sources names the features of the row that a weaker source stood in for (feature:source, e.g.
    injury_risk:injured_list), so a gap shows what the store fell back on besides what it could not fill.
    full_refresh is disabled: `--full-refresh` must not erase the history. -#}

{%- set contract = feature_contract() -%}
{%- set required = contract | rejectattr('is_optional') | list -%}
{#- fallback sources: weighted, not defaults, not any feature's own real source, not an empty history -#}
{%- set real_sources = contract | map(attribute='real_source') | list -%}
{%- set fallbacks = [] -%}
{%- for w in feature_source_weights() if not w.is_default and w.source not in real_sources and w.source != 'no_history' -%}
{%- do fallbacks.append(w.source) -%}
{%- endfor -%}
{%- set build_ts = "cast('" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S") ~ "' as timestamp)" -%}

{{ config(
    materialized='incremental',
    on_schema_change='append_new_columns',
    full_refresh=false,
    **feature_store_gaps_incremental_config()
) }}

with

store_rows as (
    select
        player_lookup,
        game_date,
        game_id,
        team_abbr,
        opponent_team_abbr,
        season,
        required_default_count,
        array_to_string([
            {%- for f in contract %}
            case
                when {{ feature_source_is_one_of(f.name ~ '_source', fallbacks) }}
                    then concat('{{ f.name }}:', {{ f.name }}_source)
            end
            {{- ',' if not loop.last }}
            {%- endfor %}
        ], '; ') as fallback_sources,
    -- The trailing commas below are emitted by Jinja (all but the loop's last item); LT02 cannot place them.
    -- noqa: disable=LT02
    {%- for f in required %}
    {{ f.name }}_source,
    {{ f.name }}_default_reason{{ ',' if not loop.last }}
    
{%- endfor %}
    -- noqa: enable=LT02
    from {{ ref('ml_feature_store_v2') }}
    where {{ date_range_filter('game_date') }}
),

played_games as (
    select
        player_lookup,
        game_date,
        game_id,
        team_abbr,
        opponent_team_abbr,
        season
    from {{ ref('int_player_games') }}
    where
        not is_dnp
        and {{ date_range_filter('game_date') }}
),

{# Rows the store should have: everyone who played. -#}
missing_rows as (
    select
        played_games.player_lookup,
        played_games.game_date,
        played_games.game_id,
        played_games.team_abbr,
        played_games.opponent_team_abbr,
        played_games.season,
        'no_feature_row' as reason,
        'the player played but the store has no row for the date' as reason_detail,
        cast(null as {{ dbt.type_int() }}) as required_default_count,
        cast(null as {{ dbt.type_string() }}) as fallback_sources
    from played_games
    left join store_rows
        on
            store_rows.player_lookup = played_games.player_lookup
            and store_rows.game_date = played_games.game_date
    where store_rows.player_lookup is null
),

{# Rows with a defaulted required feature: the reason is the first such feature's reason (contract order),
    the detail lists every defaulted required feature as name:reason. -#}
defaulted_rows as (
    select
        player_lookup,
        game_date,
        game_id,
        team_abbr,
        opponent_team_abbr,
        season,
        coalesce(
            {%- for f in required %}
            case when {{ feature_is_default(f.name ~ '_source') }} then {{ f.name }}_default_reason end,
            {%- endfor %}
            'unknown'
        ) as reason,
        array_to_string([
            {%- for f in required %}
            case
                when {{ feature_is_default(f.name ~ '_source') }}
                    then concat('{{ f.name }}:', coalesce({{ f.name }}_default_reason, 'unknown'))
            end
            {{- ',' if not loop.last }}
            {%- endfor %}
        ], '; ') as reason_detail,
        required_default_count,
        nullif(fallback_sources, '') as fallback_sources
    from store_rows
    where required_default_count > 0
),

current_gaps as (
    select * from missing_rows
    union all
    select * from defaulted_rows
),

{% if is_incremental() %}
{#- a table built before fallback_sources existed has none yet (on_schema_change adds it after this query) -#}
{%- set has_fallback_column = 'fallback_sources' in (adapter.get_columns_in_relation(this) | map(attribute='name') | list) %}
open_gaps as (
    select *
    from {{ this }}
    where resolved_at is null
        and {{ date_range_filter('game_date') }}
),
{% else %}
open_gaps as (
    select
        cast(null as {{ dbt.type_string() }}) as gap_id,
        cast(null as {{ dbt.type_string() }}) as player_lookup,
        cast(null as date) as game_date,
        cast(null as {{ dbt.type_string() }}) as reason,
        cast(null as {{ dbt.type_string() }}) as reason_detail,
        cast(null as timestamp) as detected_at,
        cast(null as {{ dbt.type_string() }}) as detected_by
    -- An empty typed relation: no rows, so no order is needed (AM09).
    limit 0  -- noqa: AM09
),
{% endif %}

opened as (
    select
        {{ dbt.hash("concat(current_gaps.player_lookup, '|', cast(current_gaps.game_date as "
            ~ dbt.type_string() ~ "), '|', '" ~ run_started_at.isoformat() ~ "')") }} as gap_id,
        current_gaps.player_lookup,
        current_gaps.game_date,
        current_gaps.game_id,
        current_gaps.team_abbr,
        current_gaps.opponent_team_abbr,
        current_gaps.season,
        current_gaps.reason,
        current_gaps.reason_detail,
        current_gaps.required_default_count,
        current_gaps.fallback_sources,
        {{ build_ts }} as detected_at,
        cast('{{ var('gaps_detected_by', 'build') }}' as {{ dbt.type_string() }}) as detected_by,
        cast(null as timestamp) as resolved_at,
        cast(null as {{ dbt.type_string() }}) as resolved_by,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as last_invocation_id
    from current_gaps
    left join open_gaps
        on
            open_gaps.player_lookup = current_gaps.player_lookup
            and open_gaps.game_date = current_gaps.game_date
    where open_gaps.gap_id is null
),

{% if is_incremental() %}
{#- Still open with a different reason: same episode, new reason. Unchanged open gaps are not re-emitted,
    so a rerun over the same store changes nothing. -#}
reasons_changed as (
    select
        open_gaps.gap_id,
        open_gaps.player_lookup,
        open_gaps.game_date,
        current_gaps.game_id,
        current_gaps.team_abbr,
        current_gaps.opponent_team_abbr,
        current_gaps.season,
        current_gaps.reason,
        current_gaps.reason_detail,
        current_gaps.required_default_count,
        current_gaps.fallback_sources,
        open_gaps.detected_at,
        open_gaps.detected_by,
        cast(null as timestamp) as resolved_at,
        cast(null as {{ dbt.type_string() }}) as resolved_by,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as last_invocation_id
    from open_gaps
    inner join current_gaps
        on current_gaps.player_lookup = open_gaps.player_lookup
        and current_gaps.game_date = open_gaps.game_date
    where current_gaps.reason != open_gaps.reason
        or current_gaps.reason_detail != open_gaps.reason_detail
        {%- if has_fallback_column %}
        or coalesce(current_gaps.fallback_sources, '') != coalesce(open_gaps.fallback_sources, '')
        {%- else %}
        or current_gaps.fallback_sources is not null
        {%- endif %}
),

resolved as (
    select
        open_gaps.gap_id,
        open_gaps.player_lookup,
        open_gaps.game_date,
        open_gaps.game_id,
        open_gaps.team_abbr,
        open_gaps.opponent_team_abbr,
        open_gaps.season,
        open_gaps.reason,
        open_gaps.reason_detail,
        open_gaps.required_default_count,
        {%- if has_fallback_column %}
        open_gaps.fallback_sources,
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as fallback_sources,
        {%- endif %}
        open_gaps.detected_at,
        open_gaps.detected_by,
        {{ build_ts }} as resolved_at,
        cast('{{ var('gaps_resolved_by', 'build') }}' as {{ dbt.type_string() }}) as resolved_by,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as last_invocation_id
    from open_gaps
    left join current_gaps
        on current_gaps.player_lookup = open_gaps.player_lookup
        and current_gaps.game_date = open_gaps.game_date
    where current_gaps.player_lookup is null
),
{% endif %}

changes as (
    select * from opened
    {% if is_incremental() %}
    union all
    select * from reasons_changed
    union all
    select * from resolved
    {% endif %}
)

select
    gap_id,
    player_lookup,
    game_date,
    game_id,
    team_abbr,
    opponent_team_abbr,
    season,
    reason,
    reason_detail,
    required_default_count,
    fallback_sources,
    detected_at,
    detected_by,
    resolved_at,
    resolved_by,
    last_invocation_id
from changes
