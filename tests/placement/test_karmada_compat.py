"""Karmada's own division unit tests, case by case, against invsched.

Each parameter id names the upstream file, test function and case name.

* ``pkg/util/helper/webstermethod_test.go`` (``TestAllocateWebsterSeats``,
  ``ExampleAllocateWebsterSeats``, revision ``f3c4376``, whose ties go to fewer seats before
  names): inputs and expectations verbatim.
  Its custom tie-breakers map onto ``uid``: "a.Name < b.Name" is the ascending default,
  "a.Name > b.Name" is a UID whose FNV-32a hash is odd.
* ``pkg/scheduler/core/assignment_test.go`` (``Test_assignByStaticWeightStrategy``,
  ``Test_dynamicScale``, ``Test_dynamicScaleUp``, revision ``0372cab``) and
  ``pkg/scheduler/core/division_algorithm_test.go`` (``Test_divideReplicasByPreference``,
  ``Test_dispenser_takeByWeight``) keep their case names and inputs since v1.16; where Webster
  changed the expected split, the case states the v1.16 value and the legacy (≤ v1.15) value
  in a comment. Karmada lists zero entries that ``AssignReplicas`` later drops; invsched drops
  them at once.
"""

from __future__ import annotations

import pytest

from invsched.errors import InsufficientReplicas
from invsched.placement.divide import divide_aggregated, divide_dynamic, divide_static
from invsched.placement.webster import fnv32a, webster

EVEN_UID = "4858ca61-3ff8-4095-8267-f3d059d8074c"
ODD_UID = "d43fdeeb-d750-4e2b-bee3-64eb94534f4c"

WIKIPEDIA = {"PartyA": 100000, "PartyB": 80000, "PartyC": 30000, "PartyD": 20000}
TEST_ALLOCATE = "webstermethod_test.go TestAllocateWebsterSeats"


def _classic(round_: int, a: int, b: int, c: int, d: int) -> object:
    return pytest.param(
        round_,
        WIKIPEDIA,
        None,
        None,
        {"PartyA": a, "PartyB": b, "PartyC": c, "PartyD": d},
        id=f"{TEST_ALLOCATE}/classic example, round {round_}",
    )


