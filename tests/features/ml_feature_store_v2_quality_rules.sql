-- The row-level quality fields agree with the per-feature sources: counts, indices, score caps, readiness.
{%- set contract = feature_contract() %}
{%- set required = contract | rejectattr('is_optional') | list %}
with store as ({{ feature_store_rows_in_range() }}),

checks as (
    select
        player_lookup,
        game_date,
        default_feature_count,
        required_default_count,
        feature_quality_score,
        is_quality_ready,
        {{ feature_default_count(contract) }} as expected_default_count,
        {{ feature_default_count(required) }} as expected_required_default_count,
        {{ array_length('default_feature_indices') }} as index_count
    from store
)

select *
from checks
where
    default_feature_count != expected_default_count
    or required_default_count != expected_required_default_count
    or index_count != default_feature_count
    or (is_quality_ready and required_default_count != 0)
    or (required_default_count >= 1 and feature_quality_score > 69)
    or (required_default_count >= 5 and feature_quality_score > 49)
    or feature_quality_score < 0
    or feature_quality_score > 100
