"""The JSON schemas of the commands: valid draft 2020-12, in step with the library's enums,
and met by every command's ``-o json`` on the examples."""

from __future__ import annotations

import json

import jsonschema
import pytest

from invsched.admission import PreemptionReason, Reason
from invsched.cli import _COMMANDS
from invsched.placement.sizing import Precision
from invsched.quota.validation import Profile, Rule
from tests.cli.helpers import ROOT, SCHEMAS, TREE, json_output, schema

#: The commands whose JSON is one object; simulate's (a run or a sweep, one of two shapes) is
#: checked against its schema in tests/cli/test_simulate_command.py.
COMMANDS = ["admit", "demo", "place", "runtime", "size", "validate"]
RUNS = {
    "validate": (["validate", TREE], 1),
    "runtime": (["runtime", TREE, "tests/cli/data/state.yaml", "tests/cli/data/jobs.yaml"], 0),
    "admit": (["admit", TREE, "tests/cli/data/state.yaml", "tests/cli/data/jobs.yaml"], 1),
    "place": (
        [
            "place",
            "examples/placement/policy.yaml",
            "examples/placement/scale-down/deployment.yaml",
            "examples/placement/scale-down/fleet.yaml",
        ],
        0,
    ),
    "size": (["size", "--params", "8B", "examples/placement/fleet.yaml"], 0),
    "demo": (["demo"], 0),
}


def test_there_is_one_schema_per_command() -> None:
    assert sorted(path.stem for path in SCHEMAS.glob("*.json")) == sorted(_COMMANDS)


@pytest.mark.parametrize("command", sorted(_COMMANDS))
def test_each_schema_is_a_draft_2020_12_schema(command: str) -> None:
    document = schema(command)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["title"] == f"invsched {command} -o json"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_meets_its_schema(command: str) -> None:
    (name, *argv), status = RUNS[command]
    data = json_output(name, *argv, status=status)
    assert set(data) == set(schema(command)["properties"])


def test_the_schemas_name_the_library_s_values() -> None:
    def enum(command: str, *path: str) -> list[str]:
        node = schema(command)
        for key in path:
            node = node[key]
        return list(node["enum"])

    violation = ("properties", "violations", "items", "properties")
    assert enum("validate", *violation, "rule") == [rule.value for rule in Rule]
    assert enum("validate", "properties", "profile") == [profile.value for profile in Profile]
    pending = ("properties", "pending", "items", "properties", "reason")
    assert enum("admit", *pending) == [reason.value for reason in Reason]
    preempted = ("properties", "preempted", "items", "properties", "reason")
    assert enum("admit", *preempted) == [reason.value for reason in PreemptionReason]
    precision = ("properties", "model", "properties", "precision")
    assert enum("size", *precision) == [member.value for member in Precision]


def test_a_broken_output_fails_its_schema() -> None:
    data = json_output("validate", TREE, status=1)
    data["ok"] = "no"
    with pytest.raises(jsonschema.ValidationError, match="'no' is not of type 'boolean'"):
        jsonschema.Draft202012Validator(schema("validate")).validate(data)
    data = json_output("validate", TREE, status=1)
    data["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.Draft202012Validator(schema("validate")).validate(data)


def test_the_schemas_are_package_data() -> None:
    from importlib import resources

    packaged = resources.files("invsched.cli").joinpath("schemas", "place.json")
    assert json.loads(packaged.read_text("utf-8")) == schema("place")


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_page_documents_its_schema_and_exit_status(command: str) -> None:
    page = (ROOT / "docs" / "cli" / f"{command}.md").read_text(encoding="utf-8")
    assert page.startswith(f"# invsched {command}\n")
    for section in ("## Synopsis", "## Options", "## Example", "## JSON output", "## Exit status"):
        assert f"\n{section}\n" in page, section
    assert f"`src/invsched/cli/schemas/{command}.json`" in page
    missing = [name for name in schema(command)["properties"] if f"`{name}`" not in page]
    assert missing == []
