"""Generate fictitious contractor files: the bundled examples, test material and benchmark input.

Deterministic: the same arguments always give byte-identical files. Every contractor, dwelling
and address is invented; the postcodes and municipalities are real Flemish ones.

    python examples/generate.py --out examples/inbox --readme examples/README.md
    python examples/generate.py --out /tmp/bench --orders 1000000 --shape be

Three shapes, one fictitious contractor each:

- be:   Bouwbedrijf Janssens, Dutch headers, `;`, Windows-1252, `1.234,56`, `27/11/2026`
- en:   Peeters Sanitair, English headers, `,`, UTF-8, `1234.56`, ISO dates
- xlsx: Électricité Dubois, French headers, real number and date cells

Each file carries a fixed set of deliberately bad rows (missing amount, impossible date
31/02/2026, amount "abc", one id used twice with different values), two rows that are not
completed yet (valid, no completion date), two rows of exactly 1,000.00 and some text starting
with `=`, `+`, `-` or `@` (formula-injection material; valid rows). The generator returns exact
counts for all of them, and --readme writes them down.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import random
import re
import shlex
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

SHAPES = ("be", "en", "xlsx")
SHARE = {"be": 0.45, "en": 0.35, "xlsx": 0.20}
MIN_ORDERS = 30
DWELLINGS = 5_000
EXACT_THRESHOLD_CENTS = 100_000
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

MUNICIPALITIES = (
    ("9000", "Gent"),
    ("2000", "Antwerpen"),
    ("3000", "Leuven"),
    ("8000", "Brugge"),
    ("2800", "Mechelen"),
    ("9300", "Aalst"),
    ("3500", "Hasselt"),
    ("8500", "Kortrijk"),
    ("9100", "Sint-Niklaas"),
    ("2300", "Turnhout"),
    ("8800", "Roeselare"),
    ("3600", "Genk"),
    ("9200", "Dendermonde"),
    ("2500", "Lier"),
    ("1800", "Vilvoorde"),
    ("8400", "Oostende"),
    ("9400", "Ninove"),
    ("3800", "Sint-Truiden"),
    ("2200", "Herentals"),
    ("8900", "Ieper"),
)
STREETS = (
    "Kerkstraat",
    "Stationsstraat",
    "Dorpsstraat",
    "Molenstraat",
    "Nieuwstraat",
    "Schoolstraat",
    "Veldstraat",
    "Kapelstraat",
    "Beukenlaan",
    "Lindelaan",
    "Brugsesteenweg",
    "Sint-Jozefstraat",
    "Hoogstraat",
    "Kouter",
    "Populierenlaan",
    "Meersstraat",
    "Vlasgaardstraat",
    "Ter Rivierenlaan",
)

# category -> descriptions, per shape. The Dutch ones carry accents and an en dash (0x96 in
# Windows-1252) on purpose.
WORK_BE = {
    "sanitair": (
        "Vervanging kraan keuken",
        "Herstelling lekkende sifon badkamer",
        "Ontstopping afvoer lavabo",
        "Vervanging wc-spoelbak",
    ),
    "elektriciteit": (
        "Vervanging defect stopcontact",
        "Herstelling verlichting traphal",
        "Plaatsing rookmelder \u2013 slaapkamer",
    ),
    "dakwerken": (
        "Herstelling dakgoot",
        "Vervanging gebroken dakpannen",
        "Dichten lek plat dak na stormschade",
    ),
    "schilderwerken": (
        "Schilderwerk gevel \u2013 tweede verdieping",
        "Schilderen traphal na waterschade",
        "Behandeling schimmel en schilderwerk badkamer",
    ),
    "ramen en deuren": (
        "Vervanging gebroken ruit (dubbele beglazing)",
        "Herstelling slot voordeur",
        "Vervanging deurpomp inkomhal",
    ),
    "verwarming": (
        "Herstelling lek radiator slaapkamer",
        "Vervanging thermostaat",
        "Één radiator vervangen in living",
    ),
    "schrijnwerkerij": (
        "Herstelling keukenkast",
        "Coördinatie herstelling trap na inbraak",
        "Reële meerwerken na nazicht plinten",
    ),
    "metselwerk": (
        "Herstelling voegwerk achtergevel",
        "Vernieuwing plafond \u2013 waterinsijpeling",
    ),
}
WORK_EN = {
    "plumbing": (
        "Replace kitchen tap",
        "Repair leaking siphon in bathroom",
        "Unblock washbasin drain",
        "Replace toilet cistern",
    ),
    "heating": (
        "Service condensing boiler",
        "Repair leaking radiator in bedroom",
        "Bleed heating system",
    ),
    "drainage": ("Clear blocked sewer connection", "Repair inspection pit cover"),
}
WORK_FR = {
    "électricité": (
        "Remplacement prise défectueuse",
        "Réparation éclairage cage d'escalier",
        "Remplacement interrupteur cuisine",
        "Mise en conformité circuit salle de bain",
    ),
    "détection incendie": ("Installation détecteur de fumée", "Remplacement détecteur défectueux"),
    "contrôle": ("Contrôle installation électrique", "Recherche de panne tableau électrique"),
}
INJECTIONS = (
    '=HYPERLINK("http://example.com/factuur","Klik hier")',
    "+32 470 12 34 56 bellen voor afspraak",
    "-20% korting toegepast op materiaal",
    "@huurder: sleutel ligt bij de buren",
)


@dataclass(frozen=True)
class Contractor:
    shape: str
    prefix: str
    name: str
    slug: str
    work: dict[str, tuple[str, ...]]
    second_half: bool


CONTRACTORS = {
    "be": Contractor(
        "be", "JAN", "Bouwbedrijf Janssens NV", "bouwbedrijf-janssens", WORK_BE, False
    ),
    "en": Contractor("en", "PEE", "Peeters Sanitair BV", "peeters-sanitair", WORK_EN, True),
    "xlsx": Contractor(
        "xlsx", "DUB", "Électricité Dubois SRL", "electricite-dubois", WORK_FR, False
    ),
}


@dataclass
class Orders:
    """One file's orders, column-wise (fast to build and to write).

    Amounts are cents, or text for the planted bad values; `ordered` (order dates) is only
    drawn for the en shape, the only one with that column. Special rows are 0-based positions.
    """

    contractor: Contractor
    ids: list[str]
    contractors: list[str]
    dwellings: list[int]
    categories: list[str]
    descriptions: list[str]
    amounts: list[int | str]
    completed: list[date | str | None]
    ordered: list[date]
    bad: dict[str, list[int]] = field(default_factory=dict)
    not_completed: list[int] = field(default_factory=list)
    exact_threshold: list[int] = field(default_factory=list)
    injections: list[int] = field(default_factory=list)


@dataclass
class Summary:
    """What one generated file holds; row numbers are file rows (header = 1)."""

    file: str
    shape: str
    contractor: str
    rows: int
    good: int
    not_completed: int
    bad: int
    above_threshold: int
    exact_threshold: int
    bad_rows: dict[str, list[int]]
    not_completed_rows: list[int]
    injection_rows: list[int]
    first: date
    last: date


def make_dwellings(seed: int) -> list[tuple[str, str, str, str]]:
    """The housing company's dwellings (id, address, postcode, municipality), for all files."""
    rng = random.Random(f"{seed}-dwellings")
    dwellings = []
    for n in range(1, DWELLINGS + 1):
        postcode, municipality = rng.choice(MUNICIPALITIES)
        number = f"{rng.randint(1, 180)}"
        if rng.random() < 0.3:
            number += f" bus {rng.randint(1, 12)}"
        address = f"{rng.choice(STREETS)} {number}"
        dwellings.append((f"W{postcode}-{n:05d}", address, postcode, municipality))
    return dwellings


