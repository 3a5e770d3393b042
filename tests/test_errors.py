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
