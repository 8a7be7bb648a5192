{#- The runner's prediction history table (schema `runner`), created empty when missing so that
    `prediction_accuracy` builds before the first prediction. The runner creates the same table
    (runner/nba_props/predictions/history.py, PREDICTION_COLUMNS); a pytest compares the two. -#}
{% macro create_runner_predictions() -%}
    {%- set columns = [
        ('prediction_id', 'string'), ('run_id', 'string'), ('model_name', 'string'),
        ('contract_version', 'string'), ('contract_hash', 'string'), ('player_lookup', 'string'),
        ('player_id', 'string'), ('player_name', 'string'), ('game_id', 'string'), ('game_date', 'date'),
        ('team_abbr', 'string'), ('opponent_team_abbr', 'string'), ('mode', 'string'),
        ('as_of', 'timestamp'), ('predicted_at', 'timestamp'), ('predicted_points', 'double'),
        ('has_line', 'boolean'), ('line_points', 'double'), ('opening_line', 'double'), ('line_move', 'double'),
        ('line_book', 'string'), ('line_source', 'string'), ('line_snapshot_at', 'timestamp'),
        ('line_minutes_before_tipoff', 'double'), ('edge', 'double'), ('recommendation', 'string'),
        ('feature_quality_score', 'double'), ('quality_alert_level', 'string'), ('matchup_quality_pct', 'double'),
        ('required_default_count', 'integer'), ('default_feature_count', 'integer'),
        ('low_quality_flag', 'boolean'), ('features_json', 'string'), ('supersedes', 'string'),
        ('is_active', 'boolean'), ('superseded_at', 'timestamp'), ('superseded_by', 'string'),
        ('superseded_reason', 'string'),
        ('prediction_basis', 'string'), ('points_model_points', 'double'), ('over_price', 'double'),
        ('under_price', 'double'), ('market_p_over', 'double'), ('p_over', 'double'), ('ev_over', 'double'),
        ('ev_under', 'double'), ('expected_value', 'double'), ('min_ev', 'double'),
        ('edge_recommendation', 'string'), ('books_quoting', 'integer'), ('consensus_line', 'double'),
        ('best_over_price', 'double'), ('best_over_book', 'string'), ('best_under_price', 'double'),
        ('best_under_book', 'string'),
    ] -%}
    {#- qualified: on DuckDB the connection's default catalog is the in-memory database the warehouse is
        attached to (profiles.yml.example), not the warehouse -#}
    {%- set table = api.Relation.create(
        database=target.database, schema=var('runner_schema', 'runner'), identifier='predictions') -%}
    {#- a table made by an earlier version lacks the newer columns: append them, as the runner does -#}
    {%- set existing = adapter.get_relation(table.database, table.schema, table.identifier) if execute else none -%}
    {%- set have = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list
        if existing else [] -%}
    create schema if not exists {{ table.without_identifier() }};
    create table if not exists {{ table }} (
    {%- for name, kind in columns %}
        {{ name }} {{ runner_column_type(kind) }}{{ ',' if not loop.last }}
    {%- endfor %}
    )
    {%- if have %}
    {%- for name, kind in columns if name not in have %};
    alter table {{ table }} add column {{ name }} {{ runner_column_type(kind) }}
    {%- endfor %}
    {%- endif %}
{%- endmacro %}
