"""Reading contractor files: formats, encodings, delimiters, messy rows and clear refusals."""

from __future__ import annotations

import csv
import functools
import importlib.util
import sys
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from inspect_cli.headers import ORDER_FIELDS, map_columns
from inspect_cli.reader import EXTRA, ROW, Table, UnreadableFile, open_table

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
INBOX = EXAMPLES / "inbox"
DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not present")


def read_all(table: Table) -> pd.DataFrame:
    chunks = list(table.chunks())
    if not chunks:
        return pd.DataFrame(columns=[*table.columns, EXTRA])
    return pd.concat(chunks)


def write(tmp_path: Path, data: bytes | str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def rows(table: Table) -> list[list[object]]:
    """[row number, cells..., extra] per yielded row."""
    frame = read_all(table)
    return [[n, *values] for n, values in zip(frame.index, frame.values.tolist(), strict=True)]


@functools.cache
def load_generator():
    """examples/generate.py is a script, not part of the package: load it by path."""
    spec = importlib.util.spec_from_file_location("examples_generate", EXAMPLES / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


# --- bundled examples -------------------------------------------------------------------------

EXAMPLE_FILES = [
    ("bouwbedrijf-janssens-2026-09.csv", "cp1252", ";", None, 10, 135),
    ("peeters-sanitair-2026-10.csv", "utf-8", ",", None, 12, 105),
    ("electricite-dubois-2026-q3.xlsx", None, None, "Bons", 10, 60),
]


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "sheet", "width", "count"), EXAMPLE_FILES
)
def test_example_files_open_as_documented(name, encoding, delimiter, sheet, width, count):
    table = open_table(INBOX / name)
    frame = read_all(table)
    assert (table.encoding, table.delimiter, table.sheet) == (encoding, delimiter, sheet)
    assert len(table.columns) == width
    assert len(frame) == table.rows == count
    assert table.blank_rows == 0
    assert list(frame.index[:2]) == [2, 3]
    assert (frame[EXTRA] == "").all()


