"""invsched: hierarchical elastic GPU quotas with job queueing, and inventory-aware replica
placement across a fleet of Kubernetes clusters, as pure functions over immutable records."""

from __future__ import annotations

from invsched.errors import (
    InsufficientReplicas,
    InvalidFleet,
    InvalidManifest,
    InvalidQuantity,
    InvalidQuotaTree,
    InvalidRequest,
    InvschedError,
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
    Rule,
    ValidationReport,
    Violation,
    validate_tree,
)
from invsched.resources import Resources

__version__ = "0.1.0"

__all__ = [
    "MAX_QUANTITY_DIGITS",
    "InsufficientReplicas",
    "InvalidFleet",
    "InvalidManifest",
    "InvalidQuantity",
    "InvalidQuotaTree",
    "InvalidRequest",
    "InvschedError",
    "Profile",
    "QuantityFormat",
    "QuotaNode",
    "QuotaTree",
    "Resources",
    "Rule",
    "ValidationReport",
    "Violation",
    "__version__",
    "canonical_quantity",
    "format_quantity",
    "parse_quantity",
    "validate_tree",
]
