{#- Prices of a two-way market, one formula each, shared by the market marts and grading. American prices:
    -150 risks 150 to win 100, +130 risks 100 to win 130 (|price| < 100 is impossible and gives NULL). -#}

{#- Decimal odds (stake included) of an American price: +130 -> 2.30, -150 -> 1.667. -#}
{% macro american_to_decimal(price) -%}
    case
        when {{ price }} >= 100 then 1 + {{ price }} / 100.0
        when {{ price }} <= -100 then 1 + 100.0 / (-1.0 * {{ price }})
    end
{%- endmacro %}


{#- The over's probability with the book's margin removed by normalising both sides' implied probabilities
    to sum to 1 (the multiplicative method); NULL unless both sides are priced. -#}
{% macro no_vig_over_probability(over_price, under_price) -%}
    (
        {{ american_to_probability(over_price) }}
        / ({{ american_to_probability(over_price) }} + {{ american_to_probability(under_price) }})
    )
{%- endmacro %}