def test_example_janssens_has_dutch_headers_and_flemish_text():
    table = open_table(INBOX / "bouwbedrijf-janssens-2026-09.csv")
    assert table.columns == [
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
    text = " ".join(read_all(table)["Omschrijving"])
    assert "\u2013" in text  # the en dash is byte 0x96 in Windows-1252
    assert any(c in text for c in "ëéöÉ")


def test_example_dubois_xlsx_cells_become_plain_text():
    frame = read_all(open_table(INBOX / "electricite-dubois-2026-q3.xlsx"))
    assert frame["Code postal"].str.fullmatch(r"\d{4}").all()
    completed = frame["Date d'exécution"]
    assert completed[completed != ""].str.fullmatch(r"2026-09-\d\d|31/02/2026").all()
    amounts = frame["Montant HTVA"]
    assert amounts[~amounts.isin(["", "abc"])].str.fullmatch(r"\d+(\.\d{1,2})?").all()


def test_examples_are_what_the_generator_writes_and_the_readme_counts_them(tmp_path):
    generate = load_generator()
    summaries = generate.generate(tmp_path)
    for summary in summaries:
        bundled, fresh = INBOX / summary.file, tmp_path / summary.file
        if bundled.suffix == ".csv":
            assert bundled.read_bytes() == fresh.read_bytes(), summary.file
        else:
            assert read_all(open_table(bundled)).equals(read_all(open_table(fresh)))
    command = (
        "python examples/generate.py --out examples/inbox --loop examples "
        "--readme examples/README.md"
    )
    loop = generate.generate_loop(tmp_path / "loop")
    expected = generate.readme(summaries, command, "inbox/", loop)
    assert (EXAMPLES / "README.md").read_text(encoding="utf-8") == expected


def test_example_bad_rows_are_where_the_readme_says(tmp_path):
    generate = load_generator()
    for summary in generate.generate(tmp_path):
        table = open_table(INBOX / summary.file)
        frame = read_all(table)
        found = map_columns(table.columns, fields=ORDER_FIELDS)
        order_id, amount = found["order_id"], found["amount_excl_vat"]
        completed = found["completed_on"]
        assert frame.loc[summary.bad_rows["missing amount"], amount].tolist() == [""]
        assert frame.loc[summary.bad_rows["amount abc"], amount].tolist() == ["abc"]
        assert frame.loc[summary.bad_rows["impossible date"], completed].tolist() == ["31/02/2026"]
        first, second = frame.loc[summary.bad_rows["duplicate id"]].to_dict("records")
        assert first[order_id] == second[order_id] and first[amount] != second[amount]
        assert (frame.loc[summary.not_completed_rows, completed] == "").all()
        starts = frame.loc[summary.injection_rows].apply(lambda r: r.str[:1].tolist(), axis=1)
        assert all({"=", "+", "-", "@"} & set(cells) for cells in starts)
        assert summary.good + summary.not_completed + summary.bad == summary.rows == len(frame)


def test_generator_scales_the_be_shape(tmp_path):
    generate = load_generator()
    [summary] = generate.generate(tmp_path, orders=5_000, shape="be", seed=7)
    table = open_table(tmp_path / summary.file)
    frame = read_all(table)
    assert table.encoding == "cp1252" and len(frame) == 5_000
    assert frame["Bonnummer"].nunique() == 4_999  # one planted duplicate
    amounts = frame["Bedrag excl. btw"]
    assert amounts.str.contains(r"^\d{1,3}(?:\.\d{3})+,\d\d$").sum() > 300  # ~12% above 1.000,00


# --- delimiters and encodings -----------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected(tmp_path, delimiter):
    lines = [["Bonnummer", "Bedrag", "Datum"], ["A-1", "1,50", "27/11/2026"], ["A-2", "3", ""]]
    if delimiter == ",":
        lines[1][1] = '"1,50"'
    text = "\n".join(delimiter.join(line) for line in lines) + "\n"
    table = open_table(write(tmp_path, text))
    assert table.delimiter == delimiter
    assert table.columns == ["Bonnummer", "Bedrag", "Datum"]
    assert rows(table) == [[2, "A-1", "1,50", "27/11/2026", ""], [3, "A-2", "3", "", ""]]


def test_semicolon_wins_over_commas_inside_header_names(tmp_path):
    text = "Bedrag (EUR, excl. btw);Datum\n123,45;27/11/2026\n"
    table = open_table(write(tmp_path, text))
    assert table.delimiter == ";"
    assert table.columns == ["Bedrag (EUR, excl. btw)", "Datum"]


def test_single_column_file_is_fine(tmp_path):
    table = open_table(write(tmp_path, "Bonnummer\nA-1\nA-2\n"))
    assert table.columns == ["Bonnummer"]
    assert rows(table) == [[2, "A-1", ""], [3, "A-2", ""]]


def test_utf8_with_bom(tmp_path):
    table = open_table(write(tmp_path, b"\xef\xbb\xbfBonnummer;Gemeente\nA-1;Li\xc3\xa8ge\n"))
    assert table.encoding == "utf-8-sig"
    assert table.columns == ["Bonnummer", "Gemeente"]
    assert rows(table) == [[2, "A-1", "Liège", ""]]


def test_utf8_without_bom(tmp_path):
    table = open_table(write(tmp_path, "Bonnummer;Omschrijving\nA-1;Één raam \u2013 €\n"))
    assert table.encoding == "utf-8"
    assert rows(table) == [[2, "A-1", "Één raam \u2013 €", ""]]


def test_cp1252_with_nbsp_en_dash_and_an_undefined_byte(tmp_path):
    data = b"Aannemer;Omschrijving\nPenna Plc\xa0;Ruit \x96 keuken \x81 caf\xe9\n"
    table = open_table(write(tmp_path, data))
    assert table.encoding == "cp1252"
    assert rows(table) == [[2, "Penna Plc\xa0", "Ruit \u2013 keuken \ufffd café", ""]]


def test_encoding_is_decided_on_the_whole_file_not_a_sample(tmp_path):
    filler = "A-1;gewoon ascii\n" * 10_000
    utf8 = write(tmp_path, ("Bon;Tekst\n" + filler + "A-2;één\n").encode(), "utf8.csv")
    cp1252 = write(tmp_path, ("Bon;Tekst\n" + filler + "A-2;één\n").encode("cp1252"), "cp.csv")
    assert open_table(utf8).encoding == "utf-8"
    table = open_table(cp1252)
    assert table.encoding == "cp1252"
    assert read_all(table)["Tekst"].iloc[-1] == "één"


def test_utf16_unicode_text_from_excel(tmp_path):
    data = "Bonnummer\tBedrag\r\nA-1\t12,50\r\n".encode("utf-16")
    table = open_table(write(tmp_path, data, "orders.txt"))
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert rows(table) == [[2, "A-1", "12,50", ""]]


# --- rows ---------------------------------------------------------------------------------------


def test_quoted_cells_with_embedded_newlines_count_as_one_row(tmp_path):
    text = 'Bon,Omschrijving,Bedrag\nA-1,"regel 1\nregel 2",10\nA-2,"a ""quote""",20\nA-3,x,30\n'
    table = open_table(write(tmp_path, text))
    assert rows(table) == [
        [2, "A-1", "regel 1\nregel 2", "10", ""],
        [3, "A-2", 'a "quote"', "20", ""],
        [4, "A-3", "x", "30", ""],
    ]


def test_trailing_empty_header_names_are_dropped_with_their_cells(tmp_path):
    table = open_table(write(tmp_path, "Bon,Bedrag,,,,\r\nA-1,10,,,,\r\nA-2,20,,,,\r\n"))
    assert table.columns == ["Bon", "Bedrag"]
    assert rows(table) == [[2, "A-1", "10", ""], [3, "A-2", "20", ""]]


def test_text_under_a_nameless_trailing_column_is_surplus(tmp_path):
    table = open_table(write(tmp_path, "Bon;Bedrag;;\nA-1;10;;\nA-2;20;;vergeten\n"))
    assert rows(table) == [[2, "A-1", "10", ""], [3, "A-2", "20", ";vergeten"]]


@pytest.mark.parametrize("chunksize", [1, 2, 100])
def test_rows_with_more_cells_than_the_header_keep_their_surplus(tmp_path, chunksize):
    text = "Bon;Bedrag;Datum\nA-1;10;x;EXTRA;MORE\nA-2;20;y\nA-3;30;z;;late\nA-4;40;w;1;2;3;4;5;6\n"
    table = open_table(write(tmp_path, text), chunksize=chunksize)
    assert rows(table) == [
        [2, "A-1", "10", "x", "EXTRA;MORE"],
        [3, "A-2", "20", "y", ""],
        [4, "A-3", "30", "z", ";late"],
        [5, "A-4", "40", "w", "1;2;3;4;5;6"],
    ]
    assert table.rows == 4


@pytest.mark.parametrize("chunksize", [1, 100])
def test_trailing_delimiters_are_not_surplus_but_text_after_them_is(tmp_path, chunksize):
    text = "Bon;Bedrag\nA-1;10;\nA-2;20;\nA-3;30;;x\n"
    table = open_table(write(tmp_path, text), chunksize=chunksize)
    assert rows(table) == [[2, "A-1", "10", ""], [3, "A-2", "20", ""], [4, "A-3", "30", ";x"]]


cells = st.text(alphabet='ab ;,"\n\té\xa0', max_size=4)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.lists(st.lists(cells, max_size=6), max_size=12),
    chunksize=st.integers(min_value=1, max_value=5),
)
def test_every_record_is_yielded_with_its_cells_or_counted_blank(tmp_path, body, chunksize):
    """Whatever the widths, quotes and blank lines, no cell is lost and numbering is exact."""
    path = tmp_path / "prop.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\n")
        writer.writerow(["h1", "h2", "h3"])
        writer.writerows(body)
    table = open_table(path, chunksize=chunksize)
    expected = []
    for number, record in enumerate(body, start=2):
        if all(not c.strip() for c in record):
            continue
        surplus = record[3:]
        while surplus and not surplus[-1]:
            surplus.pop()
        expected.append([number, *[*record, "", "", ""][:3], ";".join(surplus)])
    assert rows(table) == expected
    assert table.rows + table.blank_rows == len(body)


