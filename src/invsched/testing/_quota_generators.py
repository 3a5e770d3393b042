"""A seeded generator of large quota trees for benchmarks (plain records, no hypothesis)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from invsched.errors import InvalidRequest
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.resources import Resources

__all__ = ["DEFAULT_RESOURCES", "generate_tree"]

#: The resource names a generated tree (and, by default, a drawn one) carries.
DEFAULT_RESOURCES = ("cpu", "memory", "nvidia.com/gpu")

#: One "whole unit" of a resource in milli-units (1 core, 1 GPU, 1 GiB of memory).
_GIB = 1024**3 * 1000


def _unit(resource: str) -> int:
    return _GIB if resource in {"memory", "ephemeral-storage", "storage"} else 1000


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

    Raises:
        InvalidRequest: a size that is not an int, or out of range.

    Runtime complexity: O(n_leaves · len(resources)).

    >>> tree = generate_tree(1000, 4, seed=7)
    >>> len(tree.leaves), max(tree.depth(leaf.name) for leaf in tree.leaves), len(tree)
    (1000, 4, 1201)
    """
    if type(n_leaves) is not int or n_leaves < 1:
        raise InvalidRequest("n_leaves", f"must be an int ≥ 1, got {n_leaves!r}")
    if type(depth) is not int or depth < 0 or (depth == 0 and n_leaves != 1):
        raise InvalidRequest("depth", f"must be an int ≥ 1 (0 only for one leaf), got {depth!r}")
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
