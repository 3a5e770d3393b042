"""Every command on every kind of junk input: exit 2 and one line naming the file, never a
traceback.

The commands run in this process (``main`` must return 2, not raise); two of them also run as
a user would, in a fresh interpreter. ``demo`` reads no file and is not in the table.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.helpers import ROOT, invoke

#: The commands, as run on one file (``{}``).
COMMANDS: Final = {
    "validate": ["validate", "{}"],
    "runtime": ["runtime", "{}"],
    "admit": ["admit", "{}"],
    "place": ["place", "{}"],
    "size": ["size", "--params", "8B", "{}"],
}
#: What each command says about a file without the document it needs.
MISSING: Final = {
    "validate": "no ElasticQuotaTree document",
    "runtime": "no ElasticQuotaTree document",
    "admit": "no ElasticQuotaTree document",
    "place": "no Fleet document",
    "size": "no Fleet document",
}
SUBDOMAIN: Final = (
    "must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' or '.', "
    "starting and ending with a letter or digit)"
)
_BOMB: Final = "".join(
    [
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n",
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)
_TREE: Final = (
    "apiVersion: scheduling.sigs.k8s.io/v1beta1\nkind: ElasticQuotaTree\n"
    "metadata: {name: t}\nspec:\n  root:\n    name: root\n"
)


def _file(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(directory: Path) -> Path:
        path = directory / name
        path.write_bytes(content)
        return path

    return make


def _directory(directory: Path) -> Path:
    (directory / "manifests").mkdir()
    return directory / "manifests"


def _missing(directory: Path) -> Path:
    return directory / "missing.yaml"


#: Junk: (how to make it, the message after ``<file>: ``; ``None`` for :data:`MISSING`).
JUNK: Final[dict[str, tuple[Callable[[Path], Path], str | None]]] = {
    "empty": (_file("x.yaml", b""), None),
    "only-comments": (_file("x.yaml", b"# nothing\n---\n"), None),
    "wrong-kinds": (
        _file("x.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"),
        None,
    ),
    "binary": (
        _file("x.yaml", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
        "not UTF-8 text (byte 0xff at offset 0)",
    ),
    "control-characters": (
        _file("x.yaml", b"kind: \x00\x01\x02\n"),
        "document 0: not valid YAML: unacceptable character '\\x00' at position 6",
    ),
    "not-a-mapping": (_file("x.yaml", b"- 1\n"), "document 0: expected a mapping, got list"),
    "no-kind": (
        _file("x.yaml", b"metadata: {}\n"),
        "document 0: kind: expected the object's kind (a non-empty string), got None",
    ),
    "huge-integer": (
        _file("x.yaml", b"a: " + b"9" * 5000 + b"\n"),
        "document 0: a: an integer of 5000 digits exceeds the 100 digits supported "
        "(line 1, column 4)",
    ),
    "huge-quantity": (
        _file("x.yaml", (_TREE + "    max: {cpu: '1e999999'}\n").encode()),
        "document 0: spec.root.max.cpu: invalid quantity '1e999999': exceeds the supported "
        "range of 100 digits",
    ),
    "deep-nesting": (
        _file("x.yaml", b"[" * 100_000 + b"]" * 100_000),
        "document 0: nests deeper than 512 levels",
    ),
    "alias-bomb": (
        _file("x.yaml", _BOMB.encode()),
        "document 0: aliases expand to more than 1000000 nodes (line 6, column 36)",
    ),
    "unknown-field-in-our-kind": (
        _file(
            "x.yaml",
            b"apiVersion: invsched.io/v1alpha1\nkind: Fleet\nmetadata: {name: f}\n"
            b"spec: {colour: red}\n",
        ),
        "document 0: spec.colour: unknown field (expected one of catalog, clusters, inventory)",
    ),
    "non-ascii-names": (
        _file("квоты.yaml", (_TREE + "    children:\n    - name: vidéo\n").encode()),
        f"document 0: spec.root.children[0].name: {SUBDOMAIN}, got 'vidéo'",
    ),
    "directory": (_directory, "is a directory"),
    "missing-path": (_missing, "no such file"),
}


@pytest.mark.parametrize("junk", sorted(JUNK))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_junk_exits_2_with_one_line(tmp_path: Path, command: str, junk: str) -> None:
    make, message = JUNK[junk]
    path = make(tmp_path)
    argv = [str(path) if arg == "{}" else arg for arg in COMMANDS[command]]
    outcome = invoke(*argv)
    expected = MISSING[command] if message is None else message
    assert (outcome.status, outcome.out) == (2, "")
    assert outcome.err == f"invsched: error: {path}: {expected}\n"


def test_a_file_name_with_a_line_break_stays_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "two\nlines.yaml"
    outcome = invoke("validate", str(path))
    shown = repr(str(path))
    assert (outcome.status, outcome.err) == (2, f"invsched: error: {shown}: no such file\n")


@pytest.mark.parametrize("command", ["admit", "place"])
def test_junk_in_a_fresh_interpreter(tmp_path: Path, command: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(_BOMB.encode())
    completed = subprocess.run(
        [sys.executable, "-m", "invsched.cli", command, str(path)],
        capture_output=True,
        cwd=ROOT,
        check=False,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert (completed.returncode, completed.stdout) == (2, b"")
    assert completed.stderr.decode() == (
        f"invsched: error: {path}: document 0: aliases expand to more than 1000000 nodes "
        "(line 6, column 36)\n"
    )


#: Example inputs of each command, one of which a property test mangles.
_EXAMPLES: Final = {
    "validate": ["examples/quota/tree.yaml"],
    "runtime": [
        "examples/quota/tree.yaml",
        "examples/quota/state.yaml",
        "examples/quota/jobs.yaml",
    ],
    "admit": ["examples/quota/tree.yaml", "examples/quota/state.yaml", "examples/quota/jobs.yaml"],
    "place": [
        "examples/placement/policy.yaml",
        "examples/placement/deployment.yaml",
        "examples/placement/fleet.yaml",
    ],
    "size": ["--params", "8B", "examples/placement/fleet.yaml"],
}


@st.composite
def _mangled(draw: st.DrawFn) -> tuple[str, int, bytes]:
    """A command, which of its files to mangle, and the mangled bytes (a cut, a byte
    replaced, or a line dropped)."""
    command = draw(st.sampled_from(sorted(_EXAMPLES)))
    files = [i for i, arg in enumerate(_EXAMPLES[command]) if arg.endswith(".yaml")]
    index = draw(st.sampled_from(files))
    data = (ROOT / _EXAMPLES[command][index]).read_bytes()
    position = draw(st.integers(0, len(data) - 1))
    how = draw(st.sampled_from(["cut", "replace", "drop-line"]))
    if how == "cut":
        mangled = data[:position]
    elif how == "replace":
        mangled = data[:position] + bytes([draw(st.integers(0, 255))]) + data[position + 1 :]
    else:
        lines = data.splitlines(keepends=True)
        line = draw(st.integers(0, len(lines) - 1))
        mangled = b"".join(lines[:line] + lines[line + 1 :])
    return command, index, mangled


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_mangled())
def test_mangled_examples_give_an_answer_or_one_line(
    tmp_path: Path, case: tuple[str, int, bytes]
) -> None:
    command, index, mangled = case
    path = tmp_path / "mangled.yaml"
    path.write_bytes(mangled)
    argv = list(_EXAMPLES[command])
    argv[index] = str(path)
    outcome = invoke(command, *argv, "-o", "json")
    assert outcome.status in (0, 1, 2)
    if outcome.status == 2:
        assert outcome.out == ""
        assert outcome.err.startswith("invsched: error: ")
        assert outcome.err.count("\n") == 1
    else:
        assert outcome.err == ""
