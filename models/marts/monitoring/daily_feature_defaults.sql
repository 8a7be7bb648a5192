{{ config(tags=['monitoring']) }}
-- Grain: game_date, feature_name, default_source, default_reason. Long format: how many feature-store rows
-- of each date carry a default for each feature, and why (the store's <feature>_default_reason). One scan
-- of the store crossed with the contract's feature list, generated from the same contract macro the store uses.
{%- set features = feature_contract() %}

with feature_rows as (

    select
        {% for feature in features -%}
        {{ feature.name }}_source,
        {{ feature.name }}_default_reason,
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
        {{ "true" if feature.is_optional else "false" }} as is_optional
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

feature_values as (

    select
        feature_rows.game_date,
        contract_features.feature_index,
        case contract_features.feature_index
            {%- for feature in features %}
            when {{ feature.index }} then feature_rows.{{ feature.name }}_source
            {%- endfor %}
        end as feature_source,
        case contract_features.feature_index
            {%- for feature in features %}
            when {{ feature.index }} then feature_rows.{{ feature.name }}_default_reason
            {%- endfor %}
        end as default_reason
    from feature_rows
    cross join contract_features

),

defaults as (

    select
        game_date,
        feature_index,
        feature_source as default_source,
        -- The store promises a reason for every default; 'unspecified' makes a broken promise visible.
        coalesce(default_reason, 'unspecified') as default_reason,
        count(*) as defaulted_rows
    from feature_values
    where {{ feature_is_default('feature_source') }}
    group by game_date, feature_index, feature_source, coalesce(default_reason, 'unspecified')

)

select
    defaults.game_date,
    defaults.feature_index,
    contract_features.feature_name,
    contract_features.category,
    contract_features.is_optional,
    defaults.default_source,
    defaults.default_reason,
    defaults.defaulted_rows,
    rows_by_date.total_rows,
    round(100.0 * defaults.defaulted_rows / rows_by_date.total_rows, 2) as pct_of_rows
from defaults
inner join contract_features
    on defaults.feature_index = contract_features.feature_index
inner join rows_by_date
    on defaults.game_date = rows_by_date.game_date
