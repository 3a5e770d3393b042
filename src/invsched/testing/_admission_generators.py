"""Seeded generators of admission workloads (plain records, no hypothesis needed)."""

from __future__ import annotations

import random

from invsched.admission.units import QueueUnit
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__ = ["generate_queue"]

_GIB = 1024**3 * 1000

#: Per resource: (smallest, largest) request in whole units and the size of one unit.
_SHAPES = {
    "cpu": (1, 16, 1000),
    "memory": (1, 64, _GIB),
    "nvidia.com/gpu": (0, 8, 1000),
}


def generate_queue(tree: QuotaTree, n_units: int, seed: int) -> tuple[QueueUnit, ...]:
    """``n_units`` pending units spread uniformly over the leaves, the same for the same seed.

    Each unit names its leaf through the leaf's first namespace (or, for a leaf without
    one, through ``quota``); it requests every resource of the root's ``max`` (cpu 1–16,
    memory 1–64Gi, GPUs 0–8; any other resource 1–4 units), has a priority in 0–9, is
    created at its index in seconds, and is non-preemptible one time in ten. Names are
    ``job-<index>``.

    Args:
        tree: the quota tree the units are queued against.
        n_units: how many units (≥ 0).
        seed: seeds a private ``random.Random``.

    Raises:
        ValueError: ``n_units`` is negative or not an int.

    Runtime complexity: O(n_units · r) for r resource names.

    >>> from invsched.testing import generate_tree
    >>> tree = generate_tree(10, 2, seed=1)
    >>> queue = generate_queue(tree, 100, seed=3)
    >>> len(queue), queue == generate_queue(tree, 100, seed=3), queue[0].name
    (100, True, 'job-0')
    """
    if type(n_units) is not int or n_units < 0:
        raise ValueError(f"n_units must be an int >= 0, got {n_units!r}")
    rng = random.Random(seed)
    leaves = tree.leaves
    names = sorted(tree.root.max) or ["cpu"]
    units: list[QueueUnit] = []
    for index in range(n_units):
        leaf = leaves[rng.randrange(len(leaves))]
        amounts = {}
        for name in names:
            low, high, unit = _SHAPES.get(name, (1, 4, 1000))
            amounts[name] = rng.randint(low, high) * unit
        namespace = leaf.namespaces[0] if leaf.namespaces else f"ns-{leaf.name}"
        units.append(
            QueueUnit(
                name=f"job-{index}",
                namespace=namespace,
                request=Resources(amounts).without_zeros(),
                priority=rng.randrange(10),
                created=index,
                preemptible=rng.randrange(10) != 0,
                quota=None if leaf.namespaces else leaf.name,
            )
        )
    return tuple(units)
