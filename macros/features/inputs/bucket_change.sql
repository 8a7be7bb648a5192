{#- Buckets a signed change into -2..2 with symmetric thresholds (small, large): >= large -> 2, >= small -> 1,
    <= -large -> -2, <= -small -> -1, else 0. NULL stays NULL. Used by recent_trend and minutes_change. -#}
{% macro bucket_change(expression, small, large) -%}
    case
        when ({{ expression }}) is null then null
        when ({{ expression }}) >= {{ large }} then 2
        when ({{ expression }}) >= {{ small }} then 1
        when ({{ expression }}) <= -{{ large }} then -2
        when ({{ expression }}) <= -{{ small }} then -1
        else 0
    end
{%- endmacro %}
