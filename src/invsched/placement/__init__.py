"""Multi-cluster placement: Karmada's replica division and inventory-aware provisioning.

Data flows one way: ``fleet`` (records) ← ``estimate`` (capacity) ← ``provision`` (new
nodes at least cost) ← ``place`` (the decision); ``webster`` and ``divide`` are the
division primitives; ``catalog`` and ``sizing`` help describe GPU instance types.
"""

from __future__ import annotations

from invsched.frozenmap import FrozenMap
from invsched.placement.catalog import load_catalog
from invsched.placement.divide import Division, divide_aggregated, divide_dynamic, divide_static
from invsched.placement.estimate import (
    Offer,
    ProvisioningOptions,
    Shape,
    estimate_node_replicas,
    estimate_replicas,
    provisionable_replicas,
    provisioning_options,
    replicas_per_node,
)
from invsched.placement.fleet import Cluster, Fleet, InstanceType, Node, NodePool
from invsched.placement.place import place
from invsched.placement.policy import (
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)
from invsched.placement.provision import (
    NodeProvision,
    NodeRelease,
    most_provisionable,
    plan_provisioning,
    release_nodes,
)
from invsched.placement.sizing import Precision, estimate_gpu_memory, instance_types_that_fit
from invsched.placement.webster import webster

__all__ = [
    "Cluster",
    "Division",
    "Fleet",
    "FrozenMap",
    "InstanceType",
    "Node",
    "NodePool",
    "NodeProvision",
    "NodeRelease",
    "Offer",
    "Placement",
    "PlacementPolicy",
    "Precision",
    "ProvisioningOptions",
    "ReplicaSchedulingType",
    "Shape",
    "WeightPreference",
    "Workload",
    "divide_aggregated",
    "divide_dynamic",
    "divide_static",
    "estimate_gpu_memory",
    "estimate_node_replicas",
    "estimate_replicas",
    "instance_types_that_fit",
    "load_catalog",
    "most_provisionable",
    "place",
    "plan_provisioning",
    "provisionable_replicas",
    "provisioning_options",
    "release_nodes",
    "replicas_per_node",
    "webster",
]
