"""Quota trees for property tests: a hypothesis strategy.

It builds trees that are valid **by construction** under the chosen validation profile, so a
property test never has to filter its examples. The seeded generator of large trees, which
needs no hypothesis, lives in :mod:`invsched.testing._quota_generators`.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from invsched.errors import InvalidRequest
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.quota.validation import Profile
from invsched.resources import Resources
from invsched.testing._quota_generators import DEFAULT_RESOURCES, generate_tree

# ``generate_tree`` stays importable from here for callers of its former location.
__all__ = ["generate_tree", "quota_trees"]


@st.composite
def quota_trees(
    draw: st.DrawFn,
    *,
    max_nodes: int = 12,
    max_depth: int = 4,
    resources: Sequence[str] = DEFAULT_RESOURCES,
    profile: Profile = Profile.KOORDINATOR,
) -> QuotaTree:
    """Quota trees valid under ``profile`` (``validate_tree(tree, profile).ok`` holds).

    Shapes: 1 to ``max_nodes`` nodes, no node deeper than ``max_depth``. Every node has the
    same max keys (a drawn subset of ``resources``). Amounts are small whole or milli
    quantities so that ties and exact fits are frequent. Some nodes get a ``shared_weight``
    or ``allow_lent=False``; every leaf has zero or one namespace, all distinct.

    * ``KOORDINATOR``: Σ children.min ≤ parent.min, min ≤ max, min keys ⊆ max keys, a child's
      min keys ⊆ its parent's; max values are free (a child's max may exceed its parent's).
    * ``STRICT``: the same, and child.max ≤ parent.max.
    * ``ACK_DOC``: parent.min ≤ Σ children.min, child.max ≤ parent.max, min ≤ max.

    Raises:
        InvalidRequest: ``max_nodes < 1``, ``max_depth < 0``, or either is not an int.

    Runtime complexity: O(max_nodes · len(resources)) draws.

    >>> from hypothesis import given, settings
    >>> from invsched.quota.validation import validate_tree
    >>> @settings(max_examples=5, database=None)
    ... @given(quota_trees(max_nodes=6))
    ... def check(tree):
    ...     assert validate_tree(tree).ok
    >>> check()
    """
    if type(max_nodes) is not int or max_nodes < 1:
        raise InvalidRequest("max_nodes", f"must be an int ≥ 1, got {max_nodes!r}")
    if type(max_depth) is not int or max_depth < 0:
        raise InvalidRequest("max_depth", f"must be an int ≥ 0, got {max_depth!r}")
    names = tuple(resources)
    count = draw(st.integers(1, max_nodes))
    parents: list[int] = [-1]
    depths = [0]
    for _ in range(1, count):
        eligible = [index for index, depth in enumerate(depths) if depth < max_depth]
        if not eligible:
            break
        parent = draw(st.sampled_from(eligible))
        parents.append(parent)
        depths.append(depths[parent] + 1)
    size = len(parents)
    children: list[list[int]] = [[] for _ in range(size)]
    for index in range(1, size):
        children[parents[index]].append(index)

    max_keys = sorted(draw(st.sets(st.sampled_from(names))) if names else set())
    amount = st.one_of(st.integers(0, 12).map(lambda units: units * 1000), st.integers(0, 20_000))

    mins: list[dict[str, int]] = [{} for _ in range(size)]
    maxes: list[dict[str, int]] = [{} for _ in range(size)]
    if profile is Profile.ACK_DOC:
        _ack_doc_amounts(
            draw,
            amount,
            max_keys=max_keys,
            parents=parents,
            children=children,
            mins=mins,
            maxes=maxes,
        )
    else:
        strict = profile is Profile.STRICT
        for index in range(size):
            parent = parents[index]
            if parent < 0:
                keys = sorted(draw(st.sets(st.sampled_from(max_keys)))) if max_keys else []
                mins[index] = {key: draw(amount) for key in keys}
            else:
                # Siblings are drawn in order, each from what its elder siblings left.
                left = {key: mins[parent][key] for key in mins[parent]}
                for sibling in children[parent]:
                    if sibling == index:
                        break
                    for key, value in mins[sibling].items():
                        left[key] -= value
                keys = sorted(draw(st.sets(st.sampled_from(sorted(left))))) if left else []
                mins[index] = {key: draw(st.integers(0, left[key])) for key in keys}
            for key in max_keys:
                low = mins[index].get(key, 0)
                if strict and parent >= 0:
                    maxes[index][key] = draw(st.integers(low, maxes[parent][key]))
                else:
                    maxes[index][key] = low + draw(amount)
    nodes = []
    for index in range(size):
        name = _label(index)
        weight = None
        if max_keys and draw(st.integers(0, 4)) == 0:
            weight = Resources({key: draw(st.integers(0, 20)) for key in max_keys})
        namespaces: tuple[str, ...] = ()
        if not children[index] and draw(st.booleans()):
            namespaces = (f"ns-{index}",)
        nodes.append(
            QuotaNode(
                name=name,
                min=Resources(mins[index]),
                max=Resources(maxes[index]),
                namespaces=namespaces,
                parent=None if parents[index] < 0 else _label(parents[index]),
                children=tuple(_label(child) for child in children[index]),
                shared_weight=weight,
                allow_lent=draw(st.integers(0, 5)) != 0,
            )
        )
    return QuotaTree.from_nodes(nodes)


def _label(index: int) -> str:
    return "root" if index == 0 else f"q{index}"


def _ack_doc_amounts(
    draw: st.DrawFn,
    amount: st.SearchStrategy[int],
    *,
    max_keys: list[str],
    parents: list[int],
    children: list[list[int]],
    mins: list[dict[str, int]],
    maxes: list[dict[str, int]],
) -> None:
    """ACK's literal rules: max top-down (child ≤ parent), min bottom-up (parent ≤ Σ kids)."""
    size = len(parents)
    for index in range(size):
        parent = parents[index]
        for key in max_keys:
            if parent < 0:
                maxes[index][key] = draw(amount)
            else:
                maxes[index][key] = draw(st.integers(0, maxes[parent][key]))
    min_keys = sorted(draw(st.sets(st.sampled_from(max_keys)))) if max_keys else []
    for index in range(size - 1, -1, -1):
        for key in min_keys:
            bound = maxes[index][key]
            if children[index]:
                bound = min(bound, sum(mins[child][key] for child in children[index]))
            mins[index][key] = draw(st.integers(0, bound))
