"""Victim selection: Koordinator's two-pass revoke, and the over-used revoke of a whole tree.

Koordinator takes capacity back from a quota that uses more than its runtime with
``getToRevokePodList`` (``pkg/scheduler/plugins/elasticquota/quota_overuse_revoke.go``):
strip the quota's pods least important first until its usage fits, then put them back most
important first while the usage still fits. What is not put back is evicted. The result is a
minimal set: putting any one victim back breaks the fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from invsched._validators import (
    check_amount,
    check_instance,
    check_mapping,
    check_name,
    check_tuple_of,
)
from invsched.admission.units import Preemption, PreemptionReason, QueueUnit, order_key
from invsched.errors import InvalidRequest
from invsched.quota.runtime import runtime_quota
from invsched.quota.tree import QuotaTree
from invsched.resources import Resources

__all__ = ["revoke", "select_victims"]

_K = TypeVar("_K")


def _fits(used: Mapping[_K, int], limit: Mapping[_K, int]) -> bool:
    # k8s.io/apiserver quota.LessThanOrEqual: only the limit's keys count, and a key absent
    # from `used` is not compared.
    return all(key not in used or used[key] <= bound for key, bound in limit.items())


def _check_amounts(field: str, amounts: object) -> dict[str, int]:
    # Usage may be negative here (a caller's ledger after removals): any int in range.
    return check_mapping(
        InvalidRequest,
        field,
        amounts,
        check_name,
        lambda error, where, value: check_amount(error, where, value, negative=True),
    )


def select_victims(
    candidates: Iterable[QueueUnit], used: Mapping[str, int], limit: Mapping[str, int]
) -> tuple[QueueUnit, ...]:
    """The units to remove so that ``used`` fits ``limit`` (Koordinator's two-pass revoke).

    Pass 1 strips the preemptible candidates least important first (lower priority, then the
    more recently created, then name) until ``used ≤ limit``; pass 2 puts the stripped units
    back most important first while ``used`` still fits. Non-preemptible candidates are never
    chosen. Only the keys of ``limit`` are compared, and a key absent from ``used`` is not
    (``quota.LessThanOrEqual``); amounts may be negative.

    If ``used`` cannot fit even with every candidate removed, every preemptible candidate is
    returned, least important first (upstream evicts them all). Otherwise the victims come
    most important first, and the set is minimal: putting any one back breaks the fit.

    Args:
        candidates: the units that may be removed, in any order.
        used: current usage, milli-units.
        limit: what usage must fit, milli-units.

    Returns:
        The victims.

    Raises:
        InvalidRequest: ``used`` or ``limit`` is not a mapping of int amounts, or a candidate
            is not a ``QueueUnit``.

    Runtime complexity: O(c log c + c · k) for c candidates and k resource names.

    Compat: ``TestQuotaOverUsedRevokeController_GetToRevokePodList``.

    >>> def pod(name, priority, cpu, memory=0):
    ...     return QueueUnit(name=name, namespace="q", priority=priority, created=0,
    ...                      request=Resources({"cpu": cpu * 1000, "memory": memory * 1000}))
    >>> pods = [pod("1", 10, 20), pod("2", 9, 10, memory=1), pod("3", 8, 20), pod("4", 7, 40)]
    >>> used = Resources({"cpu": 90_000, "memory": 1000})
    >>> [p.name for p in select_victims(pods, used, Resources({"cpu": 50_000, "memory": 0}))]
    ['2', '4']
    """
    used = _check_amounts("used", used)
    limit = _check_amounts("limit", limit)
    pool = check_tuple_of(InvalidRequest, "candidates", candidates, QueueUnit)
    least_first = sorted((u for u in pool if u.preemptible), key=order_key, reverse=True)
    victims, _ = _two_pass([u.request for u in least_first], used, limit)
    return tuple(least_first[index] for index in victims)


def _two_pass(
    amounts: Iterable[Mapping[_K, int]],
    used: Mapping[_K, int],
    limit: Mapping[_K, int],
) -> tuple[list[int], bool]:
    """The two passes of ``getToRevokePodList`` over any keys; returns (victims, fits).

    ``amounts`` yields what each candidate frees, least important first. It is consumed only
    as far as pass 1 strips, so candidates may be produced lazily. Victims are positions in
    that sequence: most important first when ``fits``, else every stripped candidate, least
    important first.

    Runtime complexity: O(s · k) for s stripped candidates and k keys.
    """
    current = dict(used)
    stripped: list[Mapping[_K, int]] = []
    candidates = iter(amounts)
    while not _fits(current, limit):
        freed = next(candidates, None)
        if freed is None:
            return list(range(len(stripped))), False
        for key, amount in freed.items():
            current[key] = current.get(key, 0) - amount
        stripped.append(freed)
    victims: list[int] = []
    for position in reversed(range(len(stripped))):
        trial = dict(current)
        for key, amount in stripped[position].items():
            trial[key] = trial.get(key, 0) + amount
        if _fits(trial, limit):
            current = trial
        else:
            victims.append(position)
    return victims, True


def revoke(
    tree: QuotaTree,
    running: Iterable[QueueUnit],
    *,
    total: Resources,
    pending: Iterable[QueueUnit] = (),
) -> tuple[Preemption, ...]:
    """Every preemption that brings the quotas using more than their runtime back to it.

    Koordinator's over-used revoke controller as one pure call: the runtime is computed from
    demand = running + pending and ``total`` (:func:`~invsched.quota.runtime_quota`); for each
    leaf in pre-order whose usage exceeds its runtime on a key of its ``max`` (keys missing
    from ``max`` are unlimited and not compared, as Koordinator masks runtime to max), the
    victims are :func:`select_victims` over that leaf's running units. Each comes back as
    ``Preemption(victim, None, PreemptionReason.OVER_RUNTIME)``. Units whose quota is unknown or
    a parent are ignored (they hold no leaf usage to revoke).

    Upstream runs this every second only when ``MonitorAllQuotas`` is on, and only after a
    quota has been over its runtime for ``DelayEvictTime`` (120 s); timing is the caller's.

    Raises:
        InvalidRequest: a unit is not a ``QueueUnit``, or ``total`` is not valid.

    Runtime complexity: O(n · r + u log u) for n nodes, r resource names and u units.

    >>> from invsched.quota import QuotaNode
    >>> cpu = lambda n: Resources({"cpu": n * 1000})
    >>> tree = QuotaTree.from_nodes([
    ...     QuotaNode(name="root", max=cpu(10), children=("a", "b")),
    ...     QuotaNode(name="a", parent="root", min=cpu(5), max=cpu(10), namespaces=("a",)),
    ...     QuotaNode(name="b", parent="root", min=cpu(5), max=cpu(10), namespaces=("b",)),
    ... ])
    >>> running = [QueueUnit(name=f"a{i}", namespace="a", request=cpu(2), created=i)
    ...            for i in range(5)]
    >>> waiting = [QueueUnit(name="b0", namespace="b", request=cpu(4), created=9)]
    >>> [p.victim.name for p in revoke(tree, running, total=cpu(10), pending=waiting)]
    ['a3', 'a4']
    """
    check_instance(InvalidRequest, "tree", tree, QuotaTree)
    running_units = check_tuple_of(InvalidRequest, "running", running, QueueUnit)
    pending_units = check_tuple_of(InvalidRequest, "pending", pending, QueueUnit)
    check_instance(InvalidRequest, "total", total, Resources)
    leaf_of = {node.name for node in tree.leaves}

    def leaf(unit: QueueUnit) -> str | None:
        name = unit.quota if unit.quota is not None else tree.quota_for_namespace(unit.namespace)
        return name if name in leaf_of else None

    demand: dict[str, Resources] = {}
    by_leaf: dict[str, list[QueueUnit]] = {}
    for unit in running_units + pending_units:
        name = leaf(unit)
        if name is not None:
            demand[name] = demand.get(name, Resources()) + unit.request
    for unit in running_units:
        name = leaf(unit)
        if name is not None:
            by_leaf.setdefault(name, []).append(unit)
    runtime = runtime_quota(tree, demand, total)
    out: list[Preemption] = []
    for node in tree.leaves:
        units = by_leaf.get(node.name)
        if not units:
            continue
        used: dict[str, int] = {}
        for unit in units:
            for key, amount in unit.request.items():
                used[key] = used.get(key, 0) + amount
        limit = {key: runtime[node.name][key] for key in node.max}
        if _fits(used, limit):
            continue
        out.extend(
            Preemption(victim=victim, preemptor=None, reason=PreemptionReason.OVER_RUNTIME)
            for victim in select_victims(units, used, limit)
        )
    return tuple(out)
