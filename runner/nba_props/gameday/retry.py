"""A bounded retry for the steps that run dbt: a few attempts with growing waits, never a storm.

Retried: a dbt invocation that failed (DbtFailure) and a warehouse another process holds for a moment
(WarehouseLockedError from DuckDB's file lock). Anything else (no games, no model, bad input) is not a
passing condition and fails the step at once. The waits end early when a stop is requested (SIGTERM).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from nba_props.errors import DbtFailure, WarehouseLockedError

T = TypeVar("T")

# seconds to wait before the second and the third attempt
WAITS: tuple[float, ...] = (30.0, 120.0)
RETRIED = (DbtFailure, WarehouseLockedError)


def with_retries(
    attempt: Callable[[], T],
    waits: Sequence[float] = WAITS,
    on_retry: Callable[[int, float, Exception], None] | None = None,
    stopping: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """ATTEMPT() until it succeeds, at most len(WAITS) + 1 times; returns its result and the attempts made.
    The last failure is raised (with `attempts` set on it)."""
    for number in range(1, len(waits) + 2):
        try:
            return attempt(), number
        except RETRIED as exc:
            if number > len(waits) or stopping():
                exc.attempts = number
                raise
            wait = waits[number - 1]
            if on_retry:
                on_retry(number, wait, exc)
            waited = 0.0
            while waited < wait and not stopping():
                step = min(1.0, wait - waited)
                sleep(step)
                waited += step
    raise AssertionError("unreachable")
