"""A game day on the built sample: real `nba-props watch` processes, `nba-props daily` and the other
commands in the test process.

Replay equals reality: 2024-02-28's hourly Rotowire snapshots (5 of them, 15:09..19:08 UTC; lines appear and
move between them) land in a folder one file per cycle, a watcher with the replay clock (--now-from-files)
picks each up, and the prediction history it leaves (every row, active or superseded, with its reason) is the
one the as-of replay leaves: `predict --as-of` at the first snapshot, `check-lines --as-of` at each later one,
on a warehouse that had every snapshot all along. On the way: `daily` run twice changes nothing the second
time, a corrupt file landing mid-day is recorded once and alerted once while the watcher goes on.

Then the watcher's process: SIGTERM mid-cycle finishes the step and exits 0, a restarted watcher resumes the
work left, a second watcher or a backfill on the same warehouse gets the lock message, Ctrl-C exits 0. And
served vs rebuilt: a box score corrected after the prediction shows as changed inputs with reason
late_box_score, and a prediction without recorded inputs is counted apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT_DIR, SAMPLE_DIR, cli_env, content_hash, fresh_sample_copy, run_cli
from nba_props.gameday.replay import land, snapshot_time, split_day
from webhook import webhook

pytestmark = pytest.mark.slow

DAY = "2024-02-28"
ROTOWIRE = SAMPLE_DIR / "rotowire_props_snapshots_2024.csv.gz"
# columns that differ between two runs that made the same predictions
RUN_COLUMNS = {"prediction_id", "run_id", "predicted_at", "superseded_at", "supersedes", "superseded_by"}


def stamp(ts: dt.datetime) -> str:
    return f"{ts:%Y-%m-%dT%H:%M:%SZ}"


def query(wh: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def history(wh: Path) -> list[tuple]:
    """The day's prediction history, every row, with the predictions it supersedes and is superseded by named
    by (player, as_of) instead of their random ids."""
    con = duckdb.connect(str(wh), read_only=True)
    try:
        cur = con.execute("select * from runner.predictions where game_date = ?", [DAY])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    by_id = {r["prediction_id"]: r for r in rows}

    def named(prediction_id: str | None) -> tuple | None:
        return (
            None
            if prediction_id is None
            else (by_id[prediction_id]["player_lookup"], by_id[prediction_id]["as_of"])
        )

    named_rows = [
        (
            *((k, v) for k, v in sorted(r.items()) if k not in RUN_COLUMNS),
            ("supersedes", named(r["supersedes"])),
            ("superseded_by", named(r["superseded_by"])),
        )
        for r in rows
    ]
    return sorted(named_rows, key=repr)  # rows hold NULLs beside values: order them by their text


class Lines:
    """The stdout of a running process, line by line, each read with a deadline."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.proc = proc
        self.selector = selectors.DefaultSelector()
        self.selector.register(proc.stdout, selectors.EVENT_READ)
        self.seen: list[str] = []

    def next(self, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.selector.select(timeout=1):
                line = self.proc.stdout.readline()
                if not line:
                    break
                self.seen.append(line.rstrip())
                return line.rstrip()
            if self.proc.poll() is not None:
                break
        self.proc.kill()
        raise AssertionError("no line from the process in time; it printed:\n" + "\n".join(self.seen))

    def until(self, prefix: str, timeout: float = 300, containing: str = "") -> str:
        """The next line that starts with PREFIX (and contains CONTAINING), within TIMEOUT seconds in all."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.next(max(deadline - time.monotonic(), 1))
            if line.startswith(prefix) and containing in line:
                return line
        self.proc.kill()
        raise AssertionError(
            f"no line {prefix!r} .. {containing!r} in time; it printed:\n" + "\n".join(self.seen)
        )


def start(args: list[str], wh: Path, stderr: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "nba_props.cli", *args],
        cwd=PROJECT_DIR,
        env=cli_env(wh, **env),
        stdout=subprocess.PIPE,
        stderr=stderr.open("w"),
        text=True,
    )


@pytest.fixture(scope="module")
def models_env(sample_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the game day's commands: a models folder with the models trained through DAY, once
    for the module (train only reads the warehouse, the same rows as every test's copy)."""
    env = {"NBA_PROPS_MODELS_DIR": str(tmp_path_factory.mktemp("models"))}
    run_cli(["train", "--through-date", DAY, "--name", "game_day"], sample_warehouse, check=True, **env)
    return env


def as_of_replay(wh: Path, times: list[dt.datetime], env: dict[str, str]) -> None:
    """predict at the first time, check-lines at each later one: the as-of replay `make demo` ran before the
    game day existed."""
    first, *later = times
    run_cli(["predict", "--date", DAY, "--as-of", stamp(first), "--mode", "first"], wh, check=True, **env)
    for when in later:
        run_cli(["check-lines", "--date", DAY, "--as-of", stamp(when)], wh, check=True, **env)


def test_a_watched_day_equals_its_as_of_replay(
    sample_warehouse: Path, sample_copy: Path, models_env: dict[str, str], tmp_path: Path
):
    rest = tmp_path / "rest"
    snapshots = split_day(ROTOWIRE, dt.date.fromisoformat(DAY), tmp_path / "snapshots", rest_dir=rest)
    times = [snapshot_time(p) for p in snapshots]
    assert len(snapshots) == 5
    env = models_env

    # The reference first, on the warehouse that had every snapshot all along, at the path the watched day
    # then uses afresh (the same path keeps dbt's partial parsing; a new one would parse the whole project).
    as_of_replay(sample_copy, times, env)
    replayed = history(sample_copy)
    assert fresh_sample_copy(sample_warehouse) == sample_copy

    # The warehouse before the day's first snapshot: the season file reloaded without the day's snapshots
    # (a changed file replaces its rows through the loader, which the models downstream follow).
    run_cli(["load", "rotowire_props", str(rest / ROTOWIRE.name)], sample_copy, check=True, **env)

    # The morning: the first snapshot has landed; daily, twice.
    landing = tmp_path / "landing"
    land(snapshots[0], landing)
    daily = ["daily", "--date", DAY, "--landing", str(landing), "--as-of", stamp(times[0]), "--skip-tests"]
    first = run_cli(daily, sample_copy, **env)
    assert first.returncode in (0, 1), first.stdout[-3000:] + first.stderr[-2000:]
    for step in ("load", "build", "grade", "predict", "validate", "report"):
        assert f"\n{step} " in first.stdout
    after_first = history(sample_copy)
    store_first = content_hash(
        duckdb.connect(str(sample_copy), read_only=True), "features.ml_feature_store_v2", DAY
    )
    second = run_cli(daily, sample_copy, **env)
    assert second.returncode == first.returncode, second.stdout[-3000:]
    assert "0 new or changed file(s)" in second.stdout and "0 predicted (0 superseding)" in second.stdout
    assert history(sample_copy) == after_first
    assert content_hash(
        duckdb.connect(str(sample_copy), read_only=True), "features.ml_feature_store_v2", DAY
    ) == (store_first)
    runs = query(
        sample_copy,
        "select run_id, count(*), count(*) filter (where status = 'failed') from runner.game_day_steps "
        "where command = 'daily' group by run_id",
    )
    assert len(runs) == 2 and all(n == 6 and failed == 0 for _, n, failed in runs)

    # The day: one snapshot per cycle, a corrupt file with the third.
    corrupt = tmp_path / "rotowire_props_2024-02-28T170000Z.csv"
    corrupt.write_bytes(b"\x00\x01 this is not a csv \xff\xfe")
    with webhook() as hook:
        watch = start(
            ["watch", "--date", DAY, "--landing", str(landing), "--every", "0.2s", "--now-from-files"]
            + ["--until", stamp(times[-1])],
            sample_copy,
            tmp_path / "watch.err",
            NBA_PROPS_ALERT_WEBHOOK=hook.url,
            **env,
        )
        lines = Lines(watch)
        lines.until("watch ")
        for number, snapshot in enumerate(snapshots[1:], start=1):
            land(snapshot, landing)
            if number == 2:
                land(corrupt, landing)
            # the clock moves to a snapshot's time in the cycle that loaded it (idle cycles come between)
            cycle = lines.until("cycle ", containing=f"at {stamp(times[number])}")
            assert "rebuilt" in cycle and "line check:" in cycle, cycle
        assert watch.wait(timeout=120) == 0, "\n".join(lines.seen)
        cycles = [line for line in lines.seen if line.startswith("cycle ")]
        refused = [line for line in cycles if "could not be loaded" in line]
        assert (
            len(refused) == 1
            and "1 could not be loaded (rotowire_props_2024-02-28T170000Z.csv)" in refused[0]
        )
        assert (
            sum("skipped (failed before, unchanged)" in line for line in cycles)
            == len(cycles) - cycles.index(refused[0]) - 1
        )
        errors = (tmp_path / "watch.err").read_text()
        assert errors.count("error: rotowire_props_2024-02-28T170000Z.csv") == 1, errors
        assert "Traceback" not in errors
        assert len([t for t in hook.texts if "rotowire_props_2024-02-28T170000Z.csv" in t]) == 1, hook.texts

    watched = history(sample_copy)
    assert watched == replayed
    superseded = [dict(r) for r in watched if not dict(r)["is_active"]]
    assert superseded, "lines appeared or moved during the day"
    assert {r["superseded_reason"].split("_")[1] for r in superseded} <= {"appeared", "moved"}
    steps = query(
        sample_copy,
        "select step, status, count(*) from runner.game_day_steps where command = 'watch' and step != 'load' "
        "group by step, status order by step",
    )
    assert steps == [("build", "ok", 4), ("check", "ok", 4)]
    assert query(sample_copy, "select file_name from runner.landing_failures") == [(corrupt.name,)]


def test_sigterm_resume_lock_and_ctrl_c(sample_copy: Path, models_env: dict[str, str], tmp_path: Path):
    env = models_env
    landing = tmp_path / "landing"
    snapshots = split_day(ROTOWIRE, dt.date.fromisoformat(DAY), tmp_path / "snapshots")
    land(snapshots[-1], landing)
    later = ["--until", "2099-01-01T00:00:00Z"]

    # SIGTERM while the first cycle builds: the step finishes, is recorded, exit 0.
    watcher = start(
        ["watch", "--date", DAY, "--landing", str(landing), "--every", "1s", *later],
        sample_copy,
        tmp_path / "term.err",
        **env,
    )
    lines = Lines(watcher)
    lines.until("watch ")
    time.sleep(4)
    watcher.send_signal(signal.SIGTERM)
    assert watcher.wait(timeout=300) == 0, (tmp_path / "term.err").read_text()
    assert lines.until("stopped by SIGTERM after cycle 1")
    recorded = query(
        sample_copy,
        "select step, status from runner.game_day_steps where command = 'watch' order by started_at",
    )
    assert recorded and recorded[0] == ("load", "ok")
    assert all(status == "ok" for _, status in recorded), recorded

    # A new watcher resumes what the stopped one left (its line check covers the landed file).
    resumed = run_cli(
        [
            "watch",
            "--date",
            DAY,
            "--landing",
            str(landing),
            "--every",
            "0s",
            "--until",
            "2000-01-01T00:00:00Z",
        ],
        sample_copy,
        **env,
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    (loaded_at,) = query(
        sample_copy, "select loaded_at from raw.load_log where file_name = ?", [snapshots[-1].name]
    )[0]
    (covered,) = query(
        sample_copy,
        "select max(loads_through) from runner.game_day_steps where step = 'check' and status = 'ok'",
    )[0]
    assert covered is not None and covered >= loaded_at

    # A watcher with nothing to do holds the lock: a second watcher and a backfill are refused in one line.
    idle = start(
        ["watch", "--date", DAY, "--landing", str(landing), "--every", "30s", *later],
        sample_copy,
        tmp_path / "idle.err",
        **env,
    )
    idle_lines = Lines(idle)
    assert "nothing to rebuild" in idle_lines.until("cycle 1")
    for args in (
        ["watch", "--date", DAY, "--landing", str(landing)],
        ["backfill", "--start-date", DAY, "--end-date", DAY],
    ):
        refused = run_cli(args, sample_copy, **env)
        assert refused.returncode != 0 and "Traceback" not in refused.stderr
        assert refused.stderr.strip().splitlines() == [refused.stderr.strip()]
        assert f"another nba-props watch (pid {idle.pid}" in refused.stderr, refused.stderr
    idle.send_signal(signal.SIGINT)  # Ctrl-C while it sleeps
    assert idle.wait(timeout=30) == 0
    assert idle_lines.until("stopped by SIGINT")


def corrected_box_score(player_lookup: str, wh: Path, folder: Path) -> Path:
    """The season's player logs with PLAYER_LOOKUP's last game before DAY scored 20 points higher, written
    under the file's own name in FOLDER (loading it replaces the file's rows)."""
    (game_id, player_id) = query(
        wh,
        "select game_id, player_id from staging.stg_nba_stats__player_game_logs "
        "where player_lookup = ? and game_date < ? order by game_date desc limit 1",
        [player_lookup, DAY],
    )[0]
    source = SAMPLE_DIR / "player_logs_2023-24.csv.gz"
    with gzip.open(source, "rt", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    game, player, points = header.index("GAME_ID"), header.index("PLAYER_ID"), header.index("PTS")
    (row,) = [r for r in rows[1:] if r[game] == game_id and int(r[player]) == player_id]
    row[points] = str(int(row[points]) + 20)
    folder.mkdir(parents=True)
    corrected = folder / source.name
    with gzip.open(corrected, "wt", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return corrected


def test_served_vs_rebuilt_catches_a_box_score_corrected_after_the_prediction(
    sample_copy: Path, models_env: dict[str, str], tmp_path: Path
):
    env = models_env
    as_of = "2024-02-28T17:00:00Z"
    run_cli(["predict", "--date", DAY, "--as-of", as_of], sample_copy, check=True, **env)
    predicted = query(
        sample_copy,
        "select prediction_id, player_lookup from runner.predictions where game_date = ? and is_active "
        "order by player_lookup",
        [DAY],
    )
    assert len(predicted) > 2
    # one prediction as if made before the runner recorded inputs
    before_inputs = predicted[0][0]
    con = duckdb.connect(str(sample_copy))
    con.execute("delete from runner.prediction_inputs where prediction_id = ?", [before_inputs])
    con.close()

    def daily_row() -> tuple:
        run_cli(["validate-daily", "--date", DAY, "--refresh"], sample_copy, **env)
        (row,) = query(
            sample_copy,
            "select predictions, compared_predictions, inputs_not_recorded, changed_predictions, "
            "top_change_reason from monitoring.served_vs_rebuilt_daily where game_date = ?",
            [DAY],
        )
        return row

    # Nothing has changed since the predictions: every compared input is unchanged.
    assert daily_row() == (len(predicted), len(predicted) - 1, 1, 0, None)
    assert not query(
        sample_copy,
        "select 1 from monitoring.served_vs_rebuilt_inputs where prediction_id = ?",
        [before_inputs],
    )

    # An earlier game's box score is corrected after the prediction; the date is rebuilt as of the same time.
    corrected = predicted[1][1]
    corrected_logs = corrected_box_score(corrected, sample_copy, tmp_path / "corrected")
    run_cli(["load", "player_game_logs", str(corrected_logs)], sample_copy, check=True)
    run_cli(["build", "--date", DAY, "--as-of", as_of, "--skip-tests"], sample_copy, check=True, **env)

    predictions, compared, not_recorded, changed, reason = daily_row()
    assert (predictions, compared, not_recorded) == (len(predicted), len(predicted) - 1, 1)
    assert changed >= 1 and reason == "late_box_score"
    changed_inputs = query(
        sample_copy,
        "select feature_name, served_value, current_value, change_reason "
        "from monitoring.served_vs_rebuilt_inputs where is_changed and player_lookup = ?",
        [corrected],
    )
    features = {name for name, *_ in changed_inputs}
    assert {"points_avg_last_5", "points_avg_season"} <= features, changed_inputs
    assert {reason for *_, reason in changed_inputs} == {"late_box_score"}
    assert query(
        sample_copy,
        "select count(*) from monitoring.served_vs_rebuilt_inputs where is_changed and change_reason != "
        "'late_box_score'",
    ) == [(0,)]
