"""doctor: a line per problem and exit 1 on a damaged workspace; healthy otherwise."""

from __future__ import annotations

import json
import sqlite3

from conftest import EXAMPLES
from filelock import FileLock

from inspect_cli.doctor import check_workspace, healthy
from inspect_cli.sampling import seed_commitment
from inspect_cli.seeds import DEMO_COMMITMENT
from inspect_cli.workspace import Workspace


def problems(ws: Workspace) -> list[str]:
    return [f"{c.name}: {c.message}" for c in check_workspace(ws) if not c.ok]


def test_fresh_workspace_is_healthy(workspace, cli):
    result = cli("doctor", "-w", workspace.root)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{workspace.root} is healthy"
    assert {line.split()[1] for line in lines[:-1]} == {
        "config",
        "store",
        "schema",
        "seed",
        "folders",
        "lock",
        "modes",
        "inbox",
    }
    assert all(line.startswith("ok ") for line in lines[:-1])


def test_seed_readable_by_others(workspace, cli):
    workspace.seed_path.chmod(0o644)
    result = cli("doctor", "-w", workspace.root)
    assert result.exit_code == 1
    assert (
        f"PROBLEM  seed     seed file {workspace.seed_path} can be read by others (mode 0644); "
        f"run: chmod 600 {workspace.seed_path}"
    ) in result.stdout
    assert result.stdout.splitlines()[-1] == f"1 problem(s) in {workspace.root}"


def test_altered_seed(workspace):
    workspace.seed_path.write_text("12345\n", encoding="utf-8")
    [problem] = problems(workspace)
    assert problem.startswith(f"seed: seed file {workspace.seed_path} does not match")


def test_missing_seed(workspace):
    workspace.seed_path.unlink()
    assert problems(workspace) == [
        f"seed: seed file {workspace.seed_path} is missing; put the seed back (chmod 600)"
    ]


def test_missing_folder(workspace):
    workspace.inbox.rmdir()
    workspace.exports.rmdir()
    assert problems(workspace) == [
        f"folders: inbox/ is missing; run: mkdir {workspace.inbox}",
        f"folders: exports/ is missing; run: mkdir {workspace.exports}",
    ]


def test_invalid_config(workspace):
    workspace.config_path.write_text('sample_rate = "2"\n', encoding="utf-8")
    assert problems(workspace) == [
        f"config: {workspace.config_path}: sample_rate must be between 0 and 1, got 2"
    ]


def test_store_that_is_not_a_database(workspace, cli):
    workspace.store_path.write_bytes(b"this is not SQLite" * 1000)
    before = workspace.store_path.read_bytes()
    result = cli("doctor", "-w", workspace.root)
    assert result.exit_code == 1
    assert f"PROBLEM  store    store {workspace.store_path}" in result.stdout
    assert "restore it from a backup" in result.stdout
    assert workspace.store_path.read_bytes() == before, "doctor must not touch the store"


def test_store_with_damaged_pages(workspace):
    conn = workspace.connect()
    conn.execute("CREATE INDEX audit_event ON audit_log(event)")
    conn.executemany(
        "INSERT INTO audit_log (at, event, detail) VALUES ('2026-11-27', ?, ?)",
        [(f"event {i}", "x" * 200) for i in range(3000)],
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    data = bytearray(workspace.store_path.read_bytes())
    page = 4096
    for n in range(len(data) // page // 2, len(data) // page // 2 + 4):
        data[n * page + 8 : (n + 1) * page] = b"\x55" * (page - 8)
    workspace.store_path.write_bytes(bytes(data))
    [problem] = problems(workspace)
    assert problem.startswith(f"store: store {workspace.store_path} is damaged (")


def test_newer_schema_than_the_tool(workspace):
    conn = workspace.connect()
    conn.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')"
    )
    conn.close()
    [problem] = problems(workspace)
    assert problem.startswith("schema: store schema version 99 is newer than this inspect-cli")


def test_held_lock_and_waiting_files_are_no_problem(workspace):
    (workspace.inbox / "b.csv").write_text("x\n", encoding="utf-8")
    (workspace.inbox / "a.csv.part").write_text("x\n", encoding="utf-8")
    lock = FileLock(workspace.lock_path)
    with lock:
        checks = {c.name: c for c in check_workspace(workspace)}
    assert healthy(list(checks.values()))
    assert checks["lock"].message == "held: a run is in progress"
    # While a run holds the lock, the inbox is being imported, not waiting for a later run.
    assert checks["inbox"].message == "1 file(s) being imported now (a run holds the lock): b.csv"
    free = {c.name: c.message for c in check_workspace(workspace)}
    assert free["lock"] == "free"
    assert free["inbox"] == "1 file(s) waiting for the next daily run: b.csv"


def test_json(workspace, cli):
    workspace.seed_path.chmod(0o640)
    result = cli("doctor", "-w", workspace.root, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["healthy"] is False
    assert [c["check"] for c in data["checks"] if not c["ok"]] == ["seed"]


def test_missing_store(workspace):
    workspace.store_path.unlink()
    assert problems(workspace) == [
        f"store: store {workspace.store_path} is missing; restore it from a backup "
        "(see docs/operations.md, 'Backup and restore')",
    ]
    assert not workspace.store_path.exists()


def test_read_only_open_does_not_migrate(workspace):
    conn = sqlite3.connect(workspace.store_path)
    conn.execute("DELETE FROM schema_migrations")
    conn.commit()
    conn.close()
    assert any(p.startswith("schema: store schema version 0") for p in problems(workspace))


def test_the_public_demo_seed_is_a_warning(tmp_path, cli):
    """examples/demo-seed.txt passes the strength rule, yet everyone can read it."""
    seed_file = EXAMPLES / "demo-seed.txt"
    assert seed_commitment(seed_file.read_text(encoding="ascii").strip()) == DEMO_COMMITMENT
    demo = tmp_path / "demo"
    assert cli("init", demo, "--seed-file", seed_file).exit_code == 0
    result = cli("doctor", "-w", demo)
    assert result.exit_code == 0, result.output
    assert (
        "WARNING  seed     this is the public demo seed (examples/demo-seed.txt): anyone can "
        "work out its sample; give real orders a workspace whose seed was drawn at a seed "
        "ceremony (docs/audit.md)"
    ) in result.stdout
    assert result.stdout.splitlines()[-1] == f"{demo} is healthy"
