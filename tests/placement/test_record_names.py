"""Per-cluster counts read as ``per_cluster``; a bare ``replicas`` is one count."""

from __future__ import annotations

from invsched.frozenmap import FrozenMap
from invsched.placement import Division, Placement, divide_dynamic


def test_placement_per_cluster_is_the_replicas_mapping_and_placed_its_sum() -> None:
    placement = Placement(replicas={"c2": 1, "c1": 3}, unplaced=2)
    assert placement.per_cluster is placement.replicas
    assert placement.per_cluster == FrozenMap({"c1": 3, "c2": 1})
    assert placement.placed == 4


def test_division_per_cluster_matches_its_pairs() -> None:
    division = divide_dynamic(5, {"b": 10, "a": 10}, uid="u")
    assert isinstance(division, Division)
    assert division.per_cluster == FrozenMap(dict(division.replicas))
    assert tuple(division.per_cluster.items()) == division.replicas
    assert division.placed == sum(division.per_cluster.values()) == 5
