"""Running ``invsched`` in-process for the command-line tests, and checking JSON schemas."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any, Final

import attrs
import jsonschema

from invsched.cli import main

ROOT: Final = Path(__file__).resolve().parents[2]
EXAMPLES: Final = ROOT / "examples"
SCHEMAS: Final = ROOT / "src" / "invsched" / "cli" / "schemas"
#: The example tree, as the commands name it (run from the repository's root).
TREE: Final = "examples/elasticquotatree.yaml"
#: What the quota commands note about the example file's Namespace objects.
NAMESPACES = "6 Namespace objects (devops, text1, text2, video, test1, test2)"


@attrs.frozen
class Outcome:
    """What one command printed, and its exit status."""

    status: int
    out: str
    err: str


def invoke(*argv: str, stdin: str | None = None, merged: bool = False) -> Outcome:
    """Run ``invsched ARGV`` in this process from the repository's root.

    Standard output and error are captured (into one stream, in the order written, with
    ``merged``); ``--help``, ``--version`` and usage errors give their ``SystemExit`` status.
    """
    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with (
            contextlib.chdir(ROOT),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out if merged else err),
        ):
            try:
                status = main(list(argv), out=out)
            except SystemExit as stop:
                status = stop.code if isinstance(stop.code, int) else 2
    finally:
        sys.stdin = saved_stdin
    return Outcome(status, out.getvalue(), err.getvalue())


def skipped_note(command: str, what: str = NAMESPACES) -> str:
    """The note a command writes on standard error about objects it does not read."""
    return f"invsched: note: skipped {what}: {command} does not read them\n"


@cache
def schema(command: str) -> dict[str, Any]:
    """The JSON schema of ``invsched COMMAND -o json``."""
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{command}.json").read_text("utf-8"))
    return loaded


def json_output(command: str, *argv: str, status: int = 0) -> dict[str, Any]:
    """Run ``invsched COMMAND ARGV -o json``, check the status and the schema, return the data."""
    outcome = invoke(command, *argv, "-o", "json")
    assert outcome.status == status, (outcome.status, outcome.err, outcome.out[:300])
    data: dict[str, Any] = json.loads(outcome.out)
    jsonschema.Draft202012Validator(schema(command)).validate(data)
    return data
