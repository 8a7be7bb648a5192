{#- The unordered team pair of a game ('BOS-NYK'), the same whichever side a source calls home: neutral-site
    games (NBA Cup knockouts, Paris, Mexico City) name the home side differently across sources, and two teams
    meet at most once a day, so (game_date, matchup_key) identifies a game. Staging models that name both teams
    carry it as a column; everything downstream matches games on it. NULL when a team is unknown. -#}
{% macro matchup_key(team_a, team_b) -%}
    (least({{ team_a }}, {{ team_b }}) || '-' || greatest({{ team_a }}, {{ team_b }}))
{%- endmacro %}
