{#- NBA.com tricode for any spelling of a team (tricode, ESPN code, full name, nickname, '@'-prefixed
    opponent), through seeds/team_aliases.csv. NULL when unknown: the relationships test to `teams`
    and the loader's team check catch those. A scalar lookup keeps call sites one expression long. -#}
{% macro team_abbr(expr) -%}
    (
        -- columns renamed so an unqualified caller column (e.g. `team_abbr`) cannot bind to the seed's
        select team_alias.alias_team_abbr
        from (
            select alias as alias_key, team_abbr as alias_team_abbr from {{ ref('team_aliases') }}
        ) as team_alias
        where team_alias.alias_key = lower(trim(replace({{ expr }}, '@', '')))
    )
{%- endmacro %}
