"""Quota trees for tests and benchmarks: a hypothesis strategy and a seeded generator.

Both build trees that are valid **by construction** under the chosen validation profile, so a
property test never has to filter its examples.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from hypothesis import strategies as st

from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.quota.validation import Profile
from invsched.resources import Resources

__all__ = ["generate_tree", "quota_trees"]

DEFAULT_RESOURCES = ("cpu", "memory", "nvidia.com/gpu")

#: One "whole unit" of a resource in milli-units (1 core, 1 GPU, 1 GiB of memory).
_GIB = 1024**3 * 1000


def _unit(resource: str) -> int:
    return _GIB if resource in {"memory", "ephemeral-storage", "storage"} else 1000


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
        raise ValueError(f"max_nodes must be an int >= 1, got {max_nodes!r}")
    if type(max_depth) is not int or max_depth < 0:
        raise ValueError(f"max_depth must be an int >= 0, got {max_depth!r}")
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


def generate_tree(
    n_leaves: int,
    depth: int,
    seed: int,
    *,
    resources: Sequence[str] = DEFAULT_RESOURCES,
) -> QuotaTree:
    """A large quota tree, the same for the same arguments, valid under ``KOORDINATOR``.

    Every leaf sits at ``depth`` and holds one namespace (``ns-<j>``); each parent has at
    most ``b`` children, ``b`` the smallest integer with ``b**depth ≥ n_leaves``. Every node
    has every resource in min and max (whole units: cores, GiB, GPUs); a child's min is a
    random part of what its parent's min leaves, its max lies between its min and its
    parent's max (so the tree is valid under ``STRICT`` too); one node in ten does not lend.

    Args:
        n_leaves: number of leaves (≥ 1).
        depth: levels below the root (≥ 1, or 0 with a single leaf that is the root).
        seed: seeds a private ``random.Random``.
        resources: the resource names.

    Runtime complexity: O(n_leaves · len(resources)).

    >>> tree = generate_tree(1000, 4, seed=7)
    >>> len(tree.leaves), max(tree.depth(leaf.name) for leaf in tree.leaves), len(tree)
    (1000, 4, 1201)
    """
    if type(n_leaves) is not int or n_leaves < 1:
        raise ValueError(f"n_leaves must be an int >= 1, got {n_leaves!r}")
    if type(depth) is not int or depth < 0 or (depth == 0 and n_leaves != 1):
        raise ValueError(f"depth must be an int >= 1 (0 only for one leaf), got {depth!r}")
    rng = random.Random(seed)
    names = tuple(resources)
    branching = 1
    while branching**depth < n_leaves:
        branching += 1
    # Level sizes from the leaves up; a node at index j of level L+1 has parent j // branching.
    sizes = [n_leaves]
    for _ in range(depth):
        sizes.append(-(-sizes[-1] // branching))
    sizes.reverse()

    def label(level: int, position: int) -> str:
        return "root" if level == 0 else f"l{level}-{position}"

    root_units = {
        name: n_leaves * (64 if name == "cpu" else 256 if name == "memory" else 4) for name in names
    }
    mins: list[list[dict[str, int]]] = [[{n: root_units[n] * _unit(n) for n in names}]]
    maxes: list[list[dict[str, int]]] = [[dict(mins[0][0])]]
    for level in range(1, depth + 1):
        level_mins: list[dict[str, int]] = []
        level_maxes: list[dict[str, int]] = []
        for position in range(sizes[level]):
            parent = position // branching
            siblings = min(branching, sizes[level] - parent * branching)
            low: dict[str, int] = {}
            high: dict[str, int] = {}
            for name in names:
                unit = _unit(name)
                fair = mins[level - 1][parent][name] // unit // siblings
                low[name] = rng.randint(0, fair) * unit
                ceiling = maxes[level - 1][parent][name] // unit
                high[name] = rng.randint(low[name] // unit, max(low[name] // unit, ceiling)) * unit
            level_mins.append(low)
            level_maxes.append(high)
        mins.append(level_mins)
        maxes.append(level_maxes)

    nodes: list[QuotaNode] = []
    for level in range(depth + 1):
        for position in range(sizes[level]):
            first = position * branching
            kids = (
                range(first, min(first + branching, sizes[level + 1]))
                if level < depth
                else range(0)
            )
            nodes.append(
                QuotaNode(
                    name=label(level, position),
                    min=Resources(mins[level][position]),
                    max=Resources(maxes[level][position]),
                    namespaces=(f"ns-{position}",) if level == depth else (),
                    parent=None if level == 0 else label(level - 1, position // branching),
                    children=tuple(label(level + 1, kid) for kid in kids),
                    allow_lent=rng.randrange(10) != 0,
                )
            )
    return QuotaTree.from_nodes(nodes)
