"""The bundled examples carry the whole control loop: daily, record, satisfaction import, reports.

examples/demo-seed.txt is the demo workspace's public seed; examples/returned/ holds the
inspection list as inspectors hand it back (the orders above the threshold, which every seed
selects, and the random sample that the demo seed draws) and examples/surveys/ a tenant survey.
The counts below are the ones examples/README.md promises a new user.
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
from decimal import Decimal
from pathlib import Path

from conftest import DEMO_SEED, EXAMPLES, NOW

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


def cents(text: str) -> int:
    """A Belgian amount of the list, "1234,56", in cents."""
    return int(text.replace(",", ""))


def test_loop_files_are_what_the_generator_writes(tmp_path):
    loop = generator().generate_loop(tmp_path)
    for name in (loop.returned, loop.survey, "demo-seed.txt"):
        assert (EXAMPLES / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_the_demo_seed_is_one_line_that_init_accepts(tmp_path, cli):
    assert (EXAMPLES / "demo-seed.txt").read_bytes() == DEMO_SEED.encode() + b"\n"
    assert len(DEMO_SEED) == 20 and DEMO_SEED.isdigit() and len(set(DEMO_SEED)) >= 4
    result = cli("init", tmp_path / "demo", "--seed-file", EXAMPLES / "demo-seed.txt")
    assert result.exit_code == 0, result.output


def test_returned_list_is_in_the_export_dialect():
    data = RETURNED.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    # A list exported before the amount decided on became its last column: record reads both.
    assert data.split(b"\r\n")[0].decode("utf-8-sig") == ";".join(COLUMNS[:-1])
    assert b"\n" not in data.replace(b"\r\n", b"")
    listed = rows(RETURNED, "utf-8-sig")
    assert {r["reason"] for r in listed} == {"above_threshold", "random_sample"}
    for r in listed:
        above = cents(r["amount_excl_vat"]) > 100_000
        assert above == (r["reason"] == "above_threshold"), r["order_id"]
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
    assert len({a["Bonnummer"] for a in answers}) == len(answers) == 882
    assert all(date(2026, 10, 1) <= day(a["Datum"]) <= date(2026, 11, 20) for a in answers)


def run(cli, *args: object) -> tuple[int, dict | list]:
    result = cli(*args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def daily_on_the_examples(cli, tmp_path: Path, seed: str) -> Workspace:
    ws: Workspace = init_workspace(tmp_path / "demo", seed, NOW)[0]
    for path in (EXAMPLES / "inbox").iterdir():
        shutil.copy(path, ws.inbox)
    code, daily = run(cli, "daily", "-w", ws.root, "--date", "2026-11-27")
    assert code == 3, daily  # the inbox files hold bad rows on purpose
    return ws


def selected(ws: Workspace) -> set[tuple[str, str]]:
    """(order id, reason) of every order on the workspace's inspection list."""
    [listed] = ws.exports.glob("inspections-new-*.csv")
    return {(r["order_id"], r["reason"]) for r in rows(listed, "utf-8-sig")}


def test_the_demo_seed_selects_exactly_the_orders_of_the_returned_list(cli, tmp_path):
    """The generator computes the sample with the package's tickets and rule; a daily run with
    the demo seed must draw that very sample, no order more or less."""
    ws = daily_on_the_examples(cli, tmp_path, DEMO_SEED)
    returned = {(r["order_id"], r["reason"]) for r in rows(RETURNED, "utf-8-sig")}
    assert selected(ws) == returned
    assert sum(reason == "random_sample" for _, reason in returned) == 47


