"""The ``invsched`` command line: exit statuses, outputs and one-line errors.

The first tests call ``main`` in-process; the rest run the command in a subprocess, as a user
would, and assert the exit status and the exact standard error. Every error about a document
names its file first (``<file>: document N: <field>: <reason>``); what a command does not read
is noted on standard error (:data:`NAMESPACES_SKIPPED` for the example tree's file).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from invsched.cli import main
from tests.quota.seed import EXAMPLE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
#: What ``validate`` notes about the example file's Namespace objects, which it does not read.
NAMESPACES_SKIPPED = (
    "invsched: note: skipped 6 Namespace objects (devops, text1, text2, video, test1, test2): "
    "validate does not read them\n"
)
SUBDOMAIN = (
    "must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, '-' or '.', "
    "starting and ending with a letter or digit)"
)


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    status = main(argv, out=out)
    return status, out.getvalue()


def _cli(
    *args: str, stdin: bytes | None = None, stdout: int | None = subprocess.PIPE
) -> tuple[int, str, str]:
    """Run ``invsched ARGS`` in a fresh interpreter; (status, stdout, stderr)."""
    completed = subprocess.run(
        [sys.executable, "-m", "invsched.cli", *args],
        input=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        check=False,
        timeout=120,
    )
    output = completed.stdout.decode("utf-8") if completed.stdout is not None else ""
    return completed.returncode, output, completed.stderr.decode("utf-8")


# In-process ---------------------------------------------------------------------------------


def test_validate_example_reports_the_two_violations_and_exits_1() -> None:
    status, output = _run(["validate", str(EXAMPLE)])
    assert status == 1
    lines = output.splitlines()
    assert lines[0] == f"{EXAMPLE}: 2 violation(s) under profile koordinator"
    assert lines[2].split(maxsplit=3) == [
        "children-min-exceed-parent-min",
        "algorithm",
        "cpu",
        "algorithm: sum of children's min cpu=52 exceeds min cpu=50 (text=40, video=12)",
    ]
    assert len(lines) == 4


def test_validate_ack_doc_profile_is_clean() -> None:
    assert _run(["validate", str(EXAMPLE), "--profile", "ack-doc"]) == (
        0,
        f"{EXAMPLE}: valid under profile ack-doc\n",
    )


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_validate_machine_output(fmt: str) -> None:
    status, output = _run(["validate", str(EXAMPLE), "-o", fmt])
    data = json.loads(output) if fmt == "json" else yaml.safe_load(output)
    assert status == 1
    assert data["profile"] == "koordinator"
    assert data["ok"] is False
    assert [(v["rule"], v["node"], v["resource"]) for v in data["violations"]] == [
        ("children-min-exceed-parent-min", "algorithm", "cpu"),
        ("children-min-exceed-parent-min", "algorithm", "memory"),
    ]


def test_bad_quantity_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE_TEXT.replace("cpu: 12", "cpu: 12x", 1), encoding="utf-8")
    status, output = _run(["validate", str(bad)])
    assert (status, output) == (2, "")
    assert capsys.readouterr().err == (
        f"invsched: error: {bad}: document 6: spec.root.children[1].children[1].min.cpu: "
        "invalid quantity '12x': unexpected character 'x' at position 2\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "metadata: {}\n",
            "document 0: kind: expected the object's kind (a non-empty string), got None",
        ),
        (
            "a: [1\n",
            "document 0: not valid YAML: while parsing a flow sequence: did not find expected "
            "',' or ']' (line 2, column 1)",
        ),
        ("- 1\n", "document 0: expected a mapping, got list"),
        (
            "kind: Namespace\nmetadata: {}\n",
            "document 0: metadata.name: expected a non-empty string, got None",
        ),
        (
            "kind: Namespace\nmetadata: {name: Team_A}\n",
            "document 0: metadata.name: must be a DNS-1123 label (at most 63 lower-case "
            "letters, digits or '-', starting and ending with a letter or digit), got 'Team_A'",
        ),
    ],
)
def test_bad_documents_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    assert _run(["validate", str(path)]) == (2, "")
    assert capsys.readouterr().err == f"invsched: error: {path}: {message}\n"


def test_file_without_a_tree_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ns.yaml"
    path.write_text("kind: Namespace\nmetadata: {name: a}\n", encoding="utf-8")
    assert _run(["validate", str(path)])[0] == 2
    assert capsys.readouterr().err == f"invsched: error: {path}: no ElasticQuotaTree document\n"


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["validate", str(EXAMPLE), "--profile", "nope"])
    assert raised.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


class _Failing(io.StringIO):
    def __init__(self, error: OSError) -> None:
        super().__init__()
        self.error = error

    def write(self, text: str) -> int:
        raise self.error


def test_write_errors_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    full = _Failing(OSError(28, "No space left on device"))
    assert main(["validate", str(EXAMPLE)], out=full) == 2
    assert capsys.readouterr().err == (
        NAMESPACES_SKIPPED + "invsched: error: cannot write the output: No space left on device\n"
    )
    assert main(["validate", str(EXAMPLE)], out=_Failing(BrokenPipeError(32, "x"))) == 141
    assert capsys.readouterr().err == NAMESPACES_SKIPPED


def test_stdin_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(EXAMPLE_TEXT))
    assert _run(["validate", "-", "--profile", "ack-doc"]) == (
        0,
        "<stdin>: valid under profile ack-doc\n",
    )


# In a subprocess ----------------------------------------------------------------------------


def test_missing_file_is_not_read_as_yaml() -> None:
    assert _cli("validate", "missing.yaml") == (
        2,
        "",
        "invsched: error: missing.yaml: no such file\n",
    )


def test_yaml_text_as_an_argument_is_a_missing_file() -> None:
    text = "{kind: ElasticQuotaTree, spec: {root: {name: root}}}"
    assert _cli("validate", text) == (2, "", f"invsched: error: {text}: no such file\n")


def test_directory_is_refused(tmp_path: Path) -> None:
    assert _cli("validate", str(tmp_path)) == (
        2,
        "",
        f"invsched: error: {tmp_path}: is a directory\n",
    )


def test_path_below_a_file_is_a_missing_file() -> None:
    assert _cli("validate", "README.md/x.yaml") == (
        2,
        "",
        "invsched: error: README.md/x.yaml: no such file\n",
    )


def test_dash_reads_standard_input() -> None:
    status, output, error = _cli("validate", "-", stdin=EXAMPLE_TEXT.encode())
    assert (status, output.splitlines()[0], error) == (
        1,
        "<stdin>: 2 violation(s) under profile koordinator",
        NAMESPACES_SKIPPED,
    )


def test_kubectl_list_on_standard_input() -> None:
    # What `kubectl get elasticquotatree -o yaml` prints: the objects wrapped in a List.
    tree = yaml.safe_load(EXAMPLE_TEXT.split("---\n")[-1])
    listed = {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": [tree]}
    stdin = yaml.safe_dump(listed).encode()
    assert _cli("validate", "-", "--profile", "ack-doc", stdin=stdin) == (
        0,
        "<stdin>: valid under profile ack-doc\n",
        "",
    )
    broken = stdin.replace(b"name: video", b"name: Video")
    assert _cli("validate", "-", stdin=broken) == (
        2,
        "",
        f"invsched: error: <stdin>: document 0: items[0].spec.root.children[1].children[1]"
        f".name: {SUBDOMAIN}, got 'Video'\n",
    )


def test_empty_standard_input_has_no_tree() -> None:
    assert _cli("validate", "-", stdin=b"") == (
        2,
        "",
        "invsched: error: <stdin>: no ElasticQuotaTree document\n",
    )


_BOMB = "".join(
    [
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n",
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            EXAMPLE_TEXT.replace("cpu: 12\n", "cpu: 2001-12-14\n", 1).encode(),
            "document 6: spec.root.children[1].children[1].min.cpu: invalid quantity "
            "'2001-12-14': unexpected character '-' at position 7",
            id="date-is-a-string",
        ),
        pytest.param(
            b"x: 2001-13-45\n",
            "document 0: kind: expected the object's kind (a non-empty string), got None",
            id="impossible-date",
        ),
        pytest.param(
            EXAMPLE_TEXT.replace("cpu: 12\n", "cpu: 1:30\n", 1).encode(),
            "document 6: spec.root.children[1].children[1].min.cpu: invalid quantity "
            "'1:30': unexpected character ':' at position 1",
            id="sexagesimal-is-a-string",
        ),
        pytest.param(
            EXAMPLE_TEXT.replace("cpu: 12\n", "cpu: !!int abc\n", 1).encode(),
            "document 6: spec.root.children[1].children[1].min.cpu: cannot read 'abc' as "
            "!!int (line 87, column 16)",
            id="int-tag",
        ),
        pytest.param(
            EXAMPLE_TEXT.replace("cpu: 12\n", "cpu: !!timestamp 2001-12-14\n", 1).encode(),
            "document 6: spec.root.children[1].children[1].min.cpu: unsupported tag "
            "'!!timestamp' (line 87, column 16)",
            id="timestamp-tag",
        ),
        pytest.param(
            EXAMPLE_TEXT.replace("cpu: 12\n", "cpu: " + "9" * 5000 + "\n", 1).encode(),
            "document 6: spec.root.children[1].children[1].min.cpu: an integer of 5000 digits "
            "exceeds the 100 digits supported (line 87, column 16)",
            id="huge-int",
        ),
        pytest.param(
            EXAMPLE_TEXT.replace("cpu: 12\n", "cpu: 12\n          cpu: 13\n", 1).encode(),
            "document 6: spec.root.children[1].children[1].min.cpu: duplicate key "
            "(line 88, column 11)",
            id="duplicate-key",
        ),
        pytest.param(
            EXAMPLE_TEXT.replace(
                "- name: video", "- name: video\n        allowLentResource: yes"
            ).encode(),
            "document 6: spec.root.children[1].children[1].allowLentResource: expected a bool, "
            "got str",
            id="yes-is-a-string",
        ),
        pytest.param(
            EXAMPLE_TEXT.replace("name: video \n", "name: Video\n", 1).encode(),
            "document 3: metadata.name: must be a DNS-1123 label (at most 63 lower-case "
            "letters, digits or '-', starting and ending with a letter or digit), got 'Video'",
            id="uppercase-namespace",
        ),
        pytest.param(
            _BOMB.encode(),
            "document 0: aliases expand to more than 1000000 nodes (line 6, column 36)",
            id="alias-bomb",
        ),
        pytest.param(
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
            "not UTF-8 text (byte 0xff at offset 0)",
            id="binary-garbage",
        ),
        pytest.param(
            b"kind: \x00\x01\x02\n",
            "document 0: not valid YAML: unacceptable character '\\x00' at position 6",
            id="control-characters",
        ),
        pytest.param(
            b"[" * 100_000 + b"]" * 100_000,
            "document 0: nests deeper than 512 levels",
            id="deep-flow-nesting",
        ),
        pytest.param(
            "".join(" " * depth + "a:\n" for depth in range(600)).encode(),
            "document 0: nests deeper than 512 levels",
            id="deep-block-nesting",
        ),
        pytest.param(
            b"a: &x [1, *x]\n",
            "document 0: a[1]: alias 'x' refers to a node that contains it (line 1, column 11)",
            id="recursive-alias",
        ),
    ],
)
def test_junk_files_exit_2_with_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    status, output, error = _cli("validate", str(path))
    assert (status, output) == (2, "")
    assert error == f"invsched: error: {path}: {message}\n"


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(64 * 2**20 + 1)  # sparse: no 64 MiB written
    assert _cli("validate", str(path)) == (
        2,
        "",
        f"invsched: error: {path}: larger than 64 MiB, the most read\n",
    )


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.yaml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8")
    path.chmod(0)
    assert _cli("validate", str(path)) == (
        2,
        "",
        f"invsched: error: {path}: permission denied\n",
    )


def test_full_disk_is_one_line_and_exit_2() -> None:
    with Path("/dev/full").open("wb") as full:
        status, _, error = _cli("demo", stdout=full.fileno())
    assert (status, error) == (
        2,
        "invsched: error: cannot write the output: No space left on device\n",
    )


def test_closed_pipe_stops_quietly_with_141() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first write, like `| head -1` after it
    try:
        status, _, error = _cli("demo", stdout=write)
    finally:
        os.close(write)
    assert (status, error) == (141, "")


def test_no_command_is_a_usage_error() -> None:
    status, output, error = _cli()
    assert (status, output) == (2, "")
    assert error.splitlines()[-1] == (
        "invsched: error: the following arguments are required: COMMAND"
    )
