"""The runner's client-side parameter quoting (warehouse.execute) gives what DuckDB's own binding gives."""

from __future__ import annotations

import datetime as dt
import math

import duckdb
import pytest
from nba_props.warehouse import execute, sql_literal

VALUES = [
    None,
    True,
    False,
    0,
    -7,
    2**40,
    1.5,
    -0.1,
    "plain",
    "it's a 'quoted' ? text",
    "",
    dt.date(2024, 2, 29),
    dt.datetime(2024, 1, 15, 23, 59, 58, 123456),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_quoted_value_reads_back_as_the_bound_value(value: object) -> None:
    con = duckdb.connect()
    ours = execute(con, "select ?", [value]).fetchone()[0]
    theirs = con.execute("select ?", [value]).fetchone()[0]
    assert ours == theirs and type(ours) is type(theirs)


def test_placeholders_inside_string_literals_are_text_and_counts_must_match() -> None:
    con = duckdb.connect()
    con.execute("create table t (a varchar, b date, c double)")
    execute(con, "insert into t values (?, ?, ?)", ["x?'y", dt.date(2024, 1, 2), 2.25])
    row = execute(con, "select a, '?' as q, b, c from t where a = ? and b = ?", ["x?'y", dt.date(2024, 1, 2)])
    assert row.fetchone() == ("x?'y", "?", dt.date(2024, 1, 2), 2.25)
    with pytest.raises(ValueError, match="2 placeholder"):
        execute(con, "select ?, ?", [1])
    with pytest.raises(ValueError, match="1 placeholder"):
        execute(con, "select ?", [1, 2])


def test_values_without_an_exact_literal_are_refused() -> None:
    assert sql_literal(math.inf) == "cast('inf' as double)"
    with pytest.raises(TypeError):
        sql_literal(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(TypeError):
        sql_literal(object())
