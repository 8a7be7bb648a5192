{#- The fewest games a window feature whose primary minimum is MIN_GAMES is computed from: var
    short_window_min_games (at least 1), never more than MIN_GAMES, and at least FLOOR (2 for a standard
    deviation or a trend, which one game cannot give). From it up to MIN_GAMES the value is tagged short_window. -#}
{% macro short_window_min_games(min_games, floor=1) -%}
    {{ return([[[var('short_window_min_games', 2), 1] | max, min_games] | min, floor] | max) }}
{%- endmacro %}
