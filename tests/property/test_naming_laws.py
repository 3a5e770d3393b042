"""Names are labels, not data: renaming everything changes nothing but the names.

Every tie the library breaks by name is broken by the names' order, so the law renames
through **order-preserving** bijections: the sorted old names map to sorted new names drawn
to collide with anything an implementation might use internally (``cluster``, ``total``,
``root``, ``source``, ``sink``, and for fleet names ``,`` ``:`` ``/`` and non-ASCII text).
Quota names and namespaces are Kubernetes names (DNS-1123), fleet names are free text.
The answers of ``admit``, ``revoke``, ``runtime_quota`` and ``place`` must then be the
renamed answers of the originals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import attrs
from hypothesis import given
from hypothesis import strategies as st

from invsched.admission import AdmissionResult, QueueUnit, Reclaim, admit, revoke
from invsched.errors import InsufficientReplicas
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    Node,
    NodePool,
    Placement,
    PlacementPolicy,
    Workload,
    place,
)
from invsched.quota import QuotaTree, runtime_quota
from invsched.resources import Resources
from invsched.testing import (
    fleets,
    placement_policies,
    queue_units,
    quota_trees,
    running_sets,
    workloads,
)

Rename = Callable[[str], str]

#: Kubernetes names that look like words an implementation might reserve.
_QUOTA_WORDS = ("cluster", "total", "root", "source", "sink", "none", "a.b", "x-1", "0")
#: The same for namespaces, which are DNS-1123 labels (no dots).
_NAMESPACE_WORDS = ("cluster", "total", "root", "source", "sink", "none", "x-1", "0")
#: Free-text names with separators a joined key would split on.
_FLEET_WORDS = ("cluster", "total", "root", "source", "sink", "a,b", "a", "b", "x:y/z", "東京")


@st.composite
def order_preserving(
    draw: st.DrawFn, names: Iterable[str], words: tuple[str, ...], extra: st.SearchStrategy[str]
) -> Rename:
    """A bijection from ``names`` to new names that keeps their order."""
    old = sorted(set(names))
    pool = st.one_of(st.sampled_from(words), extra)
    new = sorted(draw(st.lists(pool, min_size=len(old), max_size=len(old), unique=True)))
    mapping = dict(zip(old, new, strict=True))
    return lambda name: mapping.get(name, name)


_DNS = st.from_regex(r"\A[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?\Z")
_TEXT = st.text(
    st.characters(codec="utf-8", categories=("L", "N", "P", "S")), min_size=1, max_size=6
)


# Admission and runtime quota -------------------------------------------------------------


def _rename_tree(tree: QuotaTree, quota: Rename, namespace: Rename) -> QuotaTree:
    return QuotaTree.from_nodes(
        [
            attrs.evolve(
                node,
                name=quota(node.name),
                parent=None if node.parent is None else quota(node.parent),
                children=tuple(quota(child) for child in node.children),
                namespaces=tuple(namespace(ns) for ns in node.namespaces),
            )
            for node in tree.nodes
        ]
    )


def _rename_unit(unit: QueueUnit, quota: Rename, namespace: Rename) -> QueueUnit:
    return attrs.evolve(
        unit,
        namespace=namespace(unit.namespace),
        quota=None if unit.quota is None else quota(unit.quota),
    )


def _nodes_map(values: Mapping[str, Resources], quota: Rename) -> dict[str, Resources]:
    return {quota(name): amount for name, amount in values.items()}


def _decisions(result: AdmissionResult) -> tuple[object, ...]:
    """Everything but the detail texts, which name the quotas."""
    return (
        result.admitted,
        tuple((p.victim, p.preemptor, p.reason) for p in result.preempted),
        tuple((p.unit, p.reason) for p in result.pending),
        dict(result.usage),
        dict(result.runtime),
    )


@st.composite
def renamed_cycles(
    draw: st.DrawFn,
) -> tuple[QuotaTree, Resources, tuple[QueueUnit, ...], tuple[QueueUnit, ...], Rename, Rename]:
    tree = draw(quota_trees(max_nodes=8, max_depth=3))
    names = sorted({key for node in tree for key in (*node.max, *node.min)}) or ["cpu"]
    total = Resources({name: draw(st.integers(0, 12)) * 1000 for name in names})
    running = draw(running_sets(tree, total))
    pending = draw(queue_units(tree))
    quotas = [node.name for node in tree.nodes]
    namespaces = {ns for node in tree.nodes for ns in node.namespaces}
    namespaces.update(unit.namespace for unit in (*running, *pending))
    quota = draw(order_preserving(quotas, _QUOTA_WORDS, _DNS))
    namespace = draw(order_preserving(namespaces, _NAMESPACE_WORDS, _DNS))
    return tree, total, running, pending, quota, namespace


@given(
    renamed_cycles(),
    st.sampled_from(Reclaim),
    st.booleans(),
)
def test_admit_and_revoke_do_not_depend_on_names(
    case: tuple[QuotaTree, Resources, tuple[QueueUnit, ...], tuple[QueueUnit, ...], Rename, Rename],
    reclaim: Reclaim,
    within: bool,
) -> None:
    tree, total, running, pending, quota, namespace = case
    renamed_tree = _rename_tree(tree, quota, namespace)
    renamed_running = tuple(_rename_unit(u, quota, namespace) for u in running)
    renamed_pending = tuple(_rename_unit(u, quota, namespace) for u in pending)

    original = admit(
        tree, pending, running=running, total=total, reclaim=reclaim, preempt_within_quota=within
    )
    renamed = admit(
        renamed_tree,
        renamed_pending,
        running=renamed_running,
        total=total,
        reclaim=reclaim,
        preempt_within_quota=within,
    )
    back = {_rename_unit(u, quota, namespace): u for u in (*running, *pending)}
    expected = (
        tuple(_rename_unit(u, quota, namespace) for u in original.admitted),
        tuple(
            (
                _rename_unit(p.victim, quota, namespace),
                None if p.preemptor is None else _rename_unit(p.preemptor, quota, namespace),
                p.reason,
            )
            for p in original.preempted
        ),
        tuple((_rename_unit(p.unit, quota, namespace), p.reason) for p in original.pending),
        _nodes_map(original.usage, quota),
        _nodes_map(original.runtime, quota),
    )
    assert _decisions(renamed) == expected
    assert len(back) == len(running) + len(pending)

    revoked = revoke(tree, running, total=total, pending=pending)
    renamed_revoked = revoke(renamed_tree, renamed_running, total=total, pending=renamed_pending)
    assert [(_rename_unit(p.victim, quota, namespace), p.reason) for p in revoked] == [
        (p.victim, p.reason) for p in renamed_revoked
    ]

    demand = {quota(leaf.name): leaf.min for leaf in tree.leaves}
    assert _nodes_map(
        runtime_quota(tree, {leaf.name: leaf.min for leaf in tree.leaves}, total), quota
    ) == dict(runtime_quota(renamed_tree, demand, total))


# Placement -------------------------------------------------------------------------------


@attrs.frozen
class _FleetNames:
    cluster: Rename
    region: Rename
    pool: Rename
    type: Rename
    node: Rename


def _rename_fleet(fleet: Fleet, names: _FleetNames) -> Fleet:
    def node(item: Node) -> Node:
        return attrs.evolve(
            item,
            name=names.node(item.name),
            pool=None if item.pool is None else names.pool(item.pool),
        )

    def pool(item: NodePool) -> NodePool:
        return attrs.evolve(
            item,
            name=names.pool(item.name),
            instance_types=tuple(names.type(t) for t in item.instance_types),
        )

    def cluster(item: Cluster) -> Cluster:
        return attrs.evolve(
            item,
            name=names.cluster(item.name),
            region=names.region(item.region),
            nodes=tuple(node(n) for n in item.nodes),
            pools=tuple(pool(p) for p in item.pools),
        )

    def instance(item: InstanceType) -> InstanceType:
        return attrs.evolve(item, name=names.type(item.name))

    return Fleet(
        clusters=tuple(cluster(c) for c in fleet.clusters),
        inventory={
            names.region(region): {names.type(t): count for t, count in stock.items()}
            for region, stock in fleet.inventory.items()
        },
        catalog=tuple(instance(t) for t in fleet.catalog),
    )


def _rename_policy(policy: PlacementPolicy, cluster: Rename) -> PlacementPolicy:
    return attrs.evolve(
        policy,
        cluster_names=tuple(cluster(c) for c in policy.cluster_names),
        exclude=tuple(cluster(c) for c in policy.exclude),
        static_weights={cluster(c): w for c, w in policy.static_weights.items()},
    )


def _placement_decisions(placement: Placement, names: _FleetNames | None) -> tuple[object, ...]:
    cluster = names.cluster if names else str
    pool = names.pool if names else str
    kind = names.type if names else str
    return (
        {cluster(c): n for c, n in placement.replicas.items()},
        sorted(
            (cluster(p.cluster), pool(p.pool), kind(p.instance_type), p.nodes, p.replicas)
            for p in placement.provisioning
        ),
        placement.hourly_cost,
        sorted(
            (cluster(r.cluster), pool(r.pool), kind(r.instance_type), r.nodes)
            for r in placement.scale_in
        ),
        placement.unplaced,
        sorted(cluster(c) for c in placement.reasons),
    )


@st.composite
def renamed_fleets(draw: st.DrawFn) -> tuple[Fleet, _FleetNames]:
    fleet = draw(fleets())
    clusters = [c.name for c in fleet.clusters] + ["cluster0", "cluster1", "cluster2"]
    regions = [c.region for c in fleet.clusters] + list(fleet.inventory)
    pools = [p.name for c in fleet.clusters for p in c.pools]
    types = [t.name for t in fleet.catalog]
    nodes = [n.name for c in fleet.clusters for n in c.nodes]
    names = _FleetNames(
        cluster=draw(order_preserving(clusters, _FLEET_WORDS, _TEXT)),
        region=draw(order_preserving(regions, _FLEET_WORDS, _TEXT)),
        pool=draw(order_preserving(pools, _FLEET_WORDS, _TEXT)),
        type=draw(order_preserving(types, _FLEET_WORDS, _TEXT)),
        node=draw(order_preserving(nodes, _FLEET_WORDS, _TEXT)),
    )
    return fleet, names


@given(workloads(), placement_policies(), renamed_fleets())
def test_place_does_not_depend_on_names(
    workload: Workload, policy: PlacementPolicy, case: tuple[Fleet, _FleetNames]
) -> None:
    fleet, names = case
    renamed_fleet = _rename_fleet(fleet, names)
    renamed_policy = _rename_policy(policy, names.cluster)
    original = place(workload, policy, fleet, allow_partial=True)
    renamed = place(workload, renamed_policy, renamed_fleet, allow_partial=True)
    assert _placement_decisions(renamed, None) == _placement_decisions(original, names)
    outcomes: list[Placement | tuple[int, int]] = []
    for args in ((policy, fleet), (renamed_policy, renamed_fleet)):
        try:
            outcomes.append(place(workload, *args))
        except InsufficientReplicas as error:
            outcomes.append((error.available, error.requested))
    if isinstance(outcomes[0], Placement):
        assert isinstance(outcomes[1], Placement)
        assert _placement_decisions(outcomes[1], None) == _placement_decisions(outcomes[0], names)
    else:
        assert outcomes[0] == outcomes[1]
