"""Small inline SVG charts for the board report: bars, dots with intervals, radar.

Hand-built SVG rather than matplotlib: the board report needs five simple chart types, each a
few dozen elements, and writing them directly keeps the file small, the text real text (it
prints sharply, can be searched and translated), and costs no import time nor a 40 MB
dependency. Every chart is an ``<svg class="chart">`` with a ``viewBox`` so that it scales to
the page and to A4. Labels are escaped: contractor names come from input files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

INK = "#1f2933"
GRID = "#d5dbe1"
MAIN = "#1f5f8b"
LIGHT = "#9cc3de"
ACCENT = "#c0392b"
FONT = 'font-family="Helvetica, Arial, sans-serif"'


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}" {FONT} font-size="11">'
        f"<title>{escape(label)}</title>" + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, anchor: str = "start", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}"{extra}>'
        f"{escape(text)}</text>"
    )


def _nice_max(value: float) -> float:
    """A round number at or above value for the end of an axis (1, 2, 5 times a power of 10)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


@dataclass(frozen=True)
class Bar:
    label: str
    total: float
    part: float
    """The highlighted part of the bar (the selected orders of the month)."""


def bars(
    items: Sequence[Bar],
    *,
    label: str,
    legend: tuple[str, str],
    number: Callable[[float], str],
) -> str:
    """Vertical bars (e.g. orders per month), each with its highlighted part in a darker colour."""
    width, height, left, bottom, top = 640, 240, 56, 36, 24
    plot_w, plot_h = width - left - 12, height - bottom - top
    peak = _nice_max(max((b.total for b in items), default=0))
    body = []
    for i in range(5):
        value = peak * i / 4
        y = top + plot_h - plot_h * i / 4
        body.append(
            f'<line x1="{left}" x2="{width - 12}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        body.append(_text(left - 6, y + 4, number(value), "end"))
    slot = plot_w / max(len(items), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    for i, b in enumerate(items):
        x = left + slot * i + (slot - bar_w) / 2
        h = plot_h * b.total / peak
        part = plot_h * b.part / peak
        base = top + plot_h
        body.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{LIGHT}"><title>{escape(b.label)}: {escape(number(b.total))}</title></rect>'
        )
        body.append(
            f'<rect x="{x:.1f}" y="{base - part:.1f}" width="{bar_w:.1f}" '
            f'height="{part:.1f}" fill="{MAIN}"/>'
        )
        if len(items) <= 13 or i % math.ceil(len(items) / 12) == 0:
            body.append(_text(x + bar_w / 2, base + 14, b.label, "middle"))
    body.append(f'<rect x="{left}" y="6" width="10" height="10" fill="{LIGHT}"/>')
    body.append(_text(left + 14, 15, legend[0]))
    body.append(f'<rect x="{left + 200}" y="6" width="10" height="10" fill="{MAIN}"/>')
    body.append(_text(left + 214, 15, legend[1]))
    return _svg(width, height, label, body)


@dataclass(frozen=True)
class Dot:
    label: str
    value: float | None
    low: float | None
    high: float | None
    text: str
    """The value and interval as written beside the dot."""


def dots(
    items: Sequence[Dot],
    *,
    label: str,
    number: Callable[[float], str],
    lowest: float = 0.0,
    highest: float | None = None,
    reference: tuple[float, str] | None = None,
) -> str:
    """Dot-and-interval rows: a dot per item with a line for its 95% interval, on one axis;
    ``reference`` draws a dashed line (a target rate, or zero difference) with its label."""
    row_h, left, right, top = 26, 210, 170, 28
    width = 700
    height = top + row_h * max(len(items), 1) + 26
    ends = [v for d in items for v in (d.value, d.low, d.high) if v is not None]
    if reference is not None:
        ends.append(reference[0])
    # Four equal steps of a round size (1, 2 or 5 times a power of ten) unless given.
    top_value = highest if highest is not None else 4 * _nice_max(max(ends, default=0.0) / 4)
    span = (top_value - lowest) or 1.0
    plot_w = width - left - right

    def x(value: float) -> float:
        return left + plot_w * (min(max(value, lowest), top_value) - lowest) / span

    body = []
    for i in range(5):
        value = lowest + span * i / 4
        body.append(
            f'<line x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{top - 6}" '
            f'y2="{height - 22}" stroke="{GRID}"/>'
        )
        body.append(_text(x(value), height - 8, number(value), "middle"))
    if reference is not None:
        rx = x(reference[0])
        body.append(
            f'<line x1="{rx:.1f}" x2="{rx:.1f}" y1="{top - 10}" y2="{height - 22}" '
            f'stroke="{ACCENT}" stroke-dasharray="4 3"/>'
        )
        body.append(_text(rx, top - 14, reference[1], "middle", fill_opacity="1"))
    for i, d in enumerate(items):
        y = top + row_h * i + row_h / 2
        name = d.label if len(d.label) <= 32 else d.label[:31] + "…"
        body.append(_text(left - 8, y + 4, name, "end"))
        if d.low is not None and d.high is not None:
            body.append(
                f'<line x1="{x(d.low):.1f}" x2="{x(d.high):.1f}" y1="{y:.1f}" y2="{y:.1f}" '
                f'stroke="{MAIN}" stroke-width="2"/>'
            )
        if d.value is not None:
            body.append(f'<circle cx="{x(d.value):.1f}" cy="{y:.1f}" r="4.5" fill="{MAIN}"/>')
        body.append(_text(width - right + 10, y + 4, d.text))
    return _svg(width, height, label, body)


def _two_lines(text: str, width: int = 16) -> list[str]:
    """A long axis label on two lines, broken at the space nearest its middle."""
    if len(text) <= width or " " not in text:
        return [text]
    spaces = [i for i, c in enumerate(text) if c == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut], text[cut + 1 :]]


def radar(axes: Sequence[tuple[str, float | None]], *, label: str) -> str:
    """A radar chart: one axis per measure, values already scaled to 0..1 (None: no data,
    drawn at the centre)."""
    width, height, radius = 360, 250, 72
    cx, cy = width / 2, height / 2
    n = len(axes)
    body = []

    def point(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    for ring in (0.25, 0.5, 0.75, 1.0):
        ring_points = " ".join(
            f"{px:.1f},{py:.1f}" for px, py in map(point, range(n), [radius * ring] * n)
        )
        body.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}"/>')
    for i, (name, _) in enumerate(axes):
        px, py = point(i, radius)
        body.append(f'<line x1="{cx}" y1="{cy}" x2="{px:.1f}" y2="{py:.1f}" stroke="{GRID}"/>')
        tx, ty = point(i, radius + 14)
        anchor = "middle" if abs(tx - cx) < 5 else "start" if tx > cx else "end"
        lines = _two_lines(name)
        ty += 4 - 6 * (len(lines) - 1) if ty < cy else 4
        for row, line in enumerate(lines):
            body.append(_text(tx, ty + 12 * row, line, anchor))
    shape = " ".join(
        f"{px:.1f},{py:.1f}"
        for px, py in (point(i, radius * (v or 0.0)) for i, (_, v) in enumerate(axes))
    )
    body.append(
        f'<polygon points="{shape}" fill="{LIGHT}" fill-opacity="0.6" stroke="{MAIN}" '
        f'stroke-width="2"/>'
    )
    for i, (_, v) in enumerate(axes):
        px, py = point(i, radius * (v or 0.0))
        body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{MAIN}"/>')
    return _svg(width, height, label, body)
