"""``python -m inspect_cli`` runs the command line."""

from inspect_cli.cli.main import run

run()