def make_orders(contractor: Contractor, n: int, seed: int, start: date, days: int) -> Orders:
    """Draw `n` orders for one contractor, then plant the special rows at random positions."""
    if n < MIN_ORDERS:
        raise ValueError(f"each file needs at least {MIN_ORDERS} orders, got {n}")
    rng = random.Random(f"{seed}-{contractor.prefix}")
    r = rng.random
    first, span = window(contractor, start, days)
    width = max(5, len(str(n)))
    stem = f"{contractor.prefix}-{start.year}-"
    ids = [stem + str(i).zfill(width) for i in range(1, n + 1)]
    # One weighted draw picks category and description together; earlier categories are
    # more frequent. Every draw below is a single pass, to keep a million orders fast.
    cats = list(contractor.work)
    pairs = [(c, d) for c in cats for d in contractor.work[c]]
    weights = [(len(cats) - cats.index(c)) / len(contractor.work[c]) for c, _ in pairs]
    drawn = rng.choices(pairs, weights=weights, k=n)
    categories = [c for c, _ in drawn]
    descriptions = [d for _, d in drawn]
    dwellings = [int(r() * DWELLINGS) for _ in range(n)]
    amounts: list[int | str] = [_amount(r) for _ in range(n)]
    days_ = [first + timedelta(days=d) for d in range(span)]
    completed: list[date | str | None] = [days_[int(r() * span)] for _ in range(n)]
    lags = [timedelta(days=k) for k in range(1, 26)]
    ordered = [d - lags[int(r() * 25)] for d in completed] if contractor.shape == "en" else []
    orders = Orders(
        contractor,
        ids,
        [contractor.name] * n,
        dwellings,
        categories,
        descriptions,
        amounts,
        completed,
        ordered,
    )
    _plant(orders, rng)
    return orders


