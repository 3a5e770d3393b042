"""Webster apportionment: the fast divisor-and-heap method against the plain sequential loop."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from invsched.errors import InvalidRequest
from invsched.placement.webster import fnv32a, webster
from invsched.testing._division import uids, vote_maps


def sequential_webster(
    seats: int,
    votes: dict[str, int],
    initial: dict[str, int] | None = None,
    uid: str | None = None,
) -> dict[str, int]:
    """Karmada's AllocateWebsterSeats, one seat at a time, with exact priorities."""
    initial = initial or {}
    held = {name: initial.get(name, 0) for name in votes.keys() | initial.keys()}
    if not held:
        return {}
    descending = uid is not None and uid != "" and fnv32a(uid) % 2 == 1

    def beats(name: str, other: str) -> bool:
        mine = Fraction(votes.get(name, 0), 2 * held[name] + 1)
        theirs = Fraction(votes.get(other, 0), 2 * held[other] + 1)
        if mine != theirs:
            return mine > theirs
        if held[name] != held[other]:
            return held[name] < held[other]
        return name > other if descending else name < other

    for _ in range(seats):
        best = next(iter(held))
        for name in held:
            if beats(name, best):
                best = name
        held[best] += 1
    return {name: held[name] for name in sorted(held)}


@given(
    seats=st.integers(0, 60),
    votes=vote_maps(max_size=7, max_votes=60),
    initial=vote_maps(max_size=4, max_votes=8),
    uid=uids(),
)
@example(seats=8, votes={"A": 100000, "B": 80000, "C": 30000, "D": 20000}, initial={}, uid=None)
@example(seats=5, votes={"a": 0, "b": 0, "c": 0}, initial={"a": 3}, uid="x")
@example(seats=7, votes={"a": 2, "b": 0}, initial={"a": 9, "b": 1}, uid=None)
def test_fast_webster_equals_the_sequential_loop(
    seats: int, votes: dict[str, int], initial: dict[str, int], uid: str | None
) -> None:
    assert webster(seats, votes, initial=initial, uid=uid) == sequential_webster(
        seats, votes, initial, uid
    )


@given(
    seats=st.integers(0, 40),
    votes=vote_maps(max_size=5, max_votes=10**40),
    uid=uids(),
)
def test_exact_comparison_beyond_float_precision(
    seats: int, votes: dict[str, int], uid: str | None
) -> None:
    assert webster(seats, votes, uid=uid) == sequential_webster(seats, votes, None, uid)


def test_votes_that_floats_cannot_tell_apart() -> None:
    # 2**60 + 1 and 2**60 are the same float; exact comparison still gives b the first seat.
    votes = {"a": 2**60, "b": 2**60 + 1}
    assert webster(1, votes) == {"a": 0, "b": 1}
    assert webster(1, votes, uid="d43fdeeb-d750-4e2b-bee3-64eb94534f4c") == {"a": 0, "b": 1}


def test_many_seats_over_few_parties() -> None:
    assert webster(10**12, {"a": 1, "b": 2, "c": 3}) == {
        "a": 166666666667,
        "b": 333333333333,
        "c": 500000000000,
    }


def test_initial_seats_above_the_fair_share_are_kept() -> None:
    assert webster(2, {"a": 1, "b": 1}, initial={"a": 10}) == {"a": 10, "b": 2}


def test_zero_votes_deal_round_robin_by_seats_then_name() -> None:
    # a and c rise to b's 2 seats first, then the last seat goes by name.
    assert webster(5, {"a": 0, "b": 0, "c": 0}, initial={"b": 2}) == {"a": 3, "b": 2, "c": 2}
    assert webster(5, {"a": 0, "b": 0, "c": 0}, initial={"b": 2}, uid="x") == {
        "a": 2,
        "b": 2,
        "c": 3,
    }


def test_zero_vote_parties_get_nothing_while_another_has_votes() -> None:
    assert webster(4, {"a": 0, "b": 1}) == {"a": 0, "b": 4}


def test_no_party_means_no_seat() -> None:
    assert webster(3, {}) == {}
    assert webster(3, {}, initial={}) == {}


def test_inputs_are_not_mutated() -> None:
    votes = {"b": 2, "a": 1}
    initial = {"a": 1}
    webster(5, votes, initial=initial)
    assert votes == {"b": 2, "a": 1}
    assert initial == {"a": 1}


def test_empty_uid_keeps_ascending_names() -> None:
    assert webster(1, {"a": 1, "b": 1}, uid="") == {"a": 1, "b": 0}


def test_fnv32a_matches_go_hash_fnv() -> None:
    assert fnv32a("") == 0x811C9DC5
    assert fnv32a("foobar") == 0xBF9CF968


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seats": -1, "votes": {}}, "seats: must be ≥ 0, got -1"),
        ({"seats": 1.0, "votes": {}}, "seats: expected an int, got float 1.0"),
        ({"seats": True, "votes": {}}, "seats: expected an int, got bool True"),
        ({"seats": 1, "votes": {"a": -2}}, "votes['a']: must be ≥ 0, got -2"),
        ({"seats": 1, "votes": {"a": "3"}}, "votes['a']: expected an int, got str '3'"),
        ({"seats": 1, "votes": {3: 1}}, "votes key: expected a non-empty string, got 3"),
        ({"seats": 1, "votes": [("a", 1)]}, "votes: expected a mapping, got list [('a', 1)]"),
        (
            {"seats": 1, "votes": {"a": 1}, "initial": {"a": -1}},
            "initial['a']: must be ≥ 0, got -1",
        ),
        ({"seats": 1, "votes": {"a": 1}, "uid": 7}, "uid: expected a string, got int 7"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        webster(**kwargs)  # type: ignore[arg-type]
    assert str(caught.value) == message
