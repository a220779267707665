"""The seed: given without showing in `ps`, refused when guessable, checked in one place."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
from conftest import REPO, SEED

from inspect_cli.cli.common import SEED_ON_COMMAND_LINE
from inspect_cli.seeds import weakness
from inspect_cli.workspace import Workspace

COMMITMENT = hashlib.sha256(SEED.encode()).hexdigest()


def stored_seed(root) -> str:
    return (root / "seed.secret").read_text(encoding="utf-8")


def test_init_reads_the_seed_from_a_file_without_a_warning(cli, tmp_path):
    seed_file = tmp_path / "dice.txt"
    seed_file.write_text(f"  {SEED}  \n", encoding="utf-8")
    result = cli("init", tmp_path / "ws", "--seed-file", seed_file)
    assert result.exit_code == 0, result.output
    assert f"Seed commitment (SHA-256): {COMMITMENT}" in result.stdout
    assert result.stderr == ""
    assert stored_seed(tmp_path / "ws") == SEED + "\n"


def test_init_reads_the_seed_from_standard_input(cli, tmp_path):
    result = cli("init", tmp_path / "ws", "--seed", "-", input=SEED + "\n")
    assert result.exit_code == 0, result.output
    assert f"Seed commitment (SHA-256): {COMMITMENT}" in result.stdout
    assert result.stderr == ""
    assert SEED not in result.stdout


def test_a_seed_on_the_command_line_works_with_a_warning(cli, tmp_path):
    result = cli("init", tmp_path / "ws", "--seed", SEED)
    assert result.exit_code == 0, result.output
    assert result.stderr == SEED_ON_COMMAND_LINE + "\n"
    assert result.stderr.startswith("Warning: a seed on the command line can be read by every")
    assert stored_seed(tmp_path / "ws") == SEED + "\n"


def test_both_seed_options_are_a_usage_error(cli, tmp_path):
    seed_file = tmp_path / "dice.txt"
    seed_file.write_text(SEED, encoding="utf-8")
    result = cli("init", tmp_path / "ws", "--seed", "-", "--seed-file", seed_file, input=SEED)
    assert result.exit_code == 2
    assert result.stderr == "Error: give the seed with --seed or with --seed-file, not both\n"
    assert not (tmp_path / "ws").exists()


def test_a_missing_seed_file_is_named(cli, tmp_path):
    result = cli("init", tmp_path / "ws", "--seed-file", tmp_path / "nope.txt")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot read the seed file {tmp_path / 'nope.txt'}: No such file or directory\n"
    )


def test_a_seed_of_two_lines_or_none_is_refused(cli, tmp_path):
    two = cli("init", tmp_path / "ws", "--seed", "-", input=f"{SEED}\n{SEED}\n")
    assert two.exit_code == 1
    assert two.stderr == "Error: the seed must be one line; standard input holds more than one\n"
    empty = cli("init", tmp_path / "ws", "--seed", "-", input="  \n")
    assert empty.exit_code == 1
    assert empty.stderr == "Error: the seed must not be empty: standard input holds none\n"
    assert not (tmp_path / "ws").exists()


def test_a_weak_seed_is_refused_unless_allowed(cli, tmp_path):
    result = cli("init", tmp_path / "ws", "--seed", "-", input="1\n")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the seed is too weak: a seed of digits only needs at least 20, this one has 1, "
        "or anyone holding its commitment can find it by trying (throw 20 digits with dice, "
        "or leave --seed out for 20 random digits)\n"
    )
    assert not (tmp_path / "ws").exists()
    allowed = cli("init", tmp_path / "ws", "--seed", "-", "--weak-seed-ok", input="1\n")
    assert allowed.exit_code == 0, allowed.output
    assert stored_seed(tmp_path / "ws") == "1\n"


@pytest.mark.parametrize(
    ("seed", "problem"),
    [
        ("1", "a seed of digits only needs at least 20, this one has 1"),
        ("1234567890123456789", "a seed of digits only needs at least 20, this one has 19"),
        ("11111111111111111111", "a seed needs at least 4 different characters"),
        ("12121212121212121212", "a seed needs at least 4 different characters"),
        ("correct horse", "a seed needs at least 16 characters, this one has 13"),
        ("deadbeefdeadbee", "a seed needs at least 16 characters, this one has 15"),
        ("aaaaaaaaaaaaaaaaaaaaaaaa", "a seed needs at least 4 different characters"),
        ("１２３４５６７８９０", "a seed needs at least 16 characters, this one has 10"),
        ("1234 5678 9012 3456", "a seed of digits only needs at least 20, this one has 16"),
        ("1234-5678-9012-345", "a seed of digits only needs at least 20, this one has 15"),
    ],
)
def test_weak_seeds_and_why(seed, problem):
    assert weakness(seed) == problem


@pytest.mark.parametrize(
    "seed",
    [
        SEED,
        "12345678901234567890",
        "37195 40822 66153 90473",
        "deadbeefcafef00d",
        "correct horse battery staple",
    ],
)
def test_strong_enough_seeds(seed):
    assert weakness(seed) is None
    assert weakness(f"  {seed} ") is None


def test_verify_reads_the_revealed_seed_from_a_file_or_standard_input(cli, workspace, tmp_path):
    seed_file = tmp_path / "revealed.txt"
    seed_file.write_text(SEED + "\n", encoding="utf-8")
    from_file = cli("verify", "-w", workspace.root, "--seed-file", seed_file)
    assert from_file.exit_code == 0, from_file.output
    assert from_file.stderr == ""
    assert from_file.stdout.startswith("OK: all 0 decisions reproduce")
    piped = cli("verify", "-w", workspace.root, "--seed", "-", input=SEED)
    assert piped.exit_code == 0, piped.output
    assert piped.stderr == ""


def test_verify_strips_spaces_around_the_seed_as_init_does(cli, workspace: Workspace):
    result = cli("verify", "-w", workspace.root, "--seed", f"  {SEED} ")
    assert result.exit_code == 0, result.output
    assert result.stderr == SEED_ON_COMMAND_LINE + "\n"
    assert f"(seed commitment {COMMITMENT})" in result.stdout


def test_verify_with_a_wrong_seed_from_a_file(cli, workspace, tmp_path):
    seed_file = tmp_path / "revealed.txt"
    seed_file.write_text("98765432109876543210\n", encoding="utf-8")
    result = cli("verify", "-w", workspace.root, "--seed-file", seed_file)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: seed does not match the commitment {COMMITMENT} recorded at init (its SHA-256 is "
    )


def test_init_keeps_the_seed_and_the_data_out_of_version_control(cli, tmp_path):
    result = cli("init", tmp_path / "ws", "--seed", "-", input=SEED)
    assert result.exit_code == 0, result.output
    ignored = (tmp_path / "ws" / ".gitignore").read_text(encoding="utf-8").splitlines()
    for name in (
        "/seed.secret",
        "/inspect-cli.sqlite",
        "/inspect-cli.sqlite-wal",
        "/inspect-cli.sqlite-shm",
        "/inbox/",
        "/archive/",
        "/exports/",
        "/quarantine/",
        "/logs/",
    ):
        assert name in ignored
    assert "inspect-cli.toml" not in ignored


def test_the_repository_ignores_the_quick_start_workspace():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/demo/" in ignored


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_offers_only_the_config_of_a_used_workspace(workspace, tmp_path):
    (workspace.exports / "inspections.csv").write_text("x", encoding="utf-8")
    (workspace.logs / "inspect-cli.log").write_text("x", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(workspace.root)], check=True)
    status = subprocess.run(
        ["git", "-C", str(workspace.root), "status", "--porcelain", "--untracked-files=all"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert sorted(status.splitlines()) == ["?? .gitignore", "?? inspect-cli.toml"]