def test_the_whole_loop_on_the_examples_with_the_demo_seed(cli, tmp_path):
    ws = daily_on_the_examples(cli, tmp_path, DEMO_SEED)
    code, recorded = run(cli, "record", "-w", ws.root, "--from", RETURNED)
    assert code == 3
    counts = {k: recorded[k] for k in ("read", "recorded", "unchanged", "open", "rejected")}
    assert counts == {"read": 101, "recorded": 95, "unchanged": 0, "open": 5, "rejected": 1}
    assert recorded["failed_visits"] == 2
    quarantined = Path(recorded["quarantine"]).read_text("utf-8-sig")
    assert "68;inspected_on: 2026-10-03 is before the repair was completed" in quarantined

    code, scored = run(cli, "satisfaction", "import", "-w", ws.root, SURVEY)
    assert code == 3
    assert {k: scored[k] for k in ("read", "new", "rejected")} == {
        "read": 882,
        "new": 881,
        "rejected": 1,
    }

    code, summary = run(cli, "report", "summary", "-w", ws.root)
    assert code == 0
    assert summary["mandatory"] == summary["above_threshold"] == 54
    assert summary["sampled"] == 47
    assert summary["inspected"] == 93
    assert (summary["ok"], summary["minor"], summary["major"], summary["not_done"]) == (
        73,
        8,
        7,
        5,
    )
    assert summary["failed_visits"] == 2
    assert summary["corrections_eur"] == "3892.00"
    # Open: 5 without a result, 2 failed visits, 1 rejected row; every sampled order inspected.
    assert summary["open"] == 8
    assert (summary["responses_inspected"], summary["responses_not_inspected"]) == (68, 813)

    code, scorecard = run(cli, "report", "contractors", "-w", ws.root)
    assert code == 0
    figures = {
        r["contractor"]: (r["inspected"], r["major"] + r["not_done"], r["corrections_eur"])
        for r in scorecard
        if r["inspected"]
    }
    assert figures == {
        "Bouwbedrijf Janssens NV": (16, 4, "1684.00"),
        "Peeters Sanitair BV": (10, 3, "1151.00"),
        "Électricité Dubois SRL": (6, 1, "153.00"),
        "Dakwerken Mertens BV": (61, 4, "904.00"),
    }

    code, projection = run(cli, "report", "projection", "-w", ws.root)
    assert code == 0
    keys = ("low_eur", "projected_eur", "high_eur")
    low, projected, high = (Decimal(projection[k]) for k in keys)
    assert 0 < low <= projected <= high
    assert (projection["sample_orders"], projection["note"]) == (47, None)
    assert projection["sample_orders"] >= 30
    # The sample is the random_sample rows of the list: no mandatory order's amount or
    # correction is in it.
    sample = [r for r in rows(RETURNED, "utf-8-sig") if r["reason"] == "random_sample"]
    amount = sum(cents(r["amount_excl_vat"]) for r in sample)
    corrections = sum(cents(r["correction_eur"]) for r in sample if r["correction_eur"])
    assert Decimal(projection["sample_amount_eur"]) == Decimal(amount) / 100
    assert Decimal(projection["sample_corrections_eur"]) == Decimal(corrections) / 100
    assert projection["sample_corrections_eur"] == summary["corrections_random_eur"] == "1171.00"
    assert projection["population_orders"] + 47 == summary["sampling_population"]
    assert (projection["projected_eur"], projection["low_eur"], projection["high_eur"]) == (
        "53722.19",
        "12866.00",
        "94578.37",
    )
    by_contractor = {r["contractor"]: r for r in projection["rows"]}
    assert by_contractor["Dakwerken Mertens BV"]["sample_orders"] == 41
    assert by_contractor["Dakwerken Mertens BV"]["projected_eur"] is not None
    assert by_contractor["Peeters Sanitair BV"]["note"] == "too few inspections to project"


def test_another_seed_rejects_the_demo_sample_of_the_returned_list(cli, tmp_path):
    """The orders above the threshold are recorded whatever the seed; the sampled rows only
    where the seed selected them too."""
    ws = daily_on_the_examples(cli, tmp_path, OTHER_SEED)
    mine = {oid for oid, reason in selected(ws) if reason == "random_sample"}
    demo = {r["order_id"] for r in rows(RETURNED, "utf-8-sig") if r["reason"] == "random_sample"}
    code, recorded = run(cli, "record", "-w", ws.root, "--from", RETURNED)
    assert code == 3
    assert recorded["read"] == 101
    assert recorded["rejected"] == 1 + len(demo - mine)
    assert recorded["recorded"] == 95 - len(demo - mine)
    quarantined = Path(recorded["quarantine"]).read_text("utf-8-sig")
    assert quarantined.count("was not selected for inspection") == len(demo - mine) > 40
    code, projection = run(cli, "report", "projection", "-w", ws.root)
    assert projection["note"] == "too few inspections to project"


def test_the_readme_states_the_counts_the_loop_gives():
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    assert (
        "With the demo seed, `record` reads 101 rows: 95 recorded (of which 2 failed visits), "
        "5 open, 1 rejected" in text
    )
    assert "93 orders inspected, 12 failures (major + not done) and EUR 3,892.00" in text
    assert (
        "from the 47 inspected sampled orders: EUR 53,722.19 (95% interval EUR 12,866.00 to "
        "94,578.37)" in text
    )
    assert "`satisfaction import` reads 882 rows: 881 new, 1 rejected" in text
