"""Generate fictitious contractor files: the bundled examples, test material and benchmark input.

Deterministic: the same arguments always give byte-identical files. Every contractor, dwelling
and address is invented; the postcodes and municipalities are real Flemish ones.

    python examples/generate.py --out examples/inbox --loop examples --readme examples/README.md
    python examples/generate.py --out /tmp/bench --orders 1000000 --shape be

Three shapes, one fictitious contractor each:

- be:   Bouwbedrijf Janssens, Dutch headers, `;`, Windows-1252, `1.234,56`, `27/11/2026`
- en:   Peeters Sanitair, English headers, `,`, UTF-8, `1234.56`, ISO dates
- xlsx: Électricité Dubois, French headers, real number and date cells

`--shape all` adds a fourth, larger contractor in the be shape: Dakwerken Mertens, 2,000
orders (`--large-orders`) of mostly small jobs over the whole period, so that the random sample
is large enough to project from.

Each file carries a fixed set of deliberately bad rows (missing amount, impossible date
31/02/2026, amount "abc", one id used twice with different values), two rows that are not
completed yet (valid, no completion date), two rows of exactly 1,000.00 and some text starting
with `=`, `+`, `-` or `@` (formula-injection material; valid rows). The generator returns exact
counts for all of them, and --readme writes them down.

--loop carries the bundled examples through the control loop: the public demo seed, the
inspection list as inspectors hand it back (the orders above the threshold, which every seed
selects, and the random sample that the demo seed selects, computed with inspect_cli's tickets
and rule; a mix of results, some rows without one and one bad row) and a tenant satisfaction
survey (one bad score).
"""

from __future__ import annotations

import argparse
import csv
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

from inspect_cli.rule import ABOVE_THRESHOLD, RANDOM_SAMPLE, decide_order
from inspect_cli.sampling import ticket

