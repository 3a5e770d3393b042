"""Static, dynamic and aggregated division: the Steady/Fresh cases, partial placement, errors."""

from __future__ import annotations

import pickle

import pytest

from invsched.errors import InsufficientReplicas, InvalidRequest
from invsched.placement.divide import (
    Division,
    divide_aggregated,
    divide_dynamic,
    divide_static,
)


class TestStatic:
    def test_zero_weight_clusters_take_no_part(self) -> None:
        assert divide_static(5, {"a": 1, "b": 0, "c": 1}) == {"a": 3, "c": 2}

    def test_all_zero_weights_mean_equal_weights(self) -> None:
        assert divide_static(5, {"a": 0, "b": 0}) == {"a": 3, "b": 2}

    def test_uid_flips_the_name_tie_break(self) -> None:
        assert divide_static(1, {"a": 1, "b": 1}, uid="x") == {"b": 1}

    def test_no_cluster_with_replicas_is_invalid(self) -> None:
        with pytest.raises(InvalidRequest) as caught:
            divide_static(3, {})
        assert str(caught.value) == "weights: no cluster to divide 3 replicas over"

    def test_nothing_to_divide_over_nothing(self) -> None:
        assert divide_static(0, {}) == {}

    def test_result_lists_names_ascending(self) -> None:
        assert list(divide_static(6, {"c": 1, "a": 1, "b": 1})) == ["a", "b", "c"]


class TestDynamicSteady:
    def test_first_schedule_splits_by_free_capacity(self) -> None:
        assert divide_dynamic(10, {"a": 10, "b": 30}) == {"a": 3, "b": 7}

    def test_scale_up_keeps_previous_and_splits_the_extra_by_free_capacity(self) -> None:
        # A cluster running many replicas already has less free capacity: fewer new ones.
        result = divide_dynamic(14, {"a": 2, "b": 6}, previous={"a": 6, "b": 0})
        assert result == {"a": 8, "b": 6}

    def test_scale_down_splits_by_previous_and_ignores_capacity(self) -> None:
        result = divide_dynamic(6, {"a": 0, "b": 0, "c": 0}, previous={"a": 2, "b": 4, "c": 6})
        assert result == {"a": 1, "b": 2, "c": 3}

    def test_equal_total_is_unchanged_even_if_capacity_moved(self) -> None:
        previous = {"a": 5, "b": 1}
        assert divide_dynamic(6, {"a": 0, "b": 100}, previous=previous) == previous

    def test_lost_clusters_are_dropped_and_their_replicas_replaced(self) -> None:
        # "gone" is not a candidate any more: its 4 replicas count as a scale-up.
        result = divide_dynamic(6, {"a": 4, "b": 4}, previous={"a": 2, "gone": 4})
        assert result == {"a": 4, "b": 2}

    def test_scale_down_only_counts_candidates(self) -> None:
        # Karmada #7109: previous clusters that left do not shape the scale-down.
        result = divide_dynamic(2, {"a": 0, "b": 0}, previous={"a": 2, "b": 2, "gone": 8})
        assert result == {"a": 1, "b": 1}

    def test_zero_previous_entries_are_ignored(self) -> None:
        assert divide_dynamic(2, {"a": 1, "b": 1}, previous={"a": 0}) == {"a": 1, "b": 1}

    def test_scale_to_zero(self) -> None:
        assert divide_dynamic(0, {"a": 3}, previous={"a": 3}) == {}


class TestDynamicFresh:
    def test_fresh_recomputes_from_capacity_plus_previous(self) -> None:
        result = divide_dynamic(8, {"a": 0, "b": 8}, previous={"a": 8}, fresh=True)
        assert result == {"a": 4, "b": 4}

    def test_fresh_with_equal_total_still_recomputes(self) -> None:
        result = divide_dynamic(4, {"a": 0, "b": 4}, previous={"a": 4}, fresh=True)
        assert result == {"a": 2, "b": 2}

    def test_fresh_short_of_capacity_raises(self) -> None:
        with pytest.raises(InsufficientReplicas) as caught:
            divide_dynamic(9, {"a": 1}, previous={"a": 2}, fresh=True)
        assert (caught.value.available, caught.value.requested) == (3, 9)


