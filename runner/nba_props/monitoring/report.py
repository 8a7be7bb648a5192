"""The static HTML report: one page, plots as base64 PNGs (readable offline, mailable as one file).

Everything plotted comes from the monitoring marts (and prediction_accuracy when predictions exist);
this module only queries, draws and lays out.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from nba_props.monitoring.marts import MONITORING_SCHEMA, query, table_exists

PREDICTIONS_SCHEMA = "predictions"
ACCURACY = "prediction_accuracy"
COLOURS = {"ok": "#2e7d32", "warn": "#f9a825", "alert": "#c62828", "all": "#546e7a", "stars": "#c62828"}


@dataclass
class ReportData:
    start: dt.date
    end: dt.date
    quality: pd.DataFrame
    defaults: pd.DataFrame
    coverage: pd.DataFrame
    coverage_by_source: pd.DataFrame
    checks: pd.DataFrame
    star_alerts: pd.DataFrame
    drift: pd.DataFrame
    freshness: pd.DataFrame
    accuracy: pd.DataFrame | None = None
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    thresholds: dict[str, float] = field(default_factory=dict)


def collect(con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date) -> ReportData:
    m = MONITORING_SCHEMA
    rng = [start, end]
    quality = query(
        con,
        f"select * from {m}.daily_feature_quality where game_date between ? and ? order by game_date",
        rng,
    )
    defaults = query(
        con,
        f"""
        select feature_index, feature_name, is_optional, default_reason, sum(defaulted_rows) as defaulted_rows
        from {m}.daily_feature_defaults where game_date between ? and ?
        group by feature_index, feature_name, is_optional, default_reason
        order by feature_index, default_reason""",
        rng,
    )
    # Required features only: the optional line features are missing for every player without a line.
    sources = query(
        con,
        f"""
        select game_date, feature_source, source_role, source_weight, sum(source_rows) as source_rows
        from {m}.daily_feature_sources where game_date between ? and ? and not is_optional
        group by game_date, feature_source, source_role, source_weight
        order by game_date, feature_source""",
        rng,
    )
    coverage = query(
        con,
        f"select * from {m}.vegas_line_coverage_daily where game_date between ? and ? order by game_date",
        rng,
    )
    by_source = query(
        con,
        f"select * from {m}.vegas_line_coverage_by_source where game_date between ? and ? "
        "order by game_date, line_source",
        rng,
    )
    checks = query(
        con,
        f"""
        select check_order, check_name, status, count(*) as dates
        from {m}.daily_health_checks where game_date between ? and ?
        group by check_order, check_name, status order by check_order, status""",
        rng,
    )
    thresholds = query(
        con,
        f"""
        select check_name, max(warn_threshold) as warn_threshold
        from {m}.daily_health_checks group by check_name""",
    )
    star_alerts = query(
        con,
        f"""
        select game_date, player_name, team_abbr, opponent_team_abbr, points_avg_season, missing_line_reason
        from {m}.star_players_missing_lines where game_date between ? and ?
        order by game_date, points_avg_season desc""",
        rng,
    )
    drift = query(con, f"select * from {m}.feature_contract_drift order by drift_start_date")
    freshness = (
        query(con, f"select * from {m}.source_freshness order by layer desc, relation_name")
        if table_exists(con, m, "source_freshness")
        else pd.DataFrame()
    )
    accuracy = None
    if table_exists(con, PREDICTIONS_SCHEMA, ACCURACY):
        accuracy = query(
            con, f"select * from {PREDICTIONS_SCHEMA}.{ACCURACY} where game_date between ? and ?", rng
        )
    return ReportData(
        start,
        end,
        quality,
        defaults,
        coverage,
        by_source,
        checks,
        star_alerts,
        drift,
        freshness,
        accuracy,
        sources,
        dict(zip(thresholds.check_name, thresholds.warn_threshold, strict=True)),
    )


# --- plots ------------------------------------------------------------------------------------------


def _figure(width: float = 9.0, height: float = 3.6) -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg")  # no display: the report is rendered headless
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    ax.grid(True, alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plot_quality(data: ReportData) -> str:
    fig, ax = _figure()
    q = data.quality
    dates = pd.to_datetime(q.game_date)
    ax.plot(
        dates, q.pct_playing_quality_ready, marker=".", color=COLOURS["ok"], label="quality-ready (playing)"
    )
    ax.plot(dates, q.pct_required_defaults_zero, color="#1565c0", alpha=0.7, label="no required default")
    ax.plot(dates, q.pct_all_defaults_zero, color=COLOURS["all"], alpha=0.7, label="no default at all")
    ax.plot(dates, q.pct_red_alert, color=COLOURS["alert"], alpha=0.8, label="red alert")
    if (t := data.thresholds.get("quality_ready_pct")) is not None:
        ax.axhline(t, color=COLOURS["warn"], linestyle="--", linewidth=1, label=f"target {t:g}%")
    ax.set_ylim(0, 102)
    ax.set_ylabel("% of feature rows")
    ax.set_title("Feature quality per date")
    ax.legend(loc="lower right", fontsize=8, ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def plot_defaults(data: ReportData, top: int = 15) -> str | None:
    # The optional line features (25-27) default for every player without a line, which is normal and
    # dwarfs the rest: they have their own plot (line coverage).
    d = data.defaults[~data.defaults.is_optional.astype(bool)]
    if d.empty:
        return None
    totals = d.groupby("feature_name").defaulted_rows.sum().sort_values(ascending=False).head(top)
    pivot = (
        d[d.feature_name.isin(totals.index)]
        .pivot_table(index="feature_name", columns="default_reason", values="defaulted_rows", aggfunc="sum")
        .reindex(totals.index[::-1])
        .fillna(0)
    )
    fig, ax = _figure(height=max(3.0, 0.32 * len(pivot) + 1.2))
    left = pd.Series(0.0, index=pivot.index)
    cmap = __import__("matplotlib").colormaps["tab20"]
    for i, reason in enumerate(pivot.columns):
        ax.barh(pivot.index, pivot[reason], left=left, label=reason, color=cmap(i % 20))
        left += pivot[reason]
    ax.set_yticks(range(len(pivot.index)))
    ax.set_yticklabels(list(pivot.index), fontsize=8)
    ax.set_xlabel(f"defaulted rows, {data.start} to {data.end}")
    ax.set_title("Defaults of required features by reason (line features: see line coverage)")
    ax.legend(fontsize=7, loc="lower right")
    return _png(fig)


# Role order in the stacked plot (bottom up) and each role's colour family.
SOURCE_ROLES = ("primary", "alternate", "fallback", "default", "unknown")
ROLE_COLOURS = {
    "primary": ("#2e7d32", "#66bb6a", "#1b5e20", "#a5d6a7"),
    "alternate": ("#1565c0", "#64b5f6"),
    "fallback": ("#f9a825", "#ef6c00", "#8d6e63", "#ffd54f", "#ff8a65"),
    "default": ("#c62828", "#6a1b9a", "#ef9a9a"),
    "unknown": ("#000000",),
}
# Longer ranges are drawn per week so a season stays readable.
SOURCE_MIX_MAX_DAYS = 60


def source_mix(data: ReportData) -> tuple[pd.DataFrame, str]:
    """Share (%) of the required features' values taken from each source (rows: periods; columns: sources in
    role order), and the period: "date", or "week" for long ranges."""
    s = data.sources
    if s.empty:
        return pd.DataFrame(), "date"
    frame = s.copy()
    frame["period"] = pd.to_datetime(frame.game_date)
    per = "week" if frame.period.nunique() > SOURCE_MIX_MAX_DAYS else "date"
    if per == "week":
        frame["period"] = frame.period.dt.to_period("W").dt.start_time
    pivot = frame.pivot_table(index="period", columns="feature_source", values="source_rows", aggfunc="sum")
    pivot = pivot.fillna(0)
    roles = frame.groupby("feature_source").source_role.first()
    order = sorted(pivot.columns, key=lambda c: (_role_rank(roles.get(c)), -pivot[c].sum(), c))
    return pivot[order].div(pivot.sum(axis=1), axis=0) * 100, per


def _role_rank(role: str | None) -> int:
    return SOURCE_ROLES.index(role) if role in SOURCE_ROLES else len(SOURCE_ROLES)


def plot_source_mix(data: ReportData) -> str | None:
    mix, per = source_mix(data)
    if mix.empty:
        return None
    roles = data.sources.groupby("feature_source").source_role.first()
    weights = data.sources.groupby("feature_source").source_weight.first()
    used: dict[str, int] = {}
    colours, labels = [], []
    for source in mix.columns:
        role = roles.get(source) if roles.get(source) in ROLE_COLOURS else "unknown"
        family = ROLE_COLOURS[role]
        colours.append(family[used.get(role, 0) % len(family)])
        used[role] = used.get(role, 0) + 1
        weight = weights.get(source)
        labels.append(f"{source} ({role}, {weight:g})" if weight == weight else f"{source} ({role})")
    fig, ax = _figure(height=4.4)
    # Bars, not areas: a gap between seasons stays a gap instead of a slope.
    width = pd.Timedelta(days=6 if per == "week" else 0.8)
    bottom = pd.Series(0.0, index=mix.index)
    for source, colour, label in zip(mix.columns, colours, labels, strict=True):
        ax.bar(mix.index, mix[source], width=width, bottom=bottom, color=colour, label=label, align="edge")
        bottom += mix[source]
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of required feature values")
    ax.set_title(f"Source mix of the required features per {per} (fallback = weighted below the primary)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=7, ncol=4, frameon=False)
    fig.autofmt_xdate()
    return _png(fig)


def plot_line_coverage(data: ReportData) -> str:
    fig, ax = _figure()
    c = data.coverage
    dates = pd.to_datetime(c.game_date)
    ax.plot(dates, c.pct_stars_with_line, marker=".", color=COLOURS["stars"], label="star players")
    ax.plot(dates, c.pct_playing_with_line, marker=".", color=COLOURS["all"], label="everyone who plays")
    for source, rows in data.coverage_by_source.groupby("line_source"):
        ax.plot(
            pd.to_datetime(rows.game_date),
            rows.pct_playing_with_line,
            linewidth=1,
            alpha=0.6,
            linestyle=":",
            label=f"{source} (everyone)",
        )
    ax.set_ylim(0, 102)
    ax.set_ylabel("% with a pre-tip-off line")
    ax.set_title("Line coverage: stars should be ~100%; bench players without lines are normal")
    ax.legend(loc="lower right", fontsize=8, ncol=2)
    fig.autofmt_xdate()
    return _png(fig)


def plot_accuracy(data: ReportData) -> str | None:
    acc = data.accuracy
    if acc is None or acc.empty or acc.absolute_error.notna().sum() == 0:
        return None
    frame = acc.copy()
    frame["week"] = pd.to_datetime(frame.game_date).dt.to_period("W").dt.start_time
    graded = frame[frame.grade_status == "graded"]
    weekly_mae = frame.groupby("week").absolute_error.mean()
    weekly_line_mae = frame.groupby("week").line_absolute_error.mean()
    weekly_hr = graded.groupby("week").prediction_correct.mean() * 100
    fig, ax = _figure()
    ax.plot(weekly_hr.index, weekly_hr.values, marker="o", color=COLOURS["ok"], label="hit rate % (graded)")
    ax.axhline(52.4, color=COLOURS["warn"], linestyle="--", linewidth=1, label="break-even 52.4%")
    ax.set_ylabel("hit rate %")
    ax2 = ax.twinx()
    ax2.plot(weekly_mae.index, weekly_mae.values, marker="s", color=COLOURS["all"], label="model MAE")
    ax2.plot(
        weekly_line_mae.index, weekly_line_mae.values, linestyle=":", color=COLOURS["all"], label="line MAE"
    )
    ax2.set_ylabel("MAE (points)")
    ax.set_title("Active predictions per week (pushes, PASS and NO_LINE ungraded; DNP void)")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="lower left")
    fig.autofmt_xdate()
    return _png(fig)


def accuracy_table(data: ReportData) -> pd.DataFrame:
    acc = data.accuracy
    if acc is None or acc.empty:
        return pd.DataFrame()
    rows = []
    for model, g in acc.groupby("model_name"):
        graded = g[g.grade_status == "graded"]
        rows.append(
            {
                "model": model,
                "predictions": len(g),
                "graded": len(graded),
                "hit rate %": graded.prediction_correct.mean() * 100 if len(graded) else float("nan"),
                "MAE": g.absolute_error.mean(),
                "line MAE": g.line_absolute_error.mean(),
            }
        )
    return pd.DataFrame(rows)


def _interval(values: pd.Series, dates: pd.Series, scale: float = 1.0, digits: int = 1) -> str:
    from nba_props.predictions.evaluation import bootstrap_ratio

    low, high = bootstrap_ratio(
        values.to_numpy(dtype=float) * scale, [1.0] * len(values), dates.astype(str).to_numpy()
    )
    return "" if low != low else f"{low:.{digits}f} to {high:.{digits}f}"


def market_table(data: ReportData) -> pd.DataFrame:
    """Per model: the bets at their recorded prices (ROI with a bootstrap 95% interval over game dates),
    p_over against the market's no-vig probability (Brier), and closing-line value of the bets."""
    acc = data.accuracy
    if acc is None or acc.empty or "profit_units" not in acc.columns:
        return pd.DataFrame()
    rows = []
    for model, g in acc.groupby("model_name"):
        bets = g[g.grade_status == "graded"]
        scored = g[g.p_over_squared_error.notna() & g.market_p_over_squared_error.notna()]
        closed = bets[bets.beat_close.notna()]
        same_line = closed[closed.clv_prob.notna()]
        sides = bets.recommendation.value_counts()
        rows.append(
            {
                "model": model,
                "bets": len(bets),
                "OVER / UNDER": f"{sides.get('OVER', 0)} / {sides.get('UNDER', 0)}",
                "ROI %": bets.profit_units.mean() * 100 if len(bets) else float("nan"),
                "ROI 95% CI": _interval(bets.profit_units, bets.game_date, 100) if len(bets) else "",
                "Brier p_over": scored.p_over_squared_error.mean() if len(scored) else float("nan"),
                "Brier market": scored.market_p_over_squared_error.mean() if len(scored) else float("nan"),
                "beat close %": (closed.beat_close == "beat").mean() * 100 if len(closed) else float("nan"),
                "lost to close %": (closed.beat_close == "lost").mean() * 100
                if len(closed)
                else float("nan"),
                "mean CLV (points)": closed.clv_points.mean() if len(closed) else float("nan"),
                "CLV points 95% CI": _interval(closed.clv_points, closed.game_date, 1, 2)
                if len(closed)
                else "",
                "mean CLV (no-vig pp)": same_line.clv_prob.mean() * 100 if len(same_line) else float("nan"),
            }
        )
    frame = pd.DataFrame(rows)
    for col in ("Brier p_over", "Brier market"):
        frame[col] = frame[col].map(lambda v: "" if v != v else f"{v:.4f}")
    frame["mean CLV (points)"] = frame["mean CLV (points)"].map(lambda v: "" if v != v else f"{v:+.2f}")
    return frame


