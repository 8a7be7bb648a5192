{#- Why a served input differs from the store row as it stands now (models/marts/monitoring/
    served_vs_rebuilt_inputs.sql decides them, first match wins; the marts count them by these names). -#}
{% macro served_vs_rebuilt_reasons() -%}
    {{ return([
        'store_row_missing',
        'contract_change',
        'line_snapshot_after_as_of',
        'line_snapshot_loaded_after_prediction',
        'injury_report_after_as_of',
        'injury_report_loaded_after_prediction',
        'late_box_score',
        'unexplained',
    ]) }}
{%- endmacro %}
