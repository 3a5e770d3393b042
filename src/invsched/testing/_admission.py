"""Admission strategies: pending queues and running sets drawn for a quota tree.

Units reach leaves by construction; running sets fit max and the cluster total, as an earlier
cycle would have left them. The oracle they feed lives in
:mod:`invsched.testing._admission_oracle`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from hypothesis import strategies as st

from invsched.admission.units import QueueUnit
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources
from invsched.testing._admission_oracle import assert_admission_consistent, check_admission
from invsched.testing._admission_replay import UsageReplay, leaf_of

# The oracle's names stay importable from here for callers of their former location.
__all__ = ["assert_admission_consistent", "check_admission", "queue_units", "running_sets"]


def _resource_names(tree: QuotaTree) -> list[str]:
    names: set[str] = set()
    for node in tree.nodes:
        names.update(node.max)
        names.update(node.min)
    return sorted(names) or ["cpu"]


def _placements(tree: QuotaTree) -> list[tuple[str, str | None]]:
    """(namespace, quota) pairs that reach each leaf: by namespace when it has one."""
    return [
        (leaf.namespaces[0], None) if leaf.namespaces else ("ns-any", leaf.name)
        for leaf in tree.leaves
    ]


@st.composite
def _unit(
    draw: st.DrawFn,
    tree: QuotaTree,
    name: str,
    targets: Sequence[tuple[str, str | None]],
    *,
    amounts: st.SearchStrategy[int],
    strays: Sequence[tuple[str, str | None]] = (),
) -> QueueUnit:
    if strays and draw(st.integers(0, 7)) == 0:
        namespace, quota = draw(st.sampled_from(strays))
    else:
        namespace, quota = draw(st.sampled_from(targets))
    keys = draw(st.sets(st.sampled_from(_resource_names(tree)), min_size=1))
    return QueueUnit(
        name=name,
        namespace=namespace,
        request=Resources({key: draw(amounts) for key in sorted(keys)}),
        priority=draw(st.integers(0, 3)),
        created=draw(st.integers(0, 5)),
        preemptible=draw(st.integers(0, 4)) != 0,
        quota=quota,
    )


@st.composite
def queue_units(
    draw: st.DrawFn, tree: QuotaTree, *, max_units: int = 10, strays: bool = True
) -> tuple[QueueUnit, ...]:
    """Pending units for ``tree``: distinct names (``p<i>``), small requests, mixed priority.

    Most units reach a leaf (through its namespace, or ``quota`` when it has none); with
    ``strays`` one in eight names an unknown namespace, an unknown quota or a parent quota, to
    exercise ``NO_QUOTA``. Amounts are whole units (1000 milli) 0–6 or odd milli-amounts, so
    that exact fits and ties are frequent.

    Runtime complexity: O(max_units · r) draws.

    >>> from hypothesis import given, settings
    >>> from invsched.quota import QuotaNode
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", namespaces=("a",))])
    >>> @settings(max_examples=5, database=None)
    ... @given(queue_units(tree))
    ... def check(units):
    ...     assert len({u.identity for u in units}) == len(units)
    >>> check()
    """
    targets = _placements(tree)
    extra: list[tuple[str, str | None]] = []
    if strays:
        extra = [("nowhere", None), ("ns-any", "no-such-quota")]
        extra += [("ns-any", node.name) for node in tree.nodes if node.children][:1]
    amounts = st.one_of(st.integers(0, 6).map(lambda n: n * 1000), st.integers(1, 5000))
    count = draw(st.integers(0, max_units))
    return tuple(
        draw(_unit(tree, f"p{index}", targets, amounts=amounts, strays=extra))
        for index in range(count)
    )


@st.composite
def running_sets(
    draw: st.DrawFn, tree: QuotaTree, total: Mapping[str, int], *, max_units: int = 8
) -> tuple[QueueUnit, ...]:
    """Running units for ``tree`` (names ``r<i>``) that fit ``total`` and max on every path.

    Units are drawn on leaves and kept only while they fit, as an earlier admission cycle
    would have left them; runtime is *not* enforced, so a quota often ends above its runtime
    for the next cycle's demand (which is what reclaim acts on).

    Runtime complexity: O(max_units · d · r) for depth d.

    >>> from hypothesis import given, settings
    >>> from invsched.quota import QuotaNode
    >>> tree = QuotaTree.from_nodes([QuotaNode(name="root", namespaces=("a",))])
    >>> @settings(max_examples=5, database=None)
    ... @given(running_sets(tree, {"cpu": 4000}))
    ... def check(units):
    ...     assert sum(u.request["cpu"] for u in units) <= 4000
    >>> check()
    """
    targets = _placements(tree)
    amounts = st.integers(0, 4).map(lambda n: n * 1000)
    replay = UsageReplay(tree, total, {}, Fraction(1))
    usage = replay.usage
    kept: list[QueueUnit] = []
    for index in range(draw(st.integers(0, max_units))):
        unit = draw(_unit(tree, f"r{index}", targets, amounts=amounts))
        leaf = leaf_of(tree, unit)
        assert leaf is not None
        fits = all(
            key not in tree.node(name).max
            or usage[name].get(key, 0) + amount <= tree.node(name).max[key]
            for name in tree.path(leaf)
            for key, amount in unit.request.items()
        ) and all(
            usage[tree.root.name].get(key, 0) + amount <= total.get(key, 0)
            for key, amount in unit.request.items()
        )
        if fits:
            replay.move(unit, 1)
            kept.append(unit)
    return tuple(kept)
