"""Selection commands: ``select``, ``verify``, ``show`` and ``export``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    DateOption,
    FormatOption,
    OutputFormat,
    SeedFileOption,
    WorkspaceOption,
    formatter,
    now,
    open_workspace,
    opened_store,
    parse_day,
    print_json,
    read_seed,
    stdout,
    user_errors,
)
from inspect_cli.cli.progress import progress

if TYPE_CHECKING:
    from inspect_cli.formatting import Formatter
    from inspect_cli.selection import RunResult
    from inspect_cli.verify import Verification

# How many problems `verify` lists in a table before it only counts the rest.
SHOWN_PROBLEMS = 50


@app.command()
def select(
    workspace: WorkspaceOption = None,
    day: DateOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be selected; store nothing.")
    ] = False,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Decide every completed order not decided yet: inspect it, or not, and why.

    Above the threshold: mandatory control. Otherwise a random sample by ticket, which an
    auditor can recompute from the seed. Each run is recorded in a hash chain.

    Example:

        inspect-cli select -w ./control --date 2026-11-27
    """
    from inspect_cli.selection import receipt, run_selection

    with user_errors():
        ws = open_workspace(workspace)
        as_of = parse_day(day)
        config = ws.config()
        seed = ws.read_seed()
        with (
            ws.lock(),
            opened_store(ws) as conn,
            progress("select: deciding orders", on=output is OutputFormat.table),
        ):
            result = run_selection(
                conn, seed=seed, config=config, as_of=as_of, now=now(), dry_run=dry_run
            )
        if result.run_id is not None and result.hash is not None:
            _log_receipt(ws, receipt(result.run_id, result.hash))
    if output is OutputFormat.json:
        print_json(result.to_json())
    else:
        _print_run(result, formatter(config))
        if result.run_id is not None and result.hash is not None:
            typer.echo(receipt(result.run_id, result.hash))


def _log_receipt(ws: Any, line: str) -> None:
    """The run's receipt in the workspace log too, beside the cron mail."""
    _log_verification(ws, f"receipt: {line}")


def _count(n: int, noun: str, fmt: Formatter) -> str:
    return f"{fmt.count(n)} {noun}{'' if n == 1 else 's'}"


def _print_run(result: RunResult, fmt: Formatter) -> None:
    out = stdout()
    counts = result.plan.counts
    if result.dry_run:
        out.print(f"Dry run as of {fmt.day(result.as_of)}: nothing stored.")
    elif result.run_id is None:
        out.print(f"Nothing to decide as of {fmt.day(result.as_of)}; no run recorded.")
    else:
        out.print(
            f"Selection run {result.run_id} as of {fmt.day(result.as_of)}, hash {result.hash}"
        )
    labels = {
        "above_threshold": "above threshold",
        "amended_above_threshold": "amended above threshold",
        "random_sample": "random sample",
        "not_selected": "not selected",
    }
    if counts.get("split_above_threshold"):
        labels["split_above_threshold"] = "split above threshold"
    for key, label in labels.items():
        out.print(f"  {label:<26}{fmt.count(counts[key]):>9}")
    out.print(f"  {'decided':<26}{fmt.count(result.decided):>9}")
    if result.selected:
        out.print(f"{fmt.count(len(result.selected))} to inspect, due on {fmt.day(result.due_on)}.")
    if result.plan.kept_after_downward:
        kept = result.plan.kept_after_downward
        more = f", … {fmt.count(len(kept) - 20)} more" if len(kept) > 20 else ""
        listed = ", ".join(kept[:20]) + more
        out.print(
            f"Kept selected after a downward amendment: {fmt.count(len(kept))} ({listed})",
            markup=False,
        )
    if result.left_pending:
        out.print(
            f"Left for a later run: {_count(result.left_pending, 'order', fmt)} "
            f"completed after {result.as_of}."
        )
    realised = result.realised
    if realised.rate is None:
        out.print(
            f"Realised sample rate: no orders drawn yet; target {fmt.percent(realised.target, 2)}."
        )
    else:
        lo, hi = realised.interval
        out.print(
            f"Realised sample rate so far: {fmt.percent(realised.rate, 2)} "
            f"({fmt.count(realised.sampled)} of {fmt.count(realised.population)}; 95% interval "
            f"{fmt.percent(lo, 2)} to {fmt.percent(hi, 2)}), "
            f"target {fmt.percent(realised.target, 2)}."
        )


