"""The game day's parts without dbt: durations, the bounded retry, alerts to a webhook on 127.0.0.1 (once per
date, with a timeout), the landing folder (a corrupt file recorded once), the replay clock, the split of a
snapshot file, the step table, SIGTERM as a stop request."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import os
import signal
import time
from pathlib import Path

import click
import duckdb
import pytest
from conftest import PROFILES_DIR, PROJECT_DIR
from nba_props import params
from nba_props.errors import DbtFailure, NbaPropsError, WarehouseLockedError
from nba_props.gameday import alerts, changes, steps
from nba_props.gameday.clock import FilesClock
from nba_props.gameday.landing import Landing
from nba_props.gameday.replay import land, snapshot_time, split_day
from nba_props.gameday.retry import with_retries
from nba_props.gameday.stop import stop_on_signals
from nba_props.loaders.registry import KINDS
from nba_props.settings import Settings
from webhook import webhook

# the loader's own column list for Rotowire snapshots: a file the test writes is what the loader expects
ROTOWIRE_HEADER = list(KINDS["rotowire_props"].columns)


def settings_for(path: Path) -> Settings:
    return Settings(PROJECT_DIR, PROFILES_DIR, "dev", path)


def rotowire_rows(snapshot: str, players: list[str], line: float = 20.5) -> list[list[str]]:
    day = dt.datetime.fromisoformat(snapshot.replace("Z", "+00:00")) - dt.timedelta(hours=5)
    return [
        [
            snapshot,
            f"{day:%Y-%m-%d}",
            "c0ffee",
            player,
            "BOS",
            "Points",
            side,
            "draftkings",
            str(line),
            "-110",
            "",
        ]
        for player in players
        for side in ("Over", "Under")
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = ROTOWIRE_HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("text", "seconds"), [("10m", 600), ("90s", 90), ("1h30m", 5400), ("5", 5), ("0s", 0)]
)
def test_durations(text: str, seconds: float) -> None:
    assert params.DURATION.convert(text, None, None) == seconds


@pytest.mark.parametrize("text", ["ten minutes", "10x", "m10", ""])
def test_bad_durations_are_one_readable_error(text: str) -> None:
    with pytest.raises(click.BadParameter, match="is not a duration"):
        params.DURATION.convert(text, None, None)


def test_until_is_last_tipoff_or_a_timestamp() -> None:
    assert params.UNTIL.convert("last-tipoff", None, None) == params.LAST_TIPOFF
    assert params.UNTIL.convert("2024-02-28T19:00:00Z", None, None) == dt.datetime(
        2024, 2, 28, 19, tzinfo=dt.UTC
    )
    with pytest.raises(click.BadParameter):
        params.UNTIL.convert("tip-off", None, None)


def test_retry_is_bounded_and_waits_longer_each_time() -> None:
    waited: list[float] = []
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise DbtFailure("dbt build failed: int_prop_lines_resolved: IO error")

    with pytest.raises(DbtFailure) as caught:
        with_retries(failing, waits=(2.0, 5.0), sleep=waited.append)
    assert len(calls) == 3 and caught.value.attempts == 3
    assert waited == [1.0] * 7  # 2 s then 5 s, slept in steps of a second


def test_retry_returns_the_attempt_that_worked_and_passes_other_errors_at_once() -> None:
    outcomes = iter([WarehouseLockedError("in use"), "built"])

    def flaky() -> str:
        value = next(outcomes)
        if isinstance(value, Exception):
            raise value
        return value

    assert with_retries(flaky, waits=(1.0,), sleep=lambda s: None) == ("built", 2)
    calls: list[int] = []

    def no_games() -> None:
        calls.append(1)
        raise NbaPropsError("no games in the warehouse on 2011-07-04")

    with pytest.raises(NbaPropsError, match="no games"):
        with_retries(no_games, waits=(1.0, 1.0), sleep=lambda s: None)
    assert len(calls) == 1


def test_retry_stops_waiting_when_a_stop_is_requested() -> None:
    calls: list[int] = []

    def failing() -> None:
        calls.append(1)
        raise DbtFailure("failed")

    with pytest.raises(DbtFailure):
        with_retries(failing, waits=(60.0, 60.0), stopping=lambda: len(calls) >= 1, sleep=lambda s: None)
    assert len(calls) == 1


def test_post_delivers_json_text_and_retries_a_server_error() -> None:
    with webhook() as hook:
        assert alerts.post(hook.url, "nba-props ALERT 2024-02-28 star_players_missing_lines") is None
        assert hook.received == [{"text": "nba-props ALERT 2024-02-28 star_players_missing_lines"}]
    with webhook(status=500) as hook:
        error = alerts.post(hook.url, "x", waits=(0.0, 0.0))
        assert error == "HTTP 500" and len(hook.received) == 3
    with webhook(status=404) as hook:  # the request itself is refused: not retried
        assert alerts.post(hook.url, "x", waits=(0.0, 0.0)) == "HTTP 404" and len(hook.received) == 1


def test_post_gives_up_after_its_timeout() -> None:
    with webhook(delay_s=3.0) as hook:
        started = time.monotonic()
        error = alerts.post(hook.url, "x", timeout=0.3, waits=(0.0,))
        assert error and time.monotonic() - started < 2.5 and len(hook.received) == 2
    unreachable = alerts.post("http://127.0.0.1:9/hook", "x", timeout=0.3, waits=())
    assert unreachable


def test_an_alert_is_sent_once_per_date_and_an_undelivered_one_a_bounded_number_of_times(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path / "w.duckdb")
    day = dt.date(2024, 2, 28)
    first = [
        alerts.Alert(day, "check:star_players_missing_lines", "3 stars without a line"),
        alerts.Alert(day, "step:daily:build", "build failed"),
    ]
    with webhook() as hook:
        assert alerts.send(settings, first, url=hook.url) == 2
        # the same alerts again (one with new wording), and the first alert on the next date
        again = [*first, alerts.Alert(day, "check:star_players_missing_lines", "4 stars without a line")]
        assert alerts.send(settings, again, url=hook.url) == 0
        assert alerts.send(
            settings, [alerts.Alert(day + dt.timedelta(days=1), first[0].key, "x")], url=hook.url
        )
        assert hook.texts == ["3 stars without a line", "build failed", "x"]
    warnings: list[str] = []
    with webhook(status=503) as hook:
        failing = [alerts.Alert(day, "check:quality_ready_pct", "quality")]
        for _ in range(alerts.MAX_ATTEMPTS + 2):
            assert alerts.send(settings, failing, echo=warnings.append, url=hook.url, waits=(0, 0)) == 0
        posts_per_delivery = len(alerts.RETRY_WAITS_S) + 1
        assert len(hook.received) == alerts.MAX_ATTEMPTS * posts_per_delivery
    assert len(warnings) == alerts.MAX_ATTEMPTS and "not delivered" in warnings[0]
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    assert con.execute(
        "select delivered, attempts, error from runner.alerts_sent "
        "where alert_key = 'check:quality_ready_pct'"
    ).fetchall() == [(False, alerts.MAX_ATTEMPTS, "HTTP 503")]
    con.close()


def test_a_webhook_that_hangs_holds_a_batch_for_one_delivery_only(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "w.duckdb")
    day = dt.date(2024, 2, 28)
    batch = [alerts.Alert(day, f"file:{n}.csv", f"could not load {n}.csv") for n in range(5)]
    warnings: list[str] = []
    with webhook(delay_s=2.0) as hook:
        started = time.monotonic()
        assert (
            alerts.send(settings, batch, echo=warnings.append, url=hook.url, waits=(0.0,), timeout=0.3) == 0
        )
        assert time.monotonic() - started < 1.8  # two tries of the first alert, none of the others
        assert len(hook.received) == 2 and len(warnings) == 1
        hook.delay_s = 0.0  # the webhook is back: the next batch delivers every alert once
        assert alerts.send(settings, batch, url=hook.url, timeout=0.3) == 5
        assert alerts.send(settings, batch, url=hook.url, timeout=0.3) == 0
    assert sorted(hook.texts[2:]) == sorted(a.text for a in batch)


def test_without_a_webhook_nothing_is_posted_or_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(alerts.WEBHOOK_ENV, raising=False)
    settings = settings_for(tmp_path / "w.duckdb")
    assert alerts.send(settings, [alerts.Alert(dt.date(2024, 2, 28), "k", "t")]) == 0
    assert not settings.duckdb_path.exists()


def test_landing_loads_new_files_skips_unchanged_and_records_a_corrupt_file_once(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "w.duckdb")
    landing = Landing(tmp_path / "landing")
    write_csv(
        landing.folder / "rotowire_props_2024-02-28T150938Z.csv",
        rotowire_rows("2024-02-28T15:09:38Z", ["A B"]),
    )
    (landing.folder / ".rotowire_props_partial.csv.part").write_text("half a fi")  # hidden: being written
    first = landing.load(settings)
    assert (first.files_seen, first.rows_loaded, first.unchanged, first.failed) == (1, 2, 0, [])

    (landing.folder / "rotowire_props_2024-02-28T161152Z.csv").write_bytes(b"\x00\x01\x02 not a csv \xff")
    second = landing.load(settings)
    assert second.unchanged == 1 and second.loaded == []
    assert len(second.failed) == 1 and second.failed[0][0] == "rotowire_props_2024-02-28T161152Z.csv"
    assert "could not be loaded" in second.summary()
    third = landing.load(settings)  # the same corrupt content: skipped, no second error
    assert (third.failed, third.failed_before, third.unchanged) == ([], 1, 1)

    write_csv(
        landing.folder / "rotowire_props_2024-02-28T161152Z.csv",
        rotowire_rows("2024-02-28T16:11:52Z", ["A B"]),
    )
    fixed = Landing(landing.folder).load(settings)  # a new watcher: checksums computed afresh
    assert (fixed.files_seen, fixed.rows_loaded, fixed.unchanged) == (1, 2, 1)
    con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    assert con.execute("select count(*) from runner.landing_failures").fetchone() == (1,)
    assert con.execute("select count(*) from raw.rotowire_prop_snapshots").fetchone() == (4,)
    changed = changes.loads_since(con, None)
    con.close()
    assert changed == [("rotowire_prop_snapshots", 4)]


def test_the_replay_clock_is_the_newest_snapshot_the_watcher_loaded(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "w.duckdb")
    landing = Landing(tmp_path / "landing")
    # a season file already in the folder (loaded before the watcher started) must not move the clock
    write_csv(
        landing.folder / "rotowire_props_snapshots_2024.csv", rotowire_rows("2024-06-17T19:08:37Z", ["C D"])
    )
    Landing(landing.folder).load(settings)
    clock = FilesClock()
    assert clock.now(settings) is None
    write_csv(landing.folder / "rotowire_props_a.csv", rotowire_rows("2024-02-28T15:09:38Z", ["A B"]))
    clock.saw(landing.load(settings).loaded)
    assert clock.now(settings) == dt.datetime(2024, 2, 28, 15, 9, 38, tzinfo=dt.UTC)
    write_csv(landing.folder / "rotowire_props_b.csv", rotowire_rows("2024-02-28T16:11:52Z", ["A B"]))
    clock.saw(landing.load(settings).loaded)
    assert clock.now(settings) == dt.datetime(2024, 2, 28, 16, 11, 52, tzinfo=dt.UTC)


def test_split_day_writes_one_file_per_snapshot_and_the_rest_reproducibly(tmp_path: Path) -> None:
    rows = [
        *rotowire_rows("2024-02-28T04:39:24Z", ["Late Night"]),  # 23:39 ET on the 27th: not the day
        *rotowire_rows("2024-02-28T16:11:52Z", ["A B", "C D"]),
        *rotowire_rows("2024-02-28T15:09:38Z", ["A B"]),
        *rotowire_rows("2024-02-29T15:00:00Z", ["E F"]),
    ]
    source = write_csv(tmp_path / "rotowire_props_snapshots_2024.csv.gz", rows)
    files = split_day(source, dt.date(2024, 2, 28), tmp_path / "day", rest_dir=tmp_path / "rest")
    assert [f.name for f in files] == [
        "rotowire_props_2024-02-28T150938Z.csv",
        "rotowire_props_2024-02-28T161152Z.csv",
    ]
    assert [snapshot_time(f) for f in files] == [
        dt.datetime(2024, 2, 28, 15, 9, 38, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 28, 16, 11, 52, tzinfo=dt.UTC),
    ]
    assert len(files[1].read_text().splitlines()) == 1 + 4
    rest = (tmp_path / "rest" / source.name).read_bytes()
    with gzip.open(tmp_path / "rest" / source.name, "rt") as handle:
        kept = [r[3] for r in csv.reader(handle)][1:]
    assert kept == ["Late Night", "Late Night", "E F", "E F"]
    split_day(source, dt.date(2024, 2, 28), tmp_path / "day2", rest_dir=tmp_path / "rest2")
    assert (tmp_path / "rest2" / source.name).read_bytes() == rest  # no time in the gzip header
    landed = land(files[0], tmp_path / "landing")
    assert landed.read_bytes() == files[0].read_bytes() and not list((tmp_path / "landing").glob(".*"))
    with pytest.raises(NbaPropsError, match="no snapshot taken on 2024-03-01"):
        split_day(source, dt.date(2024, 3, 1), tmp_path / "none")


def test_steps_exit_codes_and_table() -> None:
    done = [
        steps.Step("load"),
        steps.skipped("build", "no games on 2024-07-04"),
        steps.Step("validate", "warn"),
    ]
    assert steps.exit_code(done) == 1
    assert steps.exit_code([*done, steps.Step("report", steps.FAILED, error="disk full")]) == 2
    assert steps.exit_code([steps.Step("validate", steps.ALERT)]) == 2 and steps.exit_code([]) == 0
    table = steps.table([*done, steps.Step("grade", steps.FAILED, error="dbt failed", attempts=3)])
    assert "no games on 2024-07-04" in table and "dbt failed (attempt 3)" in table


def test_sigterm_and_ctrl_c_are_stop_requests_while_the_block_runs() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_signals() as stop:
        assert not stop
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        assert stop and stop.signal_name == "SIGTERM"
    assert signal.getsignal(signal.SIGTERM) is before
    with stop_on_signals() as stop:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)
        assert stop.signal_name == "SIGINT"
