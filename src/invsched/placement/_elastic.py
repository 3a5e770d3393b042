"""Elastic capacity within one ``place`` call: growable pools, stock left, and buying nodes.

With ``ecs_provision``, :func:`~invsched.placement.place` covers what free capacity cannot
hold with new nodes. This module keeps the working state of that (which pools can still
grow, how much regional stock is left once a previous placement's purchases are taken off)
and turns a shortfall into :class:`~invsched.placement.NodeProvision` entries through
:func:`~invsched.placement.provision.plan_provisioning`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from invsched._validators import short
from invsched.errors import InsufficientReplicas, InvalidRequest
from invsched.placement.estimate import GrowablePool, InstanceFit, provisioning_options
from invsched.placement.fleet import Cluster, Fleet
from invsched.placement.provision import most_provisionable, plan_provisioning
from invsched.placement.records import NodeProvision, Workload

__all__ = ["ElasticState", "buy", "buy_per_cluster", "elastic_state"]


@attrs.define(kw_only=True)
class ElasticState:
    """Working state of one ``place`` call: usable types, stock left and pools that can grow.

    Mutable on purpose (per-cluster provisioning consumes stock and headroom); it never
    leaves the call.

    Attributes:
        fits: instance type → replicas per new node and price.
        stock: ``(region, type)`` → nodes still for sale.
        pools: cluster → its pools that can grow.
        unusable: cluster → why none of its pools can host a replica.
    """

    fits: dict[str, InstanceFit]
    stock: dict[tuple[str, str], int]
    pools: dict[str, list[GrowablePool]]
    unusable: dict[str, str]

    def all_pools(self) -> list[GrowablePool]:
        """Every growable pool, clusters in name order."""
        return [pool for name in sorted(self.pools) for pool in self.pools[name]]


def _sold(
    fleet: Fleet, bought: Iterable[NodeProvision]
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """Nodes bought per (cluster, pool) and per (region, type), checked against the stock."""
    regions = {cluster.name: cluster.region for cluster in fleet.clusters}
    used: dict[tuple[str, str], int] = {}
    sold: dict[tuple[str, str], int] = {}
    for item in bought:
        used[(item.cluster, item.pool)] = used.get((item.cluster, item.pool), 0) + item.nodes
        key = (regions[item.cluster], item.instance_type)
        sold[key] = sold.get(key, 0) + item.nodes
    for (region, name), nodes in sorted(sold.items()):
        if nodes > fleet.stock(region, name):
            raise InvalidRequest(
                "previous.provisioning",
                f"bought {nodes} nodes of {short(name)} in {short(region)}, more than its stock "
                f"{fleet.stock(region, name)}: pass the fleet the placement was planned on",
            )
    return used, sold


def elastic_state(
    workload: Workload, fleet: Fleet, candidates: list[Cluster], bought: Iterable[NodeProvision]
) -> ElasticState:
    """The pools of ``candidates`` that can grow, once the nodes in ``bought`` are taken.

    Raises:
        InvalidRequest: ``bought`` (a previous placement's nodes) exceeds the stock.
        InvalidFleet: a pool names an instance type missing from the catalog.
    """
    used, sold = _sold(fleet, bought)
    # Stock a previous placement bought is gone: take it off before offering anything.
    if sold:
        inventory = {
            region: {name: count - sold.get((region, name), 0) for name, count in types.items()}
            for region, types in fleet.inventory.items()
        }
        fleet = attrs.evolve(fleet, inventory=inventory)
    options = provisioning_options(fleet, workload.request, candidates, bought=used)
    pools: dict[str, list[GrowablePool]] = {}
    for pool in options.offers:
        pools.setdefault(pool.cluster, []).append(pool)
    return ElasticState(
        fits={fit.name: fit for fit in options.shapes},
        stock=dict(options.stock),
        pools=pools,
        unusable=dict(options.unusable),
    )


def buy(
    shortfall: int,
    pools: list[GrowablePool],
    state: ElasticState,
    base: Mapping[str, int],
    *,
    concentrate: bool,
    allow_partial: bool,
    available: int,
) -> tuple[tuple[NodeProvision, ...], int]:
    """New nodes for ``shortfall`` replicas, and how many replicas stay unplaced.

    Raises:
        InsufficientReplicas: the pools cannot hold ``shortfall`` (without
            ``allow_partial``); ``available`` is the free capacity already counted.
    """
    fits = list(state.fits.values())
    plan = plan_provisioning(
        shortfall, pools, fits, state.stock, base=base, concentrate=concentrate
    )
    if plan is not None:
        return plan, 0
    most = most_provisionable(pools, fits, state.stock)
    if not allow_partial:
        raise InsufficientReplicas(available=available + most, requested=available + shortfall)
    if most == 0:
        return (), shortfall
    plan = plan_provisioning(most, pools, fits, state.stock, base=base, concentrate=concentrate)
    assert plan is not None
    return plan, shortfall - most


def _consume(
    state: ElasticState, plan: Iterable[NodeProvision], regions: Mapping[str, str]
) -> None:
    """Take the nodes of ``plan`` off the stock and off their pools' headroom."""
    for item in plan:
        key = (regions[item.cluster], item.instance_type)
        state.stock[key] -= item.nodes
        for index, pool in enumerate(state.pools.get(item.cluster, [])):
            if pool.pool == item.pool:
                state.pools[item.cluster][index] = attrs.evolve(
                    pool, headroom=pool.headroom - item.nodes
                )


def buy_per_cluster(
    targets: Mapping[str, int],
    room: Mapping[str, int],
    state: ElasticState,
    regions: Mapping[str, str],
    *,
    allow_partial: bool,
) -> tuple[dict[str, int], tuple[NodeProvision, ...], int]:
    """Per-cluster targets (static weight, duplicated): each shortfall in its own pools.

    ``room`` is what each cluster holds without new nodes. Clusters go in name order, so
    regional stock is taken first come, first served.
    """
    result = dict(targets)
    plans: list[NodeProvision] = []
    unplaced = 0
    for name in sorted(targets):
        shortfall = targets[name] - room[name]
        if shortfall <= 0:
            continue
        plan, missing = buy(
            shortfall,
            state.pools.get(name, []),
            state,
            {},
            concentrate=False,
            allow_partial=allow_partial,
            available=room[name],
        )
        _consume(state, plan, regions)
        plans.extend(plan)
        result[name] -= missing
        unplaced += missing
    return result, tuple(plans), unplaced
