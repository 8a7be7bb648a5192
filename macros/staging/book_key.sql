{#- Canonical bookmaker key (seeds/bookmaker_aliases.csv): 'dk', 'draftkings' -> draftkings; 'williamhill_us',
    'cz' -> caesars. An unknown key passes through lowercased, so a new book shows up instead of vanishing;
    the accepted_values test on `book` then flags it for the seed. -#}
{% macro book_key(expr) -%}
    coalesce(
        (
            -- columns renamed so an unqualified caller column (e.g. `book`) cannot bind to the seed's
            select book_alias.alias_book
            from (
                select alias as alias_key, book as alias_book from {{ ref('bookmaker_aliases') }}
            ) as book_alias
            where book_alias.alias_key = lower(trim({{ expr }}))
        ),
        lower(trim({{ expr }}))
    )
{%- endmacro %}


{#- Prices outside this band, impossible prices (|price| < 100) or a missing side make a line suspect. -#}
{% macro is_price_absurd(over_price, under_price) -%}
    (
        {{ over_price }} is null or {{ under_price }} is null
        or abs({{ over_price }}) > 10000 or abs({{ under_price }}) > 10000
        or abs({{ over_price }}) < 100 or abs({{ under_price }}) < 100
    )
{%- endmacro %}


{#- Distance of a priced line from an even (fair) price: the gap between the two sides' implied
    probabilities; with one side only, twice its distance from 50%. Smaller = nearer the main line. -#}
{% macro distance_from_even(over_price, under_price) -%}
    coalesce(
        abs({{ american_to_probability(over_price) }} - {{ american_to_probability(under_price) }}),
        2 * abs({{ american_to_probability(over_price) }} - 0.5),
        2 * abs({{ american_to_probability(under_price) }} - 0.5),
        1
    )
{%- endmacro %}
