"""``inspect-cli record`` (inspection outcomes) and ``inspect-cli satisfaction import|add``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    FormatOption,
    OutputFormat,
    WorkspaceOption,
    now,
    open_workspace,
    opened_store,
    parse_day,
    print_json,
    stderr,
    stdout,
    user_errors,
)
from inspect_cli.errors import InvalidValue
from inspect_cli.exit_codes import ExitCode
from inspect_cli.result_codes import Result

satisfaction_app = typer.Typer(
    help="Tenant satisfaction scores: import survey exports or add one score.\n\n"
    "Example:\n\n\b\n"
    "    inspect-cli satisfaction import -w ./control survey-2026-q4.xlsx\n"
    '    inspect-cli satisfaction add -w ./control HB-1042 --score 8 --comment "vlot geholpen"',
    no_args_is_help=True,
)
app.add_typer(satisfaction_app, name="satisfaction")


# The options that give the fields of an outcome or a score typed in by hand.
_OPTIONS = {
    "result": "--result",
    "inspector": "--inspector",
    "inspected_on": "--date",
    "correction_eur": "--correction",
    "score": "--score",
    "responded_on": "--date",
}

ReplaceOption = Annotated[
    bool,
    typer.Option("--replace", help="Replace a different outcome or score already recorded."),
]
SheetOption = Annotated[
    str | None, typer.Option(help="XLSX sheet to read (default: the first).", show_default=False)
]


@app.command()
def record(
    order_id: Annotated[
        str | None,
        typer.Argument(help="Order to record one outcome for (or use --from).", show_default=False),
    ] = None,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="The filled-in inspection list (CSV or XLSX, as exported or re-saved by Excel).",
            show_default=False,
        ),
    ] = None,
    result: Annotated[
        Result | None, typer.Option(help="Outcome of the visit.", show_default=False)
    ] = None,
    inspector: Annotated[
        str | None, typer.Option(help="Who inspected.", show_default=False)
    ] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="Inspection date (YYYY-MM-DD); default today.", show_default=False
        ),
    ] = None,
    findings: Annotated[
        str | None, typer.Option(help="What the inspector found.", show_default=False)
    ] = None,
    correction: Annotated[
        str | None,
        typer.Option(
            help="Amount recovered or credited by the contractor, EUR (12,50 or 12.50).",
            show_default=False,
        ),
    ] = None,
    replace: ReplaceOption = False,
    sheet: SheetOption = None,
    workspace: WorkspaceOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Record inspection outcomes: a filled-in inspection list, or one order.

    Only selected orders get an outcome; the date is not before completion and not after
    today; no_access is a failed visit and keeps the order open; a different second outcome
    needs --replace (the first is kept as history). From a file, rows without a result are
    skipped as still open and bad rows go to quarantine/ with reasons:
    read = recorded + unchanged + replaced + open + rejected. Exit 0 when no row was
    rejected, 3 when some were, 1 when the file could not be read.

    Example:

    \b
        inspect-cli record -w ./control --from exports/inspections-2026-11-27.xlsx
        inspect-cli record -w ./control HB-1042 --result major --inspector "An Claes" \\
            --date 2026-11-26 --findings "tegels los" --correction 250,00
    """
    from inspect_cli import outcomes

    with user_errors():
        if (order_id is None) == (from_file is None):
            _usage("give either an ORDER_ID or --from FILE")
        ws = open_workspace(workspace)
        today = parse_day(None)
        with opened_store(ws) as conn:
            if from_file is not None:
                if any(v is not None for v in (result, inspector, day, findings, correction)):
                    _usage(
                        "--result, --inspector, --date, --findings and --correction "
                        "are for one ORDER_ID, not with --from"
                    )
                outcome = outcomes.record_file(
                    conn,
                    from_file,
                    ws.config(),
                    quarantine_dir=ws.quarantine,
                    now=now(),
                    today=today,
                    replace=replace,
                    sheet=sheet,
                )
            else:
                single = _one_outcome(order_id, result, inspector, day, findings, correction)
                try:
                    status = outcomes.record_outcome(
                        conn, single, today=today, now=now(), replace=replace
                    )
                except InvalidValue as e:
                    raise e.for_options(_OPTIONS) from None
    if from_file is None:
        _print_single(output, order_id, status, single.result)
        return
    _print_file_result(output, outcome.as_dict())


