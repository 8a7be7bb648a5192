{#- player_lookup: the one join key for players across sources (box scores, lines, injuries).
    lowercase ASCII, accents stripped, suffixes Jr/Sr/II/III/IV dropped, everything but a-z0-9 removed,
    then mapped through seeds/player_aliases.csv (nicknames such as Herb -> Herbert Jones). -#}
{% macro player_lookup(expr) -%}
    coalesce(
        (
            -- columns renamed so an unqualified caller column (e.g. `player_lookup`) cannot bind to the seed's
            select player_alias.alias_target
            from (
                select alias_lookup as alias_key, player_lookup as alias_target from {{ ref('player_aliases') }}
            ) as player_alias
            where player_alias.alias_key = {{ normalize_player_name(expr) }}
        ),
        {{ normalize_player_name(expr) }}
    )
{%- endmacro %}


{#- The normalisation alone (no aliases); the aliases seed stores its keys in this form. No backslashes in
    the patterns so the same literal works on DuckDB and BigQuery. -#}
{% macro normalize_player_name(expr) -%}
    nullif(
        {{ regex_replace_all(
            regex_replace_all(strip_accents('lower(trim(' ~ expr ~ '))'), '[ ,]+(jr|sr|ii|iii|iv)[.]?$', ''),
            '[^a-z0-9]', ''
        ) }},
        ''
    )
{%- endmacro %}


{#- Remove diacritics (Dončić -> Doncic). -#}
{% macro strip_accents(expr) -%}
    {{ return(adapter.dispatch('strip_accents', 'nba_props')(expr)) }}
{%- endmacro %}

{% macro default__strip_accents(expr) -%}
    {{ expr }}
{%- endmacro %}

{% macro duckdb__strip_accents(expr) -%}
    strip_accents({{ expr }})
{%- endmacro %}

{% macro bigquery__strip_accents(expr) -%}
    {%- if target.name == 'bigquery_emulator' -%}
        {#- crucible-emulator lacks NORMALIZE: fold the Latin letters seen in NBA names instead (CI only) -#}
        {%- set folds = [('[àáâãäåāăą]', 'a'), ('[çćčĉ]', 'c'), ('[ďđ]', 'd'), ('[èéêëēėęě]', 'e'), ('[ğ]', 'g'),
                         ('[ìíîïīı]', 'i'), ('[ľłĺ]', 'l'), ('[ñńň]', 'n'), ('[òóôõöøō]', 'o'), ('[řŕ]', 'r'),
                         ('[śšşș]', 's'), ('[ťţț]', 't'), ('[ùúûüūůű]', 'u'), ('[ýÿ]', 'y'), ('[žźż]', 'z')] -%}
        {%- set ns = namespace(sql=expr) -%}
        {%- for pattern, letter in folds -%}
            {%- set ns.sql = "regexp_replace(" ~ ns.sql ~ ", r'" ~ pattern ~ "', '" ~ letter ~ "')" -%}
        {%- endfor -%}
        {{ ns.sql }}
    {%- else -%}
        regexp_replace(normalize({{ expr }}, nfd), r'\pM', '')
    {%- endif -%}
{%- endmacro %}
