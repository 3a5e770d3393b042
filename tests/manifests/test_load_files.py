"""``load_files``: several files read as one stream, every error naming its file."""

from __future__ import annotations

import io
import pickle
import sys
from pathlib import Path

import pytest

from invsched import InvalidManifest, InvalidRequest
from invsched.manifests import SkippedObject, load_file, load_files, loads

TREE = (
    "apiVersion: scheduling.sigs.k8s.io/v1beta1\n"
    "kind: ElasticQuotaTree\n"
    "metadata: {name: tree, namespace: kube-system}\n"
    "spec:\n  root:\n    name: root\n    max: {cpu: 4}\n    min: {cpu: 4}\n"
    "    children:\n    - {name: a, max: {cpu: 4}, min: {cpu: 4}, namespaces: [team-a]}\n"
)
NAMESPACES = (
    "kind: Namespace\nmetadata: {name: team-a}\n---\nkind: Namespace\nmetadata: {name: b}\n"
)


def _write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _error(paths: list[str]) -> InvalidManifest:
    with pytest.raises(InvalidManifest) as raised:
        load_files(paths)
    return raised.value


def test_files_merge_as_one_stream(tmp_path: Path) -> None:
    tree = _write(tmp_path, "tree.yaml", TREE)
    namespaces = _write(tmp_path, "ns.yaml", NAMESPACES)
    merged = load_files([namespaces, tree])
    assert merged.quota_tree == loads(TREE).quota_tree
    assert merged.namespaces == ("team-a", "b")
    assert load_files([]) == loads("")
    assert load_files([tree]) == load_file(tree)
    assert load_files(iter([Path(tree)])) == load_file(tree)


def test_errors_name_the_file_then_the_document(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.yaml", NAMESPACES)
    bad = _write(tmp_path, "bad.yaml", "---\n---\nkind: Namespace\nmetadata: {name: Team}\n")
    error = _error([good, bad])
    assert str(error) == (
        f"{bad}: document 1: metadata.name: must be a DNS-1123 label (at most 63 lower-case "
        "letters, digits or '-', starting and ending with a letter or digit), got 'Team'"
    )
    assert (error.source, error.document, error.field) == (bad, 1, "metadata.name")
    clone = pickle.loads(pickle.dumps(error))
    assert str(clone) == str(error)
    assert clone.source == bad


def test_yaml_and_file_errors_name_the_file(tmp_path: Path) -> None:
    broken = _write(tmp_path, "broken.yaml", "a: [1\n")
    assert str(_error([broken])).startswith(f"{broken}: document 0: not valid YAML: ")
    missing = str(tmp_path / "missing.yaml")
    error = _error([broken.replace("broken", "missing")])
    assert str(error) == f"{missing}: no such file"
    assert (error.source, error.field, error.document) == (missing, "", None)
    assert str(_error([str(tmp_path)])) == f"{tmp_path}: is a directory"


def test_a_single_kind_twice_names_both_places(tmp_path: Path) -> None:
    first = _write(tmp_path, "one.yaml", TREE)
    second = _write(
        tmp_path, "two.yaml", "---\n---\nkind: List\nitems:\n- " + TREE.replace("\n", "\n  ")
    )
    assert str(_error([first, second])) == (
        f"{second}: document 1: items[0].kind: a second ElasticQuotaTree (only one is "
        f"supported; the first is {first}, document 0)"
    )


def test_skipped_objects_carry_their_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "mixed.yaml", "kind: ConfigMap\nmetadata: {name: code}\n---\n" + TREE)
    assert load_files([path]).skipped == (SkippedObject(0, "", "", "ConfigMap", "code", path),)
    assert loads("kind: ConfigMap\n").skipped == (SkippedObject(0, "", "", "ConfigMap", ""),)


def test_standard_input_is_read_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(NAMESPACES))
    tree = _write(tmp_path, "tree.yaml", TREE)
    assert load_files([tree, "-"]).namespaces == ("team-a", "b")
    monkeypatch.setattr(sys, "stdin", io.StringIO("kind: Namespace\nmetadata: {name: X}\n"))
    assert str(_error(["-"])).startswith("<stdin>: document 0: metadata.name: ")
    with pytest.raises(InvalidRequest) as raised:
        load_files(["-", tree, "-"])
    assert (
        str(raised.value) == "paths[2]: standard input ('-') can be read once; it is also paths[0]"
    )


@pytest.mark.parametrize(
    ("paths", "message"),
    [
        ("tree.yaml", "paths: expected a sequence of paths, got str 'tree.yaml'"),
        (
            Path("tree.yaml"),
            "paths: expected a sequence of paths, got PosixPath PosixPath('tree.yaml')",
        ),
        (3, "paths: expected a sequence of paths, got int 3"),
        ([None], "paths[0]: expected a path (str or os.PathLike), got NoneType None"),
    ],
)
def test_junk_arguments_are_refused(paths: object, message: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest) as raised:
        load_files(paths)  # type: ignore[arg-type]
    assert str(raised.value) == message
