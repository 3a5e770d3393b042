"""Every command shown in the README and the documentation prints what the page says.

A page shows a command in a ``console`` block: a line ``$ invsched ...`` followed by the
output, up to the next ``$`` line or the end of the block (blank lines before the next ``$``
line are not output). The command runs from the
repository's root on ``examples/`` and its standard output must equal the lines shown,
exactly; a command that prints nothing on standard output (an error, exit 2) is compared on
standard error instead. Notes on standard error (what a command skipped) are not shown.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import attrs
import pytest

from tests.cli.helpers import ROOT, invoke

#: The pages whose console blocks run.
PAGES: Final = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
_FENCE: Final = re.compile(r"^(`{3,}|~{3,})\s*(\S*)")


@attrs.frozen
class Shown:
    """One command shown on a page, with the output the page shows for it."""

    page: str
    line: int
    command: str
    output: str


def _console_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """The ``console`` blocks of a Markdown page: (line of the first content line, lines)."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index].strip())
        index += 1
        if opening is None:
            continue
        fence, language = opening.groups()
        start, body = index, []
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index])
            index += 1
        index += 1
        if language == "console":
            yield start + 1, body


def shown_commands(page: Path, root: Path = ROOT) -> Iterator[Shown]:
    """Every ``$ invsched ...`` of the page's console blocks, with its output."""
    name = str(page.relative_to(root))
    for first, body in _console_blocks(page.read_text(encoding="utf-8")):
        current: tuple[int, str] | None = None
        output: list[str] = []
        for offset, line in enumerate([*body, "$ "]):
            if not line.startswith("$ "):
                output.append(line)
                continue
            if current is not None:
                while output and not output[-1].strip():  # blank lines between commands
                    output.pop()
                yield Shown(name, current[0], current[1], "".join(f"{x}\n" for x in output))
            current, output = (first + offset, line[2:].strip()), []


SHOWN: Final = [shown for page in PAGES for shown in shown_commands(page)]


def test_the_pages_show_commands() -> None:
    shown = {item.page for item in SHOWN}
    commands = ("validate", "runtime", "admit", "place", "size", "demo")
    assert {f"docs/cli/{name}.md" for name in commands} <= shown


@pytest.mark.parametrize("shown", SHOWN, ids=[f"{s.page}:{s.line}" for s in SHOWN])
def test_documented_command_prints_what_the_page_shows(shown: Shown) -> None:
    program, *argv = shlex.split(shown.command)
    assert program == "invsched", f"{shown.page}:{shown.line}: only invsched commands run"
    outcome = invoke(*argv)
    printed = outcome.out if outcome.out else outcome.err
    assert printed == shown.output


def test_the_parser_reads_commands_and_their_output(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "text\n```console\n$ invsched a\none\n\n$ invsched b\n```\n"
        "```sh\n$ invsched c\n```\n````console\n$ invsched d\n```\nx\n````\n",
        encoding="utf-8",
    )
    shown = [(s.page, s.line, s.command, s.output) for s in shown_commands(page, tmp_path)]
    assert shown == [
        ("page.md", 3, "invsched a", "one\n"),
        ("page.md", 6, "invsched b", ""),
        ("page.md", 12, "invsched d", "```\nx\n"),
    ]
