"""invsched: hierarchical elastic GPU quotas with job queueing, and inventory-aware replica
placement across a fleet of Kubernetes clusters, as pure functions over immutable records.

The facade re-exports the public names of the subpackages:

* quantities and resources: :mod:`invsched.quantity`, :mod:`invsched.resources`;
* quotas (tree, validation, runtime quota): :mod:`invsched.quota`;
* admission (one cycle over every pending unit, reclaim): :mod:`invsched.admission`;
* placement (division, capacity, provisioning, sizing): :mod:`invsched.placement`;
* a testing kit for other schedulers: :mod:`invsched.testing` (not imported here).
"""

from __future__ import annotations

from invsched.admission import (
    AdmissionResult,
    Pending,
    Preemption,
    PreemptionReason,
    QueuePolicy,
    QueueUnit,
    Reason,
    Reclaim,
    admit,
    revoke,
    select_victims,
)
from invsched.errors import (
    InsufficientReplicas,
    InvalidFleet,
    InvalidManifest,
    InvalidQuantity,
    InvalidQuotaTree,
    InvalidRequest,
    InvschedError,
)
from invsched.frozenmap import FrozenMap
from invsched.placement import (
    Cluster,
    Division,
    Fleet,
    InstanceType,
    Node,
    NodePool,
    NodeProvision,
    NodeRelease,
    Placement,
    PlacementPolicy,
    Precision,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
    divide_aggregated,
    divide_dynamic,
    divide_static,
    estimate_gpu_memory,
    estimate_replicas,
    instance_types_that_fit,
    load_catalog,
    place,
    webster,
)
from invsched.quantity import (
    MAX_QUANTITY_DIGITS,
    QuantityFormat,
    canonical_quantity,
    format_quantity,
    parse_quantity,
)
from invsched.quota import (
    Profile,
    QuotaNode,
    QuotaTree,
    Rounding,
    Rule,
    Share,
    ValidationReport,
    Violation,
    aggregate_requests,
    redistribute,
    runtime_quota,
    validate_tree,
)
from invsched.resources import Resources

__version__ = "0.1.0"

__all__ = [
    "MAX_QUANTITY_DIGITS",
    "AdmissionResult",
    "Cluster",
    "Division",
    "Fleet",
    "FrozenMap",
    "InstanceType",
    "InsufficientReplicas",
    "InvalidFleet",
    "InvalidManifest",
    "InvalidQuantity",
    "InvalidQuotaTree",
    "InvalidRequest",
    "InvschedError",
    "Node",
    "NodePool",
    "NodeProvision",
    "NodeRelease",
    "Pending",
    "Placement",
    "PlacementPolicy",
    "Precision",
    "Preemption",
    "PreemptionReason",
    "Profile",
    "QuantityFormat",
    "QueuePolicy",
    "QueueUnit",
    "QuotaNode",
    "QuotaTree",
    "Reason",
    "Reclaim",
    "ReplicaSchedulingType",
    "Resources",
    "Rounding",
    "Rule",
    "Share",
    "ValidationReport",
    "Violation",
    "WeightPreference",
    "Workload",
    "__version__",
    "admit",
    "aggregate_requests",
    "canonical_quantity",
    "divide_aggregated",
    "divide_dynamic",
    "divide_static",
    "estimate_gpu_memory",
    "estimate_replicas",
    "format_quantity",
    "instance_types_that_fit",
    "load_catalog",
    "parse_quantity",
    "place",
    "redistribute",
    "revoke",
    "runtime_quota",
    "select_victims",
    "validate_tree",
    "webster",
]
