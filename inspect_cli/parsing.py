"""Parsing a contractor file into order values, chunk by chunk and column by column (pandas).

`Parser` reads a file's chunks and turns each into a `Parsed`: the rejected rows with a reason
per field, and the columns of the good rows, split into rows whose order id comes first in the
file and the others (`Repeats` tracks the ids across chunks). `ingest` stores them; it does
not matter here in which process this runs.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from inspect_cli.amounts import detect_convention, parse_amounts
from inspect_cli.config import ContractorProfile, Register, name_key
from inspect_cli.dates import (
    DateEvidence,
    convention_problem,
    month_first_format,
    read_dates,
)
from inspect_cli.errors import AmbiguousColumns, DateConvention, MissingColumns
from inspect_cli.headers import (
    DESCRIPTIVE_FIELDS,
    ORDER_FIELDS,
    map_columns,
    missing_required,
    shared_columns,
)
from inspect_cli.parsed import STAGED_COLUMNS, Parsed, Repeated
from inspect_cli.reader import EXTRA, Table, columns_found, open_table

TEXT_FIELDS = (*DESCRIPTIVE_FIELDS, "invoice_number", "tenant_contact")
AMOUNT_FIELDS = ("amount_excl_vat", "amount_incl_vat")


def open_orders(
    path: Path, sheet: str | None, profile: ContractorProfile | None, chunk_rows: int
) -> tuple[Table, dict[str, str]]:
    """Open a file of orders and map its columns to the fields; raise when it cannot be read
    as a table or lacks a required column."""
    table = open_table(path, sheet=sheet, chunksize=chunk_rows)
    return table, columns_of(table.columns, profile, path)


def columns_of(found: list[str], profile: ContractorProfile | None, path: Path) -> dict[str, str]:
    """Canonical field -> column of the file; raise when a required one is absent."""
    mapping = profile.columns if profile else None
    columns = map_columns(found, mapping, fields=ORDER_FIELDS)
    required = ["order_id"]
    if profile is None:
        required.append("contractor")
    missing = missing_required(columns, required)
    if "amount_excl_vat" not in columns and "amount_incl_vat" not in columns:
        missing.append("amount_excl_vat")
    if missing:
        hint = (
            ""
            if profile
            else " (or name its contractor: `ingest --contractor NAME`, or in inspect-cli.toml "
            f'[contractors."NAME"] files = ["{path.name}"], which `daily` reads too)'
        )
        raise MissingColumns(
            f"{path}: missing required column(s): {', '.join(missing)}{hint}; "
            f"{columns_found(found)}"
        )
    shared = shared_columns(columns, mapping)
    if shared:
        column, fields = next(iter(shared.items()))
        name = profile.name if profile else "Contractor name"
        raise AmbiguousColumns(
            f"{path}: column '{column}' would fill {' and '.join(fields)}; a column fills one "
            f'field unless the profile says so. Add to inspect-cli.toml [contractors."{name}"]'
            + ("" if profile and profile.files else f' files = ["{path.name}"]')
            + f' and under [contractors."{name}".columns] either "{column}" = "{fields[0]}" '
            f'(one field) or "{column}" = {json.dumps(fields)} (each of them)'
        )
    return columns


def cells_of(table: Table, rows: list[int]) -> dict[int, list[str]]:
    """The original cells of these file rows, read again: rows of chunks gone by whose id a
    later row repeats with other values."""
    found: dict[int, list[str]] = {}
    last = max(rows)
    for chunk in table.chunks():
        for row in chunk.index.intersection(rows):
            found[int(row)] = chunk.loc[row, table.columns].tolist()
        if chunk.index[-1] >= last:
            break
    return found


class Parser:
    """Reads and parses the chunks of a file one after the other."""

    def __init__(
        self,
        table,
        columns: dict[str, str],
        profile: ContractorProfile | None,
        register: Register | None = None,
    ):
        self.table = table
        self.columns = columns
        self.profile = profile
        self.register = register
        self.convention = profile.amount_convention if profile else None
        self.chunks = table.chunks()
        self.repeats = Repeats()
        self.evidence: dict[str, DateEvidence] = {}

    def next(self) -> Parsed | None:
        chunk = next(self.chunks, None)
        if chunk is None:
            return None
        if self.convention is None:
            self.convention = _convention(chunk, self.columns)
        evidence: dict[str, DateEvidence] = {}
        parsed, problems = parse_orders(
            chunk, self.columns, self.profile, self.convention, self.register, evidence
        )
        self._check_dates(evidence)
        bad = problems.notna().to_numpy()
        cells = self.table.columns
        rejected = _rejected_rows(chunk, cells, problems, bad)
        good = ~bad
        order_ids = parsed["order_id"][good] if bad.any() else parsed["order_id"]
        repeated = np.zeros(len(parsed), dtype=bool)
        repeated[good] = self.repeats.add_chunk(_id_hashes(order_ids), order_ids, chunk, cells)
        return Parsed(
            read=len(chunk),
            rejected=rejected,
            not_completed=int((parsed["completed_on"].isna().to_numpy() & good).sum()),
            firsts=_staged_columns(parsed, good & ~repeated),
            repeated=_staged_columns(parsed, repeated),
        )

    def _check_dates(self, evidence: dict[str, DateEvidence]) -> None:
        """Add a chunk's date evidence to the file's; raise when a date column cannot be read
        with one convention. The file is one transaction, so an error in a later chunk still
        stores nothing of it."""
        date_format = self.profile.date_format if self.profile else None
        for field, found in evidence.items():
            seen = self.evidence[field] = self.evidence.get(field, DateEvidence()).merge(found)
            problem = convention_problem(seen, date_format)
            if problem is None:
                continue
            path = self.table.path
            message = f"{path}: column '{self.columns[field]}' ({field}) {problem}: "
            if date_format is None and not seen.day_first:
                name = self.profile.name if self.profile else "Contractor name"
                files = "" if self.profile and self.profile.files else f'files = ["{path.name}"]\n'
                message += (
                    "the file is not imported, so that no date is read with day and month "
                    "swapped. If this contractor writes dates month-first, add to "
                    f'inspect-cli.toml:\n[contractors."{name}"]\n{files}'
                    f'date_format = "{month_first_format(seen.month_first or "")}"\n'
                    "and import the file again."
                )
            elif date_format is None:
                message += (
                    "the file is not imported; ask the contractor for one date convention "
                    "throughout, or correct the file."
                )
            else:
                message += (
                    "the file is not imported, so that no date is read with day and month "
                    f'swapped; correct date_format in [contractors."{self.profile.name}"] of '
                    "inspect-cli.toml, or the file."
                )
            raise DateConvention(message)


def _rejected_rows(
    chunk: pd.DataFrame, cells: list[str], problems: pd.Series, bad: np.ndarray
) -> list[tuple[int, list[str], str]]:
    """(file row, original cells, reasons) of the chunk's rejected rows, taken column by column:
    a rejected row in every few dozen would otherwise cost a pandas row lookup each."""
    if not bad.any():
        return []
    values = [chunk[column].to_numpy(dtype=object)[bad].tolist() for column in cells]
    rows = chunk.index.to_numpy()[bad].tolist()
    reasons = problems[bad].tolist()
    return list(zip(rows, map(list, zip(*values, strict=True)), reasons, strict=True))


class Repeats:
    """Tracks order ids that occur more than once in a file, with 16 bytes per distinct id.

    The 64-bit hashes of all ids seen so far are kept sorted, with the row of each hash's first
    occurrence; a row whose hash was seen before (or repeats within its chunk) keeps its
    original cells, so a conflict can be quarantined without reading the file again, unless
    its first occurrence lay in an earlier chunk, and its id keeps the row of the hash's first
    occurrence. The hashes are Python's own, which differ from process to process: nothing
    outside the process that parsed the file looks them up.
    """

    def __init__(self) -> None:
        self.seen = np.empty(0, dtype=np.int64)
        self.first_rows = np.empty(0, dtype=np.int64)
        self.found = Repeated()

    def add_chunk(
        self,
        hashes: np.ndarray,
        order_ids: pd.Series,
        chunk: pd.DataFrame,
        columns: list[str],
    ) -> np.ndarray:
        """Remember the hashes of a chunk's rows; return which rows repeat an earlier one.

        Done on the chunk's hashes sorted once: repeats within the chunk are neighbours, and
        the new hashes go into the sorted ones in one linear pass.
        """
        if not len(hashes):
            return np.zeros(0, dtype=bool)
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        same = ordered[1:] == ordered[:-1]
        earlier = np.concatenate(([False], same))
        twice = earlier | np.concatenate((same, [False]))
        at = np.searchsorted(self.seen, ordered)
        if len(self.seen):
            before = self.seen[np.minimum(at, len(self.seen) - 1)] == ordered
            earlier |= before
            twice |= before
        numbers = order_ids.index.to_numpy(dtype=np.int64)[order]
        for row in np.sort(numbers[twice]).tolist():
            self.found.cells[row] = chunk.loc[row, columns].tolist()
        first = ~earlier
        self.seen = np.insert(self.seen, at[first], ordered[first])
        self.first_rows = np.insert(self.first_rows, at[first], numbers[first])
        repeated = np.empty_like(earlier)
        repeated[order] = earlier
        if repeated.any():
            at_first = np.searchsorted(self.seen, hashes[repeated])
            ids = order_ids.to_numpy()[repeated].tolist()
            self.found.first_of.update(zip(ids, self.first_rows[at_first].tolist(), strict=True))
        return repeated


def _convention(chunk: pd.DataFrame, columns: dict[str, str]) -> str | None:
    """Fix the decimal convention from the first chunk that shows one, for the whole file."""
    for field in AMOUNT_FIELDS:
        if field in columns:
            found = detect_convention(chunk[columns[field]])
            if found in ("comma", "point"):
                return found
    return None


def _stripped(values: pd.Series) -> pd.Series:
    """Cells without surrounding white space, None when empty.

    A list comprehension over the cells beats pandas' string methods here, which loop in
    Python anyway when pyarrow is not installed; the cells are taken from an object array,
    which is quicker to walk than the string Series itself (benchmarks/README.md).
    """
    cells = values.to_numpy(dtype=object).tolist()
    return pd.Series([v.strip() or None for v in cells], index=values.index, dtype=object)


def _staged_columns(frame: pd.DataFrame, rows: np.ndarray) -> dict:
    """The columns of the chosen rows as plain lists (None for missing), cheap to bind and to
    send. Taken column by column from numpy arrays: no copy of the frame's chosen rows."""
    columns = {"row": frame.index.to_numpy()[rows].tolist()}
    for field in STAGED_COLUMNS[1:]:
        values = frame[field]
        if values.dtype != object:
            values = values.astype(object).where(values.notna(), None)
        columns[field] = values.to_numpy()[rows].tolist()
    return columns


