"""The error hierarchy: typed, ValueError-compatible, pickle-safe, exact messages."""

from __future__ import annotations

import pickle

import pytest

from invsched import (
    InsufficientReplicas,
    InvalidFleet,
    InvalidManifest,
    InvalidQuantity,
    InvalidQuotaTree,
    InvalidRequest,
    InvschedError,
)

ERRORS = [
    (
        InvalidQuantity("12x", "unknown suffix 'x'", "min.cpu"),
        "min.cpu: invalid quantity '12x': unknown suffix 'x'",
    ),
    (InvalidQuantity("", "empty string"), "invalid quantity '': empty string"),
    (InvalidManifest("spec.root.name", "expected a string"), "spec.root.name: expected a string"),
    (InvalidManifest("kind", "unknown kind 'Foo'", 3), "document 3: kind: unknown kind 'Foo'"),
    (InvalidManifest("", "not valid YAML"), "not valid YAML"),
    (
        InvalidQuotaTree(["a: duplicate quota name", "b: parent 'x' does not exist"]),
        "invalid quota tree (2 violations): a: duplicate quota name; b: parent 'x' does not exist",
    ),
    (
        InvalidRequest("total.cpu", "must not be negative, got -1"),
        "total.cpu: must not be negative, got -1",
    ),
    (
        InvalidFleet("clusters[0].region", "must be a non-empty string"),
        "clusters[0].region: must be a non-empty string",
    ),
    (InsufficientReplicas(3, 4), "Clusters available replicas 3 are not enough to schedule."),
]


@pytest.mark.parametrize(("error", "message"), ERRORS, ids=[type(e).__name__ for e, _ in ERRORS])
def test_message_type_and_pickle(error: InvschedError, message: str) -> None:
    assert str(error) == message
    assert isinstance(error, InvschedError)
    assert isinstance(error, ValueError)
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is type(error)
    assert str(clone) == message
    assert clone.args == error.args


def test_structured_attributes() -> None:
    error = InvalidQuantity("1.5.Gi", "bad", "max.memory")
    assert (error.value, error.reason, error.field) == ("1.5.Gi", "bad", "max.memory")
    replicas = InsufficientReplicas(available=1, requested=5)
    assert (replicas.available, replicas.requested) == (1, 5)
    assert InvalidManifest("f", "r", 2).document == 2


def test_messages_render_values_safely() -> None:
    """An int over 4300 digits cannot be printed by CPython; a message shows its size
    instead, and long values are cut, so that formatting an error never raises."""
    huge = 10**5000
    assert str(InvalidQuantity(huge, "too large", "cpu")) == (
        "cpu: invalid quantity an int of about 5001 digits: too large"
    )
    assert str(InvalidQuantity("x" * 200, "bad")) == f"invalid quantity '{'x' * 80}…': bad"
    assert str(InsufficientReplicas(available=huge, requested=1)) == (
        "Clusters available replicas an int of about 5001 digits are not enough to schedule."
    )
    assert str(InvalidQuotaTree([huge, "b: dangling"])) == (
        "invalid quota tree (2 violations): an int of about 5001 digits; b: dangling"
    )
    clone = pickle.loads(pickle.dumps(InvalidQuantity(huge, "too large")))
    assert str(clone) == "invalid quantity an int of about 5001 digits: too large"
