"""The ``Fleet`` kind (``invsched.io/v1alpha1``): the snapshot a placement decides on, read
into the placement records exactly, with every error naming its field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invsched import InvalidManifest, InvalidRequest
from invsched.frozenmap import FrozenMap
from invsched.manifests import FleetObject, load_file, load_files, loads
from invsched.placement import (
    Cluster,
    Fleet,
    InstanceType,
    Node,
    NodePool,
    PlacementPolicy,
    Workload,
    load_catalog,
    place,
)
from invsched.resources import Resources
from tests.manifests.test_placement_kinds import assert_loads_or_names_a_field, mangled

ROOT: Final = Path(__file__).resolve().parents[2]
EXAMPLES: Final = ROOT / "examples" / "placement"
A10: Final = "ecs.gn7i-c8g1.2xlarge"
PRICE: Final = Decimal("9.74")
HEAD: Final = "apiVersion: invsched.io/v1alpha1\nkind: Fleet\nmetadata: {name: f}\n"


def _fleet(spec: str) -> FleetObject:
    fleet = loads(HEAD + "spec:\n" + spec).fleet
    assert fleet is not None
    return fleet


def _error(spec: str) -> str:
    with pytest.raises(InvalidManifest) as raised:
        loads(HEAD + "spec:\n" + spec)
    return str(raised.value)


# The records, exactly ----------------------------------------------------------------------------

SEED_SPEC: Final = f"""  catalog:
    packaged: alibaba-gpu
    prices: {{{A10}: "9.74"}}
  inventory:
    cn-beijing: {{{A10}: 10}}
    cn-hangzhou: {{{A10}: 10}}
  clusters:
  - name: cluster1
    region: cn-beijing
    pools: [{{name: gpu-pool, instanceTypes: [{A10}], currentNodes: 0, maxNodes: 10}}]
  - name: cluster2
    region: cn-hangzhou
    pools: [{{name: gpu-pool, instanceTypes: [{A10}], currentNodes: 0, maxNodes: 10}}]
"""


def test_the_ack_guides_fleet_reads_into_the_same_records_as_built_by_hand() -> None:
    # The fleet of tests/placement/test_seed_scenario.py, written as a manifest.
    def cluster(name: str, region: str) -> Cluster:
        pool = NodePool(name="gpu-pool", instance_types=[A10], current_nodes=0, max_nodes=10)
        return Cluster(name=name, region=region, pools=[pool])

    expected = Fleet(
        clusters=[cluster("cluster1", "cn-beijing"), cluster("cluster2", "cn-hangzhou")],
        inventory={"cn-beijing": {A10: 10}, "cn-hangzhou": {A10: 10}},
        catalog=load_catalog({A10: PRICE}),
    )
    fleet = _fleet(SEED_SPEC)
    assert fleet == FleetObject(name="f", fleet=expected)
    workload = Workload(name="qwen3-8b", replicas=4, request=Resources({"nvidia.com/gpu": 1000}))
    result = place(workload, PlacementPolicy(ecs_provision=True), fleet.fleet)
    assert dict(result.per_cluster) == {"cluster1": 2, "cluster2": 2}
    assert result.hourly_cost == Decimal("38.96")


def test_an_inline_instance_type_reads_every_field() -> None:
    fleet = _fleet(
        """  catalog:
    instanceTypes:
    - name: a10-box
      allocatable: {cpu: "8", memory: 30Gi, nvidia.com/gpu: 1}
      gpuModel: NVIDIA A10
      gpuMemory: 24Gi
      hourlyPrice: "9.74"
    - {name: cpu-box, allocatable: {cpu: "4"}, hourlyPrice: 2}
    - {name: spare, allocatable: {cpu: "2"}}