WEBSTER_CASES = [
    pytest.param(
        4,
        {"Alpha": 1200, "Beta": 900, "Gamma": 400},
        None,
        None,
        {"Alpha": 2, "Beta": 1, "Gamma": 1},
        id="webstermethod_test.go ExampleAllocateWebsterSeats",
    ),
    _classic(1, 1, 0, 0, 0),
    _classic(2, 1, 1, 0, 0),
    _classic(3, 2, 1, 0, 0),
    _classic(4, 2, 1, 1, 0),
    _classic(5, 2, 2, 1, 0),
    # Priorities tie at 20000 (A 100000/5, D 20000/1): the party with fewer seats wins.
    _classic(6, 2, 2, 1, 1),
    _classic(7, 3, 2, 1, 1),
    _classic(8, 3, 3, 1, 1),
    pytest.param(1, {}, None, None, {}, id=f"{TEST_ALLOCATE}/empty party votes, expect nil result"),
    pytest.param(
        0,
        {"PartyA": 100, "PartyB": 200},
        None,
        None,
        {"PartyA": 0, "PartyB": 0},
        id=f"{TEST_ALLOCATE}/party votes not empty, newSeats is 0, expect all seats 0",
    ),
    pytest.param(
        0,
        {},
        None,
        None,
        {},
        id=f"{TEST_ALLOCATE}/both party votes and newSeats are 0, expect nil result",
    ),
    pytest.param(
        1,
        {"PartyA": 3, "PartyB": 1},
        {"PartyA": 1, "PartyB": 0},
        None,
        {"PartyA": 1, "PartyB": 1},
        id=f"{TEST_ALLOCATE}/tie-breaker is nil, expect break tie by seats",
    ),
    # An earlier revision (296ffda) of the same test, still true of the final rule: with zero
    # votes every priority is 0, so the party with fewer seats gets the seat.
    pytest.param(
        1,
        {"PartyA": 0, "PartyB": 0},
        {"PartyA": 2, "PartyB": 1},
        None,
        {"PartyA": 2, "PartyB": 2},
        id=f"{TEST_ALLOCATE}@296ffda/tie-breaker is nil, expect break tie by seats",
    ),
    pytest.param(
        1,
        {"PartyA": 1, "PartyB": 2},
        None,
        None,
        {"PartyA": 0, "PartyB": 1},
        id=f"{TEST_ALLOCATE}@296ffda/tie-breaker is nil, expect break tie by votes",
    ),
    pytest.param(
        1,
        {"PartyA": 1, "PartyB": 1},
        None,
        None,
        {"PartyA": 1, "PartyB": 0},
        id=f"{TEST_ALLOCATE}/tie-breaker is nil, expect break tie by name",
    ),
    pytest.param(
        1,
        {"PartyA": 1, "PartyB": 1},
        None,
        EVEN_UID,
        {"PartyA": 1, "PartyB": 0},
        id=f"{TEST_ALLOCATE}/custom tie-breaker returns true,"
        " expect custom tie-breaker controls seat",
    ),
    pytest.param(
        1,
        {"PartyA": 1, "PartyB": 1},
        None,
        ODD_UID,
        {"PartyA": 0, "PartyB": 1},
        id=f"{TEST_ALLOCATE}/custom tie-breaker returns false,"
        " expect custom tie-breaker controls seat",
    ),
    pytest.param(
        2,
        {"NewParty1": 1, "NewParty2": 1},
        {"OldParty": 0},
        None,
        {"NewParty1": 1, "NewParty2": 1, "OldParty": 0},
        id=f"{TEST_ALLOCATE}/non-initial allocation, new party joins,"
        " only new party gets new seats",
    ),
    pytest.param(
        2,
        {"OldParty": 1, "NewParty": 1},
        {"OldParty": 1},
        None,
        {"NewParty": 2, "OldParty": 1},
        id=f"{TEST_ALLOCATE}/non-initial allocation, both new and old parties"
        " compete for new seats",
    ),
    pytest.param(
        2,
        {"PartyA": 100},
        {"PartyB": 3},
        None,
        {"PartyA": 2, "PartyB": 3},
        id=f"{TEST_ALLOCATE}/non-initial allocation, initialAssignments party not in partyVotes,"
        " expect no new seats for that party",
    ),
    # Dispenser with an initial result: the initial seats count in the divisor since v1.16.
    pytest.param(
        6,
        {"A": 1, "B": 2, "C": 3},
        {"A": 1, "B": 2, "C": 3},
        None,
        {"A": 2, "B": 4, "C": 6},
        id="division_algorithm_test.go Test_dispenser_takeByWeight/Scale up 6 replicas",
    ),
    pytest.param(
        3,
        {"A": 1, "B": 2, "C": 3},
        {"A": 1, "B": 2, "C": 3},
        None,
        # legacy (initial added after a floor split): A1 B3 C5
        {"A": 2, "B": 3, "C": 4},
        id="division_algorithm_test.go Test_dispenser_takeByWeight/Scale up 3 replicas",
    ),
    pytest.param(
        2,
        {"A": 1, "B": 2, "C": 3},
        {"A": 1, "B": 2, "C": 3},
        None,
        # legacy: A1 B2 C5
        {"A": 1, "B": 3, "C": 4},
        id="division_algorithm_test.go Test_dispenser_takeByWeight/Scale up 2 replicas",
    ),
]


@pytest.mark.parametrize(("seats", "votes", "initial", "uid", "expected"), WEBSTER_CASES)
def test_webster_matches_karmada(
    seats: int,
    votes: dict[str, int],
    initial: dict[str, int] | None,
    uid: str | None,
    expected: dict[str, int],
) -> None:
    result = webster(seats, votes, initial=initial, uid=uid)
    assert result == expected
    assert list(result) == sorted(expected)  # AllocateWebsterSeats sorts parties by name


