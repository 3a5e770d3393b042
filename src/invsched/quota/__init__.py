"""Quotas: the tree, its validation rules, and the runtime quota (min guarantee, max borrowing)."""

from __future__ import annotations

from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.quota.validation import Profile, Rule, ValidationReport, Violation, validate_tree

__all__ = [
    "Profile",
    "QuotaNode",
    "QuotaTree",
    "Rule",
    "ValidationReport",
    "Violation",
    "validate_tree",
]