def test_a_ragged_row_in_a_later_chunk_does_not_disturb_earlier_ones(tmp_path):
    body = "".join(f"A-{i};{i}\n" for i in range(1, 51)) + "A-51;51;surplus\n" + "A-52;52\n"
    table = open_table(write(tmp_path, "Bon;Bedrag\n" + body), chunksize=10)
    frame = read_all(table)
    assert list(frame.index) == list(range(2, 54))
    assert frame.loc[52, EXTRA] == "surplus"
    assert (frame.drop(index=52)[EXTRA] == "").all()


def test_a_restart_after_a_ragged_row_keeps_quoted_cells_after_an_empty_first_cell(tmp_path):
    text = 'Bon;Omschrijving;Bedrag\n;"twee\nregels; met puntkomma";10\n;;;"te veel"\nA-3;x;30\n'
    table = open_table(write(tmp_path, text), chunksize=1)
    assert rows(table) == [
        [2, "", "twee\nregels; met puntkomma", "10", ""],
        [3, "", "", "", "te veel"],
        [4, "A-3", "x", "30", ""],
    ]


def test_a_thousand_surplus_cells_are_kept_in_bounded_chunks(tmp_path):
    wide = ";".join(["A-2", "20", *["v"] * 1_000])
    text = "Bon;Bedrag\n" + "A-1;10\n" * 5_000 + wide + "\nA-3;30\n"
    table = open_table(write(tmp_path, text))
    chunks = list(table.chunks())
    assert max(len(c) for c in chunks) < 5_000  # a 1,002-cell width shrinks the chunks
    frame = pd.concat(chunks)
    assert len(frame) == 5_002 and frame.index[-1] == 5_003
    assert frame.loc[5_002, EXTRA] == ";".join(["v"] * 1_000)