# --- page -------------------------------------------------------------------------------------------


def _table(frame: pd.DataFrame, max_rows: int = 40) -> str:
    if frame is None or frame.empty:
        return "<p class='empty'>none</p>"
    shown = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    more = f"<p class='more'>{len(frame) - max_rows} more rows</p>" if len(frame) > max_rows else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:.1f}" if not value.is_integer() else f"{value:g}"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" ")
    return str(value)


def _img(b64: str, alt: str) -> str:
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{b64}'>"


def _summary(data: ReportData) -> str:
    q, c = data.quality, data.coverage
    if q.empty:
        return "<p>No feature rows in this range.</p>"
    ready = q.playing_quality_ready_rows.sum() / max(q.playing_rows.sum(), 1) * 100
    stars = c.star_players.sum()
    star_cov = c.star_players_with_line.sum() / stars * 100 if stars else float("nan")
    everyone = c.playing_players_with_line.sum() / max(c.playing_players.sum(), 1) * 100
    alert_dates = data.checks[data.checks.status == "alert"].dates.sum()
    cards = [
        ("dates", f"{len(q)}"),
        ("feature rows", f"{int(q.total_rows.sum()):,}"),
        ("quality-ready (playing)", f"{ready:.1f}%"),
        ("stars with a line", "-" if stars == 0 else f"{star_cov:.1f}%"),
        ("everyone with a line", f"{everyone:.1f}%"),
        ("star alerts (rows)", f"{len(data.star_alerts)}"),
        ("check alerts (date x check)", f"{int(alert_dates)}"),
        ("contract drift ranges", f"{len(data.drift)}"),
    ]
    return (
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><div class='v'>{html.escape(v)}</div>"
            f"<div class='k'>{html.escape(k)}</div></div>"
            for k, v in cards
        )
        + "</div>"
    )