class TestPartial:
    def test_partial_places_what_fits_and_reports_the_rest(self) -> None:
        result = divide_dynamic(10, {"a": 2, "b": 3}, previous={"a": 1}, allow_partial=True)
        assert result == Division(replicas={"a": 3, "b": 3}, unplaced=4)
        assert dict(result) == {"a": 3, "b": 3}
        assert result.placed == 6

    def test_partial_when_everything_fits_is_the_plain_result(self) -> None:
        result = divide_dynamic(4, {"a": 2, "b": 2}, allow_partial=True)
        assert dict(result) == divide_dynamic(4, {"a": 2, "b": 2})
        assert result.unplaced == 0

    def test_partial_equal_total(self) -> None:
        result = divide_aggregated(3, {"a": 0}, previous={"a": 3}, allow_partial=True)
        assert result == Division(replicas={"a": 3}, unplaced=0)

    def test_partial_aggregated_uses_every_cluster(self) -> None:
        result = divide_aggregated(10, {"a": 2, "b": 3, "c": 0}, allow_partial=True)
        assert (dict(result), result.unplaced) == ({"a": 2, "b": 3}, 5)

    def test_division_is_a_hashable_picklable_mapping(self) -> None:
        division = Division(replicas={"b": 2, "a": 1}, unplaced=0)
        assert list(division) == ["a", "b"]
        assert division["b"] == 2
        assert len(division) == 2
        assert hash(division) == hash(Division(replicas={"a": 1, "b": 2}, unplaced=0))
        assert pickle.loads(pickle.dumps(division)) == division
        with pytest.raises(KeyError):
            division["c"]

    def test_division_validates(self) -> None:
        with pytest.raises(InvalidRequest, match=r"^Division.unplaced: must be ≥ 0, got -1$"):
            Division(replicas={}, unplaced=-1)
        with pytest.raises(
            InvalidRequest, match=r"^Division.replicas\['a'\]: expected an int, got float 1.5$"
        ):
            Division(replicas={"a": 1.5}, unplaced=0)  # type: ignore[dict-item]


class TestAggregated:
    def test_first_schedule_fills_the_largest_clusters(self) -> None:
        assert divide_aggregated(12, {"a": 6, "b": 8, "c": 10}) == {"b": 5, "c": 7}

    def test_equal_capacity_prefers_names_ascending(self) -> None:
        assert divide_aggregated(5, {"c": 5, "b": 5, "a": 5}) == {"a": 5}

    def test_scale_up_prefers_clusters_already_used(self) -> None:
        assert divide_aggregated(4, {"a": 3, "big": 50}, previous={"a": 1}) == {"a": 4}
        # Once a new cluster is needed, the extra replicas split by weight within the prefix.
        assert divide_aggregated(10, {"a": 3, "big": 50}, previous={"a": 2}) == {"a": 2, "big": 8}

    def test_scale_up_adds_the_fewest_clusters_for_the_extra(self) -> None:
        # Not a global re-pack: the 20-free cluster stays unused.
        result = divide_aggregated(24, {"m1": 6, "m2": 6, "m3": 20}, previous={"m1": 4, "m2": 8})
        assert result == {"m1": 10, "m2": 14}

    def test_scale_down_keeps_the_largest_previous(self) -> None:
        result = divide_aggregated(10, {"a": 0, "b": 0}, previous={"a": 4, "b": 8})
        assert result == {"a": 3, "b": 7}
        assert divide_aggregated(6, {"a": 0, "b": 0}, previous={"a": 4, "b": 8}) == {"b": 6}

    def test_fresh_packs_by_capacity_plus_previous(self) -> None:
        result = divide_aggregated(5, {"a": 1, "b": 6}, previous={"a": 4}, fresh=True)
        assert result == {"b": 5}

    def test_short_of_capacity_raises(self) -> None:
        with pytest.raises(InsufficientReplicas, match="Clusters available replicas 3 are not"):
            divide_aggregated(4, {"a": 1, "b": 2})


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: divide_dynamic(-1, {}), "replicas: must be ≥ 0, got -1"),
        (
            lambda: divide_dynamic(1, {"a": 1.5}),  # type: ignore[dict-item]
            "available['a']: expected an int, got float 1.5",
        ),
        (
            lambda: divide_dynamic(1, {"a": 1}, previous={"a": -3}),
            "previous['a']: must be ≥ 0, got -3",
        ),
        (
            lambda: divide_dynamic(1, {"a": 1}, fresh=1),  # type: ignore[arg-type]
            "fresh: expected a bool, got 1",
        ),
        (
            lambda: divide_aggregated(1, {"a": 1}, allow_partial="yes"),  # type: ignore[arg-type]
            "allow_partial: expected a bool, got 'yes'",
        ),
        (lambda: divide_static(True, {"a": 1}), "replicas: expected an int, got bool True"),
        (lambda: divide_static(1, {"a": -1}), "weights['a']: must be ≥ 0, got -1"),
        (
            lambda: divide_static(1, {"a": 1}, uid=b"x"),  # type: ignore[arg-type]
            "uid: expected a string, got bytes b'x'",
        ),
    ],
)
def test_bad_input_names_the_field(call: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == message


def test_inputs_are_not_mutated() -> None:
    available = {"b": 3, "a": 1}
    previous = {"a": 1, "gone": 2}
    divide_dynamic(5, available, previous=previous)
    divide_aggregated(5, available, previous=previous, fresh=True)
    assert available == {"b": 3, "a": 1}
    assert previous == {"a": 1, "gone": 2}


def test_every_divide_returns_a_division_that_reads_as_a_dict() -> None:
    for result in (
        divide_static(3, {"a": 1, "b": 2}),
        divide_dynamic(3, {"a": 1, "b": 2}),
        divide_aggregated(3, {"a": 1, "b": 2}),
    ):
        assert isinstance(result, Division)
        assert result.unplaced == 0
        assert result == dict(result)
        assert dict(result) == result
        assert sorted(result) == list(result)