def test_karmada_test_uids_have_the_documented_parity() -> None:
    # binding_test.go uses these two UIDs to pin both tie-break directions.
    assert fnv32a(EVEN_UID) % 2 == 0
    assert fnv32a(ODD_UID) % 2 == 1


STATIC = "assignment_test.go Test_assignByStaticWeightStrategy"
M1, M2, M3, M4 = "member1", "member2", "member3", "member4"

STATIC_CASES = [
    pytest.param(
        12, {M1: 3, M2: 2, M3: 1}, {M1: 6, M2: 4, M3: 2}, id=f"{STATIC}/replica 12, weight 3:2:1"
    ),
    pytest.param(
        12, {M1: 1, M2: 1, M3: 1}, {M1: 4, M2: 4, M3: 4}, id=f"{STATIC}/replica 12, default weight"
    ),
    pytest.param(
        14,
        {M1: 3, M2: 2, M3: 1},
        {M1: 7, M2: 5, M3: 2},  # legacy floor + remainder: 8/4/2
        id=f"{STATIC}/replica 14, weight 3:2:1",
    ),
    pytest.param(
        0,
        {M1: 1, M2: 1},
        {},
        id=f"{STATIC}/insufficient replica assignment should get 0 replica",
    ),
    pytest.param(
        2,
        {M1: 1, M2: 0},  # member2 matched no weight rule
        {M1: 2},
        id=f"{STATIC}/selected cluster without weight should be ignored",
    ),
    pytest.param(
        3,
        {M1: 2, M2: 1},  # member1 matches rules of weight 1 and 2: the maximum counts
        {M1: 2, M2: 1},
        id=f"{STATIC}/cluster with multiple weights",
    ),
    pytest.param(
        12,
        {M1: 0, M2: 0, M3: 0},  # getStaticWeightInfoList: no rule matched, every weight 1
        {M1: 4, M2: 4, M3: 4},
        id="division_algorithm.go getStaticWeightInfoList/weight sum 0 gives weight 1",
    ),
]


@pytest.mark.parametrize(("replicas", "weights", "expected"), STATIC_CASES)
def test_static_weight_matches_karmada(
    replicas: int, weights: dict[str, int], expected: dict[str, int]
) -> None:
    assert divide_static(replicas, weights) == expected


DYNAMIC = "assignment_test.go Test_dynamicScale"
SCALE_UP = "assignment_test.go Test_dynamicScaleUp"
PREFERENCE = "division_algorithm_test.go Test_divideReplicasByPreference"

