"""``report board``, ``report projection`` and the cost and benefit, on the bundled examples and
on a workspace with a random sample large enough to project from."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import DEMO_SEED, EXAMPLES, NOW
from typer.testing import CliRunner

from inspect_cli.cli.main import app
from inspect_cli.workspace import Workspace, init_workspace

RETURNED = EXAMPLES / "returned" / "inspections-returned-2026-11.csv"
SURVEY = EXAMPLES / "surveys" / "tevredenheid-2026-q4.csv"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The bundled examples' whole loop with their demo seed: daily, the returned list (with
    the random sample that seed draws), the survey."""
    ws = init_workspace(tmp_path_factory.mktemp("board") / "demo", DEMO_SEED, NOW)[0]
    for path in (EXAMPLES / "inbox").iterdir():
        shutil.copy(path, ws.inbox)
    assert invoke("daily", "-w", ws.root, "--date", "2026-11-27").exit_code == 3
    assert invoke("record", "-w", ws.root, "--from", RETURNED).exit_code == 3
    assert invoke("satisfaction", "import", "-w", ws.root, SURVEY).exit_code == 3
    return ws


def stored(ws: Workspace, sql: str) -> list[tuple]:
    conn = ws.connect()
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def board(ws: Workspace, out: Path, *args: object) -> str:
    result = invoke("report", "board", "-w", ws.root, "--date", "2026-11-27", "--out", out, *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"board report written to {out}\n"
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("lang", "word"), [("en", "Contractor"), ("nl", "Aannemer"), ("fr", "Entrepreneur")]
)
def test_the_board_report_of_the_examples(examples, tmp_path, lang, word):
    page = board(examples, tmp_path / f"board-{lang}.html", "--lang", lang)
    assert f"<th>{word}</th>" in page
    contractors = [name for (name,) in stored(examples, "SELECT DISTINCT contractor FROM orders")]
    assert len(contractors) == 8
    for name in contractors:
        assert html.escape(name) in page, name
    assert page.count('<svg class="chart"') >= 4
    [(run_hash,)] = stored(examples, "SELECT hash FROM selection_runs ORDER BY run_id DESC LIMIT 1")
    assert run_hash in page
    [(commitment,)] = stored(examples, "SELECT value FROM meta WHERE key = 'seed_commitment'")
    assert commitment in page
    # Self-contained: nothing is fetched (the SVG namespace is a name, not a download).
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page


