"""The ``invsched`` command line: exit statuses and outputs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from invsched.cli import main
from tests.quota.seed import EXAMPLE


def _run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    status = main(argv, out=out)
    return status, out.getvalue()


def test_validate_seed_reports_the_two_violations_and_exits_1() -> None:
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
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("cpu: 12", "cpu: 12x", 1), encoding="utf-8"
    )
    status, output = _run(["validate", str(bad)])
    assert (status, output) == (2, "")
    assert capsys.readouterr().err == (
        "invsched: error: document 6: spec.root.children[1].children[1].min.cpu: "
        "invalid quantity '12x': unexpected character 'x' at position 2\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: Foo\n", "document 0: kind: unknown kind 'Foo'"),
        ("a: [1\n", "not valid YAML"),
        ("- 1\n", "document 0: expected a mapping, got list"),
        (
            "kind: Namespace\nmetadata: {}\n",
            "document 0: metadata.name: expected a string, got None",
        ),
    ],
)
def test_bad_documents_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    assert _run(["validate", str(path)])[0] == 2
    assert capsys.readouterr().err.startswith(f"invsched: error: {message}")


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
