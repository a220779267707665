"""Read contractor files (CSV or XLSX) into chunks of all-text DataFrames.

Nothing is interpreted here: every cell stays text so that money and dates are parsed exactly,
once, by their own modules. The reader only decides how to *open* a file (format, encoding,
delimiter, header row) and guarantees that every record of the file is accounted for: it is
either yielded with its file row number or counted as blank.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import struct
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.errors import ParserError, ParserWarning

from inspect_cli.errors import UnreadableFile
from inspect_cli.inputs import check_regular_file
from inspect_cli.printable import excerpt as _excerpt

EXTRA = "__extra__"
"""Reserved column: the text of cells beyond the header's last named column ("" if none)."""
ROW = "row"
"""Name of the index of every chunk: the row number in the file (header = 1 normally)."""

DELIMITERS = (",", ";", "\t", "|")
# When two delimiters split the header equally well, the one that is rarer inside free text
# wins: a comma inside "Bedrag (EUR, excl. btw)" says less than a semicolon does.
_TIE_RANK = {",": 0, ";": 1, "|": 2, "\t": 3}
_SAMPLE = 64 * 1024
_BLOCK = 1 << 20
_MAX_WIDTH = 10_000
MAX_LINE_BYTES = 16 << 20
"""Bytes of one line of a text file: pandas holds a whole record, and the text around it,
while it splits it into cells. Real records are a few hundred bytes."""
MAX_COLUMNS = 1_000
"""Named header columns a file may have: far above any contractor's export, and low enough
that a hostile header cannot make naming or parsing wide rows expensive."""
_CELL_BUDGET = 4_000_000  # cells per chunk (about 32 MB of references): caps very wide rows
_XLSX_EXTRA_SEPARATOR = " | "

