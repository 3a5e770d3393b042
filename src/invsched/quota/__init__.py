"""Quotas: the tree, its validation rules, and the runtime quota (min guarantee, max borrowing)."""

from __future__ import annotations

from invsched.quota._share import Rounding, Share, redistribute
from invsched.quota.runtime import aggregate_requests, runtime_quota
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.quota.validation import Profile, Rule, ValidationReport, Violation, validate_tree

__all__ = [
    "Profile",
    "QuotaNode",
    "QuotaTree",
    "Rounding",
    "Rule",
    "Share",
    "ValidationReport",
    "Violation",
    "aggregate_requests",
    "redistribute",
    "runtime_quota",
    "validate_tree",
]