def window(contractor: Contractor, start: date, days: int) -> tuple[date, int]:
    """Janssens and Dubois complete work in the first half of the period, Peeters in the second."""
    half = days // 2
    if contractor.second_half:
        return start + timedelta(days=half), days - half
    return start, half


def _amount(r: Callable[[], float]) -> int:
    """Cents: most 50-900 EUR, ~12% above 1,000, ~0.5% exactly 1,000, a few 900-1,000."""
    u = r()
    if u < 0.12:
        return 100_001 + int(r() * r() * 900_000)
    if u < 0.125:
        return EXACT_THRESHOLD_CENTS
    if u < 0.15:
        return 90_000 + int(r() * 10_000)
    cents = 5_000 + int(r() ** 1.6 * 85_000)
    return cents - cents % 100 if u < 0.45 else cents


def _plant(orders: Orders, rng: random.Random) -> None:
    """Overwrite a few random rows with the deliberate problems and edge cases."""
    n = len(orders.ids)
    kinds = ["missing amount", "impossible date", "amount abc", "duplicate id"]
    spots = rng.sample(range(n), len(kinds) + 1 + 2 + 2 + len(INJECTIONS) + 1)
    take = iter(spots)
    for kind in kinds:
        i = next(take)
        if kind == "missing amount":
            orders.amounts[i] = ""
            orders.bad[kind] = [i]
        elif kind == "impossible date":
            orders.completed[i] = "31/02/2026"
            orders.bad[kind] = [i]
        elif kind == "amount abc":
            orders.amounts[i] = "abc"
            orders.bad[kind] = [i]
        else:
            j = next(take)
            orders.ids[j] = orders.ids[i]
            original = orders.amounts[i]
            assert isinstance(original, int)
            orders.amounts[j] = original + 1_250
            orders.bad[kind] = sorted((i, j))
    for _ in range(2):
        i = next(take)
        orders.completed[i] = None
        orders.not_completed.append(i)
    for _ in range(2):
        i = next(take)
        orders.amounts[i] = EXACT_THRESHOLD_CENTS
        orders.exact_threshold.append(i)
    for text in INJECTIONS:
        i = next(take)
        orders.descriptions[i] = text
        orders.injections.append(i)
    i = next(take)
    orders.contractors[i] = f"={orders.contractor.name}"
    orders.injections.append(i)
    orders.not_completed.sort()
    orders.injections.sort()


def summarise(orders: Orders, path: Path, start: date, days: int) -> Summary:
    """Count rows the way ingest must: bad rows, not completed (valid) rows and good rows."""
    bad = {i for rows in orders.bad.values() for i in rows}
    not_completed = set(orders.not_completed)
    amounts = orders.amounts
    good = [amounts[i] for i in range(len(amounts)) if i not in bad and i not in not_completed]
    above = sum(1 for v in good if _cents(v) > EXACT_THRESHOLD_CENTS)
    exact = sum(1 for v in good if _cents(v) == EXACT_THRESHOLD_CENTS)
    first, span = window(orders.contractor, start, days)
    return Summary(
        file=path.name,
        shape=orders.contractor.shape,
        contractor=orders.contractor.name,
        rows=len(orders.ids),
        good=len(good),
        not_completed=len(not_completed),
        bad=len(bad),
        above_threshold=above,
        exact_threshold=exact,
        bad_rows={k: [i + 2 for i in v] for k, v in orders.bad.items()},
        not_completed_rows=[i + 2 for i in orders.not_completed],
        injection_rows=[i + 2 for i in orders.injections],
        first=first,
        last=first + timedelta(days=span - 1),
    )


