"""The command registry: every command, ``--help`` and ``--version`` everywhere."""

from __future__ import annotations

import argparse
import re

import pytest

from invsched import __version__
from invsched.cli import _COMMANDS, _command, _parser
from invsched.cli._command import Command
from tests.cli.helpers import invoke

COMMANDS = ["validate", "runtime", "admit", "place", "size", "simulate", "demo"]


def test_the_registry_lists_every_command_in_help_order() -> None:
    assert list(_COMMANDS) == COMMANDS
    for name in _COMMANDS:
        command = _command(name)
        assert isinstance(command, Command)
        assert command.name == name


def test_top_level_help_lists_the_commands() -> None:
    outcome = invoke("--help")
    assert outcome.status == 0
    # A command's line: four spaces, its name, its summary (wrapped lines are indented more).
    listed = [line.split()[0] for line in outcome.out.splitlines() if re.match(r"    \S", line)]
    assert listed == list(_COMMANDS)


@pytest.mark.parametrize("argv", [["--version"], *([name, "--version"] for name in COMMANDS)])
def test_version_works_everywhere(argv: list[str]) -> None:
    assert invoke(*argv) == invoke("--version")
    assert invoke(*argv).out == f"invsched {__version__}\n"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_works_for_every_command(name: str) -> None:
    outcome = invoke(name, "--help")
    assert outcome.status == 0
    assert outcome.out.startswith(f"usage: invsched {name} [-h]")
    assert "-o {table,json,yaml}, --output {table,json,yaml}" in outcome.out
    assert "``" not in outcome.out  # the module docstring, without reST literals


@pytest.mark.parametrize("name", [n for n in COMMANDS if n not in ("size", "simulate", "demo")])
def test_commands_reading_files_need_one(name: str) -> None:
    outcome = invoke(name)
    assert outcome.status == 2
    assert outcome.err.splitlines()[-1] == (
        f"invsched {name}: error: the following arguments are required: FILE"
    )


def test_an_unknown_command_is_a_usage_error() -> None:
    outcome = invoke("schedule")
    assert outcome.status == 2
    assert "invalid choice: 'schedule'" in outcome.err


def test_a_subcommand_parser_has_the_shared_options() -> None:
    commands = next(
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    )
    for name in COMMANDS:
        options = {o for a in commands.choices[name]._actions for o in a.option_strings}
        assert {"-h", "--help", "-o", "--output", "--version"} <= options