"""
    )
    assert fleet.fleet.catalog == (
        InstanceType(
            name="a10-box",
            allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
            gpu_model="NVIDIA A10",
            hourly_price=PRICE,
            gpu_memory=24 * 2**30,
        ),
        InstanceType(
            name="cpu-box", allocatable=Resources.parse({"cpu": 4}), hourly_price=Decimal(2)
        ),
        InstanceType(name="spare", allocatable=Resources.parse({"cpu": 2})),
    )


def test_prices_apply_to_packaged_and_unpriced_inline_types() -> None:
    fleet = _fleet(
        f"""  catalog:
    packaged: alibaba-gpu
    instanceTypes: [{{name: mine, allocatable: {{cpu: "1"}}}}]
    prices: {{{A10}: "9.74", mine: "0.5"}}
"""
    )
    assert len(fleet.fleet.catalog) == 79
    assert fleet.fleet.instance_type(A10).hourly_price == PRICE
    assert fleet.fleet.instance_type(A10).gpu_model == "NVIDIA A10"
    assert fleet.fleet.instance_type("mine").hourly_price == Decimal("0.5")
    assert fleet.fleet.instance_type("ecs.gn7i-c16g1.4xlarge").hourly_price is None


def test_defaults_come_from_the_listed_nodes_and_the_instance_types() -> None:
    fleet = _fleet(
        f"""  catalog: {{packaged: alibaba-gpu, prices: {{{A10}: "9.74"}}}}
  clusters:
  - name: c1
    region: r1
    labels: {{gpu: a10}}
    pools: [{{name: gpu, instanceTypes: [{A10}]}}, {{name: fixed, instanceTypes: [{A10}],
      autoscaling: false, currentNodes: 2, maxNodes: 3}}]
    nodes:
    - {{name: n1, pool: gpu, replicas: {{web: 1, api: 2}}, requested: {{nvidia.com/gpu: 1}}}}
    - name: n2
      labels: {{node.kubernetes.io/instance-type: ecs.gn7i-c16g1.4xlarge}}
      allocatable: {{cpu: "2"}}
      pods: 5
      maxPods: 20
"""
    )
    (cluster,) = fleet.fleet.clusters
    assert cluster == Cluster(
        name="c1",
        region="r1",
        labels={"gpu": "a10"},
        pools=[
            NodePool(name="gpu", instance_types=[A10], current_nodes=1, max_nodes=1),
            NodePool(
                name="fixed",
                instance_types=[A10],
                current_nodes=2,
                max_nodes=3,
                autoscaling=False,
            ),
        ],
        nodes=[
            Node(
                name="n1",
                allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
                requested=Resources.parse({"nvidia.com/gpu": 1}),
                pods=3,
                pool="gpu",
            ),
            Node(
                name="n2",
                allocatable=Resources.parse({"cpu": 2}),
                pods=5,
                max_pods=20,
                labels={"node.kubernetes.io/instance-type": "ecs.gn7i-c16g1.4xlarge"},
            ),
        ],
    )
    assert fleet.current("web") == FrozenMap({"c1": FrozenMap({"n1": 1})})
    assert fleet.current("api") == FrozenMap({"c1": FrozenMap({"n1": 2})})
    assert fleet.current("db") == FrozenMap()


def test_a_node_takes_its_allocatable_from_its_instance_type_label() -> None:
    fleet = _fleet(
        f"""  catalog: {{packaged: alibaba-gpu}}
  clusters:
  - name: c1
    region: r1
    nodes: [{{name: n1, labels: {{node.kubernetes.io/instance-type: {A10}}}}}]
