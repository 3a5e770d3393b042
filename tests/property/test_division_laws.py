"""Laws of replica division: totals, capacity, monotonicity, order independence, purity."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from invsched.placement.divide import divide_aggregated, divide_dynamic, divide_static
from invsched.placement.webster import webster
from invsched.testing._division import DivisionCase, division_cases, uids, vote_maps


def _shuffled(mapping: dict[str, int], seed: int) -> dict[str, int]:
    items = list(mapping.items())
    random.Random(seed).shuffle(items)
    return dict(items)


@given(seats=st.integers(0, 200), votes=vote_maps(min_size=1, max_size=8), uid=uids())
def test_webster_hands_out_every_seat(seats: int, votes: dict[str, int], uid: str | None) -> None:
    assert sum(webster(seats, votes, uid=uid).values()) == seats


@given(
    seats=st.integers(0, 200),
    votes=vote_maps(min_size=1, max_size=8),
    initial=vote_maps(max_size=3, max_votes=20),
    uid=uids(),
)
def test_webster_is_house_monotone(
    seats: int, votes: dict[str, int], initial: dict[str, int], uid: str | None
) -> None:
    before = webster(seats, votes, initial=initial, uid=uid)
    after = webster(seats + 1, votes, initial=initial, uid=uid)
    changes = {name: after[name] - before[name] for name in after if after[name] != before[name]}
    assert list(changes.values()) == [1]


@given(seats=st.integers(0, 200), votes=vote_maps(min_size=1, max_size=8), uid=uids())
def test_webster_never_exceeds_votes_when_seats_fit(
    seats: int, votes: dict[str, int], uid: str | None
) -> None:
    seats = min(seats, sum(votes.values()))
    result = webster(seats, votes, uid=uid)
    assert all(result[name] <= votes[name] for name in votes)


@given(replicas=st.integers(0, 200), weights=vote_maps(min_size=1, max_size=8), uid=uids())
def test_static_division_places_every_replica(
    replicas: int, weights: dict[str, int], uid: str | None
) -> None:
    result = divide_static(replicas, weights, uid=uid)
    assert sum(result.values()) == replicas
    assert all(count > 0 for count in result.values())


@given(case=division_cases(), aggregated=st.booleans(), fresh=st.booleans())
def test_dynamic_division_places_every_replica(
    case: DivisionCase, aggregated: bool, fresh: bool
) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    available = case.available_map()
    previous = case.previous_map()
    # Fresh mode splits by capacity plus previous: feasible whenever Steady mode is.
    result = divide(case.replicas, available, previous=previous, uid=case.uid, fresh=fresh)
    assert sum(result.values()) == case.replicas
    assert set(result) <= set(available)


@given(case=division_cases(), aggregated=st.booleans())
def test_new_replicas_never_exceed_free_capacity(case: DivisionCase, aggregated: bool) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    available = case.available_map()
    kept = {n: c for n, c in case.previous_map().items() if n in available}
    result = divide(case.replicas, available, previous=kept, uid=case.uid)
    if case.replicas > case.assigned:
        for name, count in result.items():
            assert count - kept.get(name, 0) <= available[name]
            assert count >= kept.get(name, 0)  # scale-up never moves a previous replica


@given(case=division_cases(), aggregated=st.booleans())
def test_fresh_never_exceeds_capacity_plus_previous(case: DivisionCase, aggregated: bool) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    available = case.available_map()
    previous = case.previous_map()
    result = divide(case.replicas, available, previous=previous, uid=case.uid, fresh=True)
    for name, count in result.items():
        assert count <= available[name] + previous.get(name, 0)


@given(case=division_cases(), aggregated=st.booleans())
def test_no_cluster_grows_on_scale_down(case: DivisionCase, aggregated: bool) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    available = case.available_map()
    previous = case.previous_map()
    result = divide(case.replicas, available, previous=previous, uid=case.uid)
    if case.replicas <= case.assigned:
        for name, count in result.items():
            assert count <= previous[name]


@given(
    case=division_cases(max_capacity=10),
    extra=st.integers(1, 50),
    aggregated=st.booleans(),
)
def test_partial_division_reports_the_shortfall(
    case: DivisionCase, extra: int, aggregated: bool
) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    available = case.available_map()
    replicas = case.assigned + sum(available.values()) + extra
    result = divide(replicas, available, previous=case.previous_map(), allow_partial=True)
    assert result.placed + result.unplaced == replicas
    assert result.unplaced == extra


@given(case=division_cases(), aggregated=st.booleans(), fresh=st.booleans(), seed=st.integers())
def test_division_ignores_input_order(
    case: DivisionCase, aggregated: bool, fresh: bool, seed: int
) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    available = case.available_map()
    previous = case.previous_map()
    expected = divide(case.replicas, available, previous=previous, uid=case.uid, fresh=fresh)
    got = divide(
        case.replicas,
        _shuffled(available, seed),
        previous=_shuffled(previous, seed + 1),
        uid=case.uid,
        fresh=fresh,
    )
    assert got == expected
    assert list(got) == list(expected)


@given(
    seats=st.integers(0, 100),
    votes=vote_maps(max_size=8),
    initial=vote_maps(max_size=3, max_votes=9),
    uid=uids(),
    seed=st.integers(),
)
def test_webster_and_static_ignore_input_order(
    seats: int, votes: dict[str, int], initial: dict[str, int], uid: str | None, seed: int
) -> None:
    assert webster(seats, _shuffled(votes, seed), initial=_shuffled(initial, seed), uid=uid) == (
        webster(seats, votes, initial=initial, uid=uid)
    )
    if votes:
        assert divide_static(seats, _shuffled(votes, seed), uid=uid) == divide_static(
            seats, votes, uid=uid
        )


@given(case=division_cases(), aggregated=st.booleans(), fresh=st.booleans())
def test_division_leaves_inputs_unchanged(
    case: DivisionCase, aggregated: bool, fresh: bool
) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    available = case.available_map()
    previous = case.previous_map()
    divide(case.replicas, available, previous=previous, uid=case.uid, fresh=fresh)
    assert available == case.available_map()
    assert previous == case.previous_map()
    assert list(available) == [name for name, _ in case.available]
