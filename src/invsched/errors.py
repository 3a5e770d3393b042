"""The error hierarchy.

Every error the library raises on bad input derives from :class:`InvschedError` and from
:class:`ValueError` (or :class:`TypeError`), carries structured attributes, and formats a
message that names the field, the rule and the offending value. Constructor arguments are
passed to ``super().__init__`` so that every error survives :mod:`pickle`. Values are shown
through :func:`invsched._validators.render` (short, and never failing: an int of 5000 digits
is described, not printed), so that formatting a message never raises.

Expected outcomes (a unit that stays pending, a replica that cannot be placed) are *results*,
never exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from invsched._validators import render

__all__ = [
    "InsufficientReplicas",
    "InvalidFleet",
    "InvalidManifest",
    "InvalidQuantity",
    "InvalidQuotaTree",
    "InvalidRequest",
    "InvschedError",
]


class InvschedError(Exception):
    """Base class of every error raised by invsched."""


class InvalidQuantity(InvschedError, ValueError):
    """A Kubernetes quantity that does not parse, or a value that is not a quantity.

    Attributes:
        value: the offending input, as given.
        reason: why it was rejected.
        field: where it came from (``"spec.root.min.cpu"``), or ``""`` when unknown.

    >>> str(InvalidQuantity("12x", "unknown suffix 'x'", field="min.cpu"))
    "min.cpu: invalid quantity '12x': unknown suffix 'x'"
    """

    def __init__(self, value: object, reason: str, field: str = "") -> None:
        super().__init__(value, reason, field)
        self.value = value
        self.reason = reason
        self.field = field

    def __str__(self) -> str:
        prefix = f"{self.field}: " if self.field else ""
        return f"{prefix}invalid quantity {render(self.value)}: {self.reason}"


class InvalidManifest(InvschedError, ValueError):
    """A manifest (YAML document or mapping) that cannot be read as the kind it claims.

    Attributes:
        field: the path of the offending field (``"spec.root.children[1].min.cpu"``).
        reason: the rule it breaks, with the value.
        document: the index of the document in a multi-document stream, or ``None``.
        source: the file the document came from (``"jobs.yaml"``, ``"<stdin>"``), or
            ``None`` when the error does not name one; the message starts with it.

    >>> str(InvalidManifest("spec.root.name", "expected a string, got int 3"))
    'spec.root.name: expected a string, got int 3'
    >>> str(InvalidManifest("kind", "unknown kind 'Foo'", document=2))
    "document 2: kind: unknown kind 'Foo'"
    >>> str(InvalidManifest("spec.suspend", "expected true or false", 1, source="jobs.yaml"))
    'jobs.yaml: document 1: spec.suspend: expected true or false'
    """

    def __init__(
        self, field: str, reason: str, document: int | None = None, source: str | None = None
    ) -> None:
        # Without a source the arguments are the three they always were (pickle-stable).
        arguments = (
            (field, reason, document) if source is None else (field, reason, document, source)
        )
        super().__init__(*arguments)
        self.field = field
        self.reason = reason
        self.document = document
        self.source = source

    def __str__(self) -> str:
        origin = f"{self.source}: " if self.source is not None else ""
        prefix = f"document {self.document}: " if self.document is not None else ""
        where = f"{self.field}: " if self.field else ""
        return f"{origin}{prefix}{where}{self.reason}"


class InvalidQuotaTree(InvschedError, ValueError):
    """A quota tree that breaks one or more validation rules.

    Attributes:
        violations: every violation found (``invsched.quota.Violation`` records), in tree
            pre-order; the message lists them all.

    >>> str(InvalidQuotaTree(["a: min cpu=2 exceeds max cpu=1"]))
    'invalid quota tree (1 violation): a: min cpu=2 exceeds max cpu=1'
    """

    def __init__(self, violations: Sequence[Any]) -> None:
        super().__init__(tuple(violations))
        self.violations = tuple(violations)

    def __str__(self) -> str:
        count = len(self.violations)
        noun = "violation" if count == 1 else "violations"
        details = "; ".join(_violation_text(v) for v in self.violations)
        return f"invalid quota tree ({count} {noun}): {details}"


def _violation_text(violation: object) -> str:
    """A violation's message (a ``Violation``'s ``message``, or a string as given)."""
    message = getattr(violation, "message", violation)
    return message if isinstance(message, str) else render(message)


class InvalidRequest(InvschedError, ValueError):
    """An argument to a scheduling function that breaks its contract.

    Attributes:
        field: the argument or record field (``"pending[3].request"``).
        reason: the rule it breaks, with the value.

    >>> str(InvalidRequest("total.cpu", "must not be negative, got -1"))
    'total.cpu: must not be negative, got -1'
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(field, reason)
        self.field = field
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class InvalidFleet(InvalidRequest):
    """A fleet description (clusters, pools, inventory, catalog) that is inconsistent."""


class InsufficientReplicas(InvschedError, ValueError):
    """Raised by division when the candidate clusters cannot hold every replica.

    The message is Karmada's own (``pkg/scheduler/core/division_algorithm.go``).

    Attributes:
        available: how many replicas the clusters could hold.
        requested: how many were asked for.

    >>> str(InsufficientReplicas(available=3, requested=4))
    'Clusters available replicas 3 are not enough to schedule.'
    """

    def __init__(self, available: int, requested: int) -> None:
        super().__init__(available, requested)
        self.available = available
        self.requested = requested

    def __str__(self) -> str:
        available = render(self.available)
        return f"Clusters available replicas {available} are not enough to schedule."
