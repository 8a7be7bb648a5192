"""The runner's predictions table is created by two hands (the runner, and the dbt pre-hook of
prediction_accuracy so that a fresh warehouse builds): both must give the same columns and types."""

from __future__ import annotations

from pathlib import Path

import duckdb
from nba_props.predictions import history

COLUMNS = (
    "select column_name, data_type from information_schema.columns "
    "where table_schema = 'runner' and table_name = 'predictions' order by ordinal_position"
)


def test_dbt_creates_the_same_empty_predictions_table_as_the_runner(sample_warehouse: Path):
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        from_dbt = con.execute(COLUMNS).fetchall()
        assert con.execute("select count(*) from predictions.prediction_accuracy").fetchone()[0] == 0
    finally:
        con.close()
    mem = duckdb.connect()
    history.ensure_tables(mem)
    assert from_dbt == mem.execute(COLUMNS).fetchall()
    assert [c for c, _ in from_dbt] == [c for c, _ in history.PREDICTION_COLUMNS]