SHAPES = ("be", "en", "xlsx")
SHARE = {"be": 0.45, "en": 0.35, "xlsx": 0.20}
MIN_ORDERS = 30
DWELLINGS = 5_000
EXACT_THRESHOLD_CENTS = 100_000
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
DEFAULT_START = date(2026, 9, 1)

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
# Dakwerken Mertens: many small jobs on roofs, gutters and outside paintwork.
WORK_DAK = {
    "dakwerken": (
        "Reiniging dakgoten",
        "Herstelling dakgoot",
        "Vervanging gebroken dakpannen",
        "Vervanging zinken regenpijp",
        "Herstelling lekkende dakkapel",
    ),
    "schilderwerken": (
        "Schilderen buitenschrijnwerk",
        "Bijwerken gevelschilderwerk \u2013 voorgevel",
        "Schilderen trappenhal",
    ),
    "plat dak": ("Ontmossen plat dak", "Herstelling roofing rond koepel"),
    "schouwen": ("Plaatsing schouwkap", "Herstelling voegwerk schouw"),
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
    whole_period: bool = False
    """Completes work over the whole period (not one half of it)."""
    small_jobs: bool = False
    """Mostly small jobs: under 1% of its orders above the threshold, not 12%."""


CONTRACTORS = {
    "be": Contractor(
        "be", "JAN", "Bouwbedrijf Janssens NV", "bouwbedrijf-janssens", WORK_BE, False
    ),
    "en": Contractor("en", "PEE", "Peeters Sanitair BV", "peeters-sanitair", WORK_EN, True),
    "xlsx": Contractor(
        "xlsx", "DUB", "Électricité Dubois SRL", "electricite-dubois", WORK_FR, False
    ),
}
LARGE = Contractor(
    "be",
    "MER",
    "Dakwerken Mertens BV",
    "dakwerken-mertens",
    WORK_DAK,
    False,
    whole_period=True,
    small_jobs=True,
)
"""The fourth, larger contractor of the examples (`--shape all`): enough orders below the
threshold for a random sample of some 40 orders, so that `report projection` has something to
project from."""
LARGE_ORDERS = 2_000


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
    draw = _small_amount if contractor.small_jobs else _amount
    amounts: list[int | str] = [draw(r) for _ in range(n)]
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
    """Janssens and Dubois complete work in the first half of the period, Peeters in the second,
    Mertens over the whole period."""
    if contractor.whole_period:
        return start, days
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


def _small_amount(r: Callable[[], float]) -> int:
    """Cents of a contractor of small jobs: ~0.6% above 1,000, ~1% from 800 to 1,000, the rest
    mostly 35-300 EUR (gutters cleaned, a few tiles), half of them in whole 5 EUR."""
    u = r()
    if u < 0.006:
        return 100_001 + int(r() * r() * 400_000)
    if u < 0.016:
        return 80_000 + int(r() * 20_000)
    cents = 3_500 + int(r() ** 2.2 * 60_000)
    return cents - cents % 500 if u < 0.5 else cents


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
    first, span = window(contractor, start, days)
    last = first + timedelta(days=span - 1)
    if contractor.whole_period and (last.year, last.month) != (first.year, first.month):
        return f"{contractor.slug}-{first:%Y-%m}-{last:%m}.csv"
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


def make_all(
    orders: int = 300,
    seed: int = 1,
    shape: str = "all",
    start: date | None = None,
    days: int = 61,
    large_orders: int = LARGE_ORDERS,
) -> list[Orders]:
    """Every file's orders for `shape` ("be", "en", "xlsx" or "all"), before writing.

    "all" is the three shapes sharing `orders`, plus the larger contractor's `large_orders`
    (none when 0).
    """
    start = start or DEFAULT_START
    shapes = list(SHAPES) if shape == "all" else [shape]
    files = [
        make_orders(CONTRACTORS[s], n, seed, start, days) for s, n in split(orders, shapes).items()
    ]
    if shape == "all" and large_orders:
        files.append(make_orders(LARGE, large_orders, seed, start, days))
    return files


def generate(
    out: Path,
    orders: int = 300,
    seed: int = 1,
    shape: str = "all",
    start: date | None = None,
    days: int = 61,
    large_orders: int = LARGE_ORDERS,
) -> list[Summary]:
    """Write the files for `shape` ("be", "en", "xlsx" or "all") into `out`; return their counts."""
    start = start or DEFAULT_START
    out.mkdir(parents=True, exist_ok=True)
    dwellings = make_dwellings(seed)
    summaries = []
    for data in make_all(orders, seed, shape, start, days, large_orders):
        contractor = data.contractor
        path = out / file_name(contractor, start, days)
        WRITERS[contractor.shape](data, dwellings, path)
        summaries.append(summarise(data, path, start, days))
    return summaries


# --- the control loop: the inspection list handed back, and a tenant survey ------------------

RETURNED_ON = date(2026, 11, 20)
"""The day the inspectors hand the list back: no visit and no survey answer is later."""
RETURNED_FILE = "returned/inspections-returned-2026-11.csv"
SURVEY_FILE = "surveys/tevredenheid-2026-q4.csv"
SEED_FILE = "demo-seed.txt"
DEMO_SEED = "53504433187102925085"
"""The public seed of the demo workspace (`init --seed-file examples/demo-seed.txt`): with it the
random sample is known in advance, so the returned list can hold its orders. Anyone can
recompute such a sample, so a real workspace draws its own seed at a ceremony."""
SAMPLE_RATE = Decimal("0.02")
"""The default config's `sample_rate`, with which `select` draws the demo's random sample."""
SURVEY_FROM = date(2026, 10, 1)
DUE_WORKING_DAYS = 10
# Belgian public holidays of 2026 as the `holidays` package lists them (weekends included).
HOLIDAYS_2026 = frozenset(
    date(2026, m, d)
    for m, d in (
        (1, 1), (4, 5), (4, 6), (5, 1), (5, 14), (5, 24), (5, 25), (7, 21), (8, 15), (11, 1),
        (11, 11), (12, 25),
    )
)  # fmt: skip
EXPORT_COLUMNS = (
    "order_id",
    "reason",
    "contractor",
    "dwelling_id",
    "address",
    "postcode",
    "municipality",
    "category",
    "description",
    "amount_excl_vat",
    "completed_on",
    "selected_on",
    "due_on",
    "inspector",
    "inspected_on",
    "result",
    "findings",
    "correction_eur",
)
"""The header `inspect-cli export` wrote before its last column, the amount decided on, was added
(inspect_cli/export.py COLUMNS): the bundled list shows that `record` still reads such lists."""
SURVEY_COLUMNS = ("Bonnummer", "Score", "Datum", "Opmerking")
INSPECTORS = ("An Claes", "Koen Wouters", "Sofie Maes")
FINAL = ("ok", "minor", "major", "not_done")
OUTCOMES = (*FINAL, "no_access")
OPEN_ROWS = 5
"""The most recently completed orders above the threshold are not inspected yet."""
PLANNED = {
    "be": ("major", "major", "not_done", "minor", "minor", "no_access"),
    "en": ("rejected", "major", "not_done", "minor", "minor", "no_access"),
    "xlsx": ("minor",),
}
"""Per contractor, the outcomes other than `ok` of the orders inspected (or tried)."""
PLANNED_LATER = {
    "above_threshold": ("minor", "major"),
    "random_sample": (
        "major",
        "major",
        "major",
        "not_done",
        "not_done",
        "not_done",
        "minor",
        "minor",
    ),
}
"""The outcomes other than `ok` of the larger contractor's orders above the threshold and of the
random sample (all contractors): every one of them has a final outcome."""
WRITTEN = {"no_access": ("no_access", "geen toegang"), "ok": ("ok",) * 7 + ("conform",)}
"""What inspectors write for a result, when not always its code: the first use is the code."""
FINDINGS = {
    "ok": ("", "", "", "", "in orde", "netjes afgewerkt", "conform offerte"),
    "minor": (
        "silicone slordig afgewerkt",
        "werfafval niet volledig opgeruimd",
        "plinten niet teruggeplaatst",
        "verfspatten op de vloer",
        "afdekplaatje ontbreekt",
    ),
    "major": (
        "herstelling niet degelijk, opnieuw uit te voeren",
        "lekt nog steeds na de herstelling",
        "nieuwe schade aangebracht tijdens de werken",
    ),
    "not_done": (
        "slechts een deel van de werken uitgevoerd",
        "gefactureerde meerwerken niet uitgevoerd",
    ),
    "no_access": ("niemand thuis, nieuwe afspraak nodig", "huurder niet bereikbaar"),
}
COMMENTS = {
    "high": ("vlot geholpen", "vriendelijke vakman", "netjes gewerkt", "één keer langs, opgelost"),
    "mid": ("duurde lang voor er iemand kwam", "ok, maar rommel achtergelaten"),
    "low": ("probleem is terug", "afspraak niet nagekomen", "moest drie keer bellen"),
}
# Score weights from 1 to 10: tenants of repairs found wanting score lower.
SCORE_WEIGHTS = {
    "ok": (0, 0, 0, 0, 0, 1, 3, 5, 4, 2),
    "minor": (0, 0, 0, 0, 1, 3, 4, 3, 1, 0),
    "failed": (0, 1, 3, 4, 3, 2, 1, 0, 0, 0),
    "other": (1, 1, 2, 3, 4, 5, 6, 5, 3, 2),
}


@dataclass
class Loop:
    """What the returned list and the survey hold; row numbers are file rows (header = 1).

    `results` counts per contractor the rows by outcome, plus "open" (no result) and
    "rejected"; `responses` counts per contractor the valid survey rows of inspected orders
    (a final outcome in the returned list) and of all others, and those with a comment.
    """

    returned: str
    survey: str
    results: dict[str, dict[str, int]]
    corrections: dict[str, int]
    open_rows: list[int]
    no_access_rows: list[int]
    rejected: tuple[int, str, date, date]
    sampled: dict[str, int]
    projection: tuple[int, int, int, int, int]
    """What `report projection` gives with the demo seed, all contractors together: orders of
    the random sample inspected, orders not inspected, projected corrections, low, high (cents)."""
    responses: dict[str, dict[str, int]]
    survey_rows: int
    bad_score_row: int
    answered: tuple[date, date]

    @property
    def returned_rows(self) -> int:
        return sum(sum(r.values()) for r in self.results.values())

    def total(self, key: str) -> int:
        return sum(r.get(key, 0) for r in self.results.values())


def working_days_after(day: date, n: int) -> date:
    """`n` Belgian working days after `day`, as the due dates of the inspection list count."""
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in HOLIDAYS_2026:
            n -= 1
    return day


def generate_loop(
    folder: Path,
    orders: int = 300,
    seed: int = 1,
    shape: str = "all",
    start: date | None = None,
    days: int = 61,
    large_orders: int = LARGE_ORDERS,
    demo_seed: str = DEMO_SEED,
) -> Loop:
    """Write the returned inspection list, the survey and the demo seed into `folder`, for the
    orders that `generate` writes with the same arguments; return what they hold.

    The list holds every order above the threshold, which any seed selects, and the random
    sample that `demo_seed` selects. The three small files' orders above the threshold come
    first, from their own random streams, so that adding the larger contractor and the sample
    left their rows as they were.
    """
    start = start or DEFAULT_START
    if start.year != 2026 or start + timedelta(days=days) > RETURNED_ON - timedelta(days=14):
        raise ValueError(
            f"the returned list and the survey need a period in 2026 ending before "
            f"{RETURNED_ON - timedelta(days=14)}"
        )
    files = make_all(orders, seed, shape, start, days, large_orders)
    dwellings = make_dwellings(seed)
    above = [
        (data, i)
        for data in files
        for i in _good_rows(data)
        if _cents(data.amounts[i]) > EXACT_THRESHOLD_CENTS
    ]
    mandatory = [o for o in above if o[0].contractor is not LARGE]
    later = [o for o in above if o[0].contractor is LARGE]
    sampled = random_sample(files, demo_seed)
    roles = _roles(mandatory, random.Random(f"{seed}-returned"))
    rng = random.Random(f"{seed}-returned-later")
    roles |= _later_roles(later, PLANNED_LATER["above_threshold"], rng)
    roles |= _later_roles(sampled, PLANNED_LATER["random_sample"], rng)
    returned = _returned_rows(mandatory, roles, dwellings, random.Random(f"{seed}-inspections"))
    returned += _returned_rows(
        later + sampled, roles, dwellings, random.Random(f"{seed}-inspections-later")
    )
    returned.sort(key=lambda r: r[:2])
    loop = Loop(
        returned=RETURNED_FILE,
        survey=SURVEY_FILE,
        results={d.contractor.name: {} for d in files},
        corrections={d.contractor.name: 0 for d in files},
        open_rows=[],
        no_access_rows=[],
        rejected=(0, "", date.min, date.min),
        sampled={d.contractor.name: 0 for d in files},
        projection=_projection(files, sampled, roles, returned),
        responses={d.contractor.name: {"inspected": 0, "other": 0, "comments": 0} for d in files},
        survey_rows=0,
        bad_score_row=0,
        answered=(date.max, date.min),
    )
    for number, (_, _, data, i, role, cells) in enumerate(returned, start=2):
        counts = loop.results[data.contractor.name]
        counts[role] = counts.get(role, 0) + 1
        loop.sampled[data.contractor.name] += cells[1] == RANDOM_SAMPLE
        if cells[-1]:
            loop.corrections[data.contractor.name] += _parse_be_cents(cells[-1])
        if role == "open":
            loop.open_rows.append(number)
        elif role == "no_access":
            loop.no_access_rows.append(number)
        elif role == "rejected":
            inspected = datetime.strptime(cells[14], "%d/%m/%Y").date()
            completed = data.completed[i]
            assert isinstance(completed, date) and inspected < completed
            loop.rejected = (number, data.ids[i], inspected, completed)
    _write_plain_csv(
        folder / RETURNED_FILE,
        EXPORT_COLUMNS,
        [cells for *_, cells in returned],
        encoding="utf-8-sig",
    )
    survey = _survey_rows(files, roles, loop, random.Random(f"{seed}-survey"))
    _write_plain_csv(folder / SURVEY_FILE, SURVEY_COLUMNS, survey, encoding="cp1252")
    (folder / SEED_FILE).write_text(demo_seed + "\n", encoding="ascii")
    return loop


def random_sample(files: list[Orders], seed: str) -> list[tuple[Orders, int]]:
    """The orders that `select` draws with `seed` at the default rate: each good order decided
    by the rule, from its ticket, as a first run decides it."""
    return [
        (data, i)
        for data in files
        for i in _good_rows(data)
        if decide_order(
            _cents(data.amounts[i]),
            ticket(seed, data.ids[i]),
            threshold_cents=EXACT_THRESHOLD_CENTS,
            sample_rate=SAMPLE_RATE,
        )
        == (True, RANDOM_SAMPLE)
    ]


def _projection(
    files: list[Orders],
    sampled: list[tuple[Orders, int]],
    roles: dict[str, str],
    returned: list[tuple[date, str, Orders, int, str, list[str]]],
) -> tuple[int, int, int, int, int]:
    """`report projection`'s figures for all contractors, from the same estimator, for the
    README: the sampled orders with a final outcome and the draw population not inspected."""
    from inspect_cli.stats import ratio_projection

    corrections = {r[1]: _parse_be_cents(r[5][-1]) if r[5][-1] else 0 for r in returned}
    inspected = [(d, i) for d, i in sampled if roles[d.ids[i]] in FINAL]
    amounts = [_cents(d.amounts[i]) for d, i in inspected]
    population = [
        _cents(d.amounts[i])
        for d in files
        for i in _good_rows(d)
        if _cents(d.amounts[i]) <= EXACT_THRESHOLD_CENTS
    ]
    rest = len(population) - len(inspected)
    found = ratio_projection(
        amounts,
        [corrections[d.ids[i]] for d, i in inspected],
        rest,
        sum(population) - sum(amounts),
    )
    projected, low, high = (round(v) for v in found) if found else (0, 0, 0)
    return len(inspected), rest, projected, low, high


def _later_roles(
    orders: list[tuple[Orders, int]], planned: tuple[str, ...], rng: random.Random
) -> dict[str, str]:
    """Order id -> outcome: `planned` for some of `orders`, ok for the rest.

    A larger job has more that can go wrong: each planned outcome falls on an order drawn with
    a chance proportional to its amount (a failed gutter cleaning of EUR 40 is rarer than a
    failed repair of a flat roof).
    """
    pool = sorted(orders, key=lambda o: o[0].ids[o[1]])
    roles = {}
    for role in planned[: len(pool)]:
        [k] = rng.choices(range(len(pool)), weights=[_cents(d.amounts[i]) for d, i in pool])
        data, i = pool.pop(k)
        roles[data.ids[i]] = role
    return roles | {data.ids[i]: "ok" for data, i in pool}


def _good_rows(data: Orders) -> list[int]:
    """Rows that ingest accepts as completed orders of the contractor named in the file."""
    bad = {i for rows in data.bad.values() for i in rows}
    skip = bad | set(data.not_completed)
    return [i for i in range(len(data.ids)) if i not in skip]


def _roles(mandatory: list[tuple[Orders, int]], rng: random.Random) -> dict[str, str]:
    """Order id -> outcome, "open" (no result yet) or "rejected" (a bad row), for the orders
    above the threshold: the latest completed are open, the rest get PLANNED, then ok."""
    by_completion = sorted(mandatory, key=lambda o: (o[0].completed[o[1]], o[0].ids[o[1]]))
    roles = {o[0].ids[o[1]]: "open" for o in by_completion[len(by_completion) - OPEN_ROWS :]}
    for shape, planned in PLANNED.items():
        ids = [d.ids[i] for d, i in mandatory if d.contractor.shape == shape]
        ids = [oid for oid in ids if oid not in roles]
        rng.shuffle(ids)
        for oid, role in itertools.zip_longest(ids, planned[: len(ids)], fillvalue="ok"):
            roles[oid] = role
    return roles


def _returned_rows(
    mandatory: list[tuple[Orders, int]],
    roles: dict[str, str],
    dwellings: list[tuple[str, str, str, str]],
    rng: random.Random,
) -> list[tuple[date, str, Orders, int, str, list[str]]]:
    """The export's rows for selected orders, filled in as inspectors do, each after its due
    date and order id (the order of the list).

    Each order was selected on the first working day after its completion (a daily run),
    and visited 2 to 12 working days later, but not after RETURNED_ON.
    """
    rows = []
    written = {role: itertools.cycle(words) for role, words in WRITTEN.items()}
    for data, i in sorted(mandatory, key=lambda o: o[0].ids[o[1]]):
        oid = data.ids[i]
        completed = data.completed[i]
        assert isinstance(completed, date)
        selected = working_days_after(completed, 1)
        due = working_days_after(selected, DUE_WORKING_DAYS)
        dwelling = dwellings[data.dwellings[i]]
        cells = [
            oid,
            ABOVE_THRESHOLD if _cents(data.amounts[i]) > EXACT_THRESHOLD_CENTS else RANDOM_SAMPLE,
            _neutralise(data.contractors[i]),
            *dwelling,
            data.categories[i],
            _neutralise(data.descriptions[i]),
            _be_amount(data.amounts[i]).replace(".", ""),
            f"{completed:%d/%m/%Y}",
            f"{selected:%d/%m/%Y}",
            f"{due:%d/%m/%Y}",
        ]
        role = roles[oid]
        inspector = rng.choice(INSPECTORS)
        visited = min(working_days_after(selected, rng.randint(2, 12)), RETURNED_ON)
        if role == "open":
            cells += [""] * 5
        elif role == "rejected":
            # The date of the appointment call, not of the visit: before the work was done.
            early = completed - timedelta(days=rng.randint(2, 6))
            cells += [inspector, f"{early:%d/%m/%Y}", "ok", "in orde", ""]
        else:
            result = next(written[role]) if role in written else role
            cents = _correction(role, _cents(data.amounts[i]), rng)
            cells += [
                inspector,
                f"{visited:%d/%m/%Y}",
                result,
                rng.choice(FINDINGS[role]),
                _be_amount(cents).replace(".", "") if cents else "",
            ]
        rows.append((due, oid, data, i, role, cells))
    return rows


def _correction(role: str, amount: int, rng: random.Random) -> int:
    """Cents credited: part of the invoice for work not done, a fixed sum for rework."""
    if role == "not_done":
        return amount * rng.randint(20, 60) // 100 // 100 * 100
    if role == "major":
        return min(rng.randint(15, 40) * 1_000, amount - amount % 100)
    return 0


def _neutralise(text: str) -> str:
    """As the export does: a leading quote before text a spreadsheet would run as a formula."""
    if text.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) and not re.fullmatch(
        r"[-+]?\d[\d.,]*", text
    ):
        return "'" + text
    return text


