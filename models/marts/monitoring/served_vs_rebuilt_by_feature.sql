{{ config(tags=['monitoring']) }}
-- Grain: game_date, feature_name, served_source. For each feature and the source it was served from: how many
-- standing predictions were made from it and how many of those inputs the store has changed since, by reason
-- (served_vs_rebuilt_inputs). Which features a rebuild moves, and why.

{%- set changed_by_reason = [] %}
{%- for reason in served_vs_rebuilt_reasons() %}
    {%- do changed_by_reason.append(
        "sum(case when change_reason = '" ~ reason ~ "' then 1 else 0 end) as changed_" ~ reason
    ) %}
{%- endfor %}

with inputs as (

    select * from {{ ref('served_vs_rebuilt_inputs') }}

)

select
    game_date,
    feature_index,
    feature_name,
    feature_group,
    coalesce(served_source, 'none') as served_source,
    count(*) as served_predictions,
    sum(case when is_changed then 1 else 0 end) as changed_predictions,
    round(100.0 * sum(case when is_changed then 1 else 0 end) / count(*), 2) as pct_changed,
    sum(case when source_changed then 1 else 0 end) as source_changed_predictions,
    {{ changed_by_reason | join(',\n    ') }}
from inputs
group by game_date, feature_index, feature_name, feature_group, coalesce(served_source, 'none')
