"""Workspace commands: ``init`` and ``seed reveal``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from inspect_cli.cli.app import app
from inspect_cli.cli.common import (
    SeedFileOption,
    WorkspaceOption,
    now,
    open_workspace,
    opened_store,
    owner_only_files,
    read_seed,
    stderr,
    stdout,
    user_errors,
)

seed_app = typer.Typer(
    help="The sampling seed (for the auditor).\n\n"
    "At period end the seed is revealed, and the auditor checks the sample with it.\n\n"
    "Example:\n\n\b\n"
    "    inspect-cli seed reveal -w ./control\n"
    "    inspect-cli verify -w ./control --seed -    (the auditor types the revealed seed)",
    no_args_is_help=True,
)
app.add_typer(seed_app, name="seed")


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    seed: Annotated[
        str | None,
        typer.Option(
            help="Sampling seed, e.g. 20 digits thrown with dice in public; - reads it from "
            "standard input (a value here shows in `ps`). Default: 20 random digits.",
            show_default=False,
        ),
    ] = None,
    seed_file: SeedFileOption = None,
    weak_seed_ok: Annotated[
        bool,
        typer.Option(
            "--weak-seed-ok",
            help="Accept a seed shorter than the rule (20 digits, or 16 characters): "
            "for tests only.",
        ),
    ] = False,
) -> None:
    """Create a workspace: config, store, seed and the inbox/archive/exports folders.

    Prints the seed's commitment (its SHA-256), never the seed itself. A seed of digits
    needs at least 20 of them, any other seed at least 16 characters (about 64 bits).

    Example:

        printf '%s\\n' 37195408226615390473 | inspect-cli init ./control --seed -
    """
    from inspect_cli.workspace import init_workspace

    owner_only_files()
    with user_errors():
        ws, commitment = init_workspace(
            directory, read_seed(seed, seed_file), now(), weak_seed_ok=weak_seed_ok
        )
    out = stdout()
    out.print(f"Created workspace {ws.root}")
    out.print(f"Seed commitment (SHA-256): {commitment}")
    out.print(f"Keep the seed secret; it is in {ws.seed_path} (owner-only).")
    out.print(f"Next: copy contractor files to {ws.inbox} and run `inspect-cli daily -w {ws.root}`")


@seed_app.command("reveal")
def seed_reveal(workspace: WorkspaceOption = None) -> None:
    """Print the seed and its commitment, for the auditor at period end.

    The reveal is written to the audit log.

    Example:

        inspect-cli seed reveal -w ./control
    """
    from inspect_cli import seeds, store
    from inspect_cli.sampling import seed_commitment

    with user_errors():
        ws = open_workspace(workspace)
        seed = ws.read_seed()
        with opened_store(ws) as conn:
            stored = store.seed_commitment(conn)
            logged = store.record_event(conn, now(), "seed_revealed", stored or "")
    out = stdout()
    out.print(f"Seed: {seed}")
    out.print(f"Commitment (SHA-256): {seed_commitment(seed)}")
    if not logged:
        stderr().print(
            f"Note: {ws.root} is read-only, so this reveal is not in its audit log.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if not seeds.matches(seed, stored):
        out.print(f"WARNING: the stored commitment is {stored}; the seed file does not match it.")
        raise typer.Exit(1)
