"""The typer application and its global options; command modules register on ``app``."""

from __future__ import annotations

from typing import Annotated

import typer

from inspect_cli import __version__

app = typer.Typer(
    name="inspect-cli",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"inspect-cli {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Maintenance control for a social housing company.

    Ingests contractors' repair orders, selects every order above EUR 1,000 and a verifiable 2%
    random sample of the others for inspection, exports the inspection list, records outcomes
    and tenant satisfaction, and reports what the control finds and recovers.

    Example:

        inspect-cli init ./control && inspect-cli ingest -w ./control orders.csv
    """
