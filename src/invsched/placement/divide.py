"""Karmada's replica division (v1.16+, Webster): static weight, dynamic weight, aggregated.

The rules restate ``pkg/scheduler/core/assignment.go`` and ``division_algorithm.go``
(``assignByStaticWeightStrategy``, ``dynamicScaleUp``, ``dynamicScaleDown``,
``dynamicFreshScale``, ``dynamicDivideReplicas``) on plain mappings:

* static weight — Webster over the weights, no capacity check, previous result ignored;
* dynamic weight (``AvailableReplicas``), Steady mode — a scale-up keeps every previous replica
  and splits only the extra ones by free capacity; a scale-down splits the new total by the
  previous counts; an equal total changes nothing; Fresh mode recomputes from free capacity
  plus previous replicas;
* aggregated — the same, over the shortest prefix of clusters (previous first, then by
  capacity, then by name) that covers the replicas to place.

Every function returns a :class:`Division`: a read-only mapping cluster → replicas with zero
entries dropped, in ascending name order, plus ``unplaced`` (the replicas no cluster had room
for, only ever > 0 with ``allow_partial=True``). Inputs are never mutated.
"""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView

import attrs

from invsched._validators import check_bool, check_count, check_counts, render
from invsched.errors import InsufficientReplicas, InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.placement.webster import _apportion, _names_descending

__all__ = ["Division", "divide_aggregated", "divide_dynamic", "divide_static"]


def _to_entries(value: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    counts = check_counts(InvalidRequest, "Division.replicas", value)
    return tuple(sorted((name, count) for name, count in counts.items() if count))


def _check_unplaced(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    check_count(InvalidRequest, "Division.unplaced", value)


@attrs.frozen(kw_only=True, eq=False)
class Division(Mapping[str, int]):
    """A division: cluster → replicas placed, plus the replicas that fit nowhere.

    Every ``divide_*`` function returns one. It reads as the mapping of placed replicas
    (zeros dropped, names ascending), so code that expects a ``dict`` keeps working;
    ``unplaced`` counts the replicas no cluster had room for (> 0 only with
    ``allow_partial=True``). Two divisions are equal when both parts are; a division and
    any other mapping are equal when the placed replicas are (``unplaced`` is not part of
    the mapping).

    Runtime complexity: construction O(c log c) for c clusters; lookup O(1).

    >>> d = Division(replicas={"b": 2, "a": 1, "c": 0}, unplaced=3)
    >>> dict(d), d.unplaced, d["a"], d.placed, d == {"a": 1, "b": 2}
    ({'a': 1, 'b': 2}, 3, 1, 3, True)
    """

    replicas: tuple[tuple[str, int], ...] = attrs.field(converter=_to_entries)
    unplaced: int = attrs.field(validator=_check_unplaced)
    # The same pairs as a dict, for O(1) lookups and C-speed views.
    _counts: dict[str, int] = attrs.field(init=False, repr=False)

    @_counts.default
    def _index(self) -> dict[str, int]:
        return dict(self.replicas)

    @classmethod
    def _of(cls, counts: dict[str, int], unplaced: int) -> Division:
        """Wrap counts already checked, sorted by name and without zeros (no copy, no checks)."""
        self = object.__new__(cls)
        object.__setattr__(self, "replicas", tuple(counts.items()))
        object.__setattr__(self, "unplaced", unplaced)
        object.__setattr__(self, "_counts", counts)
        return self

    def __getitem__(self, name: str) -> int:
        return self._counts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts)

    def __len__(self) -> int:
        return len(self._counts)

    def __contains__(self, name: object) -> bool:
        return name in self._counts

    def keys(self) -> KeysView[str]:
        return self._counts.keys()

    def values(self) -> ValuesView[int]:
        return self._counts.values()

    def items(self) -> ItemsView[str, int]:
        return self._counts.items()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Division):
            return self.replicas == other.replicas and self.unplaced == other.unplaced
        if isinstance(other, Mapping):
            return self._counts == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.replicas, self.unplaced))

    @property
    def placed(self) -> int:
        """How many replicas the division placed."""
        return sum(self._counts.values())

    @property
    def per_cluster(self) -> FrozenMap[str, int]:
        """Cluster → replicas placed, as a hashable mapping (zeros dropped, names ascending).

        The field ``replicas`` stores the same counts as ``(cluster, replicas)`` pairs; in
        the records of this package a bare ``replicas`` is one count, and per-cluster counts
        are read through ``per_cluster``.

        Runtime complexity: O(c) for c clusters.

        >>> Division(replicas={"b": 2, "a": 1}, unplaced=0).per_cluster
        FrozenMap({'a': 1, 'b': 2})
        """
        return FrozenMap(self._counts)