def test_an_absurdly_wide_row_makes_the_file_unreadable(tmp_path):
    text = "Bon;Bedrag\nA-1;10\n" + ";".join(["v"] * 30_000) + "\n"
    table = open_table(write(tmp_path, text))
    with pytest.raises(UnreadableFile, match=r"^orders\.csv has a row with more than 10000 cells$"):
        read_all(table)


def test_short_rows_are_padded_with_empty_cells(tmp_path):
    table = open_table(write(tmp_path, "Bon;Bedrag;Datum\nA-1;10\nA-2\n"))
    assert rows(table) == [[2, "A-1", "10", "", ""], [3, "A-2", "", "", ""]]


def test_blank_rows_are_skipped_but_counted_and_keep_row_numbers(tmp_path):
    text = "Bon;Bedrag\nA-1;10\n\n;\n   \nA-2;20\n\n"
    table = open_table(write(tmp_path, text))
    assert rows(table) == [[2, "A-1", "10", ""], [6, "A-2", "20", ""]]
    assert (table.rows, table.blank_rows) == (2, 4)


def test_leading_blank_lines_move_the_header(tmp_path):
    table = open_table(write(tmp_path, "\n;;\nBon;Bedrag\nA-1;10\n"))
    assert table.header_row == 3
    assert table.columns == ["Bon", "Bedrag"]
    assert rows(table) == [[4, "A-1", "10", ""]]


def test_empty_and_repeated_header_names_are_made_addressable(tmp_path):
    table = open_table(write(tmp_path, "Bon;;Bedrag;Bedrag\nA-1;x;10;11\n"))
    assert table.columns == ["Bon", "column 2", "Bedrag", "Bedrag (2)"]
    assert rows(table) == [[2, "A-1", "x", "10", "11", ""]]


def test_chunks_are_bounded_and_numbered_continuously(tmp_path):
    body = "".join(f"A-{i};{i}\n" for i in range(250))
    table = open_table(write(tmp_path, "Bon;Bedrag\n" + body), chunksize=100)
    chunks = list(table.chunks())
    assert [len(c) for c in chunks] == [100, 100, 50]
    assert chunks[1].index[0] == 102 and chunks[-1].index[-1] == 251
    assert chunks[0].index.name == ROW
    assert all(isinstance(v, str) for v in chunks[0].iloc[0])


def test_header_only_file_has_columns_and_no_rows(tmp_path):
    table = open_table(write(tmp_path, "Bonnummer;Bedrag excl. btw\r\n"))
    assert table.columns == ["Bonnummer", "Bedrag excl. btw"]
    assert list(table.chunks()) == []
    assert (table.rows, table.blank_rows) == (0, 0)


