{#- Quality of a feature-store row, one macro per idea. Rules from the reference system's quality scorer
    (reference-system.md §3.2), with the weights of seeds/feature_source_weights.csv. Every macro takes the
    contract (a list of feature dicts) or column names, so the SQL is generated, never hand-listed. -#}

{#- Weight of one feature's source column (a CASE over the weights seed). -#}
{% macro feature_source_weight(source_column) -%}
    case {{ source_column }}
    {%- for w in feature_source_weights() %}
        when '{{ w.source }}' then {{ w.weight }}
    {%- endfor %}
    end
{%- endmacro %}


{#- True when a source tag is one of SOURCES (a list of tags), written as equalities joined by OR: DuckDB rewrites
    a list of five or more constants after IN into a join of its own, and the 37 of a row's features made one
    build of feature_store_gaps 20x slower (0.6 s instead of 0.03 s). -#}
{% macro feature_source_is_one_of(source_column, sources) -%}
    ({% for source in sources %}{{ source_column }} = '{{ source }}'{{ ' or ' if not loop.last }}{% else %}false{% endfor %})
{%- endmacro %}


{#- True when a source tag means the value is a stand-in (default, missing). -#}
{% macro feature_is_default(source_column) -%}
    {%- set defaults = [] -%}
    {%- for w in feature_source_weights() if w.is_default -%}{%- do defaults.append("'" ~ w.source ~ "'") -%}{%- endfor -%}
    ({{ source_column }} in ({{ defaults | join(', ') }}))
{%- endmacro %}


{#- Number of defaulted features among FEATURES (a list of contract dicts). -#}
{% macro feature_default_count(features) -%}
    ({% for f in features -%}
        case when {{ feature_is_default(f.name ~ '_source') }} then 1 else 0 end{{ ' + ' if not loop.last }}
    {%- else %}0{% endfor %})
{%- endmacro %}


{#- Mean source weight over FEATURES, rounded to PRECISION places. -#}
{% macro feature_mean_weight(features, precision=2) -%}
    round(({% for f in features -%}
        {{ feature_source_weight(f.name ~ '_source') }}{{ ' + ' if not loop.last }}
    {%- endfor %}) / {{ features | length }}.0, {{ precision }})
{%- endmacro %}


{#- The row score from the mean source weight over all features (feature_mean_weight): capped at 69 with at
    least one required default and at 49 with five or more, so an average can never hide a required default
    (the reference's lesson 2). -#}
{% macro feature_quality_score(mean_weight_column, required_default_count_column) -%}
    case
        when {{ required_default_count_column }} >= 5 then least({{ mean_weight_column }}, 49)
        when {{ required_default_count_column }} >= 1 then least({{ mean_weight_column }}, 69)
        else {{ mean_weight_column }}
    end
{%- endmacro %}


{#- gold >= 95, silver >= 85, bronze >= 70, poor >= 50, else critical. -#}
{% macro quality_tier(score_column) -%}
    case
        when {{ score_column }} >= 95 then 'gold'
        when {{ score_column }} >= 85 then 'silver'
        when {{ score_column }} >= 70 then 'bronze'
        when {{ score_column }} >= 50 then 'poor'
        else 'critical'
    end
{%- endmacro %}


{#- red: matchup < 50 or score < 50; yellow: any required default, score < 70 or matchup < 70; else green. -#}
{% macro quality_alert_level(score_column, matchup_pct_column, required_default_count_column) -%}
    case
        when {{ matchup_pct_column }} < 50 or {{ score_column }} < 50 then 'red'
        when {{ required_default_count_column }} > 0 or {{ score_column }} < 70 or {{ matchup_pct_column }} < 70
            then 'yellow'
        else 'green'
    end
{%- endmacro %}


{#- Ready for predictions: a good tier, score >= 70, matchup >= 50 and no required default at all. -#}
{% macro is_quality_ready(tier_column, score_column, matchup_pct_column, required_default_count_column) -%}
    ({{ tier_column }} in ('gold', 'silver', 'bronze')
        and {{ score_column }} >= 70
        and {{ matchup_pct_column }} >= 50
        and {{ required_default_count_column }} = 0)
{%- endmacro %}


{#- The contract's features of one category. -#}
{% macro contract_category(contract, category) -%}
    {{ return(contract | selectattr('category', 'equalto', category) | list) }}
{%- endmacro %}


{#- The contract's categories in first-appearance order. -#}
{% macro contract_categories(contract) -%}
    {%- set categories = [] -%}
    {%- for f in contract if f.category not in categories -%}{%- do categories.append(f.category) -%}{%- endfor -%}
    {{ return(categories) }}
{%- endmacro %}