# (aggregated, replicas, available, previous, expected or None for InsufficientReplicas)
DYNAMIC_CASES = [
    pytest.param(
        False,
        6,
        {M1: 1, M2: 1, M3: 1},
        {M1: 2, M2: 4, M3: 6},
        {M1: 1, M2: 2, M3: 3},
        id=f"{DYNAMIC}/replica 12 -> 6, dynamic weighted 1:1:1",
    ),
    pytest.param(
        False,
        24,
        {M1: 10, M2: 10, M3: 10},
        {M1: 2, M2: 4, M3: 6},
        {M1: 6, M2: 8, M3: 10},
        id=f"{DYNAMIC}/replica 12 -> 24, dynamic weighted 10:10:10",
    ),
    pytest.param(
        False,
        24,
        {M1: 1, M2: 1, M3: 1},
        {M1: 2, M2: 4, M3: 6},
        None,
        id=f"{DYNAMIC}/replica 12 -> 24, dynamic weighted 1:1:1",
    ),
    pytest.param(
        True,
        6,
        {M1: 1, M2: 1, M3: 1},
        {M1: 4, M2: 8},
        {M2: 6},
        id=f"{DYNAMIC}/replica 12 -> 6, aggregated 1:1:1",
    ),
    pytest.param(
        True,
        8,
        {M1: 100, M2: 100},
        {M1: 4, M2: 8},
        {M2: 8},
        id=f"{DYNAMIC}/replica 12 -> 8, aggregated 100:100",
    ),
    pytest.param(
        True,
        24,
        {M1: 4, M2: 6, M3: 8},
        {M1: 4, M2: 8},
        {M1: 7, M2: 12, M3: 5},  # legacy: 6/12/6
        id=f"{DYNAMIC}/replica 12 -> 24, aggregated 4:6:8",
    ),
    pytest.param(
        True,
        24,
        {M1: 6, M2: 6, M3: 20},
        {M1: 4, M2: 8},
        {M1: 10, M2: 14},
        id=f"{DYNAMIC}/replica 12 -> 24, aggregated 6:6:20",
    ),
    pytest.param(
        True,
        24,
        {M1: 1, M2: 1, M3: 1},
        {M1: 4, M2: 8},
        None,
        id=f"{DYNAMIC}/replica 12 -> 24, aggregated 1:1:1",
    ),
    pytest.param(
        True,
        24,
        {M1: 4, M3: 8, M4: 12},
        {M1: 4, M2: 8},
        {M1: 7, M3: 7, M4: 10},  # legacy: 7/6/11
        id=f"{DYNAMIC}/replica 12 -> 24, aggregated 4:8:12,"
        " with cluster2 disappeared and cluster4 appeared",
    ),
    pytest.param(
        False,
        12,
        {M1: 6, M2: 8, M3: 10},
        None,
        {M1: 3, M2: 4, M3: 5},
        id=f"{SCALE_UP}/replica 12, dynamic weight 6:8:10",
    ),
    pytest.param(
        False,
        12,
        {M1: 8, M2: 8, M3: 10},
        None,
        {M1: 4, M2: 4, M3: 4},  # legacy accepted 4/3/5 or 3/4/5
        id=f"{SCALE_UP}/replica 12, dynamic weight 8:8:10",
    ),
    pytest.param(
        False,
        12,
        {M1: 3, M2: 3, M3: 3},
        None,
        None,
        id=f"{SCALE_UP}/replica 12, dynamic weight 3:3:3",
    ),
    pytest.param(
        True,
        12,
        {M1: 6, M2: 8, M3: 10},
        None,
        {M2: 5, M3: 7},
        id=f"{SCALE_UP}/replica 12, aggregated 6:8:10",
    ),
    pytest.param(
        True,
        12,
        {M1: 12, M2: 8, M3: 10},
        None,
        {M1: 12},
        id=f"{SCALE_UP}/replica 12, aggregated 12:8:10",
    ),
    pytest.param(
        True,
        12,
        {M1: 3, M2: 3, M3: 3},
        None,
        None,
        id=f"{SCALE_UP}/replica 12, aggregated 3:3:3",
    ),
    pytest.param(
        False,
        12,
        {M1: 3, M2: 3},
        {M1: 6, M3: 6},
        {M1: 9, M2: 3},
        id=f"{SCALE_UP}/replica 12, dynamic weight 3:3, with cluster3 disappeared"
        " and cluster2 appeared",
    ),
    pytest.param(
        False,
        12,
        {M1: 18, M2: 12, M3: 6},
        None,
        {M1: 6, M2: 4, M3: 2},
        id=f"{PREFERENCE}/replica 12, dynamic weight 18:12:6",
    ),
    pytest.param(
        False,
        12,
        {M1: 20, M2: 12, M3: 6},
        None,
        {M1: 6, M2: 4, M3: 2},  # legacy: 7/4/1
        id=f"{PREFERENCE}/replica 12, dynamic weight 20:12:6",
    ),
    pytest.param(
        False,
        12,
        {M1: 6, M2: 12, M3: 6},
        None,
        {M1: 3, M2: 6, M3: 3},
        id=f"{PREFERENCE}/replica 12, dynamic weight 6:12:6",
    ),
    pytest.param(
        True,
        12,
        {M2: 12, M1: 6, M3: 6},
        None,
        {M2: 12},
        id=f"{PREFERENCE}/replica 12, aggregated 12:6:6",
    ),
    pytest.param(
        True,
        12,
        {M1: 6, M2: 6, M3: 6},
        None,
        {M1: 6, M2: 6},
        id=f"{PREFERENCE}/replica 12, aggregated 6:6:6",
    ),
]