def test_chunks_can_be_read_twice(tmp_path):
    table = open_table(write(tmp_path, "Bon;Bedrag\nA-1;10\n\n"))
    assert rows(table) == rows(table)
    assert (table.rows, table.blank_rows) == (1, 1)


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"])
def test_empty_file(tmp_path, data):
    with pytest.raises(UnreadableFile, match=r"^orders\.csv is empty$"):
        open_table(write(tmp_path, data))


def test_a_lone_quote_is_no_table(tmp_path):
    with pytest.raises(UnreadableFile, match=r"^orders\.csv has no header row"):
        open_table(write(tmp_path, b'"'))


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableFile, match=r"^nope\.csv does not exist$"):
        open_table(tmp_path / "nope.csv")


def test_binary_garbage(tmp_path):
    data = bytes(range(256)) * 20
    with pytest.raises(UnreadableFile, match=r"^orders\.csv is not a text table: .*binary"):
        open_table(write(tmp_path, data))


def test_old_xls_is_refused_with_advice(tmp_path):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    with pytest.raises(UnreadableFile, match=r"^orders\.xls is an old Excel \.xls .*save it as"):
        open_table(write(tmp_path, data, "orders.xls"))


def test_corrupt_xlsx(tmp_path):
    good = make_xlsx(tmp_path, {"Blad1": [["Bon"], ["A-1"]]}).read_bytes()
    data = good[: len(good) // 2]
    with pytest.raises(UnreadableFile, match=r"^orders\.xlsx is a corrupt \.xlsx workbook"):
        open_table(write(tmp_path, data, "orders.xlsx"))


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UnreadableFile, match=r"^orders\.xlsx is a zip archive, not an \.xlsx"):
        open_table(path)


def test_unclosed_quote_names_the_row(tmp_path):
    text = 'Bon;Omschrijving\nA-1;ok\nA-2;"nooit gesloten\nA-3;x\n'
    table = open_table(write(tmp_path, text))
    with pytest.raises(UnreadableFile, match=r"quoted cell that starts in row 3 is never closed"):
        read_all(table)


# --- xlsx ---------------------------------------------------------------------------------------


def make_xlsx(tmp_path: Path, sheets: dict[str, list[list[object]]], name="orders.xlsx") -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, lines in sheets.items():
        ws = wb.create_sheet(title)
        for line in lines:
            ws.append(line)
    path = tmp_path / name
    wb.save(path)
    return path


def test_xlsx_cells_become_the_text_a_user_would_type(tmp_path):
    path = make_xlsx(
        tmp_path,
        {
            "Blad1": [
                ["Bon", "Bedrag", "Rond", "Som", "Postcode", "Datum", "Tijdstip", "Ok", "Leeg"],
                [
                    "A-1",
                    1234.56,
                    1000.0,
                    0.1 + 0.2,
                    9000,
                    datetime(2026, 11, 27),
                    datetime(2026, 11, 27, 14, 30),
                    True,
                    None,
                ],
                [
                    "A-2",
                    Decimal("0.01"),
                    1e16,
                    -0.0,
                    12345678901,
                    date(2026, 2, 28),
                    None,
                    False,
                    "",
                ],
            ]
        },
    )
    table = open_table(path)
    assert (table.encoding, table.delimiter, table.sheet) == (None, None, "Blad1")
    assert rows(table) == [
        [
            2,
            "A-1",
            "1234.56",
            "1000",
            "0.3",
            "9000",
            "2026-11-27",
            "2026-11-27 14:30:00",
            "TRUE",
            "",
            "",
        ],
        [
            3,
            "A-2",
            "0.01",
            "10000000000000000",
            "0",
            "12345678901",
            "2026-02-28",
            "",
            "FALSE",
            "",
            "",
        ],
    ]


def test_xlsx_header_is_the_first_non_empty_row_and_rows_keep_sheet_numbers(tmp_path):
    path = make_xlsx(
        tmp_path,
        {
            "Blad1": [
                [None],
                ["", " "],
                ["Bon", "Bedrag", None],
                ["A-1", 10],
                [None, None],
                ["A-2", 20, "x"],
            ]
        },
    )
    table = open_table(path)
    assert table.header_row == 3
    assert table.columns == ["Bon", "Bedrag"]
    assert rows(table) == [[4, "A-1", "10", ""], [6, "A-2", "20", "x"]]
    assert (table.rows, table.blank_rows) == (2, 1)