def _parse_be_cents(text: str) -> int:
    euros, cents = text.replace(".", "").split(",")
    return int(euros) * 100 + int(cents)


def _survey_rows(
    files: list[Orders], roles: dict[str, str], loop: Loop, rng: random.Random
) -> list[list[str]]:
    """Answers for part of all completed orders, inspected or not, plus one score of 11.

    Tenants of inspected orders answer more often (3 in 4, others 2 in 5), so that both sides
    of the satisfaction report have enough responses. Answers come 7 to 35 days after
    completion, from SURVEY_FROM on and not after RETURNED_ON.
    """
    answers = []
    silent = []
    for data in files:
        name = data.contractor.name
        for i in _good_rows(data):
            if data.contractors[i] != name:
                continue  # the formula-injection row names no real contractor
            oid, completed = data.ids[i], data.completed[i]
            assert isinstance(completed, date)
            role = roles.get(oid, "other")
            inspected = role in FINAL
            answered = completed + timedelta(days=rng.randint(7, 35))
            if answered < SURVEY_FROM:
                answered = SURVEY_FROM + timedelta(days=rng.randint(0, 20))
            if rng.random() >= (0.75 if inspected else 0.4) or answered > RETURNED_ON:
                silent.append((answered, oid))
                continue
            kind = role if role in ("ok", "minor") else "failed" if inspected else "other"
            score = rng.choices(range(1, 11), weights=SCORE_WEIGHTS[kind])[0]
            comment = ""
            if rng.random() < 0.2:
                mood = "high" if score >= 8 else "low" if score <= 5 else "mid"
                comment = rng.choice(COMMENTS[mood])
            counts = loop.responses[name]
            counts["inspected" if inspected else "other"] += 1
            counts["comments"] += bool(comment)
            answers.append((answered, oid, str(score), comment))
    answered, oid = rng.choice([s for s in silent if s[0] <= RETURNED_ON])
    answers.append((answered, oid, "11", "top!!"))
    answers.sort()
    loop.survey_rows = len(answers)
    loop.bad_score_row = 2 + next(n for n, a in enumerate(answers) if a[2] == "11")
    loop.answered = (answers[0][0], answers[-1][0])
    return [[oid, score, f"{day:%d/%m/%Y}", comment] for day, oid, score, comment in answers]