"""
    )
    node = fleet.fleet.clusters[0].nodes[0]
    assert node.allocatable == fleet.fleet.instance_type(A10).allocatable


def test_the_example_fleets_read() -> None:
    fleet = load_file(EXAMPLES / "fleet.yaml").fleet
    assert fleet is not None
    assert fleet.name == "ack-one-fleet"
    assert [(c.name, c.region) for c in fleet.fleet.clusters] == [
        ("cluster1", "cn-beijing"),
        ("cluster2", "cn-hangzhou"),
    ]
    assert {region: dict(stock) for region, stock in fleet.fleet.inventory.items()} == {
        "cn-beijing": {A10: 1},
        "cn-hangzhou": {A10: 6},
    }
    assert fleet.replicas == FrozenMap()
    running = load_file(EXAMPLES / "scale-down" / "fleet.yaml").fleet
    assert running is not None
    assert running.current("qwen3-8b") == FrozenMap(
        {
            "cluster1": FrozenMap({"cn-beijing.192.168.1.10": 1}),
            "cluster2": FrozenMap(
                {
                    "cn-hangzhou.192.168.1.20": 1,
                    "cn-hangzhou.192.168.1.21": 1,
                    "cn-hangzhou.192.168.1.22": 1,
                }
            ),
        }
    )
    pools = {c.name: c.pools[1] for c in running.fleet.clusters}
    assert (pools["cluster1"].current_nodes, pools["cluster2"].current_nodes) == (1, 3)


def test_only_one_fleet_per_input() -> None:
    with pytest.raises(InvalidManifest) as raised:
        load_files([EXAMPLES / "fleet.yaml", EXAMPLES / "fleet.yaml"])
    fleet = str(EXAMPLES / "fleet.yaml")
    assert str(raised.value) == (
        f"{fleet}: document 0: kind: a second Fleet (only one is supported; the first is "
        f"{fleet}, document 0)"
    )


def test_fleet_object_checks_its_fields() -> None:
    with pytest.raises(InvalidRequest) as raised:
        FleetObject(name="f", fleet=Fleet(clusters=[]), replicas={"w": {"c": {"n": -1}}})
    assert str(raised.value) == "FleetObject.replicas['w']['c']['n']: must be ≥ 0, got -1"


# Errors name their field -----------------------------------------------------------------------

CLUSTER: Final = "  clusters:\n  - name: c1\n    region: r1\n"
PACKAGED: Final = f"  catalog: {{packaged: alibaba-gpu, prices: {{{A10}: '9.74'}}}}\n"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "  nodes: []\n",
            "spec.nodes: unknown field (expected one of catalog, clusters, inventory)",
        ),
        (
            CLUSTER + "    zone: z\n",
            "spec.clusters[0].zone: unknown field (expected one of "
            "labels, name, nodes, pools, region)",
        ),
        ("  clusters:\n  - name: c1\n", "spec.clusters[0].region: required field is missing"),
        (
            CLUSTER + "  - name: c1\n    region: r2\n",
            "spec.clusters[1].name: duplicate cluster 'c1'",
        ),
        (
            CLUSTER + "    nodes: [{name: n, allocatable: {cpu: '1'}, taints: []}]\n",
            "spec.clusters[0].nodes[0].taints: unknown field (expected one of allocatable, "
            "labels, maxPods, name, pods, pool, replicas, requested)",
        ),
        (
            CLUSTER + "    nodes: [{name: n, allocatable: {cpu: '1'}}, {name: n, allocatable: "
            "{cpu: '1'}}]\n",
            "spec.clusters[0].nodes[1].name: duplicate node 'n' in this cluster",
        ),
        (
            CLUSTER + "    nodes: [{name: n, pool: gpu, allocatable: {cpu: '1'}}]\n",
            "spec.clusters[0].nodes[0].pool: unknown pool 'gpu', not among the cluster's pools",
        ),
        (
            CLUSTER + "    nodes: [{name: n}]\n",
            "spec.clusters[0].nodes[0].allocatable: required field is missing (no instance "
            "type of the catalog to take it from)",
        ),
        (
            CLUSTER + "    nodes: [{name: n, allocatable: {cpu: '-1'}}]\n",
            "spec.clusters[0].nodes[0].allocatable.cpu: must not be negative, got -1",
        ),
        (
            CLUSTER + "    nodes: [{name: n, allocatable: {cpu: 0.5}}]\n",
            "spec.clusters[0].nodes[0].allocatable.cpu: invalid quantity 0.5: expected a "
            "string or an int, got float",
        ),
        (
            CLUSTER + "    nodes: [{name: n, allocatable: {cpu: '1'}, pods: 1, replicas: "
            "{web: 2}}]\n",
            "spec.clusters[0].nodes[0].pods: is 1, but 2 replicas are listed on the node",
        ),
        (
            CLUSTER + "    nodes: [{name: n, allocatable: {cpu: '1'}, replicas: {web: -1}}]\n",
            "spec.clusters[0].nodes[0].replicas.web: must be at least 0, got -1",
        ),
        (
            CLUSTER + "    nodes: [{name: n, allocatable: {cpu: '1'}, maxPods: true}]\n",
            "spec.clusters[0].nodes[0].maxPods: expected an integer, got bool True",
        ),
        (
            CLUSTER + "    pools: [{name: p, instanceTypes: [nope]}]\n",
            "spec.clusters[0].pools[0].instanceTypes[0]: unknown instance type 'nope', not in "
            "the catalog",
        ),
        (
            "  catalog: {packaged: alibaba-gpu}\n"
            + CLUSTER
            + f"    pools: [{{name: p, instanceTypes: [{A10}]}}]\n",
            f"spec.clusters[0].pools[0].instanceTypes[0]: instance type '{A10}' has no price, "
            "which an autoscaling pool needs (give one in spec.catalog.prices)",
        ),
        (
            PACKAGED + CLUSTER + f"    pools: [{{name: p, instanceTypes: [{A10}, {A10}]}}]\n",
            f"spec.clusters[0].pools[0].instanceTypes[1]: duplicate '{A10}'",
        ),
        (
            PACKAGED
            + CLUSTER
            + f"    pools: [{{name: p, instanceTypes: [{A10}], currentNodes: 3, maxNodes: 2}}]\n",
            "spec.clusters[0].pools[0].maxNodes: must be ≥ currentNodes 3, got 2",
        ),
        (
            PACKAGED
            + CLUSTER
            + f"    pools: [{{name: p, instanceTypes: [{A10}], currentNodes: 0}}]\n"
            + "    nodes: [{name: n, pool: p}]\n",
            "spec.clusters[0].pools[0].currentNodes: is 0, but 1 nodes of the pool are listed",
        ),
        (
            PACKAGED
            + CLUSTER
            + f"    pools: [{{name: p, instanceTypes: [{A10}]}}, {{name: p, instanceTypes: []}}]\n",
            "spec.clusters[0].pools[1].name: duplicate pool 'p' in this cluster",
        ),
        (
            "  inventory: {r1: {nope: 1}}\n",
            "spec.inventory.r1.nope: unknown instance type 'nope', not in the catalog",
        ),
        (
            PACKAGED + f"  inventory: {{r1: {{{A10}: -2}}}}\n",
            f"spec.inventory.r1.{A10}: must be at least 0, got -2",
        ),
        (
            CLUSTER
            + "    nodes: [{name: n, allocatable: {cpu: '1'}, replicas: {web: 2147483648}}]\n",
            "spec.clusters[0].nodes[0].replicas.web: must be at most 2147483647, got 2147483648",
        ),
        (
            PACKAGED + f"  inventory: {{r1: {{{A10}: '2'}}}}\n",
            f"spec.inventory.r1.{A10}: expected an integer, got str '2'",
        ),
        (
            "  inventory: {'': {}}\n",
            "spec.inventory.: expected a non-empty string, got ''",
        ),
        (
            f"  catalog: {{packaged: alibaba-gpu, prices: {{{A10}: 9.74}}}}\n",
            f'spec.catalog.prices.{A10}: write a price as a string ("9.74"): a YAML float '
            "is not exact",
        ),
        (
            f"  catalog: {{packaged: alibaba-gpu, prices: {{{A10}: nine}}}}\n",
            f"spec.catalog.prices.{A10}: not a decimal number: 'nine'",
        ),
        (
            f"  catalog: {{packaged: alibaba-gpu, prices: {{{A10}: '-1'}}}}\n",
            f"spec.catalog.prices.{A10}: must not be negative, got Decimal('-1')",
        ),
        (
            f"  catalog: {{packaged: alibaba-gpu, prices: {{{A10}: NaN}}}}\n",
            f"spec.catalog.prices.{A10}: must be finite, got Decimal('NaN')",
        ),
        (
            "  catalog: {prices: {nope: '1'}}\n",
            "spec.catalog.prices.nope: unknown instance type 'nope', not in the catalog",
        ),
        (
            "  catalog: {packaged: aws}\n",
            "spec.catalog.packaged: unknown packaged catalog 'aws' (known: alibaba-gpu)",
        ),
        (
            f"  catalog: {{packaged: alibaba-gpu, instanceTypes: [{{name: {A10}, allocatable: "
            "{cpu: '1'}}]}\n",
            f"spec.catalog.instanceTypes[0].name: duplicate instance type '{A10}' (the "
            "packaged catalog)",
        ),
        (
            "  catalog: {instanceTypes: [{name: t, allocatable: {cpu: '1'}, hourlyPrice: '1'}],"
            " prices: {t: '2'}}\n",
            "spec.catalog.prices.t: instance type 't' already has an hourlyPrice",
        ),
        (
            "  catalog: {instanceTypes: [{name: t, allocatable: {cpu: '1'}, gpuMemory: 1m}]}\n",
            "spec.catalog.instanceTypes[0].gpuMemory: must be a whole number of bytes ≥ 0, "
            "got '1m'",
        ),
        (
            "  catalog: {instanceTypes: [{name: t}]}\n",
            "spec.catalog.instanceTypes[0].allocatable: required field is missing",
        ),
        (
            "  catalog: {instanceTypes: [{name: t, allocatable: {}, cost: 1}]}\n",
            "spec.catalog.instanceTypes[0].cost: unknown field (expected one of allocatable, "
            "gpuMemory, gpuModel, hourlyPrice, name)",
        ),
    ],
)
def test_a_bad_fleet_names_its_field(spec: str, message: str) -> None:
    assert _error(spec) == f"document 0: {message}"


def test_a_fleet_needs_a_name_and_a_spec() -> None:
    with pytest.raises(InvalidManifest) as raised:
        loads("apiVersion: invsched.io/v1alpha1\nkind: Fleet\nmetadata: {name: f}\n")
    assert str(raised.value) == "document 0: spec: required field is missing"
    with pytest.raises(InvalidManifest) as raised:
        loads("apiVersion: invsched.io/v1alpha1\nkind: Fleet\nspec: {}\n")
    assert str(raised.value) == "document 0: metadata.name: expected a non-empty string, got None"


# Mangled inputs ---------------------------------------------------------------------------------

FLEET_FILES: Final = (
    (EXAMPLES / "fleet.yaml",),
    (EXAMPLES / "scale-down" / "fleet.yaml",),
)


@given(data=st.data())
def test_mangled_fleets_give_a_typed_error_or_load(data: st.DataObject) -> None:
    files = data.draw(st.sampled_from(FLEET_FILES))
    assert_loads_or_names_a_field(data.draw(mangled(files)))


def test_a_cluster_of_many_nodes_reads_in_linear_time() -> None:
    """Duplicate names are found with sets: 4 × 10^4 nodes in one cluster read in seconds
    (checking each against every earlier one took minutes), and a repeat is still caught."""
    nodes = "".join(
        f"    - {{name: n{index}, allocatable: {{cpu: 8}}}}\n" for index in range(40_000)
    )
    spec = "  clusters:\n  - name: c\n    region: r\n    nodes:\n" + nodes
    fleet = _fleet(spec)
    assert len(fleet.fleet.clusters[0].nodes) == 40_000
    assert _error(spec + "    - {name: n7, allocatable: {cpu: 8}}\n") == (
        "document 0: spec.clusters[0].nodes[40000].name: duplicate node 'n7' in this cluster"
    )