# Bounds on what an .xlsx (a zip archive) may inflate to, checked on the archive's directory
# before openpyxl reads any member. zipfile never yields more than a member's declared size
# (and fails on its checksum), so a directory that lies about sizes cannot get past them.
MAX_SHEET_BYTES = 1 << 30
"""Uncompressed size of one worksheet: streamed row by row, so it costs time, not memory."""
MAX_MEMBER_BYTES = 64 << 20
"""Uncompressed size of any other member (shared strings, styles): openpyxl holds these whole,
at up to 8 bytes of memory per byte of XML (short strings)."""
MAX_RATIO = 100
"""Uncompressed / compressed size of a member above 1 MiB: real sheets stay well below, a zip
bomb (about 1,000) far above."""
MAX_ROW_BYTES = 16 << 20
"""XML of one worksheet row: openpyxl builds a whole row in memory before yielding it."""
MAX_DIRECTORY_BYTES = 1 << 20
"""Size of the zip directory (one entry per part): a workbook has tens of parts, a few KB."""
_RATIO_FROM = 1 << 20
_EOCD_SPAN = 22 + (1 << 16)  # the end record and the longest comment that may follow it
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Table:
    """An opened contractor file: how to read it, and what reading it found.

    `blank_rows` and `rows` are filled in while `chunks()` runs; after a full iteration
    `rows + blank_rows` is the number of records below the header.
    """

    path: Path
    columns: list[str]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    header_row: int = 1
    chunksize: int = 100_000
    blank_rows: int = 0
    rows: int = 0
    _width: int = field(default=0, repr=False)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Yield the data rows as DataFrames of text.

        Columns are `columns` plus `EXTRA`; every cell is a str and an empty cell is "".
        The index, named `ROW`, is the row number in the file as a spreadsheet shows it:
        the header is row `header_row` (1 unless blank rows precede it), the first data row is
        the next. For CSV a row is a *record*, not a physical line: a quoted cell with embedded
        line breaks still counts as one row. Blank rows (no cell with any non-whitespace text)
        are not yielded but counted in `blank_rows`; their row numbers are skipped.

        A row with more cells than the header keeps its surplus text in `EXTRA` (joined with the
        delimiter, or " | " for XLSX) so that the caller can reject it with a reason; a row with
        fewer cells is padded with "".
        """
        self.blank_rows = 0
        self.rows = 0
        if self.delimiter is None:
            return self._xlsx_chunks()
        return self._csv_chunks()

    def _csv_chunks(self) -> Iterator[pd.DataFrame]:
        # Fast path: pandas' C parser with exactly the header's width. A row with more cells
        # than that makes the C parser raise (or, if it is the first row read, warn and drop
        # data). Both are caught before the chunk is yielded; the parser is then restarted
        # wider and the records already yielded are read again and dropped here, so normal
        # files pay nothing and ragged files keep every cell: surplus cells land in slot
        # columns that are joined into EXTRA. Records are never skipped with `skiprows`: the
        # C parser's skipping loses track of a quoted cell that follows an empty first cell.
        assert self.delimiter is not None
        width = self._width
        handled = self.header_row  # records dealt with so far: header (and above), yielded rows
        while True:
            names = self.columns + [f"__slot{i}__" for i in range(width - len(self.columns))]
            step = max(1, min(self.chunksize, _CELL_BUDGET // width))
            reader = pd.read_csv(
                self.path,
                sep=self.delimiter,
                header=None,
                names=names,
                index_col=False,
                dtype=str,
                na_filter=False,
                skip_blank_lines=False,
                encoding=self.encoding,
                encoding_errors="replace",
                engine="c",
                chunksize=step,
            )
            parsed = 0
            with reader:
                while True:
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("error", ParserWarning)
                            # Rows still to skip come on top of a full chunk when they are
                            # few (the header), in chunks of their own when many (a restart).
                            skip = handled - parsed
                            raw = reader.get_chunk(step + skip if 0 < skip <= step else step)
                    except StopIteration:
                        return
                    except (ParserError, ParserWarning) as exc:
                        width = self._wider(width, exc)
                        break
                    if raw.empty:
                        return
                    start, parsed = parsed, parsed + len(raw)
                    if parsed <= handled:
                        continue
                    if start < handled:
                        raw = raw.iloc[handled - start :]
                        start = handled
                    handled = parsed
                    yield self._finish(raw, start + 1)

    def _wider(self, width: int, exc: Exception) -> int:
        message = str(exc)
        unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
        if unclosed:
            row = int(unclosed.group(1)) + 1
            raise UnreadableFile(
                f"{self.path.name}: the quoted cell that starts in row {row} is never closed"
            ) from exc
        saw = re.search(r"saw (\d+)", message)
        if isinstance(exc, ParserError) and not saw:
            raise UnreadableFile(f"{self.path.name} cannot be parsed as CSV: {message}") from exc
        new = max(int(saw.group(1)) if saw else 2 * width, width + 1)
        if new > _MAX_WIDTH:
            raise UnreadableFile(f"{self.path.name} has a row with more than {_MAX_WIDTH} cells")
        return new

    def _finish(self, raw: pd.DataFrame, first: int) -> pd.DataFrame:
        raw.index = pd.RangeIndex(first, first + len(raw), name=ROW)
        blank = _blank_mask(raw)
        named = len(self.columns)
        df = raw if raw.shape[1] == named else raw.iloc[:, :named].copy()
        df[EXTRA] = _surplus(raw.iloc[:, named:], self.delimiter or ",")
        if blank.any():
            self.blank_rows += int(blank.sum())
            df = df[~blank]
        self.rows += len(df)
        return df

    def _xlsx_chunks(self) -> Iterator[pd.DataFrame]:
        width = len(self.columns)
        labels = [*self.columns, EXTRA]
        rows: list[list[str]] = []
        numbers: list[int] = []
        with _workbook(self.path) as wb:
            for number, cells in _sheet_rows(self.path, wb[self.sheet], self.header_row + 1):
                if not any(c.strip() for c in cells):
                    self.blank_rows += 1
                    continue
                cells += [""] * (width - len(cells))
                surplus = cells[width:]
                while surplus and not surplus[-1].strip():
                    surplus.pop()
                rows.append([*cells[:width], _XLSX_EXTRA_SEPARATOR.join(surplus)])
                numbers.append(number)
                if len(rows) >= self.chunksize:
                    yield self._frame(rows, numbers, labels)
                    rows, numbers = [], []
        if rows:
            yield self._frame(rows, numbers, labels)

    def _frame(self, rows: list[list[str]], numbers: list[int], labels: list[str]) -> pd.DataFrame:
        self.rows += len(rows)
        index = pd.Index(numbers, dtype="int64", name=ROW)
        return pd.DataFrame(rows, columns=labels, index=index, dtype=str)


def open_table(path: Path, sheet: str | None = None, chunksize: int = 100_000) -> Table:
    """Open a contractor file, deciding its format by content rather than by extension.

    Raises UnreadableFile with a one-line reason when the file is missing, empty, binary,
    an old .xls, an OpenDocument file, a corrupt workbook, or when `sheet` does not exist.
    `sheet` is ignored for CSV files. A header-only file is fine: it yields no chunk.
    """
    path = Path(path)
    head = _read_head(path)
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(path, sheet, chunksize)
    if head.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            f"{path.name} is an old Excel .xls workbook; open it in Excel and save it as .xlsx"
        )
    if head.startswith(b"%PDF"):
        raise UnreadableFile(f"{path.name} is a PDF document, not a table")
    table = _open_csv(path, head, chunksize)
    if path.suffix.lower() in (".xlsx", ".xlsm") and len(table.columns) < 2:
        # A CSV named .xlsx is read as the CSV it is; one column of text is no table at all.
        raise UnreadableFile(
            f"{path.name} is not an XLSX file: a workbook is a zip package and this is plain "
            "text; save it from Excel as .xlsx (or, if it is a CSV, name it .csv)"
        )
    return table


def _read_head(path: Path) -> bytes:
    check_regular_file(path)
    try:
        with path.open("rb") as f:
            return f.read(_SAMPLE)
    except OSError as exc:
        raise UnreadableFile(f"{path.name} cannot be read: {exc.strerror}") from None


def _open_csv(path: Path, head: bytes, chunksize: int) -> Table:
    encoding = _detect_encoding(path, head)
    text = head.decode(encoding, errors="replace")  # the utf-8-sig/utf-16 codecs drop the BOM
    complete = len(head) < _SAMPLE
    if not text.strip():
        if complete or _only_whitespace(path, encoding):
            raise UnreadableFile(f"{path.name} is empty")
        raise UnreadableFile(f"{path.name} starts with more than 64 KiB of blank space")
    if encoding != "utf-16" and "\x00" in text:
        raise UnreadableFile(f"{path.name} is not a text table: it contains binary data")
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        if cut < 0:
            raise UnreadableFile(
                f"{path.name} is not a text table: no line break in its first 64 KiB"
            )
        text = text[:cut]
    sniffed = _sniff(text)
    if sniffed is None:
        raise UnreadableFile(f"{path.name} has no header row: no row has any text")
    delimiter, fields, header_row = sniffed
    columns, width = _header_names(fields, path.name)
    return Table(
        path=path,
        columns=columns,
        encoding=encoding,
        delimiter=delimiter,
        sheet=None,
        header_row=header_row,
        chunksize=chunksize,
        _width=width,
    )


def _detect_encoding(path: Path, head: bytes) -> str:
    """BOM first; otherwise UTF-8 if the *whole* file decodes, else Windows-1252.

    The whole file is checked (streamed) because one accented name deep in a large file is
    enough to tell a Windows-1252 file from UTF-8. The same pass refuses a NUL character
    anywhere: no text table has one, and it would end up inside a stored name.
    """
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    utf16 = encoding == "utf-16"
    decoder = codecs.getincrementaldecoder("utf-16" if utf16 else "utf-8")(errors="replace")
    valid = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    line = 0  # bytes since the last line break
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            line = _line_after(block, line)
            if line > MAX_LINE_BYTES:
                raise UnreadableFile(
                    f"{path.name} is not a text table: it has a line of more than "
                    f"{MAX_LINE_BYTES:,} bytes"
                )
            nul = decoder.decode(block).find("\x00") if utf16 else block.find(b"\x00")
            if nul >= 0:
                where = "" if utf16 else f" at byte {offset + nul + 1:,}"
                raise UnreadableFile(
                    f"{path.name} is not a text table: it contains binary data (a NUL{where})"
                )
            offset += len(block)
            if encoding is None:
                try:
                    valid.decode(block)
                except UnicodeDecodeError:
                    encoding = "cp1252"
    if encoding is None:
        try:
            valid.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return encoding or "utf-8"


def _line_after(block: bytes, line: int) -> int:
    """Bytes since the last line break once `block` is read, `line` being that before it;
    the longest line is seen to within a block, at the cost of two searches per block."""
    breaks = [i for i in (block.find(b"\n"), block.find(b"\r")) if i >= 0]
    if not breaks:
        return line + len(block)
    if line + min(breaks) > MAX_LINE_BYTES:
        return line + min(breaks)
    return len(block) - 1 - max(block.rfind(b"\n"), block.rfind(b"\r"))


def _only_whitespace(path: Path, encoding: str) -> bool:
    with path.open("r", encoding=encoding, errors="replace") as f:
        while block := f.read(_BLOCK):
            if block.strip():
                return False
    return True


def _sniff(text: str) -> tuple[str, list[str], int] | None:
    """Choose the delimiter that splits the header into most fields consistently with the rows.

    Returns the delimiter, the header's fields and the header's row number (1-based, after any
    leading blank rows), or None when no row has any text (a lone `"`, say). Parsing is
    quote-aware, so a delimiter inside a quoted name is ignored.
    """
    best: tuple[tuple[bool, bool, int, int], str, list[str], int] | None = None
    for delimiter in DELIMITERS:
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        header: list[str] | None = None
        header_row = 0
        lengths: list[int] = []
        for record in records:
            if header is None:
                header_row += 1
                if any(cell.strip() for cell in record):
                    header = record
            elif any(cell.strip() for cell in record):
                lengths.append(len(record))
                if len(lengths) >= 50:
                    break
        if header is None:
            continue
        consistent = sum(n == len(header) for n in lengths) >= 0.8 * len(lengths)
        score = (len(header) > 1, consistent, len(header), _TIE_RANK[delimiter])
        if best is None or score > best[0]:
            best = (score, delimiter, header, header_row)
    return None if best is None else (best[1], best[2], best[3])


def _header_names(fields: Sequence[str], file: str) -> tuple[list[str], int]:
    """Clean header names; return them and the header's full width.

    Trailing empty names (Excel's `,,,,` after the last column) are not columns: their cells are
    treated as surplus. An empty name in the middle becomes "column N"; a repeated name gets
    " (2)", " (3)"… so that every column can be addressed. Each name remembers its last number,
    so a header repeating one name thousands of times is named in linear time.
    """
    if len(fields) > _MAX_WIDTH:
        raise UnreadableFile(f"{file} has a header of more than {_MAX_WIDTH} cells")
    names = [str(f).replace("\ufeff", "").strip() for f in fields]
    width = len(names)
    while names and not names[-1]:
        names.pop()
    if len(names) > MAX_COLUMNS:
        raise UnreadableFile(
            f"{file} has {len(names)} columns in its header; at most {MAX_COLUMNS} are read"
        )
    seen = {EXTRA}
    last: dict[str, int] = {}
    columns: list[str] = []
    for position, name in enumerate(names, start=1):
        base = name or f"column {position}"
        unique, n = base, last.get(base, 1)
        if n > 1:
            unique = f"{base} ({n})"
        while unique in seen:
            n += 1
            unique = f"{base} ({n})"
        last[base] = n
        seen.add(unique)
        columns.append(unique)
    return columns, width


# What a column name in a header looks like: words, numbers and the punctuation of
# "Bedrag (excl. btw)", "N°", "Montant HTVA €", "e-mail"; short.
_HEADER_NAME = re.compile(r"[\w .,()/%€#°&'+\-]{1,60}")
_QUOTED_COLUMNS = 20


def columns_found(columns: Sequence[str]) -> str:
    """ "columns found: a, b, c" for an error message, when the first row looks like a header.

    A file that is not a table at all (a password file, a key) must not have its first line
    copied into a reason file or a log: its "columns" are only quoted when every name looks
    like a column name, and then escaped and at most 20 of them.
    """
    if not columns:
        return "columns found: none"
    if not all(_HEADER_NAME.fullmatch(c) for c in columns):
        cells = f"{len(columns)} cell" + ("s" if len(columns) != 1 else "")
        return f"its first row ({cells}) does not look like a header, not quoted"
    shown = ", ".join(_excerpt(c, 40) for c in columns[:_QUOTED_COLUMNS])
    more = len(columns) - _QUOTED_COLUMNS
    return f"columns found: {shown}" + (f" and {more} more" if more > 0 else "")


def _blank_mask(df: pd.DataFrame) -> pd.Series:
    """True for rows where no cell has non-whitespace text.

    Decided column by column so that the usual file (an order id in the first column) costs one
    comparison and one whitespace check on a single column.
    """
    undecided = pd.Series(True, index=df.index)
    for column in range(df.shape[1]):
        values = df.iloc[:, column]
        filled = undecided & (values != "")
        if filled.any():
            text = values[filled]
            real = text.index[~text.str.isspace()]
            undecided[real] = False
            if not undecided.any():
                break
    return undecided


def _surplus(slots: pd.DataFrame, delimiter: str) -> pd.Series | str:
    """Surplus cells per row joined with the delimiter, trailing empty cells dropped.

    Done on one numpy array: a row of thousands of surplus cells must not cost a pandas
    operation per column.
    """
    if slots.shape[1] == 0:
        return ""
    values = slots.to_numpy(dtype=object)
    has = (values != "").any(axis=1)
    if not has.any():
        return ""
    surplus = pd.Series("", index=slots.index, dtype=str)
    for position in has.nonzero()[0]:
        cells = values[position].tolist()
        while cells and not cells[-1]:
            cells.pop()
        surplus.iloc[position] = delimiter.join(cells)
    return surplus


def _open_xlsx(path: Path, sheet: str | None, chunksize: int) -> Table:
    _check_zip(path)
    with _workbook(path) as wb:
        names = wb.sheetnames
        if sheet is None:
            if not wb.worksheets:
                raise UnreadableFile(f"{path.name} has no worksheet")
            ws = wb.worksheets[0]
            sheet = ws.title
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise UnreadableFile(
                f"sheet {sheet!r} not found in {path.name}; sheets are: {', '.join(names)}"
            )
        for number, cells in _sheet_rows(path, ws, 1):
            if any(c.strip() for c in cells):
                columns, _ = _header_names(cells, path.name)
                header_row = number
                break
        else:
            raise UnreadableFile(f"sheet {sheet!r} of {path.name} is empty")
    return Table(
        path=path,
        columns=columns,
        encoding=None,
        delimiter=None,
        sheet=sheet,
        header_row=header_row,
        chunksize=chunksize,
        _width=len(columns),
    )


def _sheet_rows(path: Path, ws: Any, start: int) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cell texts) from `start`, blank rows included, to keep numbering exact.

    The stored sheet dimensions are ignored because some generators write them wrong.
    """
    ws.reset_dimensions()
    try:
        for number, values in enumerate(ws.iter_rows(min_row=start, values_only=True), start):
            yield number, [_cell_text(v) for v in values]
    except Exception as exc:
        raise UnreadableFile(f"{path.name} is a corrupt .xlsx workbook ({exc})") from exc


def _check_zip(path: Path) -> None:
    """Refuse a workbook before openpyxl opens it when any member would inflate beyond the
    bounds above (a zip bomb), or a worksheet has a row too long to hold in memory."""
    directory = _directory_size(path)
    if directory is not None and directory > MAX_DIRECTORY_BYTES:
        raise UnreadableFile(
            f"{path.name} is refused: its zip directory takes {directory:,} bytes, more than "
            f"the {MAX_DIRECTORY_BYTES:,} of a workbook with a thousand sheets"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            for member in members:
                _check_member(path, member, MAX_SHEET_BYTES)
            with archive.open("mimetype") if "mimetype" in names else io.BytesIO() as f:
                mimetype = f.read(256)
            if b"opendocument" in mimetype:
                raise UnreadableFile(
                    f"{path.name} is an OpenDocument spreadsheet; save it as .xlsx or CSV"
                )
            if "xl/workbook.xml" not in names:
                raise UnreadableFile(f"{path.name} is a zip archive, not an .xlsx workbook")
            sheets = _worksheet_members(archive, names)
            for member in members:
                if member.filename not in sheets:
                    _check_member(path, member, MAX_MEMBER_BYTES)
                elif member.file_size > MAX_ROW_BYTES:
                    _check_rows(path, archive, member)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnreadableFile(f"{path.name} is a corrupt .xlsx workbook ({exc})") from exc


def _directory_size(path: Path) -> int | None:
    """The size of a zip archive's central directory, from its end records, read before
    zipfile loads the directory whole (an entry per member, however many there are); None
    when there is no end record, which zipfile then reports as a corrupt archive."""
    with path.open("rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        start = max(0, size - _EOCD_SPAN)
        f.seek(start)
        tail = f.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return None
        directory = struct.unpack_from("<L", tail, at + 12)[0]
        locator = at - 20
        if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
            # ZIP64: the real size is in the ZIP64 end record the locator points at.
            (record,) = struct.unpack_from("<Q", tail, locator + 8)
            f.seek(record)
            found = f.read(56)
            if len(found) < 56 or not found.startswith(b"PK\x06\x06"):
                return None
            (directory,) = struct.unpack_from("<Q", found, 40)
    return directory


def _check_member(path: Path, member: zipfile.ZipInfo, limit: int) -> None:
    size, packed = member.file_size, max(member.compress_size, 1)
    if size > limit:
        raise UnreadableFile(
            f"{path.name} is refused: its part {_excerpt(member.filename)} would inflate to "
            f"{size:,} bytes, more than the {limit:,} allowed"
        )
    if size > _RATIO_FROM and size > MAX_RATIO * packed:
        raise UnreadableFile(
            f"{path.name} is refused: its part {_excerpt(member.filename)} is compressed "
            f"{size // packed:,} to 1, more than the {MAX_RATIO} to 1 of a real workbook"
        )


def _worksheet_members(archive: zipfile.ZipFile, names: set[str]) -> set[str]:
    """The members the workbook's relationships name as worksheets (and not as shared strings
    or styles, which openpyxl loads whole and so must stay within MAX_MEMBER_BYTES)."""
    from xml.etree import ElementTree

    rels = "xl/_rels/workbook.xml.rels"
    if rels not in names:
        return set()
    if archive.getinfo(rels).file_size > _RATIO_FROM:
        raise UnreadableFile(f"{archive.filename} is a corrupt .xlsx workbook (rels too large)")
    try:
        root = ElementTree.fromstring(archive.read(rels))
    except ElementTree.ParseError as exc:
        raise zipfile.BadZipFile(f"{rels}: {exc}") from None
    sheets, whole = set(), set()
    for rel in root:
        target = rel.get("Target", "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        kind = rel.get("Type", "")
        (sheets if kind.endswith("/worksheet") else whole).add(os.path.normpath(member))
    return sheets - whole


def _check_rows(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Stream a worksheet's XML once (inflating only) and refuse a row longer than
    MAX_ROW_BYTES: openpyxl parses a whole row into objects before yielding any of it."""
    start = 0  # offset of the last row start seen
    offset = 0  # offset of `tail` in the inflated member
    tail = b""
    with archive.open(member) as f:
        while block := f.read(_BLOCK):
            text = tail + block
            for match in _ROW_START.finditer(text):
                start = max(start, offset + match.start())
            offset += len(text)
            if offset - start > MAX_ROW_BYTES:
                raise UnreadableFile(
                    f"{path.name} is refused: a row of its sheet {_excerpt(member.filename)} "
                    f"takes more than {MAX_ROW_BYTES:,} bytes"
                )
            keep = min(len(text), 64)
            tail = text[-keep:]
            offset -= keep


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:
    """Open read-only with cached formula results (the values Excel shows, not formulas).

    A file object is passed so that openpyxl does not refuse a workbook named .csv; it is
    closed here because openpyxl does not close a handle it did not open.
    """
    from openpyxl import load_workbook

    with path.open("rb") as handle:
        try:
            wb = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:
            raise UnreadableFile(f"{path.name} is a corrupt .xlsx workbook ({exc})") from exc
        try:
            yield wb
        finally:
            wb.close()


def _cell_text(value: object) -> str:
    """Render an XLSX cell as the text a user would type for it.

    Floats keep Excel's 15 significant digits, so 1234.56 is "1234.56" rather than
    "1234.5599999999999", 1000.0 is "1000" and no exponent appears. A date or datetime at
    midnight is "YYYY-MM-DD"; with a time it is "YYYY-MM-DD HH:MM:SS".
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        number = Decimal(f"{value:.15g}")
        return "0" if number == 0 else format(number, "f")
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