def _write_plain_csv(
    path: Path, header: Iterable[str], rows: Iterable[list[str]], encoding: str
) -> None:
    """`;`-separated with CRLF and minimal quoting, like Belgian Excel (and the export)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue().encode(encoding))


def readme(
    summaries: list[Summary],
    command: str,
    folder: str,
    loop: Loop | None = None,
    loop_folder: str = "",
) -> str:
    """The examples README: what each bundled file holds, with exact counts."""
    lines = [
        "# Example contractor files",
        "",
        f"Fictitious repair orders of {_count_word(len(summaries))} invented contractors for one "
        "Flemish social housing",
        "company (postcodes and municipalities are real, everything else is made up). They are",
        "generated, never edited by hand; regenerate them with:",
        "",
        f"    {command}",
        "",
    ]
    if any(s.contractor == LARGE.name for s in summaries):
        lines += [
            "Three small files show the three shapes a contractor's file comes in, each with the",
            f"same handful of bad rows. The fourth, {LARGE.name}, is one larger file of mostly",
            "small jobs in the Belgian shape: it gives the random sample of 2% enough orders for",
            "`report projection` (at least 30 inspected sampled orders) in the demo workspace.",
            "",
        ]
    lines += [
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
    if loop is not None:
        lines += loop_readme(loop, loop_folder)
    return "\n".join(lines)


def loop_readme(loop: Loop, folder: str) -> list[str]:
    """README lines for the returned list and the survey, with exact counts."""
    returned, survey = f"{folder}{loop.returned}", f"{folder}{loop.survey}"
    row, rejected_id, inspected, completed = loop.rejected
    recorded = sum(loop.total(k) for k in OUTCOMES)
    final = sum(loop.total(k) for k in FINAL)
    failures = loop.total("major") + loop.total("not_done")
    recovered = sum(loop.corrections.values())
    keys = (*OUTCOMES, "open", "rejected")
    sampled = sum(loop.sampled.values())
    inspected_sample, rest, projected, low, high = loop.projection
    lines = [
        "## The control loop: the demo seed, `returned/` and `surveys/`",
        "",
        "Three more files carry the examples through the whole loop, so that `record`,",
        "`satisfaction import` and the reports have something to show:",
        "",
        f"    inspect-cli init demo --seed-file examples/{SEED_FILE}",
        "    cp examples/inbox/* demo/inbox/ && inspect-cli daily -w demo",
        f"    inspect-cli record -w demo --from examples/{returned}",
        f"    inspect-cli satisfaction import -w demo examples/{survey}",
        "",
        f"### `{SEED_FILE}`",
        "",
        "The demo workspace's seed. It is **public**, so anyone can work out which orders it "
        "samples: that is what lets the returned list below hold the random sample, and it is "
        "fit for this demo only. A real workspace draws its own secret seed at a seed ceremony "
        "(`init` without a seed draws 20 random digits; see docs/audit.md), and `doctor` warns "
        "about a workspace that uses this one.",
        "",
        f"### `{returned}`",
        "",
        f"The inspection list as the inspectors hand it back on {RETURNED_ON.isoformat()}, in "
        "the `excel-be` dialect that `export` writes: its 18 columns, `;`, UTF-8 with BOM, "
        "CRLF, decimal comma, dates `27/11/2026`, a leading `'` before text a spreadsheet "
        f"would take for a formula. It holds the {loop.returned_rows} orders that a daily run "
        f"selects with the demo seed: all {loop.returned_rows - sampled} good orders above the "
        "threshold (EUR 1,000.00), which every seed selects, and the "
        f"{sampled} orders of the random sample (reason `random_sample`), which only the demo "
        "seed selects: a workspace with another seed rejects those rows (not selected for "
        "inspection). Every sampled order has a final outcome; so do the larger contractor's "
        "orders above the threshold. `selected_on` and `due_on` are those of a daily run on "
        "the first working day after completion; `record` reads only the order id and the "
        "five outcome columns.",
        "",
        "| contractor | rows | random sample | ok | minor | major | not done | no access "
        "| no result | rejected | corrections (EUR) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, counts in loop.results.items():
        cells = [str(sum(counts.values())), str(loop.sampled[name])]
        cells += [str(counts.get(k, 0)) for k in keys]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {_euros(loop.corrections[name])} |")
    total = [str(loop.returned_rows), str(sampled)] + [str(loop.total(k)) for k in keys]
    lines += [
        "| **total** | " + " | ".join(total) + f" | {_euros(recovered)} |",
        "",
        "- results are written as their codes, except `conform` for ok and `geen toegang` for "
        "no_access in a few rows; findings are short Dutch notes; corrections (EUR) only "
        "with major and not done",
        "- no result (not inspected yet: the most recently completed orders of the three small "
        "files): rows " + ", ".join(str(r) for r in loop.open_rows),
        "- no access (a failed visit; the order stays open): rows "
        + ", ".join(str(r) for r in loop.no_access_rows),
        f"- bad, inspection date before completion: row {row} ({rejected_id} inspected "
        f"{inspected.isoformat()}, completed {completed.isoformat()})",
        "",
        f"With the demo seed, `record` reads {loop.returned_rows} rows: {recorded} recorded (of "
        f"which {loop.total('no_access')} failed visits), {loop.total('open')} open, "
        f"{loop.total('rejected')} rejected (exit code 3). The reports then count {final} "
        f"orders inspected, {failures} failures (major + not done) and EUR "
        f"{_euros(recovered)} recovered by corrections. `report projection` projects the "
        f"corrections of the {rest:,} orders of the draw not inspected from the "
        f"{inspected_sample} inspected sampled orders: EUR {_euros(projected)} "
        f"(95% interval EUR {_euros(low)} to {_euros(high)}).",
        "",
        f"### `{survey}`",
        "",
        "A tenant satisfaction survey export: Dutch headers (`"
        + ";".join(SURVEY_COLUMNS)
        + "`), `;` delimiter, Windows-1252, CRLF, whole scores from 1 to 10, dates "
        f"`27/11/2026` from {loop.answered[0].isoformat()} to {loop.answered[1].isoformat()}, "
        "sorted by date. Answers cover part of all completed orders of every contractor, "
        "inspected or not; *inspected* means a final outcome (ok, minor, major, not done) in "
        "the returned list, as the reports count them in the demo workspace.",
        "",
        "| contractor | answers | inspected orders | not inspected | with a comment |",
        "|---|---|---|---|---|",
    ]
    for name, r in loop.responses.items():
        lines.append(
            f"| {name} | {r['inspected'] + r['other']} | {r['inspected']} | {r['other']} "
            f"| {r['comments']} |"
        )
    sums = {k: sum(r[k] for r in loop.responses.values()) for k in ("inspected", "other")}
    comments = sum(r["comments"] for r in loop.responses.values())
    valid = sums["inspected"] + sums["other"]
    lines += [
        f"| **total** | {valid} | {sums['inspected']} | {sums['other']} | {comments} |",
        "",
        f"- bad, score 11 (outside the scale 1 to 10): row {loop.bad_score_row}",
        "",
        f"`satisfaction import` reads {loop.survey_rows} rows: {valid} new, 1 rejected "
        "(exit code 3).",
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the files to")
    parser.add_argument(
        "--orders",
        type=int,
        default=300,
        help="orders of the three shapes' files together (default 300)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=1,
        help="random seed of the fictitious data: the same seed writes the same files (default 1)",
    )
    parser.add_argument(
        "--shape",
        choices=[*SHAPES, "all"],
        default="all",
        help="which contractor's file: be (Janssens, a Dutch CSV), en (Peeters, a CSV with "
        "English headers), xlsx (Dubois, a French workbook), or all three and the larger "
        "contractor's (default)",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=DEFAULT_START,
        help="first completion date, YYYY-MM-DD (default 2026-09-01)",
    )
    parser.add_argument("--days", type=int, default=61, help="length of the period in days")
    parser.add_argument(
        "--large-orders",
        type=int,
        default=LARGE_ORDERS,
        help="orders of the fourth, larger contractor (Dakwerken Mertens, be shape, mostly "
        f"small jobs) that --shape all adds; 0 leaves it out (default {LARGE_ORDERS})",
    )
    parser.add_argument(
        "--loop",
        type=Path,
        help=f"also write {RETURNED_FILE} (the inspection list handed back), {SURVEY_FILE} "
        f"(a tenant survey) and {SEED_FILE} (the public demo seed) into this folder",
    )
    parser.add_argument("--readme", type=Path, help="also write the README with exact counts")
    args = parser.parse_args(argv)
    loop = None
    try:
        summaries = generate(
            args.out, args.orders, args.seed, args.shape, args.start, args.days, args.large_orders
        )
        if args.loop:
            loop = generate_loop(
                args.loop,
                args.orders,
                args.seed,
                args.shape,
                args.start,
                args.days,
                args.large_orders,
            )
    except ValueError as exc:
        parser.error(str(exc))
    for s in summaries:
        print(
            f"{args.out / s.file}: {s.rows} rows, {s.good} good, "
            f"{s.not_completed} not completed, {s.bad} bad"
        )
    if loop:
        print(f"{args.loop / loop.returned}: {loop.returned_rows} rows")
        print(f"{args.loop / loop.survey}: {loop.survey_rows} rows")
        print(f"{args.loop / SEED_FILE}: the demo seed")
    if args.readme:
        command = shlex.join(["python", "examples/generate.py", *argv])
        folder = _relative(args.out, args.readme.parent)
        loop_folder = _relative(args.loop, args.readme.parent) if args.loop else ""
        text = readme(summaries, command, folder, loop, loop_folder)
        args.readme.write_text(text, encoding="utf-8")
    return 0


def _count_word(n: int) -> str:
    return ("no", "one", "two", "three", "four")[n] if n <= 4 else str(n)


def _euros(cents: int) -> str:
    """1234.56 as the README writes amounts: 1,234.56."""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}.{rest:02d}"


def _relative(path: Path, start: Path) -> str:
    """`path` as the README (in `start`) names it: "" for the same folder, else "sub/"."""
    relative = Path(os.path.relpath(path, start)).as_posix()
    return "" if relative == "." else relative + "/"


if __name__ == "__main__":
    sys.exit(main())