@app.command()
def verify(
    workspace: WorkspaceOption = None,
    seed: Annotated[
        str | None,
        typer.Option(
            help="The revealed seed to check (default: the workspace's own); - reads it from "
            "standard input. It must match the commitment recorded at init.",
            show_default=False,
        ),
    ] = None,
    seed_file: SeedFileOption = None,
    receipts: Annotated[
        Path | None,
        typer.Option(
            "--receipts",
            help="Text holding run receipts (pasted cron mails, log lines): each line with a "
            "run id and its 64-hex hash. Exit 1 when a receipted run is missing or differs.",
            show_default=False,
        ),
    ] = None,
    files: Annotated[
        bool,
        typer.Option(
            "--files",
            help="Also read the archived original files again: every import's file must be "
            "in archive/ unchanged, and every decision's amount the one its file gave.",
        ),
    ] = False,
    package: Annotated[
        Path | None,
        typer.Option(
            "--package",
            help="Check an audit package folder (`audit pack`) on its own; no workspace needed.",
            show_default=False,
        ),
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Recompute every selection from the seed and check the chain of runs.

    Exit 0 when every decision reproduces and the chain is intact; exit 1 listing each
    decision that differs, each run whose hash breaks, or a seed that does not match. Reads
    the store read-only; the result goes to the log file. Without --receipts or --files it can
    only check that the store is consistent with itself.

    Example:

        inspect-cli verify -w ./control --seed-file revealed-seed.txt --receipts mails.txt
    """
    from inspect_cli.errors import InspectError, SeedError
    from inspect_cli.verify import parse_receipts
    from inspect_cli.verify import verify as run_verify

    with user_errors():
        given = read_seed(seed, seed_file)
    if package is not None:
        _verify_package(package, given, output)
        return
    with user_errors():
        ws = open_workspace(workspace)
        pasted = None
        if receipts is not None:
            try:
                text = receipts.read_text(encoding="utf-8", errors="replace")
            except OSError as e:
                raise InspectError(f"cannot read receipts {receipts}: {e.strerror}") from None
            pasted = parse_receipts(text)
            if not pasted:
                raise InspectError(f"{receipts}: no line holds a run id and a 64-hex hash")
        with opened_store(ws, read_only=True) as conn:
            try:
                with progress(
                    "verify: recomputing every decision", on=output is OutputFormat.table
                ):
                    result = run_verify(conn, given or ws.read_seed(), pasted)
                if files:
                    from inspect_cli.archive_check import check_files
                    from inspect_cli.verify import Problem

                    with progress(
                        "verify: reading the archived files", on=output is OutputFormat.table
                    ):
                        found = check_files(conn, ws.archive, ws.config())
                    result = result.anchored(
                        "files", [Problem("file", p.message, p.run_id, p.order_id) for p in found]
                    )
            except SeedError as e:
                _log_verification(ws, f"verify failed: {e}")
                raise
    outcome = "ok" if result.ok else f"failed: {len(result.problems)} problems"
    _log_verification(
        ws,
        f"verify {outcome}; {result.decisions} decisions in {result.runs} runs; "
        f"seed commitment {result.seed_commitment}",
    )
    if output is OutputFormat.json:
        print_json(result.to_json())
    else:
        _print_verification(result, formatter(ws.config()))
        if not result.anchors:
            typer.echo(
                "Note: without --receipts or --files, verify can only check that the store is "
                "consistent with itself; a history rewritten consistently passes."
            )
    if not result.ok:
        raise typer.Exit(1)


def _verify_package(folder: Path, seed: str | None, output: OutputFormat) -> None:
    """``verify --package``: exit 0 when the package checks out, else 1 listing what does not."""
    from inspect_cli.audit_package import check_package

    with user_errors():
        problems = check_package(folder, seed)
    if output is OutputFormat.json:
        print_json({"ok": not problems, "package": str(folder), "problems": problems})
    elif problems:
        fmt = formatter()
        typer.echo(f"FAILED: {_count(len(problems), 'problem', fmt)} in the package {folder}:")
        for line in problems[:SHOWN_PROBLEMS]:
            typer.echo(f"  {line}")
        if len(problems) > SHOWN_PROBLEMS:
            more = fmt.count(len(problems) - SHOWN_PROBLEMS)
            typer.echo(f"  … and {more} more (--format json)")
    else:
        typer.echo(f"OK: the package {folder} checks out.")
    if problems:
        raise typer.Exit(1)


def _log_verification(ws: Any, line: str) -> None:
    """The outcome goes to the workspace log file, never into the store verify checks; on a
    read-only copy of a workspace there is no log to write, and verify still runs."""
    import sys

    from inspect_cli.logs import FILE_ONLY, logging_to

    try:
        with logging_to(ws.logs, sys.stderr, quiet=True) as log:
            log.info("%s", line, extra=FILE_ONLY)
    except OSError:
        pass


def _print_verification(result: Verification, fmt: Formatter) -> None:
    out = stdout()
    if result.ok:
        out.print(
            f"OK: all {_count(result.decisions, 'decision', fmt)} reproduce and the chain of "
            f"{_count(result.runs, 'run', fmt)} is intact "
            f"(seed commitment {result.seed_commitment})."
        )
        return
    out.print(
        f"FAILED: {_count(len(result.problems), 'problem', fmt)} in "
        f"{_count(result.decisions, 'decision', fmt)} and {_count(result.runs, 'run', fmt)}:"
    )
    for problem in result.problems[:SHOWN_PROBLEMS]:
        out.print(f"  {problem.message}", markup=False)
    if len(result.problems) > SHOWN_PROBLEMS:
        more = fmt.count(len(result.problems) - SHOWN_PROBLEMS)
        out.print(f"  … and {more} more (--format json)")


@app.command()
def show(
    order_id: Annotated[str, typer.Argument(help="The order id, as in the contractor's file.")],
    workspace: WorkspaceOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Everything known about one order, and why it was or was not selected.

    Its values and what each amendment changed, the files it came from, each decision with
    its reason, its ticket and the rate it was compared to, the split group it belongs to,
    and its inspection status.

    Example:

        inspect-cli show -w ./control WB-2026-000123
    """
    from datetime import date

    from inspect_cli.errors import SeedError
    from inspect_cli.order_report import order_report

    with user_errors():
        ws = open_workspace(workspace)
        try:
            seed: str | None = ws.read_seed()
        except SeedError:
            seed = None
        config = ws.config()
        fmt = formatter(config)
        conn = ws.connect()
        try:
            report = order_report(
                conn,
                order_id,
                seed=seed,
                today=date.today(),
                threshold_cents=config.threshold_cents,
                split_window_days=config.split_window_days,
                money=fmt.money,
                day=fmt.day,
            )
        finally:
            conn.close()
    if output is OutputFormat.json:
        print_json(report)
    else:
        _print_report(report, fmt)


def _print_report(report: dict[str, Any], fmt: Formatter) -> None:
    """`show` for people, its amounts written as the workspace's other output writes them."""
    out = stdout()

    def say(text: str) -> None:
        out.print(text, markup=False)

    order = report["order"]
    say(f"Order {order['order_id']}")
    values = {
        **order,
        "amount_cents": fmt.money(order["amount_cents"]),
        **{key: _day(order.get(key), fmt) for key in DATE_FIELDS},
    }
    labels = {
        "contractor": "contractor",
        "amount_cents": "amount excl. VAT",
        "completed_on": "completed on",
        "dwelling_id": "dwelling",
        "address": "address",
        "postcode": "postcode",
        "municipality": "municipality",
        "category": "category",
        "description": "description",
        "order_date": "order date",
        "invoice_number": "invoice",
    }
    for key, label in labels.items():
        if values.get(key) not in (None, ""):
            say(f"  {label:<18}{values[key]}")
    for imported in report["imports"]:
        say(f"Imported from {imported['file']} at {imported['imported_at']}")
    for revision in report["revisions"]:
        changed = ", ".join(
            f"{labels.get(c['field'], c['field'])} {_shown(c['field'], c['was'], fmt)} → "
            f"{_shown(c['field'], c['now'], fmt)}"
            for c in revision["changes"]
        )
        say(f"Amended at {revision['revised_at']} by {revision['file']}: {changed or 'no change'}")
    group = report["split_group"]
    if group is not None:
        others = [i for i in group["order_ids"] if i != order["order_id"]]
        dwelling = group["dwelling_id"] or " ".join(
            part for part in (group["address"], group["postcode"]) if part
        )
        say(
            f"Split group: {group['contractor']} at {dwelling}, with {', '.join(others)}: "
            f"{fmt.money(group['total_cents'])} together, {_day(group['first_on'], fmt)} to "
            f"{_day(group['last_on'], fmt)}"
        )
    ticket = report["ticket"]
    say(f"Ticket: {ticket}…" if ticket else "Ticket: not shown (the workspace seed is missing)")
    if not report["decisions"]:
        say("Decision: none yet")
    for d in report["decisions"]:
        verdict = f"selected, {d['reason']}" if d["selected"] else "not selected"
        say(f"Decision (run {d['run_id']}, {_day(d['selected_on'], fmt)}): {verdict}")
        say(f"  because {d['why']}")
    say(f"Status: {report['status']}")
    for i in report["inspections"]:
        findings = f", {i['findings']}" if i["findings"] else ""
        inspected = _day(i["inspected_on"], fmt)
        say(f"Inspection {inspected} by {i['inspector']}: {i['result']}{findings}")
    satisfaction = report["satisfaction"]
    if satisfaction:
        say(f"Tenant satisfaction: {satisfaction['score']}/{satisfaction['scale']}")


DATE_FIELDS = ("completed_on", "order_date")
"""An order's dates, which `show` writes as the workspace's language writes dates."""


def _day(value: Any, fmt: Formatter) -> Any:
    """A stored date as the workspace's language writes it (ISO in English, 27/11/2026 in
    Dutch and French); anything else as it is."""
    try:
        return fmt.day(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _shown(field: str, value: Any, fmt: Formatter) -> str:
    """A value as `show` prints it in an amendment: money as money, dates as dates, nothing as
    "(empty)"."""
    if value is None or value == "":
        return "(empty)"
    if field == "amount_cents":
        return fmt.money(value)
    return str(_day(value, fmt) if field in DATE_FIELDS else value)


class FileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


class Dialect(StrEnum):
    excel_be = "excel-be"
    standard = "standard"


class Status(StrEnum):
    open = "open"
    all = "all"


@app.command()
def export(
    workspace: WorkspaceOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="File to write (default: exports/inspections-<today>.csv in the workspace).",
            show_default=False,
        ),
    ] = None,
    file_format: Annotated[
        FileFormat | None,
        typer.Option(
            "--file-type",
            "--format",
            help="csv or xlsx (default: from --out, else csv). --format is the older spelling "
            "and still works.",
            show_default=False,
        ),
    ] = None,
    dialect: Annotated[
        Dialect | None,
        typer.Option(
            help="CSV for Belgian Excel (; and decimal comma) or standard (, and point). "
            "Default: csv_dialect in the config.",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        Status, typer.Option(help="open: not inspected yet; all: every selected order.")
    ] = Status.open,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only orders selected on or after this day (YYYY-MM-DD).", show_default=False
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of the column headers: en, nl or fr (default: language in the "
            "config). record reads a list back in any of them.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write the inspection list: one row per selected order, with columns to fill in.

    Prints the path written.

    Example:

        inspect-cli export -w ./control --file-type xlsx --status open
    """
    from datetime import date

    from inspect_cli.errors import InvalidValue, MalformedOption
    from inspect_cli.export import default_path, inspection_list, write_export

    with user_errors():
        ws = open_workspace(workspace)
        since_day = parse_day(since, "--since") if since is not None else None
        named = FileFormat.xlsx if out is not None and out.suffix.lower() == ".xlsx" else None
        if file_format is FileFormat.csv and named is FileFormat.xlsx:
            raise MalformedOption(f"--out {out} names an .xlsx file; leave out --file-type csv")
        fmt = file_format or named or FileFormat.csv
        chosen_dialect = dialect.value if dialect else ws.config().csv_dialect
        chosen_lang = lang or ws.config().language
        if chosen_lang not in ("en", "nl", "fr"):
            raise MalformedOption(f"--lang must be en, nl or fr, got {chosen_lang!r}")
        with opened_store(ws) as conn:
            rows = inspection_list(conn, status=status.value, since=since_day)
        path = out or default_path(ws.exports, date.today(), fmt.value)
        try:
            with progress(f"export: writing {path.name}"):
                write_export(rows, path, fmt=fmt.value, dialect=chosen_dialect, lang=chosen_lang)
        except OSError as e:
            raise InvalidValue(f"cannot write {path}: {e.strerror or e}") from None
    stdout().print(
        f"Wrote {_count(len(rows), 'order', formatter(ws.config()))} ({status.value}) to {path}",
        markup=False,
    )
