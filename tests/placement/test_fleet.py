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
    assert str(caught.value) == "FrozenMap: keys must be mutually comparable, got int, str"


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
    assert str(caught.value) == "NodePool.max_nodes: must be ≥ current_nodes 3, got 2"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: NodePool(name="gpu", instance_types=[A10], max_nodes=True),
            "NodePool.max_nodes: expected an int, got bool True",
        ),
        (
            lambda: NodePool(name="gpu", instance_types=[A10, A10], max_nodes=1),
            "NodePool.instance_types[1]: duplicate 'ecs.gn7i-c8g1.2xlarge'",
        ),
        (
            lambda: NodePool(name="gpu", instance_types=[A10], autoscaling=1),  # type: ignore[arg-type]
            "NodePool.autoscaling: expected a bool, got 1",
        ),
        (
            lambda: Node(name="n", allocatable=Resources({"cpu": -1})),
            "Node.allocatable.cpu: must be ≥ 0, got -1",
        ),
        (
            lambda: Node(name="n", allocatable=Resources(), pods=1.0),  # type: ignore[arg-type]
            "Node.pods: expected an int, got float 1.0",
        ),
        (
            lambda: Node(name="", allocatable=Resources()),
            "Node.name: expected a non-empty string, got ''",
        ),
        (
            lambda: a10(Decimal("-1")),
            "InstanceType.hourly_price: must not be negative, got Decimal('-1')",
        ),
        (
            lambda: a10(1.5),  # type: ignore[arg-type]
            "InstanceType.hourly_price: expected a Decimal, got float 1.5",
        ),
        (
            lambda: Cluster(
                name="c", region="r", nodes=[Node(name="n", allocatable=Resources(), pool="x")]
            ),
            "Cluster.nodes[0].pool: unknown pool 'x'",
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
            "Cluster.nodes[1].name: duplicate 'n'",
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
        str(caught.value)
        == "Fleet.clusters[1].pools[0].instance_types[0]: unknown instance type 'nope', "
        "not in the catalog"
    )
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[good], catalog=[a10(None)])
    assert str(caught.value) == (
        f"Fleet.clusters[0].pools[0].instance_types[0]: instance type '{A10}' has no hourly_price, "
        "which an autoscaling pool needs"
    )
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[good, good], catalog=[a10()])
    assert str(caught.value) == "Fleet.clusters[1].name: duplicate 'c0'"
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[], inventory={"r": {A10: -2}})
    assert str(caught.value) == f"Fleet.inventory['r']['{A10}']: must be ≥ 0, got -2"
    with pytest.raises(InvalidFleet) as caught:
        Fleet(clusters=[], catalog=[a10(), a10()])
    assert str(caught.value) == "Fleet.catalog[1].name: duplicate 'ecs.gn7i-c8g1.2xlarge'"


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
    assert str(caught.value) == "Fleet.catalog: unknown instance type 'x'"
    with pytest.raises(InvalidFleet) as caught:
        fleet.cluster("x")
    assert str(caught.value) == "Fleet.clusters: unknown cluster 'x'"


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


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "FrozenMap: expected a mapping or (key, value) pairs, got int"),
        ("ab", "FrozenMap: expected a mapping or (key, value) pairs, got str"),
        ([1], "FrozenMap: expected (key, value) pairs, got an item of type int"),
        ([([], 1)], "FrozenMap: keys must be hashable, got list"),
        ({"a": []}, "FrozenMap: values must be hashable, got list"),
    ],
)
def test_frozen_map_refuses_junk_with_a_typed_error(value: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        FrozenMap(value)  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_frozen_map_takes_pairs_as_tuples_or_lists() -> None:
    assert FrozenMap([("b", 2), ["a", 1]]) == {"a": 1, "b": 2}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: NodePool(name="gpu", instance_types=A10),
            f"NodePool.instance_types: expected a sequence of names, got the string '{A10}'",
        ),
        (
            lambda: NodePool(name="gpu", instance_types=[""]),
            "NodePool.instance_types[0]: expected a non-empty string, got ''",
        ),
        (
            lambda: Node(name="n", allocatable=Resources(), labels={"a": 3}),  # type: ignore[dict-item]
            "Node.labels['a']: expected a string, got int 3",
        ),
        (
            lambda: Node(name="n", allocatable=Resources(), labels={"a\nb": "x"}),
            "Node.labels key: must be printable text, got 'a\\nb'",
        ),
        (
            lambda: Node(name="n", allocatable=Resources(), pool=""),
            "Node.pool: expected a non-empty string, got ''",
        ),
        (
            lambda: Node(name="n", allocatable=Resources(), max_pods=10**5000),
            "Node.max_pods: must be below 10^100, got an int of about 5001 digits",
        ),
        (
            lambda: Cluster(name="c", region="r", nodes="n1"),  # type: ignore[arg-type]
            "Cluster.nodes: expected a sequence of Node, got 'n1'",
        ),
        (
            lambda: Cluster(name="c", region="r", pools=[a10()]),  # type: ignore[list-item]
            "Cluster.pools[0]: expected a NodePool, got InstanceType InstanceType(name='ecs.gn7i"
            "-c8g1.2xlarge', allocatable=Resources({'cpu': 8000, '…",
        ),
        (
            lambda: a10(Decimal("1e100")),
            "InstanceType.hourly_price: must be below 10^100, got Decimal('1E+100')",
        ),
        (
            lambda: a10(Decimal("NaN")),
            "InstanceType.hourly_price: must be finite, got Decimal('NaN')",
        ),
        (
            lambda: Fleet(clusters=[], inventory={"r": 3}),  # type: ignore[dict-item]
            "Fleet.inventory['r']: expected a mapping, got int 3",
        ),
        (
            lambda: Fleet(clusters=[], inventory=[("r", {})]),  # type: ignore[arg-type]
            "Fleet.inventory: expected a mapping, got list [('r', {})]",
        ),
        (
            lambda: Fleet(clusters=[], catalog=[3]),  # type: ignore[list-item]
            "Fleet.catalog[0]: expected a InstanceType, got int 3",
        ),
    ],
)
def test_more_record_errors_are_typed_and_named(build: object, message: str) -> None:
    with pytest.raises(InvalidFleet) as caught:
        build()  # type: ignore[operator]
    assert str(caught.value) == message


def test_lookups_refuse_what_is_not_a_name() -> None:
    fleet = Fleet(clusters=[Cluster(name="c", region="r")], catalog=[a10()])
    with pytest.raises(InvalidFleet) as caught:
        fleet.instance_type(3)  # type: ignore[arg-type]
    assert str(caught.value) == "instance_type: expected a non-empty string, got 3"
    with pytest.raises(InvalidFleet) as caught:
        fleet.stock("r", None)  # type: ignore[arg-type]
    assert str(caught.value) == "instance_type: expected a non-empty string, got None"


def test_load_catalog_checks_prices() -> None:
    with pytest.raises(InvalidFleet) as caught:
        load_catalog(5)  # type: ignore[arg-type]
    assert str(caught.value) == "prices: expected a mapping, got int 5"
    with pytest.raises(InvalidFleet) as caught:
        load_catalog({A10: 9.74})  # type: ignore[dict-item]
    assert str(caught.value) == f"prices['{A10}']: expected a Decimal, got float 9.74"