def test_xlsx_sheet_choice(tmp_path):
    path = make_xlsx(tmp_path, {"Blad1": [["Bon"], ["A-1"]], "Blad2": [["Nr"], ["B-1"], ["B-2"]]})
    assert open_table(path).sheet == "Blad1"
    second = open_table(path, sheet="Blad2")
    assert second.columns == ["Nr"] and len(read_all(second)) == 2


def test_unknown_sheet_lists_the_sheets(tmp_path):
    path = make_xlsx(tmp_path, {"Blad1": [["Bon"]], "Blad2": [["Bon"]]}, name="x.xlsx")
    with pytest.raises(UnreadableFile) as info:
        open_table(path, sheet="Orders")
    assert str(info.value) == "sheet 'Orders' not found in x.xlsx; sheets are: Blad1, Blad2"


def test_empty_sheet(tmp_path):
    path = make_xlsx(tmp_path, {"Blad1": []}, name="x.xlsx")
    with pytest.raises(UnreadableFile, match=r"^sheet 'Blad1' of x\.xlsx is empty$"):
        open_table(path)


def test_format_is_decided_by_content_not_extension(tmp_path):
    xlsx = make_xlsx(tmp_path, {"Blad1": [["Bon", "Bedrag"], ["A-1", 10]]}, name="really.csv")
    assert open_table(xlsx).sheet == "Blad1"
    assert rows(open_table(xlsx)) == [[2, "A-1", "10", ""]]
    csv_named_xlsx = write(tmp_path, "Bon;Bedrag\nA-1;10\n", "really.xlsx")
    assert open_table(csv_named_xlsx).delimiter == ";"


# --- real files -----------------------------------------------------------------------------


def test_fixture_leeds_almo_excerpt():
    table = open_table(DATA / "leeds_almo_excerpt.csv")
    frame = read_all(table)
    assert (table.encoding, table.delimiter, len(frame)) == ("utf-8", ",", 40)
    assert table.columns[:3] == ["source_file", "source_encoding", "Body name"]
    assert "2,670.00" in set(frame["Net amount"])  # quoted thousands separator kept verbatim
    assert " 498.40 " in set(frame["Net amount"])  # spaces kept: parsing is money's job
    assert frame.index[-1] == 41


def test_fixture_detroit_excerpt_has_multiline_cells():
    table = open_table(DATA / "detroit_excerpt.csv")
    frame = read_all(table)
    assert (table.encoding, table.delimiter, len(frame)) == ("utf-8", ",", 40)
    assert list(frame.index) == list(range(2, 42))
    assert frame["Location"].str.startswith("location\n(").all()
    assert frame.loc[3, "Parcel ID"] == "01005500."


def test_fixture_leeds_cp1252_nbsp():
    table = open_table(DATA / "leeds_2011-11_cp1252_excerpt.csv")
    frame = read_all(table)
    assert table.encoding == "cp1252"
    assert "Penna Plc\xa0" in set(frame["Supplier name"])


def test_fixture_leeds_trailing_empty_columns():
    table = open_table(DATA / "leeds_2011-04_excerpt.csv")
    frame = read_all(table)
    assert len(table.columns) == 12 and table.columns[-1] == "Supplier name"
    assert len(frame) == 10 and (frame[EXTRA] == "").all()


SHARED_FILES = [
    ("leeds_council_spending_2011-04_raw_utf8.csv", "utf-8", 11_707),
    ("leeds_council_spending_2011-11_raw_cp1252.csv", "cp1252", 9_279),
    ("leeds_almo_housing_payments_2011-2013.csv", "utf-8", 6_140),
    ("detroit_demolitions_contractors_2014-2019.csv", "utf-8", 18_764),
]


@needs_shared
@pytest.mark.parametrize(("name", "encoding", "count"), SHARED_FILES)
def test_shared_real_files(name, encoding, count):
    table = open_table(SHARED / name, chunksize=5_000)
    frame = read_all(table)
    assert (table.encoding, table.delimiter) == (encoding, ",")
    assert len(frame) == table.rows == count
    assert table.blank_rows == 0
    assert (frame[EXTRA] == "").all()
    assert list(frame.index) == list(range(2, count + 2))
