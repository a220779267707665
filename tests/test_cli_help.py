"""Help pages a newcomer reads first (issue 17 item 9): every group shows an example, and the
example generator explains each of its options."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import EXAMPLES


@pytest.mark.parametrize(
    ("group", "example"),
    [
        ("seed", "inspect-cli seed reveal -w ./control"),
        ("satisfaction", "inspect-cli satisfaction import -w ./control survey-2026-q4.xlsx"),
        ("audit", "inspect-cli audit pack"),
    ],
)
def test_group_help_pages_show_an_example(cli, group, example):
    result = cli(group, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert example in result.stdout


def test_every_option_of_the_example_generator_has_help():
    shown = subprocess.run(
        [sys.executable, str(EXAMPLES / "generate.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "200"},
    ).stdout
    words = " ".join(shown.split())
    for help_text in (
        "--seed SEED random seed of the fictitious data: the same seed writes the same files",
        "--shape {be,en,xlsx,all} which contractor's file: be (Janssens, a Dutch CSV)",
        "--start START first completion date, YYYY-MM-DD (default 2026-09-01)",
    ):
        assert help_text in words
