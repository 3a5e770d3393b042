"""Fleet records: validation messages, hashing, the packaged catalog."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources

import attrs
import pytest

from invsched.errors import InvalidFleet, InvalidRequest
from invsched.placement import (
    Cluster,
    Fleet,
    FrozenMap,
    InstanceType,
    Node,
    NodePool,
    load_catalog,
)
from invsched.resources import Resources

A10 = "ecs.gn7i-c8g1.2xlarge"


def a10(price: Decimal | None = Decimal("9.74")) -> InstanceType:
    return InstanceType(
        name=A10,
        allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
        gpu_model="NVIDIA A10",
        hourly_price=price,
        gpu_memory=24 * 2**30,
    )


def test_frozen_map_is_sorted_hashable_and_equal_to_dicts() -> None:
    first = FrozenMap({"b": 2, "a": 1})
    assert list(first.items()) == [("a", 1), ("b", 2)]
    assert first == {"a": 1, "b": 2}
    assert hash(first) == hash(FrozenMap([("a", 1), ("b", 2)]))
    assert len({first, FrozenMap({"a": 1, "b": 2})}) == 1
    with pytest.raises(KeyError):
        first["c"]


def test_frozen_map_with_unorderable_keys_is_a_typed_error() -> None:
    with pytest.raises(InvalidRequest) as caught:
        FrozenMap({1: "a", "b": "c"})
    assert str(caught.value) == "keys: must be mutually comparable, got int, str"


def test_records_are_hashable_and_convert_sequences() -> None:
    pool = NodePool(name="gpu", instance_types=[A10], max_nodes=4)
    cluster = Cluster(name="c", region="r", labels={"env": "prod"}, pools=[pool])
    assert pool.instance_types == (A10,)
    assert isinstance(cluster.labels, FrozenMap)
    fleet = Fleet(clusters=[cluster], inventory={"r": {A10: 3}}, catalog=[a10()])
    assert hash(fleet) == hash(
        Fleet(clusters=(cluster,), inventory={"r": {A10: 3}}, catalog=(a10(),))
    )
    assert attrs.evolve(pool, current_nodes=1).headroom == 3


def test_pool_max_below_current_names_pool_field_and_values() -> None:
    with pytest.raises(InvalidFleet) as caught:
        NodePool(name="gpu", instance_types=[A10], current_nodes=3, max_nodes=2)
    assert str(caught.value) == "gpu.max_nodes: must be ≥ current_nodes 3, got 2"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: NodePool(name="gpu", instance_types=[A10], max_nodes=True),
            "gpu.max_nodes: must be an int ≥ 0, got True",
        ),
        (
            lambda: NodePool(name="gpu", instance_types=[A10, A10], max_nodes=1),
            "gpu.instance_types: names must be unique",
        ),
        (
            lambda: NodePool(name="gpu", instance_types=[A10], autoscaling=1),  # type: ignore[arg-type]
            "gpu.autoscaling: must be a bool, got 1",
        ),
        (
            lambda: Node(name="n", allocatable=Resources({"cpu": -1})),
            "n.allocatable.cpu: must be ≥ 0, got -1",
        ),
        (
            lambda: Node(name="n", allocatable=Resources(), pods=1.0),  # type: ignore[arg-type]
            "n.pods: must be an int ≥ 0, got 1.0",
        ),
        (
            lambda: Node(name="", allocatable=Resources()),
            "Node.name: must be a non-empty string, got ''",
        ),
        (
            lambda: a10(Decimal("-1")),
            f"{A10}.hourly_price: must be a finite Decimal ≥ 0, got Decimal('-1')",
        ),
        (
            lambda: a10(1.5),  # type: ignore[arg-type]
            f"{A10}.hourly_price: must be a finite Decimal ≥ 0, got 1.5",
        ),
        (
            lambda: Cluster(
                name="c", region="r", nodes=[Node(name="n", allocatable=Resources(), pool="x")]
            ),
            "c.nodes[0].pool: unknown pool 'x'",
        ),
        (
            lambda: Cluster(
                name="c",
                region="r",
                nodes=[
                    Node(name="n", allocatable=Resources()),
                    Node(name="n", allocatable=Resources()),
                ],
            ),
            "c.nodes[1].name: duplicate 'n'",
        ),
    ],
)
def test_record_errors_name_the_field_the_rule_and_the_value(build: object, message: str) -> None:
    with pytest.raises(InvalidFleet) as caught:
        build()  # type: ignore[operator]
    assert str(caught.value) == message


def test_fleet_errors_name_the_path_from_the_fleet() -> None:
    good = Cluster(
        name="c0", region="r", pools=[NodePool(name="p", instance_types=[A10], max_nodes=1)]
    )
    bad = Cluster(
        name="c1", region="r", pools=[NodePool(name="p", instance_types=["nope"], max_nodes=1)]
    )
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[good, bad], catalog=[a10()])
    assert (
        str(caught.value) == "clusters[1].pools[0].instance_types[0]: unknown instance type 'nope'"
    )
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[good], catalog=[a10(None)])
    assert str(caught.value) == (
        f"clusters[0].pools[0].instance_types[0]: instance type '{A10}' has no hourly_price, "
        "which an autoscaling pool needs"
    )
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[good, good], catalog=[a10()])
    assert str(caught.value) == "clusters[1].name: duplicate 'c0'"
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[], inventory={"r": {A10: -2}})
    assert str(caught.value) == f"inventory['r']['{A10}']: must be an int ≥ 0, got -2"
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[], catalog=[a10(), a10()])
    assert str(caught.value) == "catalog[1].name: duplicate 'ecs.gn7i-c8g1.2xlarge'"


def test_a_pool_without_autoscaling_needs_no_price() -> None:
    pool = NodePool(name="p", instance_types=[A10], max_nodes=1, autoscaling=False)
    fleet = Fleet(clusters=[Cluster(name="c", region="r", pools=[pool])], catalog=[a10(None)])
    assert fleet.instance_type(A10).hourly_price is None


def test_lookups() -> None:
    fleet = Fleet(
        clusters=[Cluster(name="c", region="r")], inventory={"r": {A10: 2}}, catalog=[a10()]
    )
    assert fleet.cluster("c").region == "r"
    assert fleet.stock("r", A10) == 2
    assert fleet.stock("r", "other") == 0
    assert fleet.stock("nowhere", A10) == 0
    with pytest.raises(InvalidFleet) as caught:
        fleet.instance_type("x")
    assert str(caught.value) == "catalog: unknown instance type 'x'"
    with pytest.raises(InvalidFleet) as caught:
        fleet.cluster("x")
    assert str(caught.value) == "clusters: unknown cluster 'x'"


def test_catalog_ships_in_the_package_with_its_source() -> None:
    data = resources.files("invsched.placement.data")
    assert data.joinpath("alibaba_gpu_instance_types.csv").is_file()
    assert "Alibaba Cloud ECS documentation" in data.joinpath("README.md").read_text("utf-8")


def test_load_catalog_reads_every_row_with_exact_units() -> None:
    catalog = load_catalog({A10: Decimal("9.74")})
    assert len(catalog) == 78
    assert [t.name for t in catalog] == sorted(t.name for t in catalog)
    entry = next(t for t in catalog if t.name == A10)
    assert entry == a10()
    quad = next(t for t in catalog if t.name == "ecs.gn7i-4x.8xlarge")
    assert (quad.gpu_count, quad.allocatable["cpu"], quad.hourly_price) == (4, 32000, None)
    unknown_model = next(t for t in catalog if t.name == "ecs.gn8v.4xlarge")
    assert (unknown_model.gpu_model, unknown_model.gpu_memory) == ("", 96 * 2**30)


def test_load_catalog_rejects_prices_for_unknown_types() -> None:
    with pytest.raises(InvalidFleet) as caught:
        load_catalog({"ecs.nope": Decimal(1)})
    assert str(caught.value) == "prices['ecs.nope']: unknown instance type, not in the catalog"
