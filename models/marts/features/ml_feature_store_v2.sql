{#- ml_feature_store_v2: one row per (player_lookup, game_date) of int_feature_spine with the 37 contract
    features. Every per-feature column is generated from the contract (macro feature_contract(), generated from
    seeds/feature_contract.csv): nothing here lists a feature by hand.

    Per feature f: `f` is the value or NULL; `f_source` says where it came from; `f_default_reason` says why it
    is a stand-in. Rules, in order:
      1. a real value -> the tag its upstream model gives it in `f_source` where that model declares one (a
         fallback source such as injured_list, box_score or carried_shot_profile: a weaker source is never
         tagged as the primary one), else the feature's contract real_source (`last_games` when a cache feature
         came from the player's last games because the cache had no value: the cache-miss fallback, or the
         fallback's own tag such as short_window where it declares one);
      2. a value outside the contract range of a range-critical feature (is_range_critical) -> NULL, default,
         reason `out_of_range`; other features keep real out-of-range values (a real 130.1 offensive rating or
         a 73-point game is data, not an error) and the test ml_feature_store_v2_values_outside_soft_ranges warns;
      3. NULL with a null_reason the contract lists as a legitimately empty history -> `no_history` (not a
         default: nothing failed, the player simply has not met this opponent in 365 days);
      4. NULL otherwise -> `default` (the contract has a default) or `missing` (it has none), with the upstream
         null_reason, or `no_row_in_<model>` when the upstream model has no row for the player-date at all
         (its source is absent for the date).
    The `features` array fills NULLs with the contract default (0 when there is none): arrays cannot hold NULL
    on BigQuery. Read the value columns when NULL matters. -#}

{%- set contract = feature_contract() -%}

{{ config(**date_range_incremental_config(cluster_by=['player_lookup', 'feature_version'])) }}

{#- One join per (upstream model, key): the player's own row, or a team model read as the team or opponent. -#}
{%- set joins = [] -%}
{%- for f in contract -%}
{%- for model, key in [(f.upstream_model, f.upstream_key), (f.fallback_model, 'player')] if model -%}
{%- set alias = model ~ '__' ~ key -%}
{%- if alias not in joins | map(attribute='alias') | list -%}
{%- do joins.append({'alias': alias, 'model': model, 'key': key, 'features': []}) -%}
{%- endif -%}
{%- for j in joins if j.alias == alias -%}{%- do j.features.append(f.name) -%}{%- endfor -%}
{%- endfor -%}
{%- endfor -%}

with

spine as (
    select
        player_lookup,
        game_date,
        game_id,
        player_id,
        player_name,
        team_abbr,
        opponent_team_abbr,
        is_home,
        season,
        season_type,
        spine_reason
    from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}
),

{% for j in joins %}
{{ j.alias }} as (
    select
        {% if j.key == 'player' -%}
        player_lookup,
        {%- else -%}
        team_abbr,
        {%- endif %}
        game_date,
        {%- for name in j.features %}
        {{ name }},
        {{ name }}_null_reason,
        {%- if feature_input_has_source(j, name) %}
        {{ name }}_source,
        {%- endif %}
        {%- endfor %}
        {%- if j.model == 'int_player_shot_zone_profile' %}
        shot_profile_age_days,
        {%- endif %}
        {%- if j.model == 'int_player_composite_factors' %}
        zone_defense_age_days,
        {%- endif %}
        {%- if j.model == 'int_player_line_features' %}
        vegas_line_book,
        vegas_line_snapshot_at,
        vegas_line_minutes_before_tipoff,
        vegas_line_source,
        {%- endif %}
        true as has_row
    from {{ ref(j.model) }}
    where {{ date_range_filter('game_date') }}
),
{% endfor %}

{# Per feature, the upstream value before the store's rules: the primary model, else the fallback. -#}

inputs as (
    select
        spine.*,
        {%- for f in contract %}
        {%- set primary = joins | selectattr('alias', 'equalto', f.upstream_model ~ '__' ~ f.upstream_key) | first %}
        {{ feature_input_source(primary, f.name) }} as {{ f.name }}__upstream_source,
        {%- if f.fallback_model %}
        {%- set fallback = joins | selectattr('alias', 'equalto', f.fallback_model ~ '__player') | first %}
        case
            when {{ feature_input_flags_default(primary, f.name) }} then null
            else {{ primary.alias }}.{{ f.name }}
        end as {{ f.name }}__primary,
        case
            when {{ feature_input_flags_default(fallback, f.name) }} then null
            else {{ fallback.alias }}.{{ f.name }}
        end as {{ f.name }}__fallback,
        {{ feature_input_source(fallback, f.name) }} as {{ f.name }}__fallback_source,
        case
            when {{ primary.alias }}.has_row is null
                then coalesce({{ feature_input_null_reason(fallback, f.name) }}, 'no_cache_row')
            else coalesce(
                {{ feature_input_null_reason(primary, f.name) }},
                {{ feature_input_null_reason(fallback, f.name) }},
                case when {{ fallback.alias }}.has_row is null then 'no_row_in_{{ f.fallback_model }}' end,
                'no_value_from_{{ f.upstream_model }}'
            )
        end as {{ f.name }}__null_reason,
        {%- else %}
        case
            when {{ feature_input_flags_default(primary, f.name) }} then null
            else {{ primary.alias }}.{{ f.name }}
        end as {{ f.name }}__primary,
        cast(null as {{ feature_float_type() }}) as {{ f.name }}__fallback,
        cast(null as {{ dbt.type_string() }}) as {{ f.name }}__fallback_source,
        case
            when {{ primary.alias }}.has_row is null then 'no_row_in_{{ f.upstream_model }}'
            when {{ feature_input_flags_default(primary, f.name) }} then 'upstream_constant_stand_in'
            else coalesce({{ feature_input_null_reason(primary, f.name) }}, 'no_value_from_{{ f.upstream_model }}')
        end as {{ f.name }}__null_reason,
        {%- endif %}
        {%- endfor %}
        int_player_line_features__player.vegas_line_book,
        int_player_line_features__player.vegas_line_snapshot_at,
        int_player_line_features__player.vegas_line_minutes_before_tipoff,
        int_player_line_features__player.vegas_line_source,
        int_player_shot_zone_profile__player.shot_profile_age_days,
        int_player_composite_factors__player.zone_defense_age_days
    from
        spine
    {%- for j in joins %}
left join {{ j.alias }}
    on
        {% if j.key == 'player' -%}
        {{ j.alias }}.player_lookup = spine.player_lookup
        {%- elif j.key == 'team' -%}
        {{ j.alias }}.team_abbr = spine.team_abbr
        {%- else -%}
        {{ j.alias }}.team_abbr = spine.opponent_team_abbr
        {%- endif %}
        and {{ j.alias }}.game_date = spine.game_date
    {%- endfor %}
),

valued as (
    select
        inputs.*,
    -- The trailing commas below are emitted by Jinja (all but the loop's last item); LT02 cannot place them.
    -- noqa: disable=LT02
    {%- for f in contract %}
    coalesce({{ f.name }}__primary, {{ f.name }}__fallback) as {{ f.name }}__value{{ ',' if not loop.last }}
    
{%- endfor %}
    -- noqa: enable=LT02
    from inputs
),

{# The store's rules (see the header): value, source and default reason per feature. -#}
sourced as (
    select
        {%- for col in ['player_lookup', 'game_date', 'game_id', 'player_id', 'player_name', 'team_abbr',
                        'opponent_team_abbr', 'is_home', 'season', 'season_type', 'spine_reason',
                        'vegas_line_book', 'vegas_line_snapshot_at', 'vegas_line_minutes_before_tipoff',
                        'vegas_line_source', 'shot_profile_age_days', 'zone_defense_age_days'] %}
        {{ col }},
        {%- endfor %}
    -- The trailing commas below are emitted by Jinja (all but the loop's last item); LT02 cannot place them.
    -- noqa: disable=LT02
    {%- for f in contract %}
        {%- set raw = f.name ~ '__value' %}
        {#- only a range-critical feature's out-of-range value is distrusted; others are kept (and warned on) -#}
        {%- if f.is_range_critical %}
        {%- set in_range = raw ~ ' between ' ~ f.min_value ~ ' and ' ~ f.max_value %}
        {%- set primary_ok = f.name ~ '__primary between ' ~ f.min_value ~ ' and ' ~ f.max_value %}
        {%- else %}
        {%- set in_range = raw ~ ' is not null' %}
        {%- set primary_ok = f.name ~ '__primary is not null' %}
        {%- endif %}
        cast(case when {{ in_range }} then {{ raw }} end as {{ feature_float_type() }}) as {{ f.name }},
        case
            when {{ primary_ok }} then coalesce({{ f.name }}__upstream_source, '{{ f.real_source }}')
            when {{ f.name }}__primary is null and {{ in_range }} then coalesce({{ f.name }}__fallback_source, 'last_games')
            {%- if f.no_history_reasons %}
            when {{ raw }} is null and {{ f.name }}__null_reason in ('{{ f.no_history_reasons | join("', '") }}')
                then 'no_history'
            {%- endif %}
            else '{{ 'default' if f.default_value is not none else 'missing' }}'
        end as {{ f.name }}_source,
        case
            when {{ in_range }} then null
            when {{ raw }} is not null then 'out_of_range'
            {%- if f.no_history_reasons %}
            when {{ f.name }}__null_reason in ('{{ f.no_history_reasons | join("', '") }}') then null
            {%- endif %}
            else {{ f.name }}__null_reason
        end as {{ f.name }}_default_reason{{ ',' if not loop.last }}
    
    {%- endfor %}
    -- noqa: enable=LT02
    from valued
),

scored as (
    select
        sourced.*,
        {{ feature_default_count(contract) }} as default_feature_count,
        {{ feature_default_count(contract | rejectattr('is_optional') | list) }} as required_default_count,
        {{ feature_mean_weight(contract) }} as mean_source_weight,
        {%- set index_exprs = [] %}
        {%- for f in contract %}
        {%- do index_exprs.append('case when ' ~ feature_is_default(f.name ~ '_source') ~ ' then ' ~ f.index ~ ' end') %}
        {%- endfor %}
        {{ array_without_nulls(index_exprs) }} as default_feature_indices,
        {%- for category in contract_categories(contract) %}
        {%- set members = contract_category(contract, category) %}
        {{ feature_mean_weight(members, 1) }} as {{ category }}_quality_pct,
        {{ feature_default_count(members) }} as {{ category }}_default_count,
        {%- endfor %}
        (
            {%- for f in contract if f.fallback_model %}
            {{ f.name }}_source = 'last_games'{{ ' or' if not loop.last }}
            {%- endfor %}
        ) as cache_miss_fallback_used
    from sourced
),

scored_quality as (
    select
        scored.*,
        {{ feature_quality_score('mean_source_weight', 'required_default_count') }} as feature_quality_score
    from scored
),

tiered as (
    select
        scored_quality.*,
        {{ quality_tier('feature_quality_score') }} as quality_tier,
        {{ quality_alert_level('feature_quality_score', 'matchup_quality_pct', 'required_default_count') }}
            as quality_alert_level
    from scored_quality
)

{%- set string_type = dbt.type_string() -%}
{%- set int_type = dbt.type_bigint() -%}


select
    cast(player_lookup as {{ string_type }}) as player_lookup,
    cast(game_date as date) as game_date,
    cast(game_id as {{ string_type }}) as game_id,
    cast(player_id as {{ int_type }}) as player_id,
    cast(player_name as {{ string_type }}) as player_name,
    cast(team_abbr as {{ string_type }}) as team_abbr,
    cast(opponent_team_abbr as {{ string_type }}) as opponent_team_abbr,
    cast(is_home as boolean) as is_home,
    cast(season as {{ int_type }}) as season,
    cast(season_type as {{ string_type }}) as season_type,
    cast(spine_reason as {{ string_type }}) as spine_reason,
    {%- for f in contract %}
    {{ f.name }},
    {{ f.name }}_source,
    {{ f.name }}_default_reason,
    {%- endfor %}
    [
        {%- for f in contract %}
        cast(coalesce({{ f.name }}, {{ f.fill_value }}) as {{ feature_float_type() }}){{ ',' if not loop.last }}
        {%- endfor %}
    ] as features,
    [{% for f in contract %}'{{ f.name }}'{{ ', ' if not loop.last }}{% endfor %}] as feature_names,
    cast('{{ var('feature_version', none) or feature_contract_version() }}' as {{ dbt.type_string() }})
        as feature_version,
    cast('{{ feature_contract_hash() }}' as {{ dbt.type_string() }}) as contract_hash,
    cast(default_feature_count as {{ int_type }}) as default_feature_count,
    cast(required_default_count as {{ int_type }}) as required_default_count,
    default_feature_indices,
    cast(feature_quality_score as {{ feature_float_type() }}) as feature_quality_score,
    quality_tier,
    quality_alert_level,
    {%- for category in contract_categories(contract) %}
    cast({{ category }}_quality_pct as {{ feature_float_type() }}) as {{ category }}_quality_pct,
    cast({{ category }}_default_count as {{ int_type }}) as {{ category }}_default_count,
    {%- endfor %}
    {{ is_quality_ready('quality_tier', 'feature_quality_score', 'matchup_quality_pct', 'required_default_count') }}
        as is_quality_ready,
    cache_miss_fallback_used,
    cast(vegas_line_book as {{ string_type }}) as vegas_line_book,
    cast(vegas_line_snapshot_at as timestamp) as vegas_line_snapshot_at,
    cast(vegas_line_minutes_before_tipoff as {{ feature_float_type() }}) as vegas_line_minutes_before_tipoff,
    cast(vegas_line_source as {{ string_type }}) as vegas_line_source,
    cast(shot_profile_age_days as {{ int_type }}) as shot_profile_age_days,
    cast(zone_defense_age_days as {{ int_type }}) as zone_defense_age_days,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at
from tiered
