"""The typed-error contract, walked over every public record and function.

Bad input raises an ``InvschedError`` that is a ``ValueError`` or ``TypeError``, whose
message formats, stays short, and names the field; never a bare ``TypeError``,
``AttributeError``, ``KeyError`` or a message that cannot be printed. The entry points, their
valid arguments and what each argument accepts are in :mod:`tests.public_api`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest

from invsched import (
    Cluster,
    FrozenMap,
    InstanceType,
    InvalidFleet,
    InvalidQuantity,
    InvalidRequest,
    InvschedError,
    NodePool,
    NodeProvision,
    NodeRelease,
    Placement,
    PlacementPolicy,
    Resources,
    Workload,
    place,
)
from invsched.placement import replicas_per_node
from tests.public_api import (
    A10,
    ENTRY_POINTS,
    FLEET,
    FUNCTION_ENTRY_POINTS,
    GPU,
    INSTANCE_TYPE,
    JUNK,
    RECORD_ENTRY_POINTS,
    WORKLOAD,
    EntryPoint,
    check_call,
    public_functions,
    public_records,
)


def test_every_public_record_and_function_has_an_entry() -> None:
    """A new public record or function must get a table entry (valid arguments and what
    each accepts) before it ships."""
    assert sorted(entry.name for entry in RECORD_ENTRY_POINTS) == sorted(public_records())
    assert sorted(entry.name for entry in FUNCTION_ENTRY_POINTS) == sorted(public_functions())


@pytest.mark.parametrize("entry", RECORD_ENTRY_POINTS, ids=lambda entry: entry.name)
def test_record_entries_list_every_field(entry: EntryPoint) -> None:
    record = entry.target
    assert isinstance(record, type)
    if record is Resources:
        # A mapping built from one positional value (its attrs field is derived).
        assert list(entry.arguments) == ["value"]
        return
    fields = [field.alias for field in attrs.fields(record) if field.init]
    assert list(entry.arguments) == fields


@pytest.mark.parametrize("entry", FUNCTION_ENTRY_POINTS, ids=lambda entry: entry.name)
def test_function_entries_list_every_parameter(entry: EntryPoint) -> None:
    assert list(entry.arguments) == list(inspect.signature(entry.target).parameters)


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda entry: entry.name)
def test_valid_arguments_are_accepted(entry: EntryPoint) -> None:
    for key, argument in entry.arguments.items():
        assert argument.accepts(argument.valid), (entry.name, key)
    assert check_call(entry, {}) is None


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda entry: entry.name)
def test_junk_in_any_argument_is_a_typed_error_naming_it(entry: EntryPoint) -> None:
    """Each argument in turn gets every junk value, the others staying valid."""
    problems = [
        problem
        for key in entry.arguments
        for _, junk in JUNK
        if (problem := check_call(entry, {key: junk})) is not None
    ]
    assert problems == []


# Exact messages of the defects this contract was written against ---------------------------

_POLICY_CHOICES = "ReplicaSchedulingType.DUPLICATED, ReplicaSchedulingType.DIVIDED"


def _provision(**changes: object) -> NodeProvision:
    values: dict[str, object] = {
        "cluster": "cluster-a",
        "pool": "gpu",
        "instance_type": A10,
        "nodes": 1,
        "replicas": 1,
        "hourly_cost": Decimal(1),
    }
    values.update(changes)
    return NodeProvision(**values)  # type: ignore[arg-type]


EXACT: list[tuple[Callable[[], object], type[InvschedError], str]] = [
    (
        lambda: Workload(name=3, replicas=1, request=GPU),  # type: ignore[arg-type]
        InvalidRequest,
        "Workload.name: expected a non-empty string, got 3",
    ),
    (
        lambda: Workload(name="", replicas=1, request=GPU),
        InvalidRequest,
        "Workload.name: expected a non-empty string, got ''",
    ),
    (
        lambda: Workload(name="w", replicas=10**5000, request=GPU),
        InvalidRequest,
        "Workload.replicas: must be below 10^100, got an int of about 5001 digits",
    ),
    (
        lambda: Workload(name="w", replicas=1, request={"cpu": 1}),  # type: ignore[arg-type]
        InvalidRequest,
        "Workload.request: expected Resources, got dict {'cpu': 1}",
    ),
    (
        lambda: PlacementPolicy(ecs_provision=1),  # type: ignore[arg-type]
        InvalidRequest,
        "PlacementPolicy.ecs_provision: expected a bool, got 1",
    ),
    (
        lambda: PlacementPolicy(replica_scheduling="x"),  # type: ignore[arg-type]
        InvalidRequest,
        f"PlacementPolicy.replica_scheduling: expected one of {_POLICY_CHOICES}, got 'x'",
    ),
    (
        lambda: PlacementPolicy(exclude="cluster-b"),
        InvalidRequest,
        "PlacementPolicy.exclude: expected a sequence of names, got the string 'cluster-b'",
    ),
    (
        lambda: PlacementPolicy(cluster_names="cluster-a"),
        InvalidRequest,
        "PlacementPolicy.cluster_names: expected a sequence of names, got the string 'cluster-a'",
    ),
    (
        lambda: PlacementPolicy(exclude=[3]),  # type: ignore[list-item]
        InvalidRequest,
        "PlacementPolicy.exclude[0]: expected a non-empty string, got 3",
    ),
    (
        lambda: PlacementPolicy(label_selector={"env": 3}),  # type: ignore[dict-item]
        InvalidRequest,
        "PlacementPolicy.label_selector['env']: expected a string, got int 3",
    ),
    (
        lambda: NodePool(name="gpu", instance_types=A10),
        InvalidFleet,
        f"NodePool.instance_types: expected a sequence of names, got the string '{A10}'",
    ),
    (
        lambda: InstanceType(name="t", allocatable=Resources(), gpu_model=3),  # type: ignore[arg-type]
        InvalidFleet,
        "InstanceType.gpu_model: expected a string, got int 3",
    ),
    (
        lambda: InstanceType(name="t", allocatable=Resources(), hourly_price=Decimal("1e100")),
        InvalidFleet,
        "InstanceType.hourly_price: must be below 10^100, got Decimal('1E+100')",
    ),
    (
        lambda: Resources(None),  # type: ignore[arg-type]
        InvalidQuantity,
        "Resources: invalid quantity None: expected a mapping of resource name to milli-units, "
        "got NoneType",
    ),
    (
        lambda: Resources({"cpu": 10**5000}),
        InvalidQuantity,
        "cpu: invalid quantity an int of about 5001 digits: exceeds the supported range of 100 "
        "digits",
    ),
    (
        lambda: FrozenMap(5),  # type: ignore[arg-type]
        InvalidRequest,
        "FrozenMap: expected a mapping or (key, value) pairs, got int",
    ),
    (
        lambda: Resources({"cpu": 1}) + 5,  # type: ignore[operator]
        InvalidQuantity,
        "Resources + other: invalid quantity 5: expected a mapping of resource name to "
        "milli-units, got int",
    ),
    (
        lambda: replicas_per_node(INSTANCE_TYPE, GPU, max_pods=None),  # type: ignore[arg-type]
        InvalidRequest,
        "max_pods: expected an int, got NoneType None",
    ),
    (
        lambda: Placement(replicas={}, unplaced=-5),
        InvalidRequest,
        "Placement.unplaced: must be ≥ 0, got -5",
    ),
    (
        lambda: Placement(replicas={}, hourly_cost="x"),  # type: ignore[arg-type]
        InvalidRequest,
        "Placement.hourly_cost: expected a Decimal, got str 'x'",
    ),
    (
        lambda: Placement(replicas={"a": -3}),
        InvalidRequest,
        "Placement.replicas['a']: must be ≥ 0, got -3",
    ),
    (
        lambda: Placement(replicas={}, reasons={"a": 3}),  # type: ignore[dict-item]
        InvalidRequest,
        "Placement.reasons['a']: expected a non-empty string, got 3",
    ),
    (
        lambda: _provision(nodes=-1),
        InvalidRequest,
        "NodeProvision.nodes: must be ≥ 1, got -1",
    ),
    (
        lambda: _provision(cluster=""),
        InvalidRequest,
        "NodeProvision.cluster: expected a non-empty string, got ''",
    ),
    (
        lambda: _provision(hourly_cost=Decimal("NaN")),
        InvalidRequest,
        "NodeProvision.hourly_cost: must be finite, got Decimal('NaN')",
    ),
    (
        lambda: NodeRelease(
            cluster="c", pool="p", instance_type="t", nodes=0, hourly_savings=Decimal(0)
        ),
        InvalidRequest,
        "NodeRelease.nodes: must be ≥ 1, got 0",
    ),
    (
        lambda: place(WORKLOAD, PlacementPolicy(), FLEET, previous="cluster-a"),  # type: ignore[arg-type]
        InvalidRequest,
        "previous: expected a Placement or a mapping, got str 'cluster-a'",
    ),
]


@pytest.mark.parametrize(
    ("build", "kind", "message"), EXACT, ids=[message for _, _, message in EXACT]
)
def test_exact_messages(
    build: Callable[[], object], kind: type[InvschedError], message: str
) -> None:
    with pytest.raises(kind) as caught:
        build()
    assert type(caught.value) is kind
    assert str(caught.value) == message


def test_a_bare_string_is_never_split_into_characters() -> None:
    # The defect: exclude="cluster-b" excluded the clusters "c", "l", …, "b".
    assert PlacementPolicy(exclude=["cluster-b"]).exclude == ("cluster-b",)
    assert PlacementPolicy(exclude=("cluster-b",)).exclude == ("cluster-b",)
    assert NodePool(name="p", instance_types=iter([A10])).instance_types == (A10,)


@pytest.mark.parametrize("name", ["cluster", "a,b", "x:y/z", "東京", "Cluster A", "a" * 300])
def test_placement_names_are_free_form_printable_text(name: str) -> None:
    cluster = Cluster(name=name, region=name, labels={name: ""})
    assert (cluster.name, cluster.region, dict(cluster.labels)) == (name, name, {name: ""})
    policy = PlacementPolicy(cluster_names=[name], exclude=[name], static_weights={name: 1})
    assert (policy.cluster_names, policy.exclude) == ((name,), (name,))
    assert Workload(name=name, replicas=0, request=Resources()).name == name


def test_a_long_name_is_cut_in_messages() -> None:
    name = "n" * 5000
    with pytest.raises(InvalidFleet) as caught:
        Cluster(name="c", region="r", nodes=[], pools=[NodePool(name=name, instance_types=[])] * 2)
    assert str(caught.value) == f"Cluster.pools[1].name: duplicate '{'n' * 80}…'"


def test_a_placement_passed_as_previous_is_checked_where_it_is_built() -> None:
    # Before, Placement(replicas={"a": -3}) was accepted and then crashed ``place``.
    with pytest.raises(InvalidRequest):
        Placement(replicas={"cluster-a": -3})
    previous = Placement(replicas={"cluster-a": 1})
    one = attrs.evolve(WORKLOAD, replicas=1)
    assert dict(place(one, PlacementPolicy(), FLEET, previous=previous).replicas) == {
        "cluster-a": 1
    }
