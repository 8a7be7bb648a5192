{{ config(tags=['monitoring']) }}
-- Grain: game_date, feature_name, feature_source. Long format: how many feature-store rows of each date took
-- each feature from each source (the store's <feature>_source), with the source's weight and its role for
-- the feature. Features, primary sources and weights come from the same generated contract macros the store
-- uses (seeds/feature_contract.csv, seeds/feature_source_weights.csv), so a source added to the seed shows up
-- here without an edit.
-- Role: primary = the contract's real_source of the feature; default = a stand-in source (is_default in the
-- weights seed); fallback = any other source weighted below the primary (a weaker or older source stood in);
-- alternate = any other source weighted at least as high (no_history, an empty history that is not a miss);
-- unknown = a source the weights seed does not list (the store's accepted-sources test fails then too).
{%- set features = feature_contract() %}
{%- set weights = feature_source_weights() %}

with feature_rows as (

    select
        {% for feature in features -%}
        {{ feature.name }}_source,
        {% endfor -%}
        game_date
    from {{ ref('ml_feature_store_v2') }}

),

rows_by_date as (

    select
        game_date,
        count(*) as total_rows
    from feature_rows
    group by game_date

),

contract_features as (

    {%- for feature in features %}
    select
        {{ feature.index }} as feature_index,
        '{{ feature.name }}' as feature_name,
        '{{ feature.category }}' as category,
        {{ "true" if feature.is_optional else "false" }} as is_optional,
        '{{ feature.real_source }}' as primary_source
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

source_weights as (

    {%- for w in weights %}
    select
        '{{ w.source }}' as feature_source,
        cast({{ w.weight }} as {{ dbt.type_float() }}) as source_weight,
        {{ "true" if w.is_default else "false" }} as is_default_source
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

feature_sources as (

    select
        feature_rows.game_date,
        contract_features.feature_index,
        case contract_features.feature_index
            {%- for feature in features %}
            when {{ feature.index }} then feature_rows.{{ feature.name }}_source
            {%- endfor %}
        end as feature_source
    from feature_rows
    cross join contract_features

),

source_counts as (

    select
        game_date,
        feature_index,
        -- The store never leaves a source empty (tested); 'unspecified' makes a broken promise visible.
        coalesce(feature_source, 'unspecified') as feature_source,
        count(*) as source_rows
    from feature_sources
    group by game_date, feature_index, coalesce(feature_source, 'unspecified')

),

final as (

    select
        source_counts.game_date,
        source_counts.feature_index,
        contract_features.feature_name,
        contract_features.category,
        contract_features.is_optional,
        source_counts.feature_source,
        contract_features.primary_source,
        source_weights.source_weight,
        primary_weights.source_weight as primary_source_weight,
        coalesce(source_weights.is_default_source, false) as is_default_source,
        case
            when source_weights.feature_source is null then 'unknown'
            when source_counts.feature_source = contract_features.primary_source then 'primary'
            when source_weights.is_default_source then 'default'
            when source_weights.source_weight < primary_weights.source_weight then 'fallback'
            else 'alternate'
        end as source_role,
        source_counts.source_rows,
        rows_by_date.total_rows,
        round(100.0 * source_counts.source_rows / rows_by_date.total_rows, 2) as pct_of_rows
    from source_counts
    inner join contract_features
        on source_counts.feature_index = contract_features.feature_index
    inner join rows_by_date
        on source_counts.game_date = rows_by_date.game_date
    left join source_weights
        on source_counts.feature_source = source_weights.feature_source
    left join source_weights as primary_weights
        on contract_features.primary_source = primary_weights.feature_source

)

select
    game_date,
    feature_index,
    feature_name,
    category,
    is_optional,
    feature_source,
    primary_source,
    source_weight,
    primary_source_weight,
    is_default_source,
    source_role = 'fallback' as is_fallback_source,
    source_role,
    source_rows,
    total_rows,
    pct_of_rows
from final