def _one_outcome(order_id, result, inspector, day, findings, correction):
    from inspect_cli.amounts import parse_amount
    from inspect_cli.errors import MalformedOption
    from inspect_cli.outcomes import Outcome

    if result is None or inspector is None:
        _usage("--result and --inspector are required with an ORDER_ID")
    cents = 0
    if correction is not None:
        try:
            cents = parse_amount(correction)
        except ValueError as e:
            raise MalformedOption(f"--correction: {e}") from None
    return Outcome(
        order_id=order_id.strip(),
        result=result.value,
        inspector=inspector.strip(),
        inspected_on=parse_day(day).isoformat(),
        findings=(findings or "").strip() or None,
        correction_cents=cents,
    )


def _usage(message: str) -> NoReturn:
    """A command line that cannot work: the message and exit code 2, like typer's own."""
    stderr().print(f"Error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(ExitCode.USAGE)


_VERBS = {
    "new": "recorded",
    "unchanged": "already recorded, unchanged",
    "replaced": "recorded, replacing the earlier one",
}


def _print_single(output: OutputFormat, order_id: str, status: str, result: str) -> None:
    if output is OutputFormat.json:
        print_json({"order_id": order_id, "result": result, "status": status})
    else:
        note = " (failed visit: the order stays open)" if result == "no_access" else ""
        stdout().print(f"{order_id}: {result} {_VERBS[status]}{note}", markup=False)


def _print_file_result(output: OutputFormat, result: dict) -> None:
    """One line of counts, the quarantine file and the exit code of a file import."""
    if output is OutputFormat.json:
        print_json(result)
    elif result["error"] is None:
        counts = [k for k in result if k not in ("file", "error", "quarantine")]
        shown = ", ".join(f"{result[k]} {k.replace('_', ' ')}" for k in counts)
        stdout().print(f"{Path(result['file']).name}: {shown}", markup=False)
        if result["quarantine"]:
            stdout().print(
                f"{result['rejected']} rejected rows with reasons in {result['quarantine']}",
                markup=False,
            )
    if result["error"] is not None:
        if output is not OutputFormat.json:
            stderr().print(f"Error: {result['error']}", markup=False, soft_wrap=True)
        raise typer.Exit(ExitCode.ERROR)
    if result["rejected"]:
        raise typer.Exit(ExitCode.REJECTED)


@satisfaction_app.command("import")
def satisfaction_import(
    file: Annotated[Path, typer.Argument(help="Survey export: order id, score, date, comment.")],
    replace: ReplaceOption = False,
    sheet: SheetOption = None,
    workspace: WorkspaceOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Import tenant satisfaction scores from a survey export (CSV or XLSX).

    Headers in Dutch or English (bonnummer, score/cijfer, datum, opmerking). Scores run from
    1 to satisfaction_scale. An order has one score; a different one needs --replace (the old
    one is kept). Bad rows go to quarantine/ with reasons:
    read = new + unchanged + replaced + rejected. Exit 0, 3 when rows were rejected, 1 when
    the file could not be read.

    Example:

        inspect-cli satisfaction import -w ./control survey-2026-q4.xlsx
    """
    from inspect_cli.satisfaction import import_satisfaction

    with user_errors():
        ws = open_workspace(workspace)
        with opened_store(ws) as conn:
            result = import_satisfaction(
                conn,
                file,
                ws.config(),
                quarantine_dir=ws.quarantine,
                now=now(),
                today=parse_day(None),
                replace=replace,
                sheet=sheet,
            )
    _print_file_result(output, result.as_dict())


@satisfaction_app.command("add")
def satisfaction_add(
    order_id: Annotated[str, typer.Argument(help="The repair order the tenant rated.")],
    score: Annotated[int, typer.Option(help="Score from 1 to satisfaction_scale.")],
    day: Annotated[
        str | None,
        typer.Option(
            "--date", help="Date of the answer (YYYY-MM-DD); default today.", show_default=False
        ),
    ] = None,
    comment: Annotated[
        str | None, typer.Option(help="What the tenant said.", show_default=False)
    ] = None,
    replace: ReplaceOption = False,
    workspace: WorkspaceOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Add one tenant satisfaction score.

    Example:

        inspect-cli satisfaction add -w ./control HB-1042 --score 8 --comment "vlot geholpen"
    """
    from inspect_cli.satisfaction import add_score

    with user_errors():
        ws = open_workspace(workspace)
        scale = ws.config().satisfaction_scale
        with opened_store(ws) as conn:
            try:
                status = add_score(
                    conn,
                    order_id,
                    score,
                    scale=scale,
                    responded_on=parse_day(day),
                    comment=comment,
                    today=parse_day(None),
                    now=now(),
                    replace=replace,
                )
            except InvalidValue as e:
                raise e.for_options(_OPTIONS) from None
    if output is OutputFormat.json:
        print_json({"order_id": order_id, "score": score, "scale": scale, "status": status})
    else:
        stdout().print(f"{order_id}: score {score}/{scale} {_VERBS[status]}", markup=False)
