"""Laws: ``QuotaTree.from_manifest`` answers junk with a typed error or a tree, and
``manifests.loads`` answers mangled YAML with manifests or a typed one-line error; never a
crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from hypothesis import given
from hypothesis import strategies as st

from invsched import InvalidManifest, InvalidQuantity, InvalidQuotaTree, InvalidRequest
from invsched import _yaml as yaml_reader
from invsched.manifests import Manifests, loads
from invsched.quota import Profile, QuotaTree, validate_tree

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["1", "500m", "12x", "1Gi", "-3", "1e3", ".", "", "1e99999", "Ki"]),
)
_junk = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["name", "min", "max", "children", "namespaces", "cpu", "x"])
            | st.text(max_size=4),
            inner,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@st.composite
def _node_like(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """Mostly well-shaped nodes with junk in random places."""
    node: dict[str, Any] = {}
    if draw(st.booleans()):
        node["name"] = draw(
            st.sampled_from(["root", "a", "b", "c", "ü", "", "A", "a_b", "a.b", "x-1"]) | _scalars
        )
    for field in ("min", "max"):
        if draw(st.booleans()):
            node[field] = draw(
                st.dictionaries(
                    st.sampled_from(["cpu", "memory", "nvidia.com/gpu"]), _scalars, max_size=3
                )
                | _junk
            )
    if draw(st.booleans()):
        node["namespaces"] = draw(
            st.lists(st.sampled_from(["n1", "n2", "", "N1", "n.1"]) | _scalars, max_size=3) | _junk
        )
    if depth < 3 and draw(st.booleans()):
        node["children"] = draw(st.lists(_node_like(depth + 1), max_size=3))
    if draw(st.integers(0, 9)) == 0:
        node[draw(st.text(max_size=5))] = draw(_junk)
    return node


TYPED_ERRORS = (InvalidManifest, InvalidQuantity, InvalidQuotaTree)


def _outcome(document: Any) -> QuotaTree | Exception:
    """The tree, or the typed error (with a non-empty message); anything else propagates."""
    try:
        return QuotaTree.from_manifest(document)
    except TYPED_ERRORS as error:
        if not str(error):
            raise AssertionError(f"empty message from {type(error).__name__}") from error
        return error


@given(
    root=_node_like() | _junk,
    kind=st.sampled_from(["ElasticQuotaTree", "ElasticQuotaTree", "Deployment", None, 3]),
)
def test_from_manifest_gives_a_tree_or_a_typed_error(root: Any, kind: Any) -> None:
    document = {
        "apiVersion": "scheduling.sigs.k8s.io/v1beta1",
        "kind": kind,
        "spec": {"root": root},
    }
    outcome = _outcome(document)
    if isinstance(outcome, QuotaTree):
        assert kind == "ElasticQuotaTree"
        assert outcome.root.name == root["name"]


@given(document=_junk)
def test_from_manifest_on_pure_junk(document: Any) -> None:
    outcome = _outcome(document)
    assert isinstance(outcome, (QuotaTree, *TYPED_ERRORS))


# Mangled YAML text: `loads` answers with a result or a typed error, never anything else ------

_EXAMPLE = (Path(__file__).resolve().parents[2] / "examples" / "elasticquotatree.yaml").read_text(
    encoding="utf-8"
)
_PARSERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]
#: Characters that YAML gives a meaning to, and a few it refuses.
_NOISE = st.text(
    alphabet=st.sampled_from(list(":-[]{}&*!|>?#,'\"%@`~\t\n 019.eEoxé\x00\x07\ud800")),
    min_size=1,
    max_size=6,
)
_TOKENS = st.sampled_from(
    [
        "1:30",
        "2001-13-45",
        "!!int abc",
        "!!timestamp 2001-12-14",
        "!!binary aGk=",
        "9" * 5000,
        "0x" + "f" * 200,
        "&a",
        "*a",
        "*undefined",
        "yes",
        "on",
        ".nan",
        "-.inf",
        "1e999",
        "{",
        "[[[[",
        "<<: *a",
        "? [x]",
        "kind: List",
        "items: [",
        "Video",
        "team_a",
        "---",
        "...",
        "%YAML 1.1",
    ]
)


@st.composite
def _mangled(draw: st.DrawFn) -> str:
    """The example with a few cuts, copies and insertions of YAML-significant text."""
    text = _EXAMPLE
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 200)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "truncate"]))
        if action == "delete":
            text = text[:start] + text[end:]
        elif action == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        elif action == "truncate":
            text = text[:start]
        else:
            piece = draw(_NOISE | _TOKENS)
            text = text[:start] + piece + (text[start:] if action == "insert" else text[end:])
    return text


@given(text=_mangled(), parser=st.sampled_from(_PARSERS))
def test_loads_on_mangled_examples_gives_manifests_or_a_typed_error(
    text: str, parser: type[Any]
) -> None:
    with mock.patch.object(yaml_reader, "PARSER", parser):
        try:
            result = loads(text)
        except (InvalidManifest, InvalidRequest) as error:
            message = str(error)
            assert message
            assert "\n" not in message
            return
    assert isinstance(result, Manifests)
    if result.quota_tree is not None:
        for profile in Profile:
            validate_tree(result.quota_tree, profile)
