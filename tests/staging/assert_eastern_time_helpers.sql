-- The ET calendar and tip-off helpers across daylight saving. Returns failures.
with

date_cases as (

    select
        {{ parse_utc_timestamp("'2024-01-30T02:00:00Z'") }} as at_utc,
        cast('2024-01-29' as date) as expected_et_date
    union all
    -- 04:30 UTC on the day EDT starts is still 23:30 EST the evening before
    select {{ parse_utc_timestamp("'2024-03-10T04:30:00Z'") }} as at_utc, cast('2024-03-09' as date) as expected_et_date
    union all
    select {{ parse_utc_timestamp("'2024-06-01T03:59:00Z'") }} as at_utc, cast('2024-05-31' as date) as expected_et_date
    union all
    select {{ parse_utc_timestamp("'2024-06-01T04:00:00Z'") }} as at_utc, cast('2024-06-01' as date) as expected_et_date

),

tipoff_cases as (

    select
        cast('2024-01-15' as date) as game_date,
        {{ parse_utc_timestamp("'2024-01-16T00:00:00Z'") }} as expected_utc
    union all
    select cast('2024-07-01' as date) as game_date, {{ parse_utc_timestamp("'2024-07-01T23:00:00Z'") }} as expected_utc

)

select 'et_date' as helper, cast(at_utc as {{ dbt.type_string() }}) as input_value
from date_cases
where {{ utc_to_et_date('at_utc') }} is distinct from expected_et_date

union all

select 'et_to_utc' as helper, cast(game_date as {{ dbt.type_string() }}) as input_value
from tipoff_cases
where {{ et_to_utc('game_date', "'19:00'") }} is distinct from expected_utc
