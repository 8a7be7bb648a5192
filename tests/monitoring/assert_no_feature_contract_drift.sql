{{ config(severity='warn') }}
-- Must be empty: feature-store date ranges built under another contract (backfill them with the command in
-- feature_contract_drift.backfill_command).
select
    drift_start_date,
    drift_end_date,
    drifted_rows
from {{ ref('feature_contract_drift') }}
