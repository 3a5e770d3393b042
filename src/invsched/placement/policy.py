"""The request and result records of a placement (kept for imports; see :mod:`records`).

The records now live in :mod:`invsched.placement.records`; this module re-exports them so
that ``from invsched.placement.policy import Placement`` keeps working.
"""

from __future__ import annotations

from invsched.placement.records import (
    Placement,
    PlacementPolicy,
    ReplicaSchedulingType,
    WeightPreference,
    Workload,
)

__all__ = [
    "Placement",
    "PlacementPolicy",
    "ReplicaSchedulingType",
    "WeightPreference",
    "Workload",
]
