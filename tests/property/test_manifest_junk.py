"""Law: ``QuotaTree.from_manifest`` answers junk with a typed error or a tree, never a crash."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from invsched import InvalidManifest, InvalidQuantity, InvalidQuotaTree
from invsched.quota import QuotaTree

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
        node["name"] = draw(st.sampled_from(["root", "a", "b", "c", "ü", ""]) | _scalars)
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
            st.lists(st.sampled_from(["n1", "n2", ""]) | _scalars, max_size=3) | _junk
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