def test_the_board_report_speaks_the_workspace_language(examples, tmp_path):
    config = examples.config_path.read_text(encoding="utf-8")
    examples.config_path.write_text(config.replace('language = "en"', 'language = "fr"'), "utf-8")
    try:
        page = board(examples, tmp_path / "board.html")
    finally:
        examples.config_path.write_text(config, encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "Ce que ces chiffres ne peuvent pas montrer : l'effet dissuasif." in html.unescape(page)


def test_the_board_report_needs_a_file(examples):
    result = invoke("report", "board", "-w", examples.root)
    assert result.exit_code == 2
    assert result.stderr == "Error: report board needs --out FILE.html\n"


PROBE = """
<script>
window.addEventListener("load", () => {
  const sizes = [...document.querySelectorAll("svg.chart")].map((svg) => {
    const box = svg.getBBox();
    const marks = svg.querySelectorAll("rect, circle, line, polygon, path").length;
    return [Math.round(box.width), Math.round(box.height), marks].join("x");
  });
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = sizes.join(" ");
  document.body.appendChild(out);
});
</script>
"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_the_board_report_in_headless_chromium(examples, tmp_path):
    """Load the page in a real browser, offline: no console errors, every chart draws."""
    page = board(examples, tmp_path / "board.html", "--lang", "nl")
    # A copy with a probe that measures each chart as the browser lays it out.
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    common = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    done = subprocess.run(
        [
            *common,
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    assert "net::ERR" not in done.stderr
    probe = re.search(r'<pre id="probe">([^<]*)</pre>', done.stdout)
    assert probe, done.stdout[-500:]
    charts = probe[1].split()
    assert len(charts) == page.count('<svg class="chart"') >= 4
    for chart in charts:
        width, height, marks = map(int, chart.split("x"))
        assert width > 50 and height > 50 and marks > 0, charts
    # The first A4 page (794 x 1123 CSS pixels), for a person to look at.
    shot = tmp_path / "board-first-page.png"
    subprocess.run(
        [
            *common,
            "--window-size=794,1123",
            f"--screenshot={shot}",
            (tmp_path / "board.html").as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000


# --- projection ---------------------------------------------------------------------------------


def test_projection_on_the_examples(examples):
    """The demo seed's random sample, every order of it inspected, is enough to project from
    for all contractors together and for the one large contractor; not for the small ones."""
    result = invoke("report", "projection", "-w", examples.root, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("sample_orders", "projected_eur", "low_eur", "high_eur")} == {
        "sample_orders": 47,
        "projected_eur": "53722.19",
        "low_eur": "12866.00",
        "high_eur": "94578.37",
    }
    summary = json.loads(
        invoke("report", "summary", "-w", examples.root, "--format", "json").stdout
    )
    # The orders of the draw less those inspected: the projection is onto the others.
    assert data["population_orders"] == summary["sampling_population"] - 47
    assert summary["projected_eur"] == "53722.19"
    projected = [r["contractor"] for r in data["rows"] if r["projected_eur"] is not None]
    assert projected == ["Dakwerken Mertens BV"]
    assert len(data["rows"]) == 8


ORDERS = 400


@pytest.fixture
def sampled(workspace: Workspace, tmp_path: Path) -> Workspace:
    """400 orders below the threshold, a sample rate of 0.25, and every sampled order
    inspected: one in five with a correction of a tenth of its amount."""
    config = workspace.config_path.read_text(encoding="utf-8")
    config = config.replace('sample_rate = "0.02"', 'sample_rate = "0.25"')
    config = config.replace('# inspection_cost_eur = "150.00"', 'inspection_cost_eur = "150.00"')
    workspace.config_path.write_text(config, encoding="utf-8")
    lines = ["Bonnummer;Aannemer;Bedrag excl. btw;Datum uitvoering"]
    for i in range(ORDERS):
        contractor = "Janssens NV" if i % 2 else "Peeters BV"
        lines.append(f"P-{i:04d};{contractor};{100 + (i * 37) % 800},00;15/10/2026")
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert invoke("ingest", "-w", workspace.root, orders).exit_code == 0
    assert invoke("select", "-w", workspace.root, "--date", "2026-11-27").exit_code == 0
    listed = tmp_path / "list.csv"
    assert (
        invoke("export", "-w", workspace.root, "--out", listed, "--dialect", "standard").exit_code
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(listed.read_text(encoding="utf-8"))))
    for n, row in enumerate(rows):
        cents = round(float(row["amount_excl_vat"]) * 100)
        row.update(inspector="An", inspected_on="2026-11-20", result="ok" if n % 5 else "major")
        row["correction_eur"] = "0.00" if n % 5 else f"{cents // 10 / 100:.2f}"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    listed.write_text(out.getvalue(), encoding="utf-8")
    assert invoke("record", "-w", workspace.root, "--from", listed).exit_code == 0
    return workspace


def test_projection_from_a_random_sample(sampled):
    result = invoke("report", "projection", "-w", sampled.root, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [(n, amount, corrections)] = stored(
        sampled,
        "SELECT COUNT(*), SUM(o.amount_cents), SUM(i.correction_cents) FROM decisions d "
        "JOIN orders o USING (order_id) JOIN inspections i USING (order_id) "
        "WHERE d.reason = 'random_sample'",
    )
    [(everything,)] = stored(sampled, "SELECT SUM(amount_cents) FROM orders")
    assert n > 60
    assert data["sample_orders"] == n
    assert data["sample_amount_eur"] == f"{amount // 100}.{amount % 100:02d}"
    assert data["sample_corrections_eur"] == f"{corrections // 100}.{corrections % 100:02d}"
    assert data["population_orders"] == ORDERS - n
    rest = everything - amount
    assert data["population_amount_eur"] == f"{rest // 100}.{rest % 100:02d}"
    projected, low, high = (float(data[k]) for k in ("projected_eur", "low_eur", "high_eur"))
    assert projected == pytest.approx(corrections / amount * rest / 100, abs=0.01)
    assert 0 <= low < projected < high
    # Each contractor has about half the sample: above the minimum of 30, so projected too.
    assert [r["contractor"] for r in data["rows"]] == ["Janssens NV", "Peeters BV"]
    assert all(r["projected_eur"] is not None for r in data["rows"])
    page = board(sampled, sampled.root / "board.html")
    # The projection chart: one row for everyone, one per contractor.
    chart = page.split('aria-label="Projected corrections of the orders not inspected')[1]
    assert chart.split("</svg>")[0].count("<circle") == 3


def test_summary_shows_cost_and_benefit(sampled):
    result = invoke("report", "summary", "-w", sampled.root, "--format", "json")
    data = json.loads(result.stdout)
    [(n, corrections)] = stored(
        sampled,
        "SELECT COUNT(*), SUM(correction_cents) FROM inspections",
    )
    assert data["visits"] == n
    assert data["inspection_cost_eur"] == f"{150 * n}.00"
    assert data["corrections_mandatory_eur"] == "0.00"
    assert data["corrections_random_eur"] == f"{corrections // 100}.{corrections % 100:02d}"
    assert float(data["net_eur"]) == pytest.approx(corrections / 100 - 150 * n)
    table = invoke("report", "summary", "-w", sampled.root, "--lang", "nl").stdout
    assert "Kost van de bezoeken (EUR)" in table
    assert f"{150 * n:,}".replace(",", ".") + ",00" in table
    assert "Wat deze cijfers niet kunnen tonen: het afschrikeffect." in table.replace("\n", " ")


def test_the_board_report_of_an_empty_workspace(workspace, tmp_path):
    page = board(workspace, tmp_path / "board.html", "--lang", "nl")
    assert "Nog geen selectieronde." in page
    assert "Geverifieerd bij het opmaken van dit rapport" in page
    assert page.count('<svg class="chart"') == 4  # months, sample rate, failure rates, satisfaction


def test_the_board_report_states_the_verify_it_ran(examples, tmp_path):
    """verify runs while the report is written: its result is on the page, in its language."""
    page = board(examples, tmp_path / "board.html")
    decisions = stored(examples, "SELECT COUNT(*) FROM decisions")[0][0]
    assert (
        "Verified while writing this report" in page
        and f"(decisions: {decisions}, runs: 1)" in page
    )


def test_the_board_report_says_when_verify_fails_or_cannot_run(workspace, tmp_path):
    """A store changed behind the chain's back is reported as a failed verification; a copy
    without the seed says it was not verified."""
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,contractor,amount_excl_vat,completed_on\nA-1,Janssens,1500.00,2026-11-20\n",
        encoding="utf-8",
    )
    assert invoke("ingest", "-w", workspace.root, path).exit_code == 0
    assert invoke("select", "-w", workspace.root, "--date", "2026-11-27").exit_code == 0
    conn = workspace.connect()
    with conn:
        conn.execute("UPDATE decisions SET amount_cents = 90000, selected = 0, reason = NULL")
    conn.close()
    page = board(workspace, tmp_path / "failed.html")
    assert "Verification FAILED while writing this report" in page
    workspace.seed_path.unlink()
    page = board(workspace, tmp_path / "no-seed.html", "--lang", "fr")
    assert "Non vérifié lors de l'établissement de ce rapport" in html.unescape(page)


def test_the_board_reports_a_seed_that_does_not_match_as_a_failed_verification(workspace, tmp_path):
    """verify runs as its own command: a seed file changed since init makes it fail, which the
    page states and stderr explains; the board report itself is still written."""
    workspace.seed_path.write_text("90210448713355260991\n", encoding="utf-8")
    out = tmp_path / "board.html"
    result = invoke("report", "board", "-w", workspace.root, "--date", "2026-11-27", "--out", out)
    assert result.exit_code == 0, result.output
    assert "report board: verify could not check the store:" in result.stderr
    assert "seed does not match the commitment" in result.stderr
    assert "Verification FAILED while writing this report" in out.read_text(encoding="utf-8")


def test_the_verify_the_board_report_runs_is_logged_as_every_verify(examples, tmp_path):
    board(examples, tmp_path / "board.html")
    log = (examples.logs / "inspect-cli.log").read_text(encoding="utf-8")
    assert "verify ok; " in log


def test_the_board_verifies_in_its_own_process_when_it_cannot_start_another(
    examples, workspace, tmp_path, monkeypatch
):
    """Where no interpreter can be started (an embedded Python), verify runs in the report's
    own process and the page states the same result."""

    def no_process(*args, **kwargs):
        raise OSError("no interpreter")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    page = board(examples, tmp_path / "board.html")
    decisions = stored(examples, "SELECT COUNT(*) FROM decisions")[0][0]
    assert f"(decisions: {decisions}, runs: 1)" in page
    workspace.seed_path.write_text("90210448713355260991\n", encoding="utf-8")
    out = tmp_path / "failed.html"
    result = invoke("report", "board", "-w", workspace.root, "--date", "2026-11-27", "--out", out)
    assert "seed does not match the commitment" in result.stderr
    assert "Verification FAILED while writing this report" in out.read_text(encoding="utf-8")
