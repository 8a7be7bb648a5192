"""Alerts that reach people: one message per alert or failed step to a Slack-compatible incoming webhook.

Set NBA_PROPS_ALERT_WEBHOOK to the webhook's URL; each message is POSTed as JSON `{"text": "..."}` (what,
which date, which players, the command to run next). An alert is sent at most once per game date: runner.
alerts_sent remembers each (game date, alert key) delivered. Delivery has a timeout and a few quick retries;
a webhook that stays down is reported on stderr and retried at most MAX_ATTEMPTS times over the day, so it
never holds up the day's steps: once one alert of a batch is not delivered, the rest of the batch wait for
the next batch (not counted as attempts), so a batch takes at most one delivery's timeouts and waits.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nba_props.backfill.checkpoints import SCHEMA, utcnow
from nba_props.settings import Settings
from nba_props.warehouse import connect, execute, table_exists

WEBHOOK_ENV = "NBA_PROPS_ALERT_WEBHOOK"
SENT = f"{SCHEMA}.alerts_sent"
DDL = [
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {SENT} (
        game_date date not null,
        alert_key varchar not null,
        text varchar not null,
        delivered boolean not null,
        attempts integer not null,
        first_attempt_at timestamp not null,
        last_attempt_at timestamp not null,
        error varchar,
        primary key (game_date, alert_key)
    )""",
]
TIMEOUT_S = 5.0
RETRY_WAITS_S = (1.0, 3.0)  # within one delivery: three tries at most
MAX_ATTEMPTS = 3  # deliveries of one undelivered alert over its day


@dataclass(frozen=True)
class Alert:
    game_date: dt.date
    key: str  # what it is about, e.g. check:star_players_missing_lines or step:build; once per date
    text: str


def webhook_url() -> str | None:
    return os.environ.get(WEBHOOK_ENV) or None


def post(
    url: str,
    text: str,
    timeout: float = TIMEOUT_S,
    waits: Sequence[float] = RETRY_WAITS_S,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """POST {"text": TEXT} to URL; None when delivered (2xx), else the last error in one line."""
    body = json.dumps({"text": text}).encode()
    error = None
    for number in range(len(waits) + 1):
        if number:
            sleep(waits[number - 1])
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return None
                error = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            error = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code != 429:
                break  # the request itself is refused: trying again changes nothing
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            error = str(getattr(exc, "reason", exc)) or type(exc).__name__
    return error


def send(
    settings: Settings,
    alerts: Sequence[Alert],
    echo: Callable[[str], None] | None = None,
    url: str | None = None,
    waits: Sequence[float] = RETRY_WAITS_S,
    timeout: float = TIMEOUT_S,
) -> int:
    """Post each alert not yet delivered for its date (see the module doc); returns how many were delivered
    now. Without a webhook configured, nothing is posted or recorded."""
    url = url or webhook_url()
    if not url or not alerts:
        return 0
    with connect(settings.duckdb_path) as con:
        for statement in DDL:
            con.execute(statement)
        sent = {
            (d, k): (delivered, attempts)
            for d, k, delivered, attempts in con.execute(
                f"select game_date, alert_key, delivered, attempts from {SENT}"
            ).fetchall()
        }
    outcomes = []
    for alert in dict.fromkeys(alerts):  # the same alert twice in one call: once
        delivered, attempts = sent.get((alert.game_date, alert.key), (False, 0))
        if delivered or attempts >= MAX_ATTEMPTS:
            continue
        error = post(url, alert.text, timeout=timeout, waits=waits)
        outcomes.append((alert, error, attempts + 1))
        if error:
            if echo:
                echo(
                    f"warning: alert {alert.key} for {alert.game_date} not delivered to the webhook: {error}"
                )
            break  # the webhook is failing: the other alerts wait for the next batch
    if outcomes:
        now = utcnow()
        with connect(settings.duckdb_path) as con:
            for alert, error, attempts in outcomes:
                execute(
                    con,
                    f"insert into {SENT} values (?, ?, ?, ?, ?, ?, ?, ?) "
                    "on conflict (game_date, alert_key) do update set text = excluded.text, "
                    "delivered = excluded.delivered, attempts = excluded.attempts, "
                    "last_attempt_at = excluded.last_attempt_at, error = excluded.error",
                    [alert.game_date, alert.key, alert.text, error is None, attempts, now, now, error],
                )
    return sum(error is None for _, error, _ in outcomes)


def delivered_keys(settings: Settings, game_date: dt.date) -> list[str]:
    with connect(settings.duckdb_path, read_only=True) as con:
        if not table_exists(con, SCHEMA, "alerts_sent"):
            return []
        rows = execute(
            con, f"select alert_key from {SENT} where game_date = ? and delivered order by 1", [game_date]
        ).fetchall()
    return [r[0] for r in rows]


def for_validation(result: object) -> list[Alert]:
    """One alert per check of a DailyValidation (monitoring.validation) whose status is alert."""
    d = result.game_date
    return [
        Alert(
            d,
            f"check:{check.name}",
            f"nba-props ALERT {d} {check.name}: {check.message} "
            f"(next: `nba-props validate-daily --date {d}` for the whole table)",
        )
        for check in result.checks
        if check.status == "alert"
    ]


def for_failed_step(
    command: str, game_date: dt.date, step: str, error: str | None, next_command: str
) -> Alert:
    return Alert(
        game_date,
        f"step:{command}:{step}",
        f"nba-props {command} {game_date}: step {step} FAILED: {error or 'see the log'} "
        f"(next: `{next_command}`)",
    )
