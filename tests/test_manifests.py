"""Manifest loading: YAML read as Kubernetes reads it, bounded, every error typed.

Each test runs with libyaml's parser and with the pure-Python one: the answers must agree.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from invsched import InvalidManifest, InvalidRequest, manifests
from invsched import _yaml as yaml_reader
from invsched.manifests import Manifests, load, load_documents, load_file, loads
from tests.quota.seed import EXAMPLE, seed_tree

SEED = EXAMPLE.read_text(encoding="utf-8")
#: The parser chosen at import, before any test swaps it.
DEFAULT_PARSER = yaml_reader.PARSER
PARSERS: dict[str, type[Any]] = {"python": yaml.SafeLoader}
if hasattr(yaml, "CSafeLoader"):
    PARSERS["libyaml"] = yaml.CSafeLoader


@pytest.fixture(params=sorted(PARSERS), autouse=True)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(yaml_reader, "PARSER", PARSERS[request.param])
    name: str = request.param
    return name


def _error(text: str | bytes) -> str:
    with pytest.raises(InvalidManifest) as raised:
        loads(text)
    assert isinstance(raised.value, ValueError)
    return str(raised.value)


def test_the_default_parser_is_libyaml_when_present() -> None:
    assert DEFAULT_PARSER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def test_seed_loads_as_before() -> None:
    result = load_file(EXAMPLE)
    assert result.quota_tree == seed_tree()
    assert result.namespaces == ("devops", "text1", "text2", "video", "test1", "test2")
    assert loads(SEED) == result == loads(SEED.encode()) == load(EXAMPLE) == load(str(EXAMPLE))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1:30", "1:30"),
        ("190:20:30", "190:20:30"),
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("No", "No"),
        ("y", "y"),
        ("2001-12-14", "2001-12-14"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
        ("010", 10),
        ("0o17", 15),
        ("0x1F", 31),
        ("0b101", "0b101"),
        ("-0x1", "-0x1"),
        ("1_000", "1_000"),
        ("+12", 12),
        ("-12", -12),
        ("1e3", 1000.0),
        ("-0.5", -0.5),
        (".5", 0.5),
        ("1.", 1.0),
        (".inf", float("inf")),
        ("-.INF", float("-inf")),
        ("true", True),
        ("TRUE", True),
        ("False", False),
        ("null", None),
        ("~", None),
        ("", None),
        ("'010'", "010"),
        ('"true"', "true"),
        ("!!str 12", "12"),
        ("! 12", "12"),
        ("!!float 1", 1.0),
        ("!!int 0x10", 16),
        ("!!bool false", False),
        ("!!null ~", None),
        ("<<", "<<"),
        ("=", "="),
        ("50Gi", "50Gi"),
        ("500m", "500m"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    assert load_documents(f"x: {text}\n") == ({"x": value},)


def test_nan_is_a_float() -> None:
    (document,) = load_documents("x: .nan\n")
    assert document["x"] != document["x"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: !!int abc\n", "document 0: x: cannot read 'abc' as !!int (line 1, column 4)"),
        ("x: !!int 1:30\n", "document 0: x: cannot read '1:30' as !!int (line 1, column 4)"),
        ("x: !!bool yes\n", "document 0: x: cannot read 'yes' as !!bool (line 1, column 4)"),
        ("x: !!float one\n", "document 0: x: cannot read 'one' as !!float (line 1, column 4)"),
        ("x: !!null 0\n", "document 0: x: cannot read '0' as !!null (line 1, column 4)"),
        (
            "x: !!timestamp 2001-13-45\n",
            "document 0: x: unsupported tag '!!timestamp' (line 1, column 4)",
        ),
        ("x: !!binary aGk=\n", "document 0: x: unsupported tag '!!binary' (line 1, column 4)"),
        ("x: !!set {a}\n", "document 0: x: unsupported tag '!!set' (line 1, column 4)"),
        ("x: !!omap [a: 1]\n", "document 0: x: unsupported tag '!!omap' (line 1, column 4)"),
        (
            "x: !!python/none ''\n",
            "document 0: x: unsupported tag '!!python/none' (line 1, column 4)",
        ),
        ("x: !custom 1\n", "document 0: x: unsupported tag '!custom' (line 1, column 4)"),
        ("x: !!map [1]\n", "document 0: x: unsupported tag '!!map' (line 1, column 4)"),
        (
            "x: " + "1" * 5000 + "\n",
            "document 0: x: an integer of 5000 digits exceeds the 100 digits supported "
            "(line 1, column 4)",
        ),
        (
            "x: [0x" + "f" * 101 + "]\n",
            "document 0: x[0]: an integer of 101 digits exceeds the 100 digits supported "
            "(line 1, column 5)",
        ),
        ("kind: A\nkind: B\n", "document 0: kind: duplicate key (line 2, column 1)"),
        (
            "spec:\n  root:\n    name: a\n    min: {cpu: 1, cpu: 2}\n",
            "document 0: spec.root.min.cpu: duplicate key (line 4, column 19)",
        ),
        (
            "items:\n- a: 1\n- a: 1\n  a: 2\n",
            "document 0: items[1].a: duplicate key (line 4, column 3)",
        ),
        ("1: a\ntrue: b\n", "document 0: True: duplicate key (line 2, column 1)"),
        ("? [a]\n: 1\n", "document 0: a mapping key must be a scalar (line 1, column 5)"),
        (
            "x: *nope\n",
            "document 0: x: alias 'nope' is not defined before it is used (line 1, column 4)",
        ),
        (
            "x: &self {a: *self}\n",
            "document 0: x.a: alias 'self' refers to a node that contains it (line 1, column 14)",
        ),
        (
            "---\nx: &a 1\n---\ny: *a\n",
            "document 1: y: alias 'a' is not defined before it is used (line 4, column 4)",
        ),
        ("[" * 513 + "]" * 513, "document 0: nests deeper than 512 levels"),
        ("- " * 600 + "x\n", "document 0: nests deeper than 512 levels"),
        ("a: b\x00\n", "document 0: not valid YAML: unacceptable character '\\x00' at position 4"),
        (
            "a: \ud800\n",
            "document 0: not valid YAML: unacceptable character '\\ud800' at position 3",
        ),
        (b"\xff\xfe\x00", "not UTF-8 text (byte 0xff at offset 0)"),
        (b"a: \xc3\x28\n", "not UTF-8 text (byte 0xc3 at offset 3)"),
        ("- 1\n", "document 0: expected a mapping, got list"),
        (
            "---\n---\n---\nmetadata: {name: x}\n",
            "document 2: kind: expected the object's kind (a non-empty string), got None",
        ),
        (
            "kind: [Foo]\n",
            "document 0: kind: expected the object's kind (a non-empty string), got ['Foo']",
        ),
        ("kind: Foo\napiVersion: 1\n", "document 0: apiVersion: expected a string, got 1"),
        ("kind: List\n", "document 0: items: expected a list of objects, got null"),
        ("kind: List\nitems: [3]\n", "document 0: items[0]: expected a mapping, got int"),
        ("kind: List\nitems: [{kind: List}]\n", "document 0: items[0].kind: a List inside a List"),
        (
            "kind: ElasticQuotaTree\nspec: {root: {name: a}}\n---\n"
            "kind: List\nitems: [{kind: ElasticQuotaTree, spec: {root: {name: b}}}]\n",
            "document 1: items[0].kind: a second ElasticQuotaTree (only one is supported; the "
            "first is document 0)",
        ),
        (
            "kind: List\nitems: [{kind: Namespace, metadata: {name: a_b}}]\n",
            "document 0: items[0].metadata.name: must be a DNS-1123 label (at most 63 lower-case "
            "letters, digits or '-', starting and ending with a letter or digit), got 'a_b'",
        ),
    ],
)
def test_refusals_are_typed_and_name_the_place(text: str | bytes, message: str) -> None:
    assert _error(text) == message


def test_syntax_errors_name_the_document_and_position(parser: str) -> None:
    problem = {
        "libyaml": "while parsing a flow sequence: did not find expected ',' or ']'",
        "python": "while parsing a flow sequence: expected ',' or ']', but got '<stream end>'",
    }[parser]
    assert (
        _error("a: 1\n---\nb: [1\n") == f"document 1: not valid YAML: {problem} (line 4, column 1)"
    )


def test_alias_bomb_is_refused_and_ordinary_aliases_work() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    assert _error("\n".join(lines) + "\n") == (
        "document 0: aliases expand to more than 1000000 nodes (line 6, column 36)"
    )
    (document,) = load_documents("base: &base {cpu: 1}\nmin: *base\nmax: *base\n")
    assert document["min"] is document["max"] == {"cpu": 1}


def test_aliases_in_a_quota_tree() -> None:
    text = (
        "kind: ElasticQuotaTree\n"
        "spec:\n  root:\n    name: root\n    max: &limit {cpu: 4}\n"
        "    children:\n    - {name: a, max: *limit}\n    - {name: b, max: *limit}\n"
    )
    tree = loads(text).quota_tree
    assert tree is not None
    assert [node.max["cpu"] for node in tree] == [4000, 4000, 4000]


def test_kubectl_list_is_unwrapped() -> None:
    documents = [yaml.safe_load(part) for part in SEED.split("---\n")[1:]]
    listed = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": documents})
    assert loads(listed) == loads(SEED)
    assert loads("kind: List\nitems: []\n") == Manifests()


def test_empty_documents_count_in_the_index_and_are_skipped() -> None:
    assert loads("") == loads("---\n---\n") == loads("# only a comment\n") == Manifests()


def test_load_file_errors_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidManifest) as raised:
        load_file(tmp_path / "missing.yaml")
    assert str(raised.value) == f"{tmp_path}/missing.yaml: no such file"
    with pytest.raises(InvalidManifest) as raised:
        load_file(tmp_path)
    assert str(raised.value) == f"{tmp_path}: is a directory"
    with pytest.raises(InvalidManifest) as raised:
        load_file("a\x00b")
    assert str(raised.value) == "'a\\x00b': not a valid path"
    with pytest.raises(InvalidManifest) as raised:
        load_file("kind: Namespace\nmetadata: {name: a}\n")
    assert str(raised.value) == "'kind: Namespace\\nmetadata: {name: a}\\n': no such file"
    with pytest.raises(InvalidRequest) as request:
        load_file(3)  # type: ignore[arg-type]
    assert str(request.value) == "path: expected a path (str or os.PathLike), got int 3"


def test_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests._read, "MAX_BYTES", 16)
    path = tmp_path / "x.yaml"
    path.write_text("kind: Namespace\nmetadata: {name: a}\n", encoding="utf-8")
    with pytest.raises(InvalidManifest) as raised:
        load_file(path)
    assert str(raised.value) == f"{path}: larger than 0 MiB, the most read"
    assert _error("x" * 17) == "larger than 0 MiB, the most read"
    assert _error(b"x" * 17) == "larger than 0 MiB, the most read"


def test_text_bounded_by_its_utf8_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests._read, "MAX_BYTES", 16)
    # 6 characters but 18 bytes in UTF-8.
    assert _error("é" * 9) == "larger than 0 MiB, the most read"


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SEED.encode())))
    assert load_file("-") == loads(SEED)
    monkeypatch.setattr(sys, "stdin", io.StringIO(SEED))
    assert load_file("-") == loads(SEED)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff")))
    with pytest.raises(InvalidManifest) as raised:
        load_file("-")
    assert str(raised.value) == "<stdin>: not UTF-8 text (byte 0xff at offset 0)"
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InvalidManifest) as raised:
        load_file("-")
    assert str(raised.value) == "<stdin>: standard input is closed"


def test_loads_and_load_refuse_junk_arguments() -> None:
    with pytest.raises(InvalidRequest) as raised:
        loads(3)  # type: ignore[arg-type]
    assert str(raised.value) == "text: expected YAML text (str or bytes), got int 3"
    with pytest.raises(InvalidRequest) as raised:
        load(None)  # type: ignore[arg-type]
    assert str(raised.value) == "source: expected YAML text or a path, got NoneType None"


def test_load_keeps_its_guess_but_never_crashes_on_long_text() -> None:
    # A one-line str too long to be a file name is text, not an OSError.
    with pytest.raises(InvalidManifest) as raised:
        load("a" * 5000)
    assert str(raised.value) == "document 0: expected a mapping, got str"
    assert load_documents("a: 1\n") == ({"a": 1},)


def test_manifests_record_fields_are_checked() -> None:
    with pytest.raises(InvalidManifest) as raised:
        Manifests(namespaces="team-a")
    assert str(raised.value) == (
        "Manifests.namespaces: expected a sequence of names, got the string 'team-a'"
    )
    with pytest.raises(InvalidManifest) as raised:
        Manifests(quota_tree="tree")  # type: ignore[arg-type]
    assert str(raised.value) == "Manifests.quota_tree: expected a QuotaTree, got str 'tree'"


def test_manifests_record_checks_the_fields_of_the_quota_and_job_kinds() -> None:
    with pytest.raises(InvalidManifest) as raised:
        Manifests(units=["job"])
    assert str(raised.value) == "Manifests.units[0]: expected a QueueUnit, got str 'job'"
    with pytest.raises(InvalidManifest) as raised:
        Manifests(priority_classes=[3])
    assert str(raised.value) == "Manifests.priority_classes[0]: expected a PriorityClass, got int 3"
    with pytest.raises(InvalidManifest) as raised:
        Manifests(cluster_state="state")  # type: ignore[arg-type]
    assert str(raised.value) == (
        "Manifests.cluster_state: expected a ClusterState, got str 'state'"
    )
