"""`nba-props report` on the built sample: the page renders, its images are valid PNGs with real content."""

from __future__ import annotations

import base64
import datetime as dt
import io
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from conftest import run_cli

pytestmark = pytest.mark.slow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.headings: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append({k: v or "" for k, v in attrs})
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2:
            self.headings.append(data.strip())


@pytest.fixture(scope="module")
def report_range(sample_warehouse: Path) -> tuple[dt.date, dt.date]:
    """The 30 store dates ending at the last date that has lines (so every plot has data)."""
    con = duckdb.connect(str(sample_warehouse), read_only=True)
    try:
        last = con.execute(
            "select max(game_date) from monitoring.vegas_line_coverage_daily "
            "where playing_players_with_line > 0"
        ).fetchone()[0]
        first = con.execute(
            "select min(game_date) from (select game_date from monitoring.daily_feature_quality "
            "where game_date <= ? order by game_date desc limit 30)",
            [last],
        ).fetchone()[0]
    finally:
        con.close()
    assert last is not None, "the sample has no date with lines"
    return first, last


def test_report_renders_with_valid_images(sample_copy: Path, report_range, tmp_path: Path):
    from PIL import Image  # matplotlib's own dependency

    path = sample_copy
    out = tmp_path / "out" / "report.html"
    first, last = report_range
    proc = run_cli(["report", "--start-date", str(first), "--end-date", str(last), "--out", str(out)], path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"wrote {out}" in proc.stdout
    page = _Page()
    text = out.read_text(encoding="utf-8")
    page.feed(text)
    assert f"{first} to {last}" in text
    for heading in (
        "Quality-ready share over time",
        "Defaults by feature",
        "Line coverage of stars and of everyone",
        "Source mix over time",
    ):
        assert heading in page.headings
    assert len(page.images) >= 4
    for img in page.images:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix), "images must be embedded (readable offline)"
        raw = base64.b64decode(img["src"][len(prefix) :], validate=True)
        assert raw.startswith(PNG_SIGNATURE)
        picture = Image.open(io.BytesIO(raw))
        picture.verify()
        picture = Image.open(io.BytesIO(raw)).convert("RGB")
        width, height = picture.size
        assert width >= 400 and height >= 200
        # non-trivial content: a blank or single-colour canvas has a handful of colours at most
        colours = picture.getcolors(maxcolors=1_000_000)
        assert colours is not None and len(colours) > 50, f"{img.get('alt')}: looks empty"
        non_white = sum(n for n, rgb in colours if rgb != (255, 255, 255))
        assert non_white > 0.02 * width * height, f"{img.get('alt')}: almost nothing drawn"


def test_report_errors_are_one_line(sample_copy: Path, tmp_path: Path):
    path = sample_copy
    proc = run_cli(["report", "--start-date", "2024-03-10", "--end-date", "2024-03-01"], path)
    assert proc.returncode != 0 and proc.stderr.startswith("error: --end-date 2024-03-01 is before")
    proc = run_cli(
        [
            "report",
            "--start-date",
            "1999-01-01",
            "--end-date",
            "1999-01-31",
            "--out",
            str(tmp_path / "r.html"),
        ],
        path,
    )
    assert proc.returncode != 0
    assert proc.stderr.startswith("error: no feature rows between 1999-01-01 and 1999-01-31")
    assert "Traceback" not in proc.stderr
