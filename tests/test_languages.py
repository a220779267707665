"""Dutch and French: the catalogues cover every text, lists go out and come back in any language."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from conftest import DEMO_SEED, EXAMPLES, NOW, SEED
from typer.testing import CliRunner

from inspect_cli import board, signals
from inspect_cli import reports as rp
from inspect_cli.cli.main import app
from inspect_cli.config import ConfigError, parse_config
from inspect_cli.export import COLUMNS
from inspect_cli.headers import map_columns
from inspect_cli.i18n import LIST_CONTEXT, catalogue, list_header_fields, list_headers
from inspect_cli.rule import REASONS
from inspect_cli.workspace import Workspace, init_workspace

RETURNED = EXAMPLES / "returned" / "inspections-returned-2026-11.csv"
TEMPLATE = Path(board.__file__).parent / "templates" / "board.html.j2"
SAME_IN_BOTH = {"ok", "n", "p"}
"""Labels that read the same in English, Dutch and French."""


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def messages() -> set[str]:
    """Every English text the reports and the board report show."""
    found = {
        c.label.strip()
        for columns in (
            rp.SUMMARY_COLUMNS,
            rp.COST_COLUMNS,
            rp.CONTRACTOR_COLUMNS,
            rp.OVERDUE_COLUMNS,
            rp.SATISFACTION_COLUMNS,
            rp.PROJECTION_COLUMNS,
            signals.SPLIT_COLUMNS,
            signals.SIGNAL_COLUMNS,
            signals.DOUBLE_COLUMNS,
        )
        for c in columns
    }
    found |= set(rp.SORTS.values()) | {title for _key, title in board.RADAR_AXES}
    found |= {rp.TOO_FEW, rp.TOO_FEW_TO_PROJECT, rp.CANNOT_SHOW, rp.TOTAL, "nothing to report"}
    found |= {name for _bound, name in signals.NIGRINI_RANGES}
    found |= {"nonconformity", signals.TOO_FEW_AMOUNTS}
    found |= set(REASONS)
    found |= set(re.findall(r'_\("([^"]+)"\)', TEMPLATE.read_text(encoding="utf-8")))
    return found - SAME_IN_BOTH


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_text_has_a_translation(lang):
    translated = {msgid for (context, msgid) in catalogue(lang) if context is None}
    assert sorted(messages() - translated) == []


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_every_list_header_is_translated_and_distinct(lang):
    headers = list_headers(COLUMNS, lang)
    assert len(set(headers)) == len(COLUMNS)
    assert all((LIST_CONTEXT, name) in catalogue(lang) for name in COLUMNS)


def test_placeholders_survive_translation():
    for lang in ("nl", "fr"):
        for (_context, msgid), text in catalogue(lang).items():
            assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid


@pytest.fixture
def daily(tmp_path: Path) -> Workspace:
    ws = init_workspace(tmp_path / "demo", SEED, NOW)[0]
    for path in (EXAMPLES / "inbox").iterdir():
        (ws.inbox / path.name).write_bytes(path.read_bytes())
    assert invoke("daily", "-w", ws.root, "--date", "2026-11-27").exit_code == 3
    return ws


def test_export_writes_the_headers_in_dutch(daily, tmp_path):
    out = tmp_path / "lijst.csv"
    assert invoke("export", "-w", daily.root, "--out", out, "--lang", "nl").exit_code == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == (
        "bonnummer;reden;aannemer;woning;adres;postcode;gemeente;categorie;omschrijving;"
        "bedrag_excl_btw;uitgevoerd_op;geselecteerd_op;uiterlijk_op;controleur;gecontroleerd_op;"
        "resultaat;bevindingen;correctie_eur;bedrag_beslist_eur"
    )


RESULT_WORDS = {
    "nl": {
        "ok": "Conform",
        "minor": "Kleine gebreken",
        "major": "Ernstige gebreken",
        "not_done": "Niet uitgevoerd",
        "no_access": "Geen toegang",
    },
    "fr": {
        "ok": "Conforme",
        "minor": "Remarques mineures",
        "major": "Défauts graves",
        "not_done": "Non exécuté",
        "no_access": "Pas d'accès",
    },
}
"""How an inspector working in the language writes each result."""


def translated(path: Path, lang: str, tmp_path: Path) -> Path:
    """The returned English list with its header row and its results in another language."""
    text = path.read_bytes().decode("utf-8-sig")
    first, rest = text.split("\r\n", 1)
    columns = COLUMNS[:-1]  # the bundled list predates the amount-decided column
    assert first.split(";") == list(columns)
    rows = list(csv.reader(io.StringIO(rest), delimiter=";"))
    at = columns.index("result")
    words = {**RESULT_WORDS[lang], "conform": RESULT_WORDS[lang]["ok"]}
    words["geen toegang"] = RESULT_WORDS[lang]["no_access"]
    for row in rows:
        if row and row[at]:
            row[at] = words[row[at]]
    body = io.StringIO()
    csv.writer(body, delimiter=";", lineterminator="\r\n").writerows(rows)
    out = tmp_path / f"{lang}-{path.name}"
    header = ";".join(list_headers(columns, lang))
    out.write_bytes((header + "\r\n" + body.getvalue()).encode("utf-8-sig"))
    return out


def recorded(ws: Workspace) -> list[tuple]:
    conn = ws.connect()
    try:
        return conn.execute(
            "SELECT order_id, inspector, inspected_on, result, findings, correction_cents "
            "FROM inspections ORDER BY order_id, id"
        ).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_a_returned_list_in_dutch_or_french_is_recorded_like_the_english_one(tmp_path, lang):
    english = init_workspace(tmp_path / "en", DEMO_SEED, NOW)[0]
    other = init_workspace(tmp_path / lang, DEMO_SEED, NOW)[0]
    for ws in (english, other):
        for path in (EXAMPLES / "inbox").iterdir():
            (ws.inbox / path.name).write_bytes(path.read_bytes())
        assert invoke("daily", "-w", ws.root, "--date", "2026-11-27").exit_code == 3
    first = invoke("record", "-w", english.root, "--from", RETURNED, "--format", "json")
    second = invoke(
        "record",
        "-w",
        other.root,
        "--from",
        translated(RETURNED, lang, tmp_path),
        "--format",
        "json",
    )
    assert (first.exit_code, second.exit_code) == (3, 3)
    keys = ("read", "recorded", "unchanged", "open", "rejected", "failed_visits")
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert (
        {k: a[k] for k in keys}
        == {k: b[k] for k in keys}
        == {
            "read": 101,
            "recorded": 95,
            "unchanged": 0,
            "open": 5,
            "rejected": 1,
            "failed_visits": 2,
        }
    )
    assert recorded(other) == recorded(english) != []


def test_report_tables_in_french_and_dutch(daily):
    fr = invoke("report", "contractors", "-w", daily.root, "--lang", "fr", "--date", "2026-11-27")
    assert fr.exit_code == 0
    assert fr.stdout.startswith("Entrepreneurs : tous les bons exécutés\nEntrepreneur ")
    nl = invoke("report", "summary", "-w", daily.root, "--lang", "nl", "--period", "2026-10")
    assert nl.stdout.startswith("Overzicht: uitgevoerd van 01/10/2026 tot 31/10/2026\n")
    assert "Uitgaven excl. btw (EUR)" in nl.stdout and "347.255,57" in nl.stdout
    assert re.search(r"\n Toets steekproeffractie +binnen het toeval rond het doel", nl.stdout)
    # Machine output does not change with the language.
    a = invoke("report", "contractors", "-w", daily.root, "--lang", "fr", "--format", "csv")
    b = invoke("report", "contractors", "-w", daily.root, "--format", "csv")
    assert a.stdout == b.stdout
    assert next(csv.reader(io.StringIO(a.stdout)))[0] == "contractor"


def test_split_and_signal_tables_in_french_and_dutch(daily):
    """The reports of issue 14 speak the table's language too: titles, headers, notes."""
    nl = invoke("report", "splits", "-w", daily.root, "--lang", "nl").stdout
    assert nl.startswith("Gesplitste bestellingen: alle uitgevoerde bonnen\nAannemer  ")
    assert "Woning" in nl and "Totaal (EUR)" in nl
    assert "groepen: bonnen van één aannemer in één woning, elk hoogstens EUR 1.000,00" in nl
    fr = invoke("report", "signals", "-w", daily.root, "--lang", "fr").stdout
    assert fr.startswith("Signaux par entrepreneur : tous les bons exécutés\nEntrepreneur ")
    assert "Près seuil : part des bons de EUR 900,00 à EUR 1.000,00" in fr
    assert "Double facturation possible : même entrepreneur, logement et montant" in fr
    assert "jamais la preuve de quoi que ce soit." in fr
    assert "trop peu de montants (0." in fr and "too few amounts" not in fr
    assert "rien à signaler" in fr  # the examples hold no possible double billing