def divide_static(replicas: int, weights: Mapping[str, int], *, uid: str | None = None) -> Division:
    """Divide ``replicas`` over clusters in proportion to static weights (Karmada static weight).

    Webster's method over the weights (see :func:`~invsched.placement.webster.webster`), with
    Karmada's per-workload tie-breaker ``uid``. A cluster of weight 0 is one that no weight rule
    matched and takes no part; when every weight is 0, each cluster weighs 1
    (``getStaticWeightInfoList``). There is no capacity check and the previous result plays no
    part, so the result is a pure function of the arguments and grows monotonically with
    ``replicas``.

    Args:
        replicas: the workload's replicas (``int`` ≥ 0).
        weights: cluster → weight (``int`` ≥ 0), the candidate clusters.
        uid: the workload UID (tie-break direction); ``None`` means ascending names.

    Returns:
        A :class:`Division`: cluster → replicas, zero entries dropped, names ascending; the
        values sum to ``replicas`` and ``unplaced`` is 0.

    Raises:
        InvalidRequest: a count is not an ``int`` ≥ 0 below 10^100, a name is not a
            non-empty printable string, or ``replicas`` > 0 with no cluster.

    Runtime complexity: O(c log c) for c clusters, independent of ``replicas``.

    >>> dict(divide_static(14, {"a": 3, "b": 2, "c": 1}))
    {'a': 7, 'b': 5, 'c': 2}
    >>> dict(divide_static(9, {"m1": 2, "m2": 1, "m3": 1, "m4": 1}))
    {'m1': 3, 'm2': 2, 'm3': 2, 'm4': 2}
    """
    check_count(InvalidRequest, "replicas", replicas)
    votes = check_counts(InvalidRequest, "weights", weights)
    descending = _names_descending(uid)
    if replicas and not votes:
        raise InvalidRequest("weights", f"no cluster to divide {render(replicas)} replicas over")
    matched = {name: weight for name, weight in votes.items() if weight}
    if not matched:
        matched = dict.fromkeys(votes, 1)
    return Division._of(_without_zeros(_apportion(replicas, matched, {}, descending=descending)), 0)


def divide_dynamic(
    replicas: int,
    available: Mapping[str, int],
    *,
    previous: Mapping[str, int] | None = None,
    uid: str | None = None,
    fresh: bool = False,
    allow_partial: bool = False,
) -> Division:
    """Divide ``replicas`` by free capacity (Karmada ``dynamicWeight: AvailableReplicas``).

    ``available`` holds the candidate clusters and how many *new* replicas each can still take
    (Karmada's ``AllocatableReplicas``). ``previous`` is the last result; clusters in it that
    are not candidates any more are forgotten and their replicas re-placed. With
    ``s = Σ previous`` over the candidates:

    * ``fresh=True`` (a WorkloadRebalancer pass): all ``replicas`` split by
      ``available + previous``;
    * ``s < replicas`` (scale-up, first schedule included): previous replicas stay where they
      are; the ``replicas - s`` extra ones are split by ``available``;
    * ``s > replicas`` (scale-down): ``replicas`` split by the previous counts, so no cluster
      grows and capacity is not consulted;
    * ``s == replicas``: the previous result, unchanged, even if capacity moved.

    Each split is Webster's method with Karmada's tie-breaker ``uid``, so a scale-up never gives
    a cluster more new replicas than its ``available``.

    Args:
        replicas: desired replicas (``int`` ≥ 0).
        available: candidate cluster → free capacity in replicas (``int`` ≥ 0).
        previous: cluster → replicas of the last division, or ``None`` for a first schedule.
        uid: the workload UID (tie-break direction).
        fresh: recompute from scratch instead of keeping previous replicas in place.
        allow_partial: when capacity is short, place what fits instead of raising.

    Returns:
        A :class:`Division`: cluster → replicas (zeros dropped, names ascending), whose
        ``unplaced`` counts the replicas that did not fit (0 unless ``allow_partial``).

    Raises:
        InsufficientReplicas: the capacity to split by is smaller than the replicas to place
            (Karmada's "Clusters available replicas N are not enough to schedule."), unless
            ``allow_partial``; ``requested`` is the number of replicas of this pass.
        InvalidRequest: a count is not an ``int`` ≥ 0 below 10^100, a name is not a
            non-empty printable string, or a flag is not a ``bool``.

    Runtime complexity: O(c log c) for c clusters, independent of ``replicas``.

    >>> dict(divide_dynamic(12, {"m1": 6, "m2": 8, "m3": 10}))
    {'m1': 3, 'm2': 4, 'm3': 5}
    >>> dict(divide_dynamic(6, {"m1": 1, "m2": 1, "m3": 1}, previous={"m1": 2, "m2": 4, "m3": 6}))
    {'m1': 1, 'm2': 2, 'm3': 3}
    >>> divide_dynamic(5, {"a": 1, "b": 2}, allow_partial=True)
    Division(replicas=(('a', 1), ('b', 2)), unplaced=2)
    """
    return _divide(
        replicas,
        available,
        previous=previous,
        uid=uid,
        fresh=fresh,
        allow_partial=allow_partial,
        aggregated=False,
    )


