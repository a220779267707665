"""``report board``: one self-contained HTML file for the board and the visiting committee.

The figures are the reports' own (summary, contractor scorecard, satisfaction, projection,
cost and benefit), fetched once from the store; the page is a Jinja2 template
(``templates/board.html.j2``) with inline styles and inline SVG charts (:mod:`charts`), so the
file opens offline, can be mailed as it is and prints to A4 from any browser. Every text goes
through the language's catalogue (:mod:`i18n`) and every figure through
:mod:`formatting`.

The verification statement cites the seed commitment, the latest run and its full hash, and
the result of `verify` run while the report was written (the command runs it when the
workspace holds the seed, and passes the result in as a `Verified`).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from inspect_cli import charts
from inspect_cli import reports as rp
from inspect_cli.formatting import Formatter
from inspect_cli.i18n import translate, translator
from inspect_cli.store import reports as db

TEMPLATES = Path(__file__).parent / "templates"
RADAR_AXES = (
    ("failure_rate", "Failure rate"),
    ("corrections_per_order", "Corrections per order"),
    ("dissatisfaction", "Dissatisfaction"),
    ("above_threshold_share", "Share above the threshold"),
    ("overdue_share", "Overdue share"),
)
"""Measures of the radar charts, each scaled so that the highest contractor reaches the edge;
satisfaction is turned around (top score minus score) so that further out is always worse."""


@dataclass(frozen=True)
class Verified:
    """The result of `verify` run while the report was written."""

    at: str
    ok: bool
    decisions: int
    runs: int
    problems: int


@dataclass(frozen=True)
class BoardInput:
    """What the board report is about and the workspace parameters it shows."""

    period: rp.Period
    today: date
    lang: str
    threshold_cents: int
    target_rate: Decimal
    scale: int
    cost_cents: int | None
    verified: Verified | None = None


def board_context(conn: sqlite3.Connection, given: BoardInput) -> dict[str, Any]:
    """Every figure and chart of the page, formatted for its language."""
    lang = given.lang
    f = Formatter(lang, "standard")
    _ = translator(lang)
    period = given.period
    scope = db.Scope(
        period.start.isoformat() if period.start else None,
        period.end.isoformat() if period.end else None,
    )
    found = db.period_counts(
        conn, scope, threshold_cents=given.threshold_cents, today=given.today.isoformat()
    )
    counts = found.contractors
    scores = db.score_counts(conn, scope)
    projected = rp.projection_of(conn, scope, counts, period=period, lang=lang)
    benefit = rp.benefit_of(found, scores, given.scale, given.cost_cents, projected.rows[0])
    summary = rp.summary(
        counts,
        scores,
        period=period,
        today=given.today,
        target_rate=given.target_rate,
        scale=given.scale,
        lang=lang,
        benefit=benefit,
    ).rows[0]
    scorecard = rp.contractors(
        counts, scores, period=period, scale=given.scale, sort="contractor", lang=lang
    ).rows
    projection = projected.rows
    groups = rp.group_scores(scores, given.scale).get("all", rp.ScoreGroups([], []))
    satisfaction = rp.compare(groups.inspected, groups.not_inspected)
    months = db.months(conn, scope, found)
    head = db.chain_head(conn)

    def interval(value: Any, low: Any, high: Any, kind: str) -> str:
        if value is None:
            return "–"
        if low is None or high is None:
            return f.value(value, kind)
        return f"{f.value(value, kind)} ({f.value(low, kind)} {_('to')} {f.value(high, kind)})"

    charts_made = {
        "months": charts.bars(
            [charts.Bar(m, orders, forced + sampled) for m, orders, _s, forced, sampled in months],
            label=_("Orders and selections per month of completion"),
            legend=(_("Orders completed"), _("Selected for inspection")),
            number=lambda v: f.count(round(v)),
        ),
        "sample_rate": charts.dots(
            [
                charts.Dot(
                    _("Realised sample rate"),
                    summary["sample_rate"],
                    summary["sample_rate_low"],
                    summary["sample_rate_high"],
                    interval(
                        summary["sample_rate"],
                        summary["sample_rate_low"],
                        summary["sample_rate_high"],
                        "rate",
                    ),
                )
            ],
            label=_("Realised sample rate against the target, with its 95% interval"),
            number=f.percent,
            reference=(float(given.target_rate), _("target") + " " + f.percent(given.target_rate)),
        ),
        "failure_rates": charts.dots(
            [
                charts.Dot(
                    r["contractor"],
                    r["failure_rate"],
                    r["failure_rate_low"],
                    r["failure_rate_high"],
                    interval(
                        r["failure_rate"], r["failure_rate_low"], r["failure_rate_high"], "rate"
                    )
                    if r["failure_rate"] is not None
                    else _("no inspections"),
                )
                for r in scorecard
            ],
            label=_("Failure rate per contractor, with its 95% interval"),
            number=lambda v: f.percent(v, 0),
            highest=1.0,
        ),
        "satisfaction": charts.dots(
            [
                charts.Dot(
                    _("Inspected minus not inspected"),
                    satisfaction["difference"],
                    satisfaction["difference_low"],
                    satisfaction["difference_high"],
                    interval(
                        satisfaction["difference"],
                        satisfaction["difference_low"],
                        satisfaction["difference_high"],
                        "difference",
                    )
                    if satisfaction["difference"] is not None
                    else _(rp.TOO_FEW),
                )
            ],
            label=_("Tenant satisfaction: difference between inspected and not inspected repairs"),
            number=lambda v: f.decimal(v, 1, signed=True),
            lowest=-3.0,
            highest=3.0,
            reference=(0.0, _("no difference")),
        ),
        "projection": _maybe(
            charts.dots,
            [
                charts.Dot(
                    _("all contractors") if r["contractor"] == "all" else r["contractor"],
                    r["projected_eur"],
                    r["low_eur"],
                    r["high_eur"],
                    interval(r["projected_eur"], r["low_eur"], r["high_eur"], "money"),
                )
                for r in projection
                if r["projected_eur"] is not None
            ]
            or None,
            label=_("Projected corrections of the orders not inspected, with the 95% interval"),
            number=lambda v: f.money(round(v)),
        ),
    }
    radars = [
        (name, charts.radar([(_(title), value) for title, value in axes], label=name))
        for name, axes in _radar_axes(scorecard, given.scale, _)
    ]
    return {
        "lang": lang,
        "_": _,
        "f": f,
        "interval": interval,
        "period": period.text(lang),
        "today": f.day(given.today),
        "summary": summary,
        "scorecard": scorecard,
        "projection": projection,
        "satisfaction": satisfaction,
        "months": months,
        "head": head,
        "verified": given.verified,
        "charts": charts_made,
        "radars": radars,
        "radar_axes": [_(title) for _key, title in RADAR_AXES],
        "cost_configured": given.cost_cents is not None,
        "cost_per_visit": given.cost_cents,
        "threshold": given.threshold_cents,
        "target_rate": given.target_rate,
        "scale": given.scale,
        "cannot_show": translate(lang, rp.CANNOT_SHOW),
        "too_few": translate(lang, rp.TOO_FEW_TO_PROJECT),
    }


def _maybe(chart: Any, items: list | None, **options: Any) -> str | None:
    """The chart, or None when there is nothing to draw (no contractor could be projected)."""
    return None if items is None else chart(items, **options)


def _radar_axes(scorecard: list[dict[str, Any]], scale: int, _: Any) -> list[tuple[str, list]]:
    """Per contractor, each radar measure scaled by the highest contractor's (None: no data)."""
    measures: dict[str, dict[str, float | None]] = {}
    for r in scorecard:
        selected = r["selected"] or 0
        measures[r["contractor"]] = {
            "failure_rate": r["failure_rate"],
            "corrections_per_order": (r["corrections_eur"] or 0) / r["orders"]
            if r["orders"]
            else None,
            "dissatisfaction": scale - r["satisfaction"] if r["satisfaction"] is not None else None,
            "above_threshold_share": r["above_threshold_share"],
            "overdue_share": r["overdue"] / selected if selected else None,
        }
    peaks = {
        key: max((m[key] or 0.0 for m in measures.values()), default=0.0) for key, _t in RADAR_AXES
    }
    return [
        (
            name,
            [
                (title, None if m[key] is None else (m[key] / peaks[key] if peaks[key] else 0.0))
                for key, title in RADAR_AXES
            ],
        )
        for name, m in measures.items()
    ]


def render(context: dict[str, Any]) -> str:
    """The page from its template; autoescaping on, since names come from input files."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("board.html.j2").render(**context)


def write_board(conn: sqlite3.Connection, out: Path, **given: Any) -> Path:
    """Write the board report atomically (a temporary file renamed into place)."""
    return write_page(out, board_context(conn, BoardInput(**given)))


def write_page(out: Path, context: dict[str, Any]) -> Path:
    """Write the page of a `board_context` atomically (a temporary file renamed into place)."""
    html = render(context)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, out)
    return out
