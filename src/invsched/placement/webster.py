"""Webster (Sainte-Laguë) apportionment, exactly as Karmada deals replicas since v1.16.

Karmada (``pkg/util/helper/webstermethod.go``, ``AllocateWebsterSeats``) hands out seats one at a
time: each seat goes to the party with the greatest priority ``votes / (2·seats + 1)``; equal
priorities go to the party with fewer seats, then by name — ascending, or descending when the
FNV-32a hash of the workload UID is odd (the scheduler's per-workload tie-breaker). That loop
costs O(seats · log parties). :func:`webster` returns the very same seats in
O(parties · log parties) whatever the number of seats:

1. every seat is a *bid* ``(votes / (2k + 1), k, name)`` for ``k = initial, initial + 1, …``;
   the loop takes the ``seats`` best bids under that total order, because each party's own bids
   only get worse;
2. a divisor ``d`` solving ``Σ max(initial, votes / d) = seats + Σ initial`` is computed exactly
   over the integers; counting, per party, the bids whose priority is at least ``d / 2`` takes a
   prefix of the order whose size is within ``parties / 2`` of ``seats``;
3. a heap over the parties' next (or last) bids adds (or removes) the few remaining seats.

Priorities are compared exactly: as floats only when ``votes × (2·seats + 3) < 2⁵⁰`` (then two
different fractions are further apart than float rounding can blur, and equal fractions round
alike), as :class:`fractions.Fraction` otherwise.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from fractions import Fraction

from invsched._validators import check_count, check_counts, check_string
from invsched.errors import InvalidRequest

__all__ = ["fnv32a", "webster"]

_FNV32_OFFSET = 0x811C9DC5
_FNV32_PRIME = 0x01000193
_FNV32_MASK = 0xFFFFFFFF

#: Float priorities order bids exactly while max votes × max divisor stays below this bound.
_FLOAT_EXACT_BOUND = 1 << 50


def fnv32a(text: str) -> int:
    """Return the 32-bit FNV-1a hash of the UTF-8 bytes of ``text`` (Go's ``hash/fnv``).

    Karmada's scheduler uses the parity of this hash of the workload UID to pick the direction
    of the name tie-break; it is exposed so that callers can predict it.

    Runtime complexity: O(len(text)).

    >>> fnv32a(""), fnv32a("a")
    (2166136261, 3826002220)
    """
    value = _FNV32_OFFSET
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * _FNV32_PRIME) & _FNV32_MASK
    return value


def webster(
    seats: int,
    votes: Mapping[str, int],
    *,
    initial: Mapping[str, int] | None = None,
    uid: str | None = None,
) -> dict[str, int]:
    """Apportion ``seats`` new seats by Webster's method, exactly as Karmada does.

    Each seat goes to the party with the highest ``votes / (2·seats + 1)``, counting the seats it
    already holds (``initial``). Ties go to the party with fewer seats, then to the smaller name
    — or to the larger name when ``uid`` is a non-empty string whose :func:`fnv32a` hash is odd
    (Karmada's ``tieBreakerByUID``). The result equals that sequential process, seat for seat.

    Args:
        seats: how many new seats to hand out (``int`` ≥ 0).
        votes: party name → votes (``int`` ≥ 0), e.g. a cluster's weight or free capacity.
        initial: party name → seats already held (``int`` ≥ 0); a party that appears only here
            has 0 votes and keeps its seats.
        uid: the workload UID choosing the name tie-break direction; ``None`` or ``""`` means
            ascending names.

    Returns:
        Every party of ``votes`` and ``initial`` → its total seats (initial + new), zeros
        included, in ascending name order. Empty when there is no party at all (Karmada returns
        nil: the seats are not handed out). When every party has zero votes, all priorities tie
        at 0, so seats go round-robin to the parties with the fewest seats, in name order.

    Raises:
        InvalidRequest: ``seats`` or a count is not an ``int`` (``bool`` excluded), is
            negative or is not below 10^100, a name is not a non-empty printable string, or
            ``uid`` is neither ``None`` nor a string UTF-8 can encode.

    Runtime complexity: O(p log p) for p parties, independent of ``seats`` (plus the size of
    the integers involved).

    >>> webster(4, {"Alpha": 1200, "Beta": 900, "Gamma": 400})
    {'Alpha': 2, 'Beta': 1, 'Gamma': 1}
    >>> webster(3, {"a": 1, "b": 2, "c": 3}, initial={"a": 1, "b": 2, "c": 3})
    {'a': 2, 'b': 3, 'c': 4}
    >>> webster(1, {"a": 1, "b": 1}), webster(1, {"a": 1, "b": 1}, uid="x")
    ({'a': 1, 'b': 0}, {'a': 0, 'b': 1})
    """
    check_count(InvalidRequest, "seats", seats)
    vote_map = check_counts(InvalidRequest, "votes", votes)
    seat_map = {} if initial is None else check_counts(InvalidRequest, "initial", initial)
    return _apportion(seats, vote_map, seat_map, descending=_names_descending(uid))


def _names_descending(uid: str | None) -> bool:
    """Tell whether Karmada breaks name ties in descending order for workload ``uid``.

    Raises:
        InvalidRequest: ``uid`` is neither ``None`` nor a string UTF-8 can encode.
    """
    if uid is None:
        return False
    check_string(InvalidRequest, "uid", uid)
    # tieBreakerByUID (pkg/util/helper/binding.go): an empty UID or an even hash keeps ascending.
    return bool(uid) and fnv32a(uid) % 2 == 1


def _apportion(
    seats: int, votes: dict[str, int], initial: dict[str, int], *, descending: bool
) -> dict[str, int]:
    """Run :func:`webster` on already validated inputs (see there for the contract)."""
    if initial:
        names = sorted(votes.keys() | initial.keys())
        held = {name: initial.get(name, 0) for name in names}
    else:
        names = sorted(votes)
        held = dict.fromkeys(names, 0)
    if not names:
        return {}
    if seats:
        positive = [name for name in names if votes.get(name, 0) > 0]
        if positive:
            _apportion_positive(seats, positive, votes, held, names, descending=descending)
        else:
            _deal_round_robin(seats, names, held, descending=descending)
    return {name: held[name] for name in names}


def _rank_of(names: list[str], *, descending: bool) -> dict[str, int]:
    # Smaller rank wins a tie; ``names`` is sorted ascending.
    if descending:
        return {name: -index for index, name in enumerate(names)}
    return {name: index for index, name in enumerate(names)}


def _apportion_positive(
    seats: int,
    positive: list[str],
    votes: dict[str, int],
    held: dict[str, int],
    names: list[str],
    *,
    descending: bool,
) -> None:
    """Hand ``seats`` seats to the parties with votes (``held`` is updated in place)."""
    floor = {name: held[name] for name in positive}
    numerator, denominator = _divisor(seats, positive, votes, held)
    # Bids of priority ≥ d/2 for k ≥ initial: max(0, round_half_up(votes / d) - initial).
    placed = 0
    twice_numerator = 2 * numerator
    for name in positive:
        start = held[name]
        total = (2 * votes[name] * denominator + numerator) // twice_numerator
        if total > start:
            held[name] = total
            placed += total - start
    remaining = seats - placed
    if remaining == 0:
        return
    rank = _rank_of(names, descending=descending)
    largest_divisor = 2 * (max(held.values()) + max(remaining, 0)) + 3
    exact = max(votes.values()) * largest_divisor >= _FLOAT_EXACT_BOUND
    if remaining > 0:
        _add_best(remaining, positive, votes, held, rank, exact=exact)
    else:
        _remove_worst(-remaining, votes, held, floor, rank, exact=exact)


def _divisor(
    seats: int, positive: list[str], votes: dict[str, int], held: dict[str, int]
) -> tuple[int, int]:
    """Solve Σ max(initial, votes / d) = seats + Σ initial for d, as a fraction num / den.

    A party is "active" (its share exceeds its initial seats) while d < votes / initial. Walking
    the breakpoints in descending order finds the interval where the continuous sum crosses the
    target; rounding each share then moves the seat count by at most 1/2 per party.
    """
    active_votes = 0
    inactive_seats = 0
    waiting: list[tuple[float, int, int]] = []
    for name in positive:
        start = held[name]
        if start == 0:
            active_votes += votes[name]
        else:
            inactive_seats += start
            waiting.append((votes[name] / start, votes[name], start))
    target = seats + inactive_seats
    # Only the estimate depends on this order; exactness comes from the later fix-up.
    waiting.sort(reverse=True)
    for _, party_votes, start in waiting:
        # Stop once the sum at this breakpoint already reaches the target.
        if active_votes and active_votes * start >= (target - inactive_seats) * party_votes:
            break
        active_votes += party_votes
        inactive_seats -= start
    return active_votes, target - inactive_seats


def _add_best(
    count: int,
    positive: list[str],
    votes: dict[str, int],
    held: dict[str, int],
    rank: dict[str, int],
    *,
    exact: bool,
) -> None:
    """Give ``count`` more seats, one at a time, to the best next bid (priority, seats, name)."""
    heap: list[tuple[float | Fraction, int, int, str]]
    if exact:
        heap = [
            (Fraction(-votes[name], 2 * held[name] + 1), held[name], rank[name], name)
            for name in positive
        ]
    else:
        heap = [
            (-votes[name] / (2 * held[name] + 1), held[name], rank[name], name) for name in positive
        ]
    heapq.heapify(heap)
    for _ in range(count):
        _, owned, order, name = heap[0]
        owned += 1
        held[name] = owned
        priority: float | Fraction = (
            Fraction(-votes[name], 2 * owned + 1) if exact else -votes[name] / (2 * owned + 1)
        )
        heapq.heapreplace(heap, (priority, owned, order, name))


def _remove_worst(
    count: int,
    votes: dict[str, int],
    held: dict[str, int],
    floor: dict[str, int],
    rank: dict[str, int],
    *,
    exact: bool,
) -> None:
    """Take back ``count`` seats, each time the worst bid taken (the reverse of the order)."""
    # The worst bid has the lowest priority, then the most seats, then the losing name.
    heap: list[tuple[float | Fraction, int, int, str]] = [
        (
            Fraction(votes[name], 2 * held[name] - 1)
            if exact
            else votes[name] / (2 * held[name] - 1),
            -held[name],
            -rank[name],
            name,
        )
        for name in floor
        if held[name] > floor[name]
    ]
    heapq.heapify(heap)
    for _ in range(count):
        _, _, order, name = heap[0]
        owned = held[name] - 1
        held[name] = owned
        if owned > floor[name]:
            priority: float | Fraction = (
                Fraction(votes[name], 2 * owned - 1) if exact else votes[name] / (2 * owned - 1)
            )
            heapq.heapreplace(heap, (priority, -owned, order, name))
        else:
            heapq.heappop(heap)


def _deal_round_robin(
    seats: int, names: list[str], held: dict[str, int], *, descending: bool
) -> None:
    """Deal seats to zero-vote parties: fewest seats first, then name order (all priorities 0).

    Raises every party below a level L up to L, where L is the highest level the seats can pay
    for, then gives the few seats left to the parties at level L in name order.
    """
    by_seats = sorted(held[name] for name in names)
    level_parties = len(by_seats)
    paid = 0  # Σ of the lowest ``count`` initial seat numbers
    level = by_seats[-1]
    for count in range(1, len(by_seats) + 1):
        paid += by_seats[count - 1]
        if count < len(by_seats) and count * by_seats[count] - paid <= seats:
            continue
        level = (seats + paid) // count
        level_parties = count
        break
    left = seats - (level * level_parties - paid)
    order = reversed(names) if descending else iter(names)
    for name in order:
        if held[name] <= level:
            extra = 1 if left > 0 else 0
            left -= extra
            held[name] = level + extra