def divide_aggregated(
    replicas: int,
    available: Mapping[str, int],
    *,
    previous: Mapping[str, int] | None = None,
    uid: str | None = None,
    fresh: bool = False,
    allow_partial: bool = False,
) -> Division:
    """Divide ``replicas`` over as few clusters as possible (Karmada ``Aggregated``).

    Same cases and arguments as :func:`divide_dynamic`, but each split first keeps only the
    shortest prefix of clusters whose weights cover the replicas to place, in the order:
    clusters holding previous replicas first (scale-up), then by weight descending, then by
    name ascending. So a first schedule fills the largest clusters; a scale-up prefers the
    clusters already used and adds the fewest new ones needed for the *extra* replicas; a
    scale-down keeps the clusters with the most previous replicas and empties the others.

    Returns, raises and costs as :func:`divide_dynamic`.

    Runtime complexity: O(c log c) for c clusters, independent of ``replicas``.

    >>> dict(divide_aggregated(12, {"m1": 6, "m2": 8, "m3": 10}))
    {'m2': 5, 'm3': 7}
    >>> dict(divide_aggregated(6, {"m1": 1, "m2": 1}, previous={"m1": 4, "m2": 8}))
    {'m2': 6}
    """
    return _divide(
        replicas,
        available,
        previous=previous,
        uid=uid,
        fresh=fresh,
        allow_partial=allow_partial,
        aggregated=True,
    )


def _divide(
    replicas: int,
    available: Mapping[str, int],
    *,
    previous: Mapping[str, int] | None,
    uid: str | None,
    fresh: bool,
    allow_partial: bool,
    aggregated: bool,
) -> Division:
    check_count(InvalidRequest, "replicas", replicas)
    capacity = check_counts(InvalidRequest, "available", available)
    last = {} if previous is None else check_counts(InvalidRequest, "previous", previous)
    descending = _names_descending(uid)
    check_bool(InvalidRequest, "fresh", fresh)
    check_bool(InvalidRequest, "allow_partial", allow_partial)
    # FindOutScheduledCluster: previous clusters that are no longer candidates are forgotten.
    kept = {name: count for name, count in last.items() if count and name in capacity}
    assigned = sum(kept.values())
    if fresh:
        weights = {name: free + kept.get(name, 0) for name, free in capacity.items()}
        target, keep = replicas, dict[str, int]()
    elif assigned > replicas:
        weights, target, keep = kept, replicas, dict[str, int]()
    elif assigned < replicas:
        weights, target, keep = capacity, replicas - assigned, kept
    else:
        return Division._of(_without_zeros(kept), 0)

    total = sum(weights.values())
    unplaced = 0
    if total < target:
        if not allow_partial:
            raise InsufficientReplicas(available=total, requested=target)
        # Webster never gives a party more seats than its votes while seats ≤ Σ votes.
        unplaced, target = target - total, total
    if aggregated:
        weights = _shortest_cover(weights, target, preferred=keep)
    split = _apportion(target, weights, {}, descending=descending) if target else {}
    for name, count in keep.items():
        split[name] = split.get(name, 0) + count
    # apportion lists names ascending; only an aggregated cut can leave a kept name out.
    result = _without_zeros(split) if aggregated else {n: c for n, c in split.items() if c}
    return Division._of(result, unplaced)


def _shortest_cover(
    weights: dict[str, int], target: int, *, preferred: Mapping[str, int]
) -> dict[str, int]:
    """Keep the shortest prefix whose weights reach ``target`` (``resortAvailableClusters``).

    Order: clusters in ``preferred`` first, then weight descending, then name ascending. Karmada
    sorts by weight with ``sort.Sort`` (not stable past 12 clusters) over candidates ordered by
    score; names make the order total and independent of input order.
    """
    order = sorted(weights, key=lambda name: (name not in preferred, -weights[name], name))
    chosen: dict[str, int] = {}
    covered = 0
    for name in order:
        if covered >= target and chosen:
            break
        chosen[name] = weights[name]
        covered += weights[name]
    return chosen


def _without_zeros(counts: Mapping[str, int]) -> dict[str, int]:
    return {name: counts[name] for name in sorted(counts) if counts[name]}
