"""The bundled examples carry the whole control loop: daily, record, satisfaction import, reports.

examples/returned/ holds the inspection list as inspectors hand it back (only orders above the
threshold, which every seed selects) and examples/surveys/ a tenant survey. The counts below are
the ones examples/README.md promises a new user.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import io
import json
import shutil
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import EXAMPLES, NOW

from inspect_cli.export import COLUMNS
from inspect_cli.workdays import due_date
from inspect_cli.workspace import Workspace, init_workspace

RETURNED = EXAMPLES / "returned" / "inspections-returned-2026-11.csv"
SURVEY = EXAMPLES / "surveys" / "tevredenheid-2026-q4.csv"
OTHER_SEED = "90210448713355260991"


@functools.cache
def generator():
    """examples/generate.py is a script, not part of the package: load it by path."""
    path = EXAMPLES / "generate.py"
    spec = importlib.util.spec_from_file_location("examples_loop_generate", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


def rows(path: Path, encoding: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding)), delimiter=";"))


def day(text: str) -> date:
    return datetime.strptime(text, "%d/%m/%Y").date()


def test_loop_files_are_what_the_generator_writes(tmp_path):
    loop = generator().generate_loop(tmp_path)
    for name in (loop.returned, loop.survey):
        assert (EXAMPLES / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_returned_list_is_in_the_export_dialect():
    data = RETURNED.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # A list exported before the amount decided on became its last column: record reads both.
    assert data.split(b"\r\n")[0].decode("utf-8-sig") == ";".join(COLUMNS[:-1])
    assert b"\n" not in data.replace(b"\r\n", b"")
    listed = rows(RETURNED, "utf-8-sig")
    assert {r["reason"] for r in listed} == {"above_threshold"}
    assert all("," in r["amount_excl_vat"] and "." not in r["amount_excl_vat"] for r in listed)
    assert all(r["correction_eur"].endswith(",00") for r in listed if r["correction_eur"])


def test_returned_dates_follow_completion_and_belgian_working_days():
    for r in rows(RETURNED, "utf-8-sig"):
        completed, selected = day(r["completed_on"]), day(r["selected_on"])
        assert selected == due_date(completed, 1)
        assert day(r["due_on"]) == due_date(selected, 10)
        if r["inspected_on"]:
            assert day(r["inspected_on"]) <= date(2026, 11, 20)


def test_survey_is_a_dutch_export_with_one_bad_score():
    answers = rows(SURVEY, "cp1252")
    assert list(answers[0]) == ["Bonnummer", "Score", "Datum", "Opmerking"]
    assert [a["Score"] for a in answers if not 1 <= int(a["Score"]) <= 10] == ["11"]
    assert len({a["Bonnummer"] for a in answers}) == len(answers) == 116
    assert all(date(2026, 10, 1) <= day(a["Datum"]) <= date(2026, 11, 20) for a in answers)


def run(cli, *args: object) -> tuple[int, dict | list]:
    result = cli(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("seed", ["37195408226615390473", OTHER_SEED])
def test_the_whole_loop_on_the_examples(cli, tmp_path, seed):
    ws: Workspace = init_workspace(tmp_path / "demo", seed, NOW)[0]
    for path in (EXAMPLES / "inbox").iterdir():
        shutil.copy(path, ws.inbox)
    code, daily = run(cli, "daily", "-w", ws.root, "--date", "2026-11-27")
    assert code == 3, daily  # the inbox files hold bad rows on purpose

    code, recorded = run(cli, "record", "-w", ws.root, "--from", RETURNED)
    assert code == 3
    counts = {k: recorded[k] for k in ("read", "recorded", "unchanged", "open", "rejected")}
    assert counts == {"read": 34, "recorded": 28, "unchanged": 0, "open": 5, "rejected": 1}
    assert recorded["failed_visits"] == 2
    quarantined = Path(recorded["quarantine"]).read_text("utf-8-sig")
    assert "24;inspected_on: 2026-10-03 is before the repair was completed" in quarantined

    code, scored = run(cli, "satisfaction", "import", "-w", ws.root, SURVEY)
    assert code == 3
    assert {k: scored[k] for k in ("read", "new", "rejected")} == {
        "read": 116,
        "new": 115,
        "rejected": 1,
    }

    code, summary = run(cli, "report", "summary", "-w", ws.root)
    assert code == 0
    assert summary["mandatory"] == summary["above_threshold"] == 34
    assert summary["inspected"] == 26
    assert (summary["ok"], summary["minor"], summary["major"], summary["not_done"]) == (
        16,
        5,
        3,
        2,
    )
    assert summary["failed_visits"] == 2
    assert summary["corrections_eur"] == "2491.00"
    # Open: 5 without a result, 2 failed visits, 1 rejected row, and the random sample.
    assert summary["open"] == 8 + summary["sampled"]
    assert (summary["responses_inspected"], summary["responses_not_inspected"]) == (22, 93)

    code, scorecard = run(cli, "report", "contractors", "-w", ws.root)
    assert code == 0
    figures = {
        r["contractor"]: (r["inspected"], r["major"] + r["not_done"], r["corrections_eur"])
        for r in scorecard
        if r["inspected"]
    }
    assert figures == {
        "Bouwbedrijf Janssens NV": (14, 3, "1454.00"),
        "Peeters Sanitair BV": (8, 2, "1037.00"),
        "Électricité Dubois SRL": (4, 0, "0.00"),
    }


def test_the_readme_states_the_counts_the_loop_gives():
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert (
        "`record` reads 34 rows: 28 recorded (of which 2 failed visits), 5 open, 1 rejected" in text
    )
    assert "26 orders inspected, 5 failures (major + not done) and EUR 2,491.00" in text
    assert "`satisfaction import` reads 116 rows: 115 new, 1 rejected" in text
