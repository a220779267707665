"""``inspect-cli contractors``: the contractor names seen, to write the register's aliases."""

from __future__ import annotations

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    TableFormat,
    TableFormatOption,
    WorkspaceOption,
    formatter,
    open_workspace,
    opened_store,
    print_json,
    print_table,
    stdout,
    user_errors,
)


@app.command()
def contractors(
    workspace: WorkspaceOption = None,
    output: TableFormatOption = TableFormat.table,
) -> None:
    """List the contractor names seen, with their orders, grouped when they look like one firm.

    Names that differ only in case, punctuation, a leading formula character or a legal form
    (BV, NV, BVBA, SRL, SA, VOF, CommV) form a group; the table ends with the config lines
    that make each group one contractor (aliases). Names that look like a formula are shown
    neutralised. Aliases apply to files imported after they are added.

    Example:

        inspect-cli contractors -w ./control --format csv > contractors.csv
    """
    from inspect_cli.contractors import group_names
    from inspect_cli.spreadsheet import neutralise
    from inspect_cli.store import contractors as db

    with user_errors():
        ws = open_workspace(workspace)
        config = ws.config()
        with opened_store(ws) as conn:
            seen = db.names_seen(conn)
        names, groups = group_names(seen, config.contractors)
    if output is TableFormat.json:
        print_json(
            {
                "contractors": [
                    {"name": n.name, "orders": n.orders, "group": n.group or None} for n in names
                ],
                "groups": [
                    {"group": g.number, "canonical": g.canonical, "aliases": g.aliases}
                    for g in groups
                ],
            }
        )
        return
    if output is TableFormat.csv:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["name", "orders", "group"])
        for n in names:
            writer.writerow([neutralise(n.name), n.orders, n.group or ""])
        typer.echo(out.getvalue(), nl=False)
        return
    from rich.table import Table

    console = stdout()
    fmt = formatter(config)
    table = Table(box=None, pad_edge=False)
    # A name is never cut: on a narrow terminal it folds, off a terminal it is whole.
    table.add_column("contractor", overflow="fold")
    table.add_column("orders", justify="right")
    table.add_column("group", justify="right")
    for n in names:
        table.add_row(
            neutralise(n.name), fmt.count(n.orders), fmt.count(n.group) if n.group else ""
        )
    if names:
        print_table(console, table)
    console.print(
        f"{fmt.count(len(names))} contractor name(s); "
        f"{fmt.count(len(groups))} group(s) of names that look like one firm.",
        markup=False,
    )
    if groups:
        console.print("To store each group under one name, add to inspect-cli.toml:", markup=False)
        for g in groups:
            console.print(g.toml(), markup=False, highlight=False)
