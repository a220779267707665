"""The board report's SVG charts: well-formed, escaped, drawn even with little data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from inspect_cli import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # raises on anything that is not well-formed XML


def test_names_from_input_files_are_escaped():
    name = '<script>"x"</script> & Zonen'
    svg = charts.dots(
        [charts.Dot(name, 0.2, 0.1, 0.3, "20%")], label=name, number=lambda v: f"{v:.1f}"
    )
    root = parse(svg)
    assert "<script>" not in svg
    assert name in [t.text for t in root.iter(f"{SVG}text")]
    assert root.find(f"{SVG}title").text == name


def test_bars_mark_the_selected_part_of_each_month():
    svg = charts.bars(
        [charts.Bar("2026-09", 180, 22), charts.Bar("2026-10", 98, 17)],
        label="orders",
        legend=("Orders", "Selected"),
        number=lambda v: str(round(v)),
    )
    heights = [float(r.get("height")) for r in parse(svg).iter(f"{SVG}rect")]
    # Per month its bar and its selected part, then the two legend squares. The axis ends
    # at 200 on a plot 180 high.
    assert heights == [162.0, 19.8, 88.2, 15.3, 10.0, 10.0]


def test_a_chart_without_data_still_draws_its_axis():
    root = parse(charts.dots([], label="empty", number=str))
    assert len(list(root.iter(f"{SVG}line"))) == 5


def test_radar_puts_missing_values_at_the_centre_and_splits_long_labels():
    svg = charts.radar(
        [("Failure rate", 1.0), ("Share above the threshold", None), ("Overdue", 0.5)], label="x"
    )
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Failure rate", "Share above", "the threshold", "Overdue"]
    shape = [p for p in root.iter(f"{SVG}polygon") if p.get("fill") != "none"]
    assert len(shape) == 1