def _id_hashes(order_ids: pd.Series) -> np.ndarray:
    """64-bit hashes of the order ids: duplicates across chunks are found by comparing these
    (8 bytes per row) instead of keeping every id in memory or indexing the staging table.

    Python's own str hash is quicker than pandas' and stable within the process, which is all
    a file's import needs.
    """
    return np.fromiter(map(_id_hash, order_ids.tolist()), dtype=np.int64, count=len(order_ids))


_id_hash = hash


def parse_orders(
    chunk: pd.DataFrame,
    columns: dict[str, str],
    profile: ContractorProfile | None,
    convention: str | None,
    register: Register | None = None,
    evidence: dict[str, DateEvidence] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Parse a chunk of text rows into order values, column by column.

    Contractor names go through the register's aliases to their canonical name; an order id
    gets the id prefix of the file's profile, or else of the row's contractor. The evidence
    of each date column's convention goes into ``evidence`` when given.

    Returns the parsed frame (indexed by file row, columns ``order_id`` and the stored value
    fields) and a Series of problems: None for a good row, else "field: reason; field: reason".
    """
    index = chunk.index
    out = pd.DataFrame(index=index)
    problems: dict[str, pd.Series] = {}

    def text(field: str) -> pd.Series:
        if field not in columns:
            # Not pd.Series(None, ...), which pandas 3 fills with NaN instead of None.
            return pd.Series([None] * len(index), index=index, dtype=object)
        return _stripped(chunk[columns[field]])

    order_id = text("order_id")
    problems["order_id"] = _required(order_id, "order_id: empty")

    contractor = text("contractor")
    if register is not None and register.names:
        contractor = _canonical(contractor, register.names)
    if profile is not None:
        contractor = contractor.fillna(profile.name)
    out["order_id"] = _prefixed_ids(order_id, contractor, profile, register)
    out["contractor"] = contractor
    problems["contractor"] = _required(contractor, "contractor: empty")

    out["amount_cents"], problems["amount"] = _amounts(chunk, columns, text, convention)

    date_format = profile.date_format if profile else None
    for field in ("completed_on", "order_date"):
        if field in columns:
            parsed, found = read_dates(chunk[columns[field]], date_format)
            if evidence is not None:
                evidence[field] = found
            out[field] = parsed.values.astype(object).where(parsed.values.notna(), None)
            problems[field] = _prefixed(field, parsed.errors)
        else:
            out[field] = None

    for field in TEXT_FIELDS:
        out[field] = text(field)
    out["vat_rate"] = text("vat_rate")

    extra = chunk[EXTRA] if EXTRA in chunk else pd.Series("", index=index)
    problems["row"] = pd.Series(
        np.where(extra != "", "row: more cells than the header has columns", None),
        index=index,
        dtype=object,
    )
    return out, _join(problems, index)


def _canonical(names: pd.Series, register: dict[str, str]) -> pd.Series:
    """Each name as its canonical name when it is one of the register's aliases, else as it
    came; looked up once per distinct name."""
    codes, distinct = pd.factorize(names)
    mapped = np.array([register.get(name_key(n), n) for n in distinct] + [None], dtype=object)
    return pd.Series(mapped[codes], index=names.index, dtype=object)


def _prefixed_ids(
    order_ids: pd.Series,
    contractors: pd.Series,
    profile: ContractorProfile | None,
    register: Register | None,
) -> pd.Series:
    """Order ids as stored: with the profile's id prefix for every row of the file, or else
    with the prefix of each row's (canonical) contractor, when it has one."""
    if profile is not None and profile.id_prefix:
        prefixes: pd.Series | str = profile.id_prefix
    elif register is not None and register.prefixes:
        prefixes = contractors.map(register.prefixes).fillna("")
    else:
        return order_ids
    return (prefixes + order_ids.fillna("")).where(order_ids.notna(), None)


def _amounts(chunk, columns, text, convention) -> tuple[pd.Series, pd.Series]:
    """Amount excl. VAT in cents, from the excl. column or from incl. VAT and the VAT rate."""
    index = chunk.index
    cents = pd.Series(pd.NA, index=index, dtype="Int64")
    errors = pd.Series([None] * len(index), index=index, dtype=object)
    if "amount_excl_vat" in columns:
        excl = parse_amounts(chunk[columns["amount_excl_vat"]], convention)
        cents = excl.values.astype("Int64")
        errors = _prefixed("amount_excl_vat", excl.errors)
    if "amount_incl_vat" in columns:
        missing = cents.isna() & errors.isna()
        incl = parse_amounts(chunk[columns["amount_incl_vat"]], convention)
        rates = text("vat_rate").map(_vat_basis_points, na_action="ignore")
        derived = _excl_from_incl(incl.values, rates)
        incl_errors = _prefixed("amount_incl_vat", incl.errors)
        no_rate = incl.values.notna() & rates.isna()
        incl_errors = incl_errors.where(
            ~no_rate, "vat_rate: missing or not a percentage, needed with an amount incl. VAT"
        )
        cents = cents.where(~missing, derived)
        errors = errors.where(~missing, incl_errors)
    empty = cents.isna() & errors.isna()
    field = "amount_excl_vat" if "amount_excl_vat" in columns else "amount_incl_vat"
    errors = errors.where(~empty, f"{field}: empty")
    return cents.astype(object).where(cents.notna(), None), errors


def _vat_basis_points(text: str) -> int | None:
    """'21', '21%', '21,00 %', '0.21' -> 2100; None when not a VAT rate."""
    cleaned = text.replace("%", "").replace(",", ".").strip()
    try:
        rate = Decimal(cleaned)
    except InvalidOperation:
        return None
    if 0 < rate < 1:
        rate *= 100
    if not 0 <= rate <= 100 or rate != rate.quantize(Decimal("0.01")):
        return None
    return int(rate * 100)


def _excl_from_incl(incl: pd.Series, basis_points: pd.Series) -> pd.Series:
    """incl / (1 + rate), rounded half away from zero to the cent, in integer arithmetic."""
    ok = incl.notna() & basis_points.notna()
    result = pd.Series(pd.NA, index=incl.index, dtype="Int64")
    if ok.any():
        amount = incl[ok].astype("int64").to_numpy()
        divisor = 10_000 + basis_points[ok].astype("int64").to_numpy()
        scaled = np.abs(amount) * 10_000
        rounded = (2 * scaled + divisor) // (2 * divisor)
        result[ok] = np.sign(amount) * rounded
    return result


def _required(values: pd.Series, reason: str) -> pd.Series:
    return pd.Series(np.where(values.isna(), reason, None), index=values.index, dtype=object)


def _prefixed(field: str, errors: pd.Series) -> pd.Series:
    bad = errors.notna()
    if not bad.any():
        return errors
    return errors.map(lambda e: f"{field}: {e}", na_action="ignore")


def _join(problems: dict[str, pd.Series], index: pd.Index) -> pd.Series:
    """One "a; b" text per row with problems, None elsewhere (joined only for bad rows)."""
    bad = np.zeros(len(index), dtype=bool)
    for column in problems.values():
        bad |= column.notna().to_numpy()
    joined = pd.Series([None] * len(index), index=index, dtype=object)
    if bad.any():
        frame = pd.DataFrame(problems, index=index)[bad]
        joined[bad] = frame.apply(lambda r: "; ".join(r.dropna()), axis=1)
    return joined
