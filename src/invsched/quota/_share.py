"""One resource, one parent: split an amount among children by "min first, then weight".

This is Koordinator's per-resource ``quotaTree.redistribution``
(``pkg/scheduler/plugins/elasticquota/core/runtime_quota_calculator.go``) on exact integers:

1. each share whose request is at most its effective min (``max(min, guarantee)``) gets its
   request — or its effective min when it does not lend (``allow_lent=False``);
2. every other share starts at its effective min and becomes a *borrower*;
3. what is left (if anything) is split among the borrowers in proportion to their weights,
   each capped at its request; what the capped borrowers could not take is split again among
   the rest, until nothing is left or every borrower is satisfied.

Step 3 rounds by the largest-remainder (Hamilton) method, as Koordinator does since PR #2876,
so that no unit is lost or handed out twice; ``Rounding.HALF_UP`` keeps the older per-share
round-half-up for comparisons with earlier releases.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

import attrs

from invsched._validators import (
    amount_field,
    bool_field,
    check_amount,
    check_enum,
    check_tuple_of,
    render,
    text_field,
)
from invsched.errors import InvalidRequest

__all__ = ["Rounding", "Share", "redistribute"]


class Rounding(enum.Enum):
    """How a proportional split turns fractions into integers.

    Attributes:
        LARGEST_REMAINDER: Hamilton's method — every share gets the floor of its exact
            quota, and the units still left go one each to the largest remainders (ties:
            name ascending). The parts always sum to the amount split. Koordinator's
            behaviour since PR #2876.
        HALF_UP: every share rounds its exact quota half-up on its own, so the parts may
            sum to a little less or more than the amount split (older Koordinator releases).
            Computed exactly on integers, where upstream used ``float64``.
    """

    LARGEST_REMAINDER = "largest-remainder"
    HALF_UP = "half-up"


_check_amount = amount_field(InvalidRequest)
_check_name = text_field(InvalidRequest)
_check_bool = bool_field(InvalidRequest)


@attrs.frozen(kw_only=True)
class Share:
    """One child's claim on one resource of its parent, in integer units (milli-units).

    Attributes:
        name: unique among the shares of one call; breaks ties in the rounding.
        min: the guaranteed amount (an already scaled min when mins are scaled).
        request: what the child asks for, already limited by its max.
        weight: its weight when idle capacity is shared (Koordinator's ``shared-weight``,
            by default the child's max). A weight of 0 never borrows.
        allow_lent: whether an idle part of ``min`` may go to others; when ``False`` the
            share keeps its effective min even when it requests less.
        guarantee: an amount guaranteed on top of ``min`` (Koordinator's ``guaranteed``
            under the ``ElasticQuotaGuaranteeUsage`` gate); the effective min is
            ``max(min, guarantee)``.

    Amounts are ints in [0, 10^100); a bad field raises :class:`~invsched.InvalidRequest`
    naming it (``Share.min: must not be negative, got -1``).

    Runtime complexity: O(1).

    >>> Share(name="a", min=10, request=5, weight=40).effective_min
    10
    """

    name: str = attrs.field(validator=_check_name)
    min: int = attrs.field(validator=_check_amount)
    request: int = attrs.field(validator=_check_amount)
    weight: int = attrs.field(validator=_check_amount)
    allow_lent: bool = attrs.field(default=True, validator=_check_bool)
    guarantee: int = attrs.field(default=0, validator=_check_amount)

    @property
    def effective_min(self) -> int:
        """``max(min, guarantee)``: what the share is sure to get when it asks for it.

        >>> Share(name="a", min=10, request=5, weight=40, guarantee=12).effective_min
        12
        """
        return max(self.min, self.guarantee)


def redistribute(
    total: int,
    shares: Iterable[Share],
    *,
    rounding: Rounding = Rounding.LARGEST_REMAINDER,
) -> tuple[int, ...]:
    """Split ``total`` among ``shares``: min first, then the rest by weight, capped at request.

    Contract: each share whose ``request`` is at most its effective min (``max(min,
    guarantee)``) gets ``request`` (its effective min if it does not lend); every other share
    gets its effective min and then borrows from what is left, in proportion to ``weight``,
    never above its ``request``; what a satisfied borrower cannot take is shared again among
    the others. With ``Rounding.LARGEST_REMAINDER`` (the default) the sum of the result never
    exceeds ``total`` unless the effective mins alone exceed it (then every share simply keeps
    its min or request, and nobody borrows). Zero weights: a borrower with weight 0 never
    receives a part of the leftover; if every borrower has weight 0 the leftover stays
    unassigned (Koordinator stops when the total weight is not positive).

    Args:
        total: the amount to split (the parent's runtime, or the cluster total), ≥ 0.
        shares: the children, names unique; the result follows their order.
        rounding: ``LARGEST_REMAINDER`` (exact, Hamilton) or ``HALF_UP`` (older upstream).

    Returns:
        One amount per share, in the order given.

    Raises:
        InvalidRequest: ``total`` is not an int in [0, 10^100), ``rounding`` not a
            :class:`Rounding`, ``shares`` not a sequence of :class:`Share`, or two shares
            have the same name (the message names the argument).

    Runtime complexity: O(k log k) per sharing round for k borrowers; each round after the
    first satisfies at least one borrower, so O(k² log k) in the worst case and a few rounds in
    practice.

    >>> shares = [
    ...     Share(name="A", min=10, request=5, weight=40),
    ...     Share(name="B", min=15, request=20, weight=60),
    ...     Share(name="C", min=20, request=40, weight=50),
    ...     Share(name="D", min=15, request=70, weight=80),
    ... ]
    >>> redistribute(100, shares)
    (5, 20, 35, 40)
    """
    check_amount(InvalidRequest, "total", total)
    check_enum(InvalidRequest, "rounding", rounding, Rounding)
    items = check_tuple_of(InvalidRequest, "shares", shares, Share)
    seen: set[str] = set()
    for position, share in enumerate(items):
        if share.name in seen:
            raise InvalidRequest(f"shares[{position}].name", f"duplicate name {render(share.name)}")
        seen.add(share.name)
    parts = [0] * len(items)
    split_amount(
        total,
        range(len(items)),
        mins=[share.effective_min for share in items],
        requests=[share.request for share in items],
        weights=[share.weight for share in items],
        lends=[share.allow_lent for share in items],
        names=[share.name for share in items],
        rounding=rounding,
        into=parts,
    )
    return tuple(parts)


def split_amount(
    total: int,
    members: Iterable[int],
    *,
    mins: Sequence[int],
    requests: Sequence[int],
    weights: Sequence[int | None],
    lends: Sequence[bool],
    names: Sequence[str],
    rounding: Rounding,
    into: list[int],
    unlimited_weight: int | None = None,
) -> None:
    """The unchecked kernel of :func:`redistribute`: split ``total``, parts written to ``into``.

        ``members`` are positions in the parallel columns ``mins`` (effective mins), ``requests``,
        ``weights``, ``lends`` and ``names``; ``into[member]`` receives the member's part and no
        other entry of ``into`` is touched. A ``None`` weight (a tree quota without a max for the
        resource) weighs ``unlimited_weight``, by default ``total``: as much as everything shared
    out, in the units of the other weights. Names must be unique among the members.

        Working on positions lets the tree refresh, which calls this once per parent and resource,
        split straight from its whole-tree columns: no record per child and no per-parent copy of
        the columns.

        Runtime complexity: as :func:`redistribute`, O(k log k) per sharing round for k borrowers.
    """
    left = total
    unlimited = total if unlimited_weight is None else unlimited_weight
    borrowers: list[int] = []
    for member in members:
        floor = mins[member]
        request = requests[member]
        if request > floor:
            borrowers.append(member)
        elif lends[member]:
            floor = request
        into[member] = floor
        left -= floor
    # Water-filling: each round hands out `left`; what overflows the satisfied borrowers is
    # handed out again among the others (upstream recurses; a loop keeps the stack flat).
    while left > 0 and borrowers:
        shares = [
            unlimited if weight is None else weight
            for weight in map(weights.__getitem__, borrowers)
        ]
        weight_sum = sum(shares)
        if weight_sum <= 0:
            break
        if rounding is Rounding.LARGEST_REMAINDER:
            deltas = _largest_remainder(left, weight_sum, shares, borrowers, names)
        else:
            deltas = _half_up(left, weight_sum, shares)
        still: list[int] = []
        left = 0
        for member, delta in zip(borrowers, deltas, strict=True):
            amount = into[member] + delta
            request = requests[member]
            if amount < request:
                into[member] = amount
                still.append(member)
            else:
                left += amount - request
                into[member] = request
        borrowers = still


def _largest_remainder(
    amount: int,
    weight_sum: int,
    shares: Sequence[int],
    members: Sequence[int],
    names: Sequence[str],
) -> list[int]:
    """Hamilton: floors of the exact quotas, then one unit each to the largest remainders.

    ``shares[i]`` is the weight of the member at position ``members[i]`` of the ``names``
    column; equal remainders go by name, ascending (names are unique among the members).

    Runtime complexity: O(k log k) for k shares.
    """
    # Weights are never negative, so a zero weight simply yields a zero part and remainder.
    products = [share * amount for share in shares]
    deltas = [product // weight_sum for product in products]
    residual = amount - sum(deltas)
    if residual > 0:
        # The residual is below the number of positive remainders (their sum is
        # residual × weight_sum and each is below weight_sum), so every unit goes to a positive
        # remainder and `order[residual]` exists. The names only decide which shares get a unit
        # when equal remainders straddle the cut; otherwise sorting the remainders is enough.
        remainders = [product % weight_sum for product in products]
        order = sorted(range(len(remainders)), key=remainders.__getitem__, reverse=True)
        if remainders[order[residual]] == remainders[order[residual - 1]]:
            order.sort(key=lambda position: (-remainders[position], names[members[position]]))
        for position in order[:residual]:
            deltas[position] += 1
    return deltas


def _half_up(amount: int, weight_sum: int, shares: Sequence[int]) -> list[int]:
    """Older Koordinator: each part is ``round_half_up(w · amount / W)`` on its own, O(k)."""
    return [
        (2 * share * amount + weight_sum) // (2 * weight_sum) if share > 0 else 0
        for share in shares
    ]