def _cents(value: int | str) -> int:
    assert isinstance(value, int)
    return value


def file_name(contractor: Contractor, start: date, days: int) -> str:
    first, _ = window(contractor, start, days)
    if contractor.shape == "xlsx":
        return f"{contractor.slug}-{first.year}-q{(first.month - 1) // 3 + 1}.xlsx"
    return f"{contractor.slug}-{first:%Y-%m}.csv"


def _be_amount(value: int | str) -> str:
    if isinstance(value, str):
        return value
    euros, cents = divmod(value, 100)
    return f"{euros:,}".replace(",", ".") + f",{cents:02d}"


def _en_amount(value: int | str) -> str:
    if isinstance(value, str):
        return value
    euros, cents = divmod(value, 100)
    return f"{euros}.{cents:02d}"


def _date_text(value: date | str | None, fmt: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.strftime(fmt)


def write_be(orders: Orders, dwellings: list[tuple[str, str, str, str]], path: Path) -> None:
    header = [
        "Bonnummer",
        "Aannemer",
        "Woning",
        "Adres",
        "Postcode",
        "Gemeente",
        "Categorie",
        "Omschrijving",
        "Bedrag excl. btw",
        "Datum uitvoering",
    ]
    # Each distinct amount and date is formatted and encoded once (none needs quoting with
    # ";"): a million rows stay within seconds.
    amounts = {v: _be_amount(v).encode() for v in set(orders.amounts)}
    days = {v: _date_text(v, "%d/%m/%Y").encode() for v in set(orders.completed)}
    columns = [
        orders.ids,
        orders.contractors,
        *_dwelling_columns(orders, dwellings),
        orders.categories,
        orders.descriptions,
        list(map(amounts.__getitem__, orders.amounts)),
        list(map(days.__getitem__, orders.completed)),
    ]
    _write_csv(path, header, columns, delimiter=";", encoding="cp1252", newline="\r\n")


def _write_csv(
    path: Path,
    header: list[str],
    columns: list[list[str]] | list[list[str] | list[bytes]],
    delimiter: str,
    encoding: str,
    newline: str,
) -> None:
    """Write CSV as the csv module would (minimal quoting), but fast.

    csv.writer and the Windows-1252 codec both work cell by cell or character by character;
    here a repeated value is quoted and encoded once, a column of unique plain ASCII values
    (order ids, amounts) is encoded in one go, and rows are joined as bytes in large batches.
    """
    cells = [_encoded(column, delimiter, encoding) for column in columns]
    rows = map(delimiter.encode().join, zip(*cells, strict=True))
    end = newline.encode()
    with path.open("wb") as f:
        f.write(delimiter.join(_csv_cell(h, delimiter) for h in header).encode(encoding) + end)
        while batch := list(itertools.islice(rows, 100_000)):
            f.write(end.join(batch) + end)


def _encoded(column: list[str] | list[bytes], delimiter: str, encoding: str) -> Iterable[bytes]:
    """Cells of one column as CSV bytes; a column of bytes is taken as already quoted/encoded."""
    if column and isinstance(column[0], bytes):
        return column  # type: ignore[return-value]
    distinct = set(column)
    if len(distinct) * 4 <= len(column):
        table = {v: _csv_cell(v, delimiter).encode(encoding) for v in distinct}
        return map(table.__getitem__, column)
    joined = "\x1f".join(column)
    if joined.isascii() and not any(c in joined for c in (delimiter, '"', "\r", "\n")):
        return joined.encode("ascii").split(b"\x1f")
    return [_csv_cell(v, delimiter).encode(encoding) for v in column]


def _csv_cell(value: str, delimiter: str) -> str:
    if any(c in value for c in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def write_en(orders: Orders, dwellings: list[tuple[str, str, str, str]], path: Path) -> None:
    header = [
        "Work order",
        "Order date",
        "Contractor",
        "Dwelling",
        "Address",
        "Postal code",
        "City",
        "Category",
        "Description",
        "Net amount",
        "Completion date",
        "Invoice number",
    ]
    n = len(orders.ids)
    year = orders.ordered[0].year
    dwelling, address, postcode, municipality = _dwelling_columns(orders, dwellings)
    columns = [
        orders.ids,
        [d.isoformat() for d in orders.ordered],
        orders.contractors,
        dwelling,
        address,
        postcode,
        municipality,
        orders.categories,
        orders.descriptions,
        [_en_amount(v) for v in orders.amounts],
        [_date_text(v, "%Y-%m-%d") for v in orders.completed],
        [f"INV-{year}-{i:06d}" for i in range(1, n + 1)],
    ]
    _write_csv(path, header, columns, delimiter=",", encoding="utf-8", newline="\n")


def _dwelling_columns(
    orders: Orders, dwellings: list[tuple[str, str, str, str]]
) -> list[list[str]]:
    return [[dwellings[d][k] for d in orders.dwellings] for k in range(4)]


def write_xlsx(orders: Orders, dwellings: list[tuple[str, str, str, str]], path: Path) -> None:
    """Real number and date cells; text that looks like a formula is forced to stay text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    header = [
        "N° bon",
        "Entrepreneur",
        "Logement",
        "Adresse",
        "Code postal",
        "Commune",
        "Catégorie",
        "Description",
        "Montant HTVA",
        "Date d'exécution",
    ]
    wb = Workbook(write_only=True)
    fixed = datetime(*FIXED_ZIP_TIME)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    ws = wb.create_sheet("Bons")
    ws.append(header)

    def text(value: str) -> WriteOnlyCell | str:
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell

    def amount(value: int | str) -> WriteOnlyCell | str:
        if isinstance(value, str):
            return value
        cell = WriteOnlyCell(ws, value=Decimal(value).scaleb(-2))
        cell.number_format = "#,##0.00"
        return cell

    def day(value: date | str | None) -> WriteOnlyCell | str | None:
        if not isinstance(value, date):
            return value
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell

    total = 0
    for i in range(len(orders.ids)):
        dwelling = dwellings[orders.dwellings[i]]
        value = orders.amounts[i]
        total += value if isinstance(value, int) else 0
        ws.append(
            [
                orders.ids[i],
                text(orders.contractors[i]),
                dwelling[0],
                dwelling[1],
                int(dwelling[2]),
                dwelling[3],
                orders.categories[i],
                text(orders.descriptions[i]),
                amount(value),
                day(orders.completed[i]),
            ]
        )
    summary = wb.create_sheet("Résumé")
    summary.append(["Nombre de bons", len(orders.ids)])
    summary.append(["Total HTVA", Decimal(total).scaleb(-2)])
    buffer = io.BytesIO()
    wb.save(buffer)
    _write_stable_zip(buffer.getvalue(), path)


def _write_stable_zip(data: bytes, path: Path) -> None:
    """Rewrite the workbook with fixed timestamps so that regenerating it is a no-op."""
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                # openpyxl stamps the save time here whatever the workbook properties say.
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", data
                )
            target.writestr(info, data)


WRITERS = {"be": write_be, "en": write_en, "xlsx": write_xlsx}


def split(total: int, shapes: list[str]) -> dict[str, int]:
    """Share `total` orders over the shapes (45/35/20 for all three); the last takes the rest."""
    weights = [SHARE[s] for s in shapes]
    counts = {s: int(total * w / sum(weights)) for s, w in zip(shapes, weights, strict=True)}
    counts[shapes[-1]] += total - sum(counts.values())
    return counts


def generate(
    out: Path,
    orders: int = 300,
    seed: int = 1,
    shape: str = "all",
    start: date | None = None,
    days: int = 61,
) -> list[Summary]:
    """Write the files for `shape` ("be", "en", "xlsx" or "all") into `out`; return their counts."""
    start = start or date(2026, 9, 1)
    shapes = list(SHAPES) if shape == "all" else [shape]
    out.mkdir(parents=True, exist_ok=True)
    dwellings = make_dwellings(seed)
    summaries = []
    for s, n in split(orders, shapes).items():
        contractor = CONTRACTORS[s]
        data = make_orders(contractor, n, seed, start, days)
        path = out / file_name(contractor, start, days)
        WRITERS[s](data, dwellings, path)
        summaries.append(summarise(data, path, start, days))
    return summaries


def readme(summaries: list[Summary], command: str, folder: str) -> str:
    """The examples README: what each bundled file holds, with exact counts."""
    lines = [
        "# Example contractor files",
        "",
        "Fictitious repair orders of three invented contractors for one Flemish social housing",
        "company (postcodes and municipalities are real, everything else is made up). They are",
        "generated, never edited by hand; regenerate them with:",
        "",
        f"    {command}",
        "",
        "The same script makes larger files for benchmarks, e.g. a million orders in the",
        "Belgian shape (a few seconds; the special rows stay the same handful):",
        "",
        "    python examples/generate.py --out /tmp/bench --orders 1000000 --shape be",
        "",
        "Row numbers are file rows as a spreadsheet shows them (header = row 1).",
        "Every row is exactly one of: **good** (valid and completed), **not completed** (valid,",
        "no completion date yet: not an error) or **bad** (must be rejected). Both rows of a",
        "duplicate id with different values are bad (a conflict).",
        "",
        "| file | shape | rows | good | not completed | bad | good > 1,000.00 | good = 1,000.00 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        lines.append(
            f"| `{folder}{s.file}` | {s.shape} | {s.rows} | {s.good} | {s.not_completed} | {s.bad} "
            f"| {s.above_threshold} | {s.exact_threshold} |"
        )
    total = [
        sum(getattr(s, k) for s in summaries)
        for k in ("rows", "good", "not_completed", "bad", "above_threshold", "exact_threshold")
    ]
    lines.append("| **total** | | " + " | ".join(str(t) for t in total) + " |")
    lines.append("")
    formats = {
        "be": "Dutch headers (`Bonnummer;Aannemer;Woning;Adres;Postcode;Gemeente;Categorie;"
        "Omschrijving;Bedrag excl. btw;Datum uitvoering`), `;` delimiter, Windows-1252, CRLF, "
        "amounts `1.234,56`, dates `27/11/2026`.",
        "en": "English headers (`Work order,Order date,Contractor,Dwelling,Address,Postal code,"
        "City,Category,Description,Net amount,Completion date,Invoice number`), `,` delimiter, "
        "UTF-8 without BOM, amounts `1234.56`, ISO dates.",
        "xlsx": "French headers (`N° bon, Entrepreneur, Logement, Adresse, Code postal, Commune, "
        "Catégorie, Description, Montant HTVA, Date d'exécution`) on sheet `Bons` (a second "
        "sheet `Résumé` holds totals), number cells for amounts and postcodes, date cells; "
        "the bad values are text cells.",
    }
    for s in summaries:
        lines += [
            f"## `{folder}{s.file}`",
            "",
            f"{s.contractor}; completed between {s.first.isoformat()} and {s.last.isoformat()}. "
            + formats[s.shape],
            "",
        ]
        for kind, rows in s.bad_rows.items():
            lines.append(f"- bad, {kind}: row {', '.join(str(r) for r in rows)}")
        lines.append(
            "- not completed (no completion date): rows "
            + ", ".join(str(r) for r in s.not_completed_rows)
        )
        lines.append(
            "- text starting with `=`, `+`, `-` or `@` (valid rows; one is the contractor cell): "
            "rows " + ", ".join(str(r) for r in s.injection_rows)
        )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    parser.add_argument("--orders", type=int, default=300, help="orders in all (default 300)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=[*SHAPES, "all"], default="all")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 9, 1))
    parser.add_argument("--days", type=int, default=61, help="length of the period in days")
    parser.add_argument("--readme", type=Path, help="also write the README with exact counts")
    args = parser.parse_args(argv)
    try:
        summaries = generate(args.out, args.orders, args.seed, args.shape, args.start, args.days)
    except ValueError as exc:
        parser.error(str(exc))
    for s in summaries:
        print(
            f"{args.out / s.file}: {s.rows} rows, {s.good} good, "
            f"{s.not_completed} not completed, {s.bad} bad"
        )
    if args.readme:
        command = shlex.join(["python", "examples/generate.py", *argv])
        folder = Path(os.path.relpath(args.out, args.readme.parent)).as_posix() + "/"
        args.readme.write_text(readme(summaries, command, folder), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
