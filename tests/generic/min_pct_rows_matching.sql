{#- At least `min_pct` percent of the rows satisfy `condition` (optionally within a `group_by` column):
    a thresholded data-quality gate, e.g. the share of line pairs that match a box score. -#}
{% test min_pct_rows_matching(model, condition, min_pct, group_by=none) %}

select
    {% if group_by %}{{ group_by }},{% endif %}
    100.0 * sum(case when {{ condition }} then 1 else 0 end) / count(*) as pct_matching
from {{ model }}
{% if group_by %}group by {{ group_by }}{% endif %}
having 100.0 * sum(case when {{ condition }} then 1 else 0 end) / count(*) < {{ min_pct }}

{% endtest %}
