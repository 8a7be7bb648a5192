{{ config(severity="warn") }}
-- Rows carry the current contract hash (a row written under another contract must be rebuilt).
select
    player_lookup,
    game_date,
    contract_hash
from {{ ref('ml_feature_store_v2') }}
where contract_hash != '{{ feature_contract_hash() }}'