def star_alerts_by_date(data: ReportData) -> pd.DataFrame:
    alerts = data.star_alerts
    if alerts.empty:
        return alerts
    rows = []
    for game_date, g in alerts.groupby("game_date", sort=True):
        names = ", ".join(g.player_name.head(6)) + (f" and {len(g) - 6} more" if len(g) > 6 else "")
        reasons = ", ".join(f"{r} {n}" for r, n in g.missing_line_reason.value_counts().items())
        rows.append({"game_date": game_date, "stars without a line": len(g), "why": reasons, "who": names})
    return pd.DataFrame(rows)


def _checks_table(data: ReportData) -> pd.DataFrame:
    if data.checks.empty:
        return data.checks
    pivot = data.checks.pivot_table(
        index=["check_order", "check_name"], columns="status", values="dates", aggfunc="sum", fill_value=0
    ).reset_index()
    for status in ("ok", "warn", "alert"):
        if status not in pivot:
            pivot[status] = 0
    return pivot[["check_name", "ok", "warn", "alert"]].rename(
        columns={"check_name": "check (dates per status)"}
    )


CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1000px;color:#222}
h1{font-size:22px;margin-bottom:2px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.sub{color:#666;font-size:13px} img{max-width:100%;border:1px solid #eee;margin:6px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}
.card .v{font-size:20px;font-weight:600} .card .k{font-size:11px;color:#666}
table{border-collapse:collapse;font-size:12px;margin:6px 0} td,th{border:1px solid #ddd;padding:3px 6px}
th{background:#f5f5f5;text-align:left} .empty{color:#2e7d32} .more{color:#666;font-size:12px}
"""


def render_html(data: ReportData, generated_at: dt.datetime, command: str) -> str:
    sections = [
        "<h1>nba-props feature store report</h1>"
        f"<div class='sub'>{data.start} to {data.end} &middot; generated "
        f"{generated_at:%Y-%m-%d %H:%M} UTC by <code>{html.escape(command)}</code></div>",
        _summary(data),
    ]
    if not data.quality.empty:
        sections += ["<h2>Quality-ready share over time</h2>", _img(plot_quality(data), "quality over time")]
    mix_png = plot_source_mix(data)
    if mix_png:
        sections += [
            "<h2>Source mix over time</h2>",
            "<p class='sub'>Where the required features' values came from (the optional line features "
            "excluded): each feature's primary source, a fallback (a weaker or older source with a lower "
            "weight), or a default. From "
            "<code>monitoring.daily_feature_sources</code>.</p>",
            _img(mix_png, "source mix"),
        ]
    defaults_png = plot_defaults(data) if not data.defaults.empty else None
    sections.append("<h2>Defaults by feature</h2>")
    sections.append(
        _img(defaults_png, "defaults by feature") if defaults_png else "<p>No required feature defaulted.</p>"
    )
    if not data.coverage.empty:
        sections += [
            "<h2>Line coverage of stars and of everyone</h2>",
            _img(plot_line_coverage(data), "line coverage"),
        ]
    accuracy_png = plot_accuracy(data)
    sections.append("<h2>Predictions: hit rate and MAE</h2>")
    sections.append(
        _img(accuracy_png, "prediction accuracy")
        if accuracy_png
        else "<p>No graded predictions in this range (run <code>nba-props predict</code>).</p>"
    )
    if accuracy_png:
        sections.append(_table(accuracy_table(data)))
        market = market_table(data)
        if not market.empty:
            sections += [
                "<h2>Bets at the recorded prices, p_over against the market, closing-line value</h2>",
                "<p class='sub'>Graded OVER/UNDER bets settled at the price recorded with the prediction; "
                "Brier scores on every graded line with both probabilities; CLV against the last pre-tip-off "
                "quote of the same book (points for every bet, no-vig probability where the line held). "
                "Intervals: bootstrap over game dates, 95%.</p>",
                _table(market),
            ]
    sections += [
        "<h2>Daily checks</h2>",
        _table(_checks_table(data)),
        "<h2>Star players without a line (per date)</h2>",
        _table(star_alerts_by_date(data)),
        "<h2>Contract drift (date ranges to backfill)</h2>",
        _table(data.drift),
        "<h2>Source freshness</h2>",
        _table(data.freshness),
    ]
    body = "\n".join(sections)
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>nba-props report "
        f"{data.start} to {data.end}</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )


def write_report(data: ReportData, out: Path, command: str) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(data, dt.datetime.now(dt.UTC), command), encoding="utf-8")
    return out
