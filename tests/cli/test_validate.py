"""``invsched validate``: the tree among any files, the rules of a profile, exit 1 on findings."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import TREE, invoke, json_output, skipped_note


def test_table_names_the_file_and_each_violation() -> None:
    outcome = invoke("validate", TREE)
    assert outcome.status == 1
    assert outcome.out.splitlines() == [
        f"{TREE}: 2 violation(s) under profile koordinator",
        "RULE                            NODE       RESOURCE  MESSAGE",
        "children-min-exceed-parent-min  algorithm  cpu       algorithm: sum of children's min "
        "cpu=52 exceeds min cpu=50 (text=40, video=12)",
        "children-min-exceed-parent-min  algorithm  memory    algorithm: sum of children's min "
        "memory=27Gi exceeds min memory=25Gi (text=15Gi, video=12Gi)",
    ]
    assert outcome.err == skipped_note("validate")


def test_json_lists_violations_and_what_was_skipped() -> None:
    data = json_output("validate", TREE, "--profile", "ack-doc")
    assert data["files"] == [TREE]
    assert (data["profile"], data["ok"], data["violations"]) == ("ack-doc", True, [])
    assert data["skipped"][0] == {
        "file": None,
        "document": None,
        "field": "",
        "apiVersion": "",
        "kind": "Namespace",
        "name": "devops",
    }
    assert [item["name"] for item in data["skipped"]] == [
        "devops",
        "text1",
        "text2",
        "video",
        "test1",
        "test2",
    ]


def test_machine_output_notes_nothing_on_standard_error() -> None:
    outcome = invoke("validate", TREE, "-o", "yaml")
    assert (outcome.status, outcome.err) == (1, "")
    assert outcome.out.startswith(
        "files:\n- examples/elasticquotatree.yaml\nprofile: koordinator\n"
    )


def test_the_tree_may_come_with_other_files_and_kinds(tmp_path: Path) -> None:
    other = tmp_path / "service.yaml"
    other.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\n", encoding="utf-8")
    outcome = invoke("validate", str(other), TREE, "--profile", "ack-doc")
    assert (outcome.status, outcome.out) == (0, f"{other}, {TREE}: valid under profile ack-doc\n")
    assert outcome.err == (
        f"invsched: note: {other}: skipped 1 Service object (web): validate does not read it\n"
        + skipped_note("validate")
    )
    data = json_output("validate", str(other), TREE, "--profile", "ack-doc")
    assert data["skipped"][0] == {
        "file": str(other),
        "document": 0,
        "field": "",
        "apiVersion": "v1",
        "kind": "Service",
        "name": "web",
    }


def test_strict_profile() -> None:
    data = json_output("validate", TREE, "--profile", "strict", status=1)
    assert data["profile"] == "strict"


def test_standard_input_and_a_file(tmp_path: Path) -> None:
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: extra}\n"
    outcome = invoke("validate", "-", TREE, "--profile", "ack-doc", stdin=namespace)
    assert outcome.out == f"<stdin>, {TREE}: valid under profile ack-doc\n"
    assert outcome.err == skipped_note(
        "validate", "7 Namespace objects (extra, devops, text1, text2, video, test1, test2)"
    )


def test_no_tree_among_the_files(tmp_path: Path) -> None:
    path = tmp_path / "ns.yaml"
    path.write_text("kind: Namespace\nmetadata: {name: a}\n", encoding="utf-8")
    outcome = invoke("validate", str(path), str(path))
    assert (outcome.status, outcome.out) == (2, "")
    assert outcome.err == f"invsched: error: {path}, {path}: no ElasticQuotaTree document\n"


def test_two_trees_are_refused_naming_both() -> None:
    outcome = invoke("validate", TREE, TREE)
    assert outcome.status == 2
    assert outcome.err == (
        f"invsched: error: {TREE}: document 6: kind: a second ElasticQuotaTree (only one is "
        f"supported; the first is {TREE}, document 6)\n"
    )


def test_standard_input_twice_is_a_bad_input() -> None:
    outcome = invoke("validate", "-", "-", stdin="")
    assert (outcome.status, outcome.err) == (
        2,
        "invsched: error: -: standard input is given twice (it can be read once)\n",
    )
