"""Entry point: registers every command module on the app."""

import inspect_cli.cli.daily_cmds  # registers commands
import inspect_cli.cli.outcome_cmds  # noqa: F401  (registers commands)
import inspect_cli.cli.report_cmds  # noqa: F401  (registers commands)
import inspect_cli.cli.selection_cmds  # noqa: F401  (registers commands)
from inspect_cli.cli import workspace_cmds  # noqa: F401  (registers commands)
from inspect_cli.cli.app import app


def run() -> None:
    app()
