"""The public entry points of invsched, each with valid arguments and what each argument accepts.

Shared by the typed-error walk (``tests/test_typed_errors.py``) and the fuzz suite
(``tests/property/test_fuzz_public_api.py``). An entry point is a public record class or
function of ``invsched.__all__`` (plus ``FrozenMap``, the operators of ``Resources`` and
``invsched.manifests.load``); for each argument it declares a valid value (used while another
argument is junk) and a predicate telling which values the entry point may accept. The
contract checked by :func:`check_call`:

* if the call returns (or raises an error that is an *outcome*, such as Karmada's
  ``InsufficientReplicas``), every junk argument must be one the predicate accepts;
* otherwise the error must be an ``InvschedError`` and a ``ValueError`` or ``TypeError``,
  ``str(error)`` must not raise, must be at most 1000 characters, and must name the
  argument (one of its tokens appears in the message).
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

import attrs

import invsched
from invsched import (
    AdmissionResult,
    Cluster,
    Division,
    Fleet,
    FrozenMap,
    InstanceType,
    InsufficientReplicas,
    InvschedError,
    Node,
    NodePool,
    NodeProvision,
    NodeRelease,
    Pending,
    Placement,
    PlacementPolicy,
    Precision,
    Preemption,
    PreemptionReason,
    Profile,
    QueuePolicy,
    QueueUnit,
    QuotaNode,
    QuotaTree,
    Reason,
    Reclaim,
    ReplicaSchedulingType,
    Resources,
    Rounding,
    Rule,
    Share,
    ValidationReport,
    Violation,
    WeightPreference,
    Workload,
)
from invsched._validators import short

__all__ = [
    "ENTRY_POINTS",
    "JUNK",
    "MESSAGE_LIMIT",
    "Argument",
    "EntryPoint",
    "check_call",
    "public_functions",
    "public_records",
]

#: The longest message an error may format.
MESSAGE_LIMIT: Final = 1000
#: Amounts and counts are below this bound (``MAX_QUANTITY_DIGITS`` digits).
LIMIT: Final = 10**100

Accept = Callable[[object], bool]

# Acceptance predicates ---------------------------------------------------------------------

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")


def anything(value: object) -> bool:
    """Every value may be accepted (an argument the contract leaves free)."""
    return True


def name(value: object) -> bool:
    """A placement name: non-empty printable text of any script and punctuation."""
    return isinstance(value, str) and value != "" and value.isprintable()


def text(value: object) -> bool:
    """A non-empty string."""
    return isinstance(value, str) and value != ""


def printable(value: object) -> bool:
    """Printable text, possibly empty (label values, GPU models)."""
    return isinstance(value, str) and value.isprintable()


def string(value: object) -> bool:
    """Any string (UIDs are opaque)."""
    return isinstance(value, str)


def dns_label(value: object) -> bool:
    """A Kubernetes namespace."""
    return isinstance(value, str) and len(value) <= 63 and bool(_DNS_LABEL.match(value))


def dns_subdomain(value: object) -> bool:
    """A Kubernetes object name (a quota name)."""
    return isinstance(value, str) and len(value) <= 253 and bool(_DNS_SUBDOMAIN.match(value))


def count(minimum: int = 0) -> Accept:
    """An ``int`` (not a ``bool``) in ``[minimum, 10^100)``."""
    return lambda value: type(value) is int and minimum <= value < LIMIT


def amount(*, negative: bool = False) -> Accept:
    """An amount of milli-units: an ``int`` with ``|value| < 10^100``, ≥ 0 unless ``negative``."""
    return lambda value: type(value) is int and -LIMIT < value < LIMIT and (negative or value >= 0)


def flag(value: object) -> bool:
    """``True`` or ``False``."""
    return type(value) is bool


def decimal(*, bounded: bool = True) -> Accept:
    """A finite ``Decimal`` ≥ 0 (below 10^100 when ``bounded``)."""
    return lambda value: (
        isinstance(value, Decimal)
        and value.is_finite()
        and value >= 0
        and (not bounded or value < LIMIT)
    )


def resources(*, negative: bool = False) -> Accept:
    """A ``Resources`` (amounts ≥ 0 unless ``negative``)."""
    return lambda value: isinstance(value, Resources) and (negative or not value.negative_keys())


def instance(kind: type[Any]) -> Accept:
    """An instance of ``kind``."""
    return lambda value: isinstance(value, kind)


def optional(accept: Accept) -> Accept:
    """``None`` or what ``accept`` accepts."""
    return lambda value: value is None or accept(value)


def either(*accepts: Accept) -> Accept:
    """What any of ``accepts`` accepts."""
    return lambda value: any(accept(value) for accept in accepts)


def sequence(item: Accept) -> Accept:
    """A list or tuple (never a string) whose items ``item`` accepts."""
    return lambda value: isinstance(value, (list, tuple)) and all(item(i) for i in value)


def mapping(key: Accept, value: Accept) -> Accept:
    """A mapping whose keys and values pass the predicates."""
    return lambda given: (
        isinstance(given, Mapping) and all(key(k) and value(v) for k, v in given.items())
    )


def pairs(key: Accept, value: Accept) -> Accept:
    """A mapping, or a list or tuple of ``(key, value)`` tuples, passing the predicates."""
    return either(
        mapping(key, value),
        sequence(
            lambda pair: (
                isinstance(pair, tuple) and len(pair) == 2 and key(pair[0]) and value(pair[1])
            )
        ),
    )


_CATALOGUED: Final = frozenset(item.name for item in invsched.load_catalog())


def catalogued(value: object) -> bool:
    """The name of an instance type of the packaged catalog."""
    return value in _CATALOGUED


def quantity(value: object) -> bool:
    """A quantity argument: an ``int`` of base units in range, or any string (a string that
    does not parse must be refused with a typed error, which the contract checks anyway)."""
    return (type(value) is int and -LIMIT < value * 1000 < LIMIT) or isinstance(value, str)


def oversell(value: object) -> bool:
    """An oversell ratio: a finite positive ``int``, ``Fraction`` or ``Decimal``."""
    if type(value) is int or isinstance(value, Fraction):
        return 0 < value < LIMIT
    return isinstance(value, Decimal) and value.is_finite() and 0 < value < LIMIT


def utilisation(value: object) -> bool:
    """A share of GPU memory: a ``Decimal`` in (0, 1]."""
    return isinstance(value, Decimal) and value.is_finite() and 0 < value <= 1


def created(value: object) -> bool:
    """A creation time: an ``int`` in range or a finite ``float``."""
    if type(value) is int:
        return -LIMIT < value < LIMIT
    return type(value) is float and math.isfinite(value)


def hashable_map(value: object) -> bool:
    """What ``FrozenMap`` accepts: a mapping or pairs with ordered, hashable keys and hashable
    values."""
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, (list, tuple)):
        if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in value):
            return False
        items = [(p[0], p[1]) for p in value]
    else:
        return False
    try:
        hash(tuple(items))
        sorted(key for key, _ in items)
    except TypeError:
        return False
    return True


# Valid values ------------------------------------------------------------------------------

A10 = "ecs.gn7i-c8g1.2xlarge"
GPU: Final = Resources.parse({"cpu": 4, "memory": "8Gi", "nvidia.com/gpu": 1})
INSTANCE_TYPE: Final = InstanceType(
    name=A10,
    allocatable=Resources.parse({"cpu": 8, "memory": "30Gi", "nvidia.com/gpu": 1}),
    gpu_model="NVIDIA A10",
    hourly_price=Decimal("9.74"),
    gpu_memory=24 * 2**30,
)
NODE: Final = Node(name="n1", allocatable=INSTANCE_TYPE.allocatable, labels={"gpu": "a10"})
POOL: Final = NodePool(name="gpu", instance_types=[A10], max_nodes=10)
CLUSTER: Final = Cluster(
    name="cluster-a", region="cn-beijing", labels={"env": "prod"}, nodes=[NODE], pools=[POOL]
)
FLEET: Final = Fleet(
    clusters=[CLUSTER, Cluster(name="cluster-b", region="cn-beijing")],
    inventory={"cn-beijing": {A10: 3}},
    catalog=[INSTANCE_TYPE],
)
WORKLOAD: Final = Workload(name="qwen3-8b", replicas=2, request=GPU)
POLICY: Final = PlacementPolicy(ecs_provision=True)
PROVISION: Final = NodeProvision(
    cluster="cluster-a", pool="gpu", instance_type=A10, nodes=1, replicas=1, hourly_cost=Decimal(1)
)
RELEASE: Final = NodeRelease(
    cluster="cluster-a", pool="gpu", instance_type=A10, nodes=1, hourly_savings=Decimal(1)
)
PLACEMENT: Final = Placement(replicas={"cluster-a": 1})
TREE: Final = QuotaTree.from_nodes(
    [
        QuotaNode(
            name="root",
            min=Resources({"cpu": 8000}),
            max=Resources({"cpu": 8000}),
            children=("team-a",),
        ),
        QuotaNode(
            name="team-a",
            parent="root",
            namespaces=("ns-a",),
            min=Resources({"cpu": 4000}),
            max=Resources({"cpu": 8000}),
        ),
    ]
)
UNIT: Final = QueueUnit(name="job-1", namespace="ns-a", request=Resources({"cpu": 1000}), created=0)
VIOLATION: Final = Violation(
    rule=Rule.MIN_EXCEEDS_MAX, node="team-a", resource="cpu", message="team-a: min > max"
)
PREEMPTION: Final = Preemption(victim=UNIT, preemptor=None, reason=PreemptionReason.OVER_RUNTIME)
PENDING: Final = Pending(unit=UNIT, reason=Reason.NO_QUOTA, detail="no quota")

#: A valid record of every kind: junk "of the wrong kind" for record fields.
RECORDS: Final[tuple[object, ...]] = (
    INSTANCE_TYPE,
    NODE,
    POOL,
    CLUSTER,
    FLEET,
    WORKLOAD,
    POLICY,
    PROVISION,
    RELEASE,
    PLACEMENT,
    TREE,
    TREE.root,
    UNIT,
    VIOLATION,
    PREEMPTION,
    PENDING,
)

#: The junk every argument is fed, with a label for messages.
JUNK: Final[tuple[tuple[str, object], ...]] = (
    ("None", None),
    ("empty string", ""),
    ("x", "x"),
    ("bare name string", "cluster-b"),
    ("punctuated name", "a,b"),
    ("path-like name", "x:y/z"),
    ("unicode name", "東京"),
    ("upper-case name", "A"),
    ("control character", "a\nb"),
    ("huge string", "x" * 5000),
    ("bytes", b"x"),
    ("int 3", 3),
    ("int 0", 0),
    ("int -1", -1),
    ("True", True),
    ("float 1.5", 1.5),
    ("nan", math.nan),
    ("inf", math.inf),
    ("int of 5001 digits", 10**5000),
    ("negative int of 201 digits", -(10**200)),
    ("10^100", 10**100),
    ("Decimal -1", Decimal(-1)),
    ("Decimal NaN", Decimal("NaN")),
    ("Decimal sNaN", Decimal("sNaN")),
    ("Decimal 1", Decimal(1)),
    ("Decimal 1e200", Decimal("1e200")),
    ("Fraction 1/2", Fraction(1, 2)),
    ("empty list", []),
    ("list of a name", ["a"]),
    ("list of a duplicate name", ["a", "a"]),
    ("tuple of a name", ("a",)),
    ("list of junk", [None, 3]),
    ("list of huge ints", [10**5000]),
    ("empty dict", {}),
    ("negative count map", {"a": -3}),
    ("count map", {"a": 1}),
    ("label map", {"a": "b"}),
    ("int-keyed map", {3: 1}),
    ("mixed-key map", {3: 1, "a": 2}),
    ("huge count map", {"a": 10**5000}),
    ("nested junk map", {"a": {"b": None}}),
    ("object", object()),
    ("enum of another kind", Reclaim.TO_RUNTIME),
    ("another enum", Precision.FP16),
    ("negative resources", Resources({"cpu": -1})),
    ("resources", Resources({"cpu": 1000})),
    ("wrong record", CLUSTER),
    ("list of wrong records", [NODE]),
)


# Entry points ------------------------------------------------------------------------------


@attrs.frozen
class Argument:
    """One argument of an entry point.

    Attributes:
        valid: a valid value, used while another argument is junk.
        accepts: which values the entry point may accept.
        names: tokens of which a refusal's message must contain one; empty means the
            argument's own name.
        keyed: a refusal may instead name the offending key of a mapping given here, as
            its field (``Resources``: ``"cpu: invalid quantity 1.5: …"``).
    """

    valid: object
    accepts: Accept
    names: tuple[str, ...] = ()
    keyed: bool = False


@attrs.frozen
class EntryPoint:
    """A callable of the public API and its arguments.

    Attributes:
        name: how reports name it (``"Workload"``, ``"place"``, ``"Resources + other"``).
        target: the record class or function.
        arguments: argument name → :class:`Argument`, in signature order.
        positional: how many leading arguments are passed by position.
        outcomes: errors that are answers for valid input (Karmada's ``InsufficientReplicas``).
    """

    name: str
    target: Callable[..., object]
    arguments: dict[str, Argument]
    positional: int = 0
    outcomes: tuple[type[Exception], ...] = ()

    def call(self, overrides: Mapping[str, object]) -> object:
        """Call the target with valid arguments, ``overrides`` replacing some of them."""
        values = {key: overrides.get(key, arg.valid) for key, arg in self.arguments.items()}
        names = list(values)
        args = [values[key] for key in names[: self.positional]]
        kwargs = {key: values[key] for key in names[self.positional :]}
        return self.target(*args, **kwargs)


def _a(valid: object, accepts: Accept, *names: str) -> Argument:
    return Argument(valid=valid, accepts=accepts, names=names)


def _keyed(valid: object, accepts: Accept, *names: str) -> Argument:
    return Argument(valid=valid, accepts=accepts, names=names, keyed=True)


_NAMES = sequence(name)
_COUNTS = mapping(name, count())
_LABELS = mapping(name, printable)
_AMOUNTS = mapping(text, amount(negative=True))
_REQUESTS = mapping(dns_subdomain, mapping(text, amount()))

RECORD_ENTRY_POINTS: Final[tuple[EntryPoint, ...]] = (
    EntryPoint(
        "AdmissionResult",
        AdmissionResult,
        {
            "admitted": _a((UNIT,), sequence(instance(QueueUnit))),
            "preempted": _a((PREEMPTION,), sequence(instance(Preemption))),
            "pending": _a((PENDING,), sequence(instance(Pending))),
            "usage": _a({"team-a": Resources()}, pairs(dns_subdomain, resources())),
            "runtime": _a({"team-a": Resources()}, pairs(dns_subdomain, resources())),
        },
    ),
    EntryPoint(
        "Cluster",
        Cluster,
        {
            "name": _a("cluster-a", name),
            "region": _a("cn-beijing", name),
            "labels": _a({"env": "prod"}, _LABELS),
            "nodes": _a([NODE], sequence(instance(Node))),
            "pools": _a([POOL], sequence(instance(NodePool))),
        },
    ),
    EntryPoint(
        "Division",
        Division,
        {"replicas": _a({"a": 1}, _COUNTS), "unplaced": _a(0, count())},
    ),
    EntryPoint(
        "Fleet",
        Fleet,
        {
            "clusters": _a([CLUSTER], sequence(instance(Cluster))),
            "inventory": _a({"cn-beijing": {A10: 3}}, mapping(name, _COUNTS)),
            "catalog": _a([INSTANCE_TYPE], sequence(instance(InstanceType))),
        },
    ),
    EntryPoint(
        "InstanceType",
        InstanceType,
        {
            "name": _a(A10, name),
            "allocatable": _a(INSTANCE_TYPE.allocatable, resources()),
            "gpu_model": _a("NVIDIA A10", printable),
            "hourly_price": _a(Decimal("9.74"), optional(decimal())),
            "gpu_memory": _a(24 * 2**30, optional(count())),
        },
    ),
    EntryPoint(
        "Node",
        Node,
        {
            "name": _a("n1", name),
            "allocatable": _a(GPU, resources()),
            "requested": _a(Resources(), resources()),
            "pods": _a(0, count()),
            "max_pods": _a(110, count()),
            "pool": _a(None, optional(name)),
            "labels": _a({"gpu": "a10"}, _LABELS),
        },
    ),
    EntryPoint(
        "NodePool",
        NodePool,
        {
            "name": _a("gpu", name),
            "instance_types": _a([A10], _NAMES),
            "current_nodes": _a(0, count()),
            "max_nodes": _a(10, count()),
            "autoscaling": _a(True, flag),
        },
    ),
    EntryPoint(
        "NodeProvision",
        NodeProvision,
        {
            "cluster": _a("cluster-a", name),
            "pool": _a("gpu", name),
            "instance_type": _a(A10, name),
            "nodes": _a(1, count(1)),
            "replicas": _a(1, count()),
            "hourly_cost": _a(Decimal(1), decimal(bounded=False)),
        },
    ),
    EntryPoint(
        "NodeRelease",
        NodeRelease,
        {
            "cluster": _a("cluster-a", name),
            "pool": _a("gpu", name),
            "instance_type": _a(A10, name),
            "nodes": _a(1, count(1)),
            "hourly_savings": _a(Decimal(1), decimal(bounded=False)),
        },
    ),
    EntryPoint(
        "Pending",
        Pending,
        {
            "unit": _a(UNIT, instance(QueueUnit)),
            "reason": _a(Reason.NO_QUOTA, instance(Reason)),
            "detail": _a("no quota", string),
        },
    ),
    EntryPoint(
        "Placement",
        Placement,
        {
            "replicas": _a({"cluster-a": 1}, _COUNTS),
            "provisioning": _a((PROVISION,), sequence(instance(NodeProvision))),
            "hourly_cost": _a(Decimal(1), decimal(bounded=False)),
            "scale_in": _a((RELEASE,), sequence(instance(NodeRelease))),
            "unplaced": _a(0, count()),
            "reasons": _a({"cluster-b": "not needed"}, mapping(name, text)),
        },
    ),
    EntryPoint(
        "PlacementPolicy",
        PlacementPolicy,
        {
            "cluster_names": _a(["cluster-a"], _NAMES),
            "label_selector": _a({"env": "prod"}, _LABELS),
            "exclude": _a(["cluster-b"], _NAMES),
            "replica_scheduling": _a(
                ReplicaSchedulingType.DIVIDED, instance(ReplicaSchedulingType)
            ),
            "weight_preference": _a(WeightPreference.AGGREGATED, instance(WeightPreference)),
            "static_weights": _a({"cluster-a": 2}, mapping(name, count(1))),
            "ecs_provision": _a(True, flag),
        },
    ),
    EntryPoint(
        "Preemption",
        Preemption,
        {
            "victim": _a(UNIT, instance(QueueUnit)),
            "preemptor": _a(None, optional(instance(QueueUnit))),
            "reason": _a(PreemptionReason.OVER_RUNTIME, instance(PreemptionReason)),
        },
    ),
    EntryPoint(
        "QueueUnit",
        QueueUnit,
        {
            "name": _a("job-1", name),
            "namespace": _a("ns-a", dns_label),
            "request": _a(Resources({"cpu": 1000}), resources()),
            "priority": _a(0, amount(negative=True)),
            "created": _a(0, created),
            "preemptible": _a(True, flag),
            "quota": _a(None, optional(dns_subdomain)),
        },
    ),
    EntryPoint(
        "QuotaNode",
        QuotaNode,
        {
            "name": _a("team-a", dns_subdomain),
            "min": _a(Resources({"cpu": 1000}), resources(negative=True)),
            "max": _a(Resources({"cpu": 2000}), resources(negative=True)),
            "namespaces": _a(("ns-a",), sequence(dns_label)),
            "parent": _a("root", optional(dns_subdomain)),
            "children": _a((), sequence(dns_subdomain)),
            "shared_weight": _a(None, optional(resources(negative=True))),
            "allow_lent": _a(True, flag),
        },
    ),
    EntryPoint(
        "QuotaTree",
        QuotaTree,
        # A tree's structural errors name the rule, not the field: "root" is the token.
        {
            "nodes": _a(TREE.nodes, sequence(instance(QuotaNode)), "nodes", "root"),
            "implicit_root": _a(False, flag),
        },
    ),
    EntryPoint(
        "Resources",
        Resources,
        # Errors name the whole value ("Resources: …") or the resource ("cpu: …").
        {"value": _keyed({"cpu": 1000}, pairs(name, amount(negative=True)), "Resources")},
        positional=1,
    ),
    EntryPoint(
        "Share",
        Share,
        {
            "name": _a("team-a", text),
            "min": _a(1000, amount()),
            "request": _a(2000, amount()),
            "weight": _a(1000, amount()),
            "allow_lent": _a(True, flag),
            "guarantee": _a(0, amount()),
        },
    ),
    EntryPoint(
        "ValidationReport",
        ValidationReport,
        {
            "profile": _a(Profile.KOORDINATOR, instance(Profile)),
            "violations": _a((VIOLATION,), sequence(instance(Violation))),
        },
    ),
    EntryPoint(
        "Violation",
        Violation,
        {
            "rule": _a(Rule.MIN_EXCEEDS_MAX, instance(Rule)),
            "node": _a("team-a", string),
            "resource": _a("cpu", string),
            "message": _a("team-a: min > max", string),
        },
    ),
    EntryPoint(
        "Workload",
        Workload,
        {
            "name": _a("qwen3-8b", name),
            "replicas": _a(2, count()),
            "request": _a(GPU, resources()),
            "uid": _a("", string),
        },
    ),
)

_DIVIDE_ARGUMENTS: Final = {
    "replicas": _a(3, count()),
    "available": _a({"a": 2, "b": 2}, _COUNTS),
    "previous": _a(None, optional(_COUNTS)),
    "uid": _a(None, optional(string)),
    "fresh": _a(False, flag),
    "allow_partial": _a(False, flag),
}

FUNCTION_ENTRY_POINTS: Final[tuple[EntryPoint, ...]] = (
    EntryPoint(
        "admit",
        invsched.admit,
        {
            "tree": _a(TREE, instance(QuotaTree)),
            "pending": _a((UNIT,), sequence(instance(QueueUnit))),
            "running": _a((), sequence(instance(QueueUnit))),
            "total": _a({"cpu": 8000}, mapping(text, amount())),
            "policy": _a(QueuePolicy.PRIORITY, instance(QueuePolicy)),
            "oversell": _a(1, oversell),
            "reclaim": _a(Reclaim.TO_RUNTIME, instance(Reclaim)),
            "preempt_within_quota": _a(False, flag),
        },
    ),
    EntryPoint(
        "aggregate_requests",
        invsched.aggregate_requests,
        {
            "tree": _a(TREE, instance(QuotaTree)),
            "requests": _a({"team-a": {"cpu": 1000}}, _REQUESTS),
        },
    ),
    EntryPoint(
        "canonical_quantity",
        invsched.canonical_quantity,
        {"text": _a("1.5Gi", quantity, "text", "invalid quantity")},
    ),
    EntryPoint(
        "divide_aggregated",
        invsched.divide_aggregated,
        _DIVIDE_ARGUMENTS,
        outcomes=(InsufficientReplicas,),
    ),
    EntryPoint(
        "divide_dynamic",
        invsched.divide_dynamic,
        _DIVIDE_ARGUMENTS,
        outcomes=(InsufficientReplicas,),
    ),
    EntryPoint(
        "divide_static",
        invsched.divide_static,
        {
            "replicas": _a(3, count()),
            "weights": _a({"a": 2, "b": 1}, _COUNTS),
            "uid": _a(None, optional(string)),
        },
    ),
    EntryPoint(
        "estimate_gpu_memory",
        invsched.estimate_gpu_memory,
        {
            "params": _a(7_000_000_000, count()),
            "precision": _a(Precision.FP16, instance(Precision)),
            "layers": _a(32, count()),
            "kv_heads": _a(8, count()),
            "head_dim": _a(128, count()),
            "max_tokens": _a(4096, count()),
            "batch": _a(1, count()),
            "overhead": _a(0, count()),
            "kv_precision": _a(None, optional(instance(Precision))),
        },
    ),
    EntryPoint(
        "estimate_replicas",
        invsched.estimate_replicas,
        {
            "cluster": _a(CLUSTER, instance(Cluster)),
            "request": _a(GPU, resources()),
            "node_selector": _a(None, optional(_LABELS)),
        },
    ),
    EntryPoint(
        "format_quantity",
        invsched.format_quantity,
        {
            "milli": _a(1500, amount(negative=True), "milli", "invalid quantity"),
            "binary": _a(False, flag),
        },
    ),
    EntryPoint(
        "instance_types_that_fit",
        invsched.instance_types_that_fit,
        {
            "catalog": _a((INSTANCE_TYPE,), sequence(instance(InstanceType))),
            "memory": _a(2**30, count()),
            "gpu_memory_utilization": _a(Decimal("0.9"), utilisation),
            "gpus": _a(1, count(1)),
        },
    ),
    EntryPoint(
        "load_catalog",
        invsched.load_catalog,
        {"prices": _a({A10: Decimal("9.74")}, optional(mapping(catalogued, decimal())))},
    ),
    EntryPoint(
        "parse_quantity",
        invsched.parse_quantity,
        {
            "text": _a("500m", quantity, "text", "invalid quantity"),
            "field": _a("min.cpu", string),
        },
    ),
    EntryPoint(
        "place",
        invsched.place,
        {
            "workload": _a(WORKLOAD, instance(Workload)),
            "policy": _a(POLICY, instance(PlacementPolicy)),
            "fleet": _a(FLEET, instance(Fleet)),
            "previous": _a(None, optional(either(instance(Placement), _COUNTS))),
            # Cluster → node → replicas; a well-formed one naming nodes the fleet lacks is
            # refused too, naming the field.
            "current": _a(None, optional(mapping(name, _COUNTS))),
            "allow_partial": _a(False, flag),
        },
        outcomes=(InsufficientReplicas,),
    ),
    EntryPoint(
        "redistribute",
        invsched.redistribute,
        {
            "total": _a(3000, amount()),
            "shares": _a(
                (Share(name="a", min=0, request=2000, weight=1, guarantee=0),),
                sequence(instance(Share)),
            ),
            "rounding": _a(Rounding.LARGEST_REMAINDER, instance(Rounding)),
        },
    ),
    EntryPoint(
        "revoke",
        invsched.revoke,
        {
            "tree": _a(TREE, instance(QuotaTree)),
            "running": _a((UNIT,), sequence(instance(QueueUnit))),
            "total": _a(Resources({"cpu": 8000}), either(resources(), mapping(text, amount()))),
            "pending": _a((), sequence(instance(QueueUnit))),
        },
    ),
    EntryPoint(
        "runtime_quota",
        invsched.runtime_quota,
        {
            "tree": _a(TREE, instance(QuotaTree)),
            "requests": _a({"team-a": {"cpu": 1000}}, _REQUESTS),
            "total": _a({"cpu": 8000}, mapping(text, amount())),
            "scale_min": _a(True, flag),
            "rounding": _a(Rounding.LARGEST_REMAINDER, instance(Rounding)),
        },
    ),
    EntryPoint(
        "select_victims",
        invsched.select_victims,
        {
            "candidates": _a((UNIT,), sequence(instance(QueueUnit))),
            "used": _a({"cpu": 2000}, _AMOUNTS),
            "limit": _a({"cpu": 1000}, _AMOUNTS),
        },
    ),
    EntryPoint(
        "validate_tree",
        invsched.validate_tree,
        {
            "tree": _a(TREE, instance(QuotaTree)),
            "profile": _a(Profile.KOORDINATOR, instance(Profile)),
            "total": _a(None, optional(resources())),
        },
    ),
    EntryPoint(
        "webster",
        invsched.webster,
        {
            "seats": _a(4, count()),
            "votes": _a({"a": 3, "b": 1}, _COUNTS),
            "initial": _a(None, optional(_COUNTS)),
            "uid": _a(None, optional(string)),
        },
    ),
)

_R: Final = Resources({"cpu": 1000})
_OPERAND: Final = mapping(name, amount(negative=True))

#: Containers and operators that are not records or functions of their own.
OTHER_ENTRY_POINTS: Final[tuple[EntryPoint, ...]] = (
    EntryPoint(
        "FrozenMap",
        FrozenMap,
        {"value": _a({"a": 1}, hashable_map, "FrozenMap")},
        positional=1,
    ),
    EntryPoint(
        "Resources + other",
        lambda other: _R + other,
        {"other": _keyed({"cpu": 1}, _OPERAND, "Resources + other")},
    ),
    EntryPoint(
        "other + Resources",
        lambda other: other + _R,
        {"other": _keyed({"cpu": 1}, _OPERAND, "other + Resources")},
    ),
    EntryPoint(
        "other - Resources",
        lambda other: other - _R,
        {"other": _keyed({"cpu": 1}, _OPERAND, "other - Resources")},
    ),
    EntryPoint(
        "Resources - other",
        lambda other: _R - other,
        {"other": _keyed({"cpu": 1}, _OPERAND, "Resources - other")},
    ),
    EntryPoint(
        "Resources.fits_in",
        lambda limit, missing_is_unlimited: _R.fits_in(
            limit, missing_is_unlimited=missing_is_unlimited
        ),
        {
            "limit": _keyed({"cpu": 1}, _OPERAND, "limit"),
            "missing_is_unlimited": _a(False, flag),
        },
    ),
    EntryPoint(
        "Resources.union_max",
        _R.union_max,
        {"other": _keyed({"cpu": 1}, _OPERAND, "other")},
    ),
    EntryPoint(
        "Resources.union_min",
        _R.union_min,
        {"other": _keyed({"cpu": 1}, _OPERAND, "other")},
    ),
    EntryPoint(
        "Resources.scaled",
        _R.scaled,
        {"factor": _a(2, amount(negative=True), "Resources.scaled", "cpu: ")},
    ),
)


ENTRY_POINTS: Final = RECORD_ENTRY_POINTS + FUNCTION_ENTRY_POINTS + OTHER_ENTRY_POINTS


def public_records() -> list[str]:
    """The names of ``invsched.__all__`` that are attrs record classes."""
    return [
        key
        for key in invsched.__all__
        if isinstance(getattr(invsched, key), type) and attrs.has(getattr(invsched, key))
    ]


def public_functions() -> list[str]:
    """The names of ``invsched.__all__`` that are functions (neither classes nor values)."""
    return [
        key
        for key in invsched.__all__
        if callable(getattr(invsched, key)) and not isinstance(getattr(invsched, key), type)
    ]


# The contract ------------------------------------------------------------------------------


def _describe(value: object) -> str:
    try:
        shown = repr(value)
    except Exception:  # a huge int, a recursive structure
        shown = f"<{type(value).__name__}>"
    return shown if len(shown) <= 120 else f"{shown[:120]}…"


def check_call(entry: EntryPoint, overrides: Mapping[str, object]) -> str | None:
    """Call ``entry`` with ``overrides``; ``None`` if it kept the contract, else what broke.

    Any exception the call raises is caught and judged; nothing but the verdict escapes.
    """
    given = ", ".join(f"{key}={_describe(value)}" for key, value in overrides.items())
    where = f"{entry.name}({given})"
    try:
        entry.call(overrides)
    except Exception as error:  # judged below: typed, printable, short, naming the argument
        if isinstance(error, entry.outcomes):
            return _judge_accepted(entry, overrides, where, f"raised outcome {error!r}")
        return _judge_error(entry, overrides, where, error)
    return _judge_accepted(entry, overrides, where, "accepted")


def _judge_accepted(
    entry: EntryPoint, overrides: Mapping[str, object], where: str, how: str
) -> str | None:
    refused = [key for key, value in overrides.items() if not entry.arguments[key].accepts(value)]
    if refused:
        return f"{where}: {how} an invalid {', '.join(refused)}"
    return None


def _judge_error(
    entry: EntryPoint, overrides: Mapping[str, object], where: str, error: Exception
) -> str | None:
    kind = type(error).__name__
    if not isinstance(error, InvschedError) or not isinstance(error, (ValueError, TypeError)):
        return f"{where}: untyped {kind}: {_message(error)}"
    try:
        message = str(error)
    except Exception as failure:  # the message itself must format
        return f"{where}: str({kind}) raised {type(failure).__name__}: {failure}"
    if len(message) > MESSAGE_LIMIT:
        return f"{where}: {kind} message of {len(message)} characters: {message[:200]}…"
    tokens = [token for key in overrides for token in (entry.arguments[key].names or (key,))]
    tokens += [
        f"{short(field)}: "
        for key, value in overrides.items()
        if entry.arguments[key].keyed
        for field in _keys(value)
    ]
    if not any(token in message for token in tokens):
        return f"{where}: {kind} does not name {' or '.join(map(repr, tokens))}: {message}"
    return None


def _keys(value: object) -> list[str]:
    """The string keys of a mapping, or the first items of ``(key, value)`` pairs."""
    if isinstance(value, Mapping):
        keys: list[object] = list(value)
    elif isinstance(value, (list, tuple)):
        keys = [pair[0] for pair in value if isinstance(pair, tuple) and len(pair) == 2]
    else:
        keys = []
    return [key for key in keys if isinstance(key, str)]


def _message(error: BaseException) -> str:
    try:
        return str(error)[:300]
    except Exception:
        return "<message fails to format>"


def enum_members() -> tuple[enum.Enum, ...]:
    """One member of every public enum (junk of the wrong kind for enum arguments)."""
    kinds = [getattr(invsched, key) for key in invsched.__all__]
    return tuple(
        next(iter(kind)) for kind in kinds if isinstance(kind, type) and issubclass(kind, enum.Enum)
    )
