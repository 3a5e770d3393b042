"""Multi-cluster placement: Karmada's replica division and inventory-aware provisioning.

Module map, in reading order (each depends only on those above it):

* ``fleet`` — the snapshot: instance types, nodes, pools, clusters, regional stock;
* ``records`` — the request and the decision: ``Workload``, ``PlacementPolicy``,
  ``Placement``, ``NodeProvision``, ``NodeRelease`` and the enums;
* ``webster``, ``divide`` — Karmada's replica division;
* ``estimate`` — how many replicas fit, on existing nodes and on new ones;
* ``provision`` — the least-cost new nodes for a shortfall (``_flow``, ``_knapsack``,
  ``_mip`` are its solver parts);
* ``release``, ``observed`` — scale-in from a previous placement, or from what a
  controller observes;
* ``place`` — the decision, a short pipeline over the modules above;
* ``catalog``, ``sizing`` — describe GPU instance types and what a model needs.

``policy`` re-exports the records for older imports.
"""

from __future__ import annotations

from invsched.frozenmap import FrozenMap
from invsched.placement.catalog import load_catalog
from invsched.placement.divide import Division, divide_aggregated, divide_dynamic, divide_static
from invsched.placement.estimate import (
    GrowablePool,
    InstanceFit,
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
from invsched.placement.provision import most_provisionable, plan_provisioning
from invsched.placement.records import (
    NodeProvision,
    NodeRelease,
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)
from invsched.placement.release import release_nodes
from invsched.placement.sizing import Precision, estimate_gpu_memory, instance_types_that_fit
from invsched.placement.webster import webster

__all__ = [
    "Cluster",
    "Division",
    "Fleet",
    "FrozenMap",
    "GrowablePool",
    "InstanceFit",
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
