"""Tenant satisfaction: survey exports and scores added by hand."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import NOW, TODAY
from helpers import build_selected

from inspect_cli.errors import InvalidValue, MalformedOption, UnknownOrder
from inspect_cli.satisfaction import (
    SatisfactionResult,
    add_score,
    import_satisfaction,
    parse_score,
)
from inspect_cli.spreadsheet import neutralise
from inspect_cli.store.satisfaction import score_history
from inspect_cli.workspace import Workspace


@pytest.fixture
def selected(workspace: Workspace) -> Workspace:
    build_selected(workspace)
    return workspace


def load(ws: Workspace, path: Path, *, replace: bool = False) -> SatisfactionResult:
    conn = ws.connect()
    try:
        result = import_satisfaction(
            conn,
            path,
            ws.config(),
            quarantine_dir=ws.quarantine,
            now=NOW,
            today=TODAY,
            replace=replace,
        )
    finally:
        conn.close()
    assert result.error or result.read == (
        result.new + result.unchanged + result.replaced + result.rejected
    )
    return result


def scores(ws: Workspace) -> dict[str, tuple]:
    """Current score per order: (score, scale, responded_on, comment)."""
    conn = ws.connect()
    rows = conn.execute(
        "SELECT order_id, score, scale, responded_on, comment FROM satisfaction "
        "WHERE superseded_by IS NULL"
    ).fetchall()
    conn.close()
    return {r[0]: tuple(r[1:]) for r in rows}


def quarantined(result: SatisfactionResult) -> dict[str, str]:
    text = Path(result.quarantine).read_text(encoding="utf-8-sig")
    return {
        r["source_row"]: r["problems"] for r in csv.DictReader(io.StringIO(text), delimiter=";")
    }


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


DUTCH = (
    "Bonnummer;Cijfer;Datum;Opmerking\n"
    "HB-001;8;20/11/2026;Vlot geholpen, één keer bellen\n"
    "HB-005;9;21-11-2026;\n"
    "HB-013;6;3 nov. 2026;nog niet klaar\n"
)


def test_import_a_dutch_survey_export(selected, tmp_path):
    result = load(selected, write(tmp_path / "enquete.csv", DUTCH, "utf-8-sig"))
    assert (result.read, result.new, result.rejected) == (3, 3, 0)
    # Any order can be scored: not selected (HB-005), not even completed yet (HB-013).
    assert scores(selected) == {
        "HB-001": (8, 10, "2026-11-20", "Vlot geholpen, één keer bellen"),
        "HB-005": (9, 10, "2026-11-21", None),
        "HB-013": (6, 10, "2026-11-03", "nog niet klaar"),
    }


def test_importing_the_same_file_twice_changes_nothing(selected, tmp_path):
    path = write(tmp_path / "enquete.csv", DUTCH, "cp1252")
    load(selected, path)
    again = load(selected, path)
    assert (again.read, again.new, again.unchanged, again.replaced) == (3, 0, 3, 0)
    conn = selected.connect()
    assert conn.execute("SELECT COUNT(*) FROM satisfaction").fetchone()[0] == 3
    kinds = conn.execute("SELECT kind, read, new, unchanged FROM imports WHERE kind != 'orders'")
    assert kinds.fetchall() == [("satisfaction", 3, 3, 0), ("satisfaction", 3, 0, 3)]
    conn.close()


def test_an_english_xlsx_with_number_and_date_cells(selected, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Response date", "Order ID", "Rating", "Comments", "Region"])
    # A comment that starts like a formula is written as text with a leading quote.
    sheet.append([datetime(2026, 11, 20), "HB-002", 4.0, neutralise("=te laat"), "Gent"])
    sheet.append([])
    sheet.append([datetime(2026, 11, 21, 14, 5), "HB-008", 6, None, "Leuven"])
    path = tmp_path / "survey.xlsx"
    book.save(path)
    result = load(selected, path)
    assert (result.new, result.rejected) == (2, 0)
    assert scores(selected) == {
        "HB-002": (4, 10, "2026-11-20", "=te laat"),
        "HB-008": (6, 10, "2026-11-21", None),
    }


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("HB-002;0;20/11/2026", "score: 0 is outside the scale 1 to 10"),
        ("HB-002;11;20/11/2026", "score: 11 is outside the scale 1 to 10"),
        ("HB-002;7,5;20/11/2026", "score: not a whole number: '7,5'"),
        ("HB-002;goed;20/11/2026", "score: not a number: 'goed'"),
        ("HB-002;;20/11/2026", "score: empty"),
        ("HB-999;7;20/11/2026", "order_id: unknown order 'HB-999'"),
        (";7;20/11/2026", "order_id: empty"),
        ("HB-002;7;28/11/2026", "responded_on: 2026-11-28 is in the future (today is 2026-11-27)"),
        ("HB-002;7;31/11/2026", "responded_on: impossible date: '31/11/2026'"),
    ],
)
def test_each_rejection_rule(selected, tmp_path, line, problem):
    path = write(tmp_path / "s.csv", "order_id;score;date\nHB-001;8;20/11/2026\n" + line + "\n")
    result = load(selected, path)
    assert (result.read, result.new, result.rejected) == (2, 1, 1)
    assert quarantined(result) == {"3": problem}


def test_the_scale_comes_from_the_config(selected, tmp_path):
    text = selected.config_path.read_text(encoding="utf-8")
    selected.config_path.write_text(
        text.replace("satisfaction_scale = 10", "satisfaction_scale = 5"), encoding="utf-8"
    )
    path = write(tmp_path / "s.csv", "order_id,score\nHB-001,5\nHB-002,6\n")
    result = load(selected, path)
    assert (result.new, result.rejected) == (1, 1)
    assert quarantined(result) == {"3": "score: 6 is outside the scale 1 to 5"}
    assert scores(selected) == {"HB-001": (5, 5, None, None)}


def test_a_different_score_needs_replace_and_keeps_the_first(selected, tmp_path):
    load(selected, write(tmp_path / "a.csv", "order_id,score,date\nHB-001,8,2026-11-20\n"))
    second = write(tmp_path / "b.csv", "order_id,score,date\nHB-001,3,2026-11-22\n")
    refused = load(selected, second)
    assert quarantined(refused) == {
        "2": "order_id: HB-001 already has score 8/10, responded on 2026-11-20; "
        "use --replace to replace it"
    }
    replaced = load(selected, second, replace=True)
    assert (replaced.replaced, replaced.rejected) == (1, 0)
    assert scores(selected)["HB-001"] == (3, 10, "2026-11-22", None)
    conn = selected.connect()
    history = score_history(conn, "HB-001")
    conn.close()
    assert [(h["score"], h["superseded_by"]) for h in history] == [
        (8, history[1]["id"]),
        (3, None),
    ]


def test_duplicate_rows_in_one_file(selected, tmp_path):
    path = write(
        tmp_path / "dup.csv",
        "order_id,score\nHB-001,8\nHB-001,8\nHB-002,4\nHB-002,5\n",
    )
    result = load(selected, path)
    assert (result.new, result.unchanged, result.rejected) == (1, 1, 2)
    assert quarantined(result) == {
        "4": "order_id: HB-002 appears in rows 4, 5 with different values",
        "5": "order_id: HB-002 appears in rows 4, 5 with different values",
    }


def test_a_file_without_a_score_column_is_refused_whole(selected, tmp_path):
    path = write(tmp_path / "s.csv", "order_id,datum\nHB-001,20/11/2026\n")
    result = load(selected, path)
    assert result.error == (
        f"{path}: missing required column(s): score; columns found: order_id, datum"
    )
    assert scores(selected) == {}


def test_add_one_score(selected):
    conn = selected.connect()
    try:

        def add(order_id, score, *, day=date(2026, 11, 20), replace=False, comment=None):
            return add_score(
                conn,
                order_id,
                score,
                scale=10,
                responded_on=day,
                comment=comment,
                today=TODAY,
                now=NOW,
                replace=replace,
            )

        assert add("HB-005", 7, comment=" prima ") == "new"
        assert add("HB-005", 7, comment="prima") == "unchanged"
        with pytest.raises(InvalidValue) as e:
            add("HB-005", 9)
        assert str(e.value) == (
            "HB-005 already has score 7/10, responded on 2026-11-20; use --replace to replace it"
        )
        assert add("HB-005", 9, replace=True) == "replaced"
        with pytest.raises(MalformedOption, match="--score must be from 1 to 10"):
            add("HB-005", 11)
        with pytest.raises(MalformedOption, match="--date 2026-11-28 is in the future"):
            add("HB-006", 5, day=date(2026, 11, 28))
        with pytest.raises(UnknownOrder, match="unknown order 'HB-999'"):
            add("HB-999", 5)
    finally:
        conn.close()
    assert scores(selected) == {"HB-005": (9, 10, "2026-11-20", None)}


@pytest.mark.parametrize(("text", "score"), [("8", 8), (" 8 ", 8), ("8.0", 8), ("8,0", 8)])
def test_parse_score(text, score):
    assert parse_score(text, 10) == score