@pytest.mark.parametrize(
    ("aggregated", "replicas", "available", "previous", "expected"), DYNAMIC_CASES
)
def test_dynamic_division_matches_karmada(
    aggregated: bool,
    replicas: int,
    available: dict[str, int],
    previous: dict[str, int] | None,
    expected: dict[str, int] | None,
) -> None:
    divide = divide_aggregated if aggregated else divide_dynamic
    if expected is None:
        with pytest.raises(InsufficientReplicas, match="are not enough to schedule"):
            divide(replicas, available, previous=previous)
    else:
        assert divide(replicas, available, previous=previous) == expected


def test_insufficient_capacity_message_is_karmadas() -> None:
    # division_algorithm.go dynamicDivideReplicas: the total of the weights split by.
    with pytest.raises(InsufficientReplicas) as caught:
        divide_dynamic(24, {M1: 1, M2: 1, M3: 1}, previous={M1: 2, M2: 4, M3: 6})
    assert str(caught.value) == "Clusters available replicas 3 are not enough to schedule."
    assert (caught.value.available, caught.value.requested) == (3, 12)


# Static weight walkthroughs of the Webster change (issue #6735 / PR #6793): Webster is
# house-monotone where the legacy split was not, and spreads remainders toward small weights.
WORKED = "PR #6793 static weight"


@pytest.mark.parametrize(
    ("replicas", "weights", "uid", "expected"),
    [
        pytest.param(
            13, {M1: 3, M2: 2, M3: 1}, None, {M1: 7, M2: 4, M3: 2}, id=f"{WORKED}/3:2:1 13"
        ),
        pytest.param(3, {M1: 1, M2: 1}, None, {M1: 2, M2: 1}, id=f"{WORKED}/1:1 3 empty uid"),
        pytest.param(3, {M1: 1, M2: 1}, ODD_UID, {M1: 1, M2: 2}, id=f"{WORKED}/1:1 3 odd uid"),
        pytest.param(
            7,
            {M1: 2, M2: 1, M3: 1, M4: 1},
            None,
            {M1: 3, M2: 2, M3: 1, M4: 1},
            id=f"{WORKED}/2:1:1:1 7",
        ),
        pytest.param(
            8,
            {M1: 2, M2: 1, M3: 1, M4: 1},
            None,
            {M1: 3, M2: 2, M3: 2, M4: 1},
            id=f"{WORKED}/2:1:1:1 8",
        ),
        pytest.param(
            9,
            {M1: 2, M2: 1, M3: 1, M4: 1},
            None,
            {M1: 3, M2: 2, M3: 2, M4: 2},
            id=f"{WORKED}/2:1:1:1 9",
        ),
        pytest.param(
            6,
            {M1: 1, M2: 1, M3: 1, M4: 1},
            None,
            {M1: 2, M2: 2, M3: 1, M4: 1},
            id=f"{WORKED}/1:1:1:1 6",
        ),
        pytest.param(
            5,
            {M1: 1, M2: 1, M3: 1, M4: 1},
            None,
            {M1: 2, M2: 1, M3: 1, M4: 1},
            id=f"{WORKED}/1:1:1:1 5",
        ),
        pytest.param(
            2, {"a": 2, "b": 1}, None, {"a": 1, "b": 1}, id="issue #6424/2 replicas at 2:1"
        ),
        pytest.param(
            5,
            {"southcentralus": 170, "westus": 110, "eastus2": 60},
            None,
            {"eastus2": 1, "southcentralus": 2, "westus": 2},
            id="issue #6735/170:110:60 with 5",
        ),
    ],
)
def test_static_weight_worked_examples(
    replicas: int, weights: dict[str, int], uid: str | None, expected: dict[str, int]
) -> None:
    assert divide_static(replicas, weights, uid=uid) == expected
