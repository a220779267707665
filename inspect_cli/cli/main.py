"""Entry point: registers every command module on the app, in the order --help lists them."""

from importlib import import_module

from inspect_cli.cli.app import app

COMMAND_MODULES = (
    "workspace_cmds",  # init, seed reveal
    "ingest_cmd",  # ingest
    "contractor_cmds",  # contractors
    "selection_cmds",  # select, verify, show, export
    "outcome_cmds",  # record, satisfaction
    "report_cmds",  # report
    "daily_cmds",  # daily, cron, doctor, backup
    "audit_cmds",  # audit pack
)
for _name in COMMAND_MODULES:
    import_module(f"inspect_cli.cli.{_name}")


def run() -> None:
    app()