def test_overdue_reasons_in_the_table_language(daily):
    late = ("report", "overdue", "-w", daily.root, "--date", "2027-02-15")
    assert "au-dessus du seuil" in invoke(*late, "--lang", "fr").stdout
    assert "boven de drempel" in invoke(*late, "--lang", "nl").stdout
    assert "above_threshold" in invoke(*late, "--lang", "en").stdout
    assert "\nJAN-" in invoke(*late, "--lang", "fr", "--format", "csv").stdout
    en = invoke("report", "signals", "-w", daily.root, "--lang", "en").stdout
    assert "Near thr.: share of orders from EUR 900.00 to EUR 1000.00" in en


@pytest.mark.parametrize(("lang", "word"), [("en", "all"), ("nl", "alle"), ("fr", "tous")])
def test_the_row_of_all_contractors_is_named_in_the_table_language(daily, lang, word):
    """The projection's and satisfaction's totals row, in tables; CSV and JSON keep "all"."""
    for report in ("projection", "satisfaction"):
        table = invoke("report", report, "-w", daily.root, "--lang", lang).stdout.splitlines()
        assert table[2].split()[0] == word, table[2]
        data = invoke("report", report, "-w", daily.root, "--lang", lang, "--format", "csv")
        assert "\nall," in data.stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "inspection_cost_eur = 150.0",
            'inspection_cost_eur must be a quoted string such as "150.0"',
        ),
        (
            'inspection_cost_eur = "-1.00"',
            'inspection_cost_eur must be an amount >= 0 in cents, such as "150.00"',
        ),
        (
            'inspection_cost_eur = "12.345"',
            'inspection_cost_eur must be an amount >= 0 in cents, such as "150.00"',
        ),
        (
            'inspection_cost_eur = "NaN"',
            'inspection_cost_eur must be an amount >= 0 in cents, such as "150.00"',
        ),
        ('inspection_cost_eur = "veel"', "inspection_cost_eur is not a number: 'veel'"),
        ('language = "de"', "language must be one of en, nl, fr, got 'de'"),
    ],
)
def test_bad_cost_or_language_in_the_config(line, message):
    import tomllib

    with pytest.raises(ConfigError) as e:
        parse_config(tomllib.loads(line), Path("inspect-cli.toml"))
    assert str(e.value) == f"inspect-cli.toml: {message}"


def test_cost_and_language_in_the_config():
    import tomllib

    config = parse_config(
        tomllib.loads('inspection_cost_eur = "150.50"\nlanguage = "nl"'), Path("x.toml")
    )
    assert (config.inspection_cost_cents, config.language) == (15050, "nl")
    assert parse_config({}, Path("x.toml")).inspection_cost_cents is None


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_each_header_of_a_returned_list_finds_its_own_field(lang):
    headers = list_headers(COLUMNS, lang)
    found = map_columns(headers, list_header_fields(COLUMNS), fields=COLUMNS)
    assert found == dict(zip(COLUMNS, headers, strict=True))
