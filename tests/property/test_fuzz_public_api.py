"""Fuzz every public entry point with junk: only typed errors or correct answers come back.

Each entry point of :mod:`tests.public_api` (every record and function of
``invsched.__all__``, ``FrozenMap``, the operators of ``Resources``) and
``invsched.manifests.loads``/``load`` gets junk in one or more arguments, the others valid,
and :func:`tests.public_api.check_call` judges the outcome: an accepted value must be one the
argument accepts; an error must be an ``InvschedError`` and a ``ValueError``/``TypeError``
whose message formats, is at most 1000 characters and names the argument.

Junk: ints of every size (past CPython's 4300-digit printing limit), floats (nan, inf),
bools, strings (unicode, control characters, ``,:/``, lone surrogates), bytes, decimals,
fractions, lists, tuples and dicts of junk, ``None``, members of every public enum, and
valid records of the wrong kind.

Examples: :data:`EXAMPLES_PER_ENTRY` per entry point under the ``ci`` profile (at least
10,000 in all, in about half a minute on two cores), five times as many under ``dev``
(``HYPOTHESIS_PROFILE=dev``).
"""

from __future__ import annotations

import enum
import math
import os
from decimal import Decimal
from typing import Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.public_api import (
    ENTRY_POINTS,
    RECORDS,
    Argument,
    EntryPoint,
    anything,
    check_call,
)

import invsched

# Entry points ------------------------------------------------------------------------------


def _manifest_entry_points() -> tuple[EntryPoint, ...]:
    """``invsched.manifests.loads`` and ``load``, when the module offers them.

    Manifest errors name the document and the field path inside it (``document 0:
    spec.root.min.cpu: …``), not the Python argument, so any token is accepted (``""``).
    """
    try:
        from invsched import manifests
    except ImportError:  # pragma: no cover - PyYAML (the cli extra) is not installed
        return ()
    found = []
    for name in ("loads", "load"):
        function = getattr(manifests, name, None)
        if callable(function):
            found.append(
                EntryPoint(
                    f"manifests.{name}",
                    function,
                    {
                        "source": Argument(
                            valid="kind: Namespace\nmetadata: {name: a}\n",
                            accepts=_yaml_source,
                            names=("",),
                        )
                    },
                    positional=1,
                )
            )
    return tuple(found)


def _yaml_source(value: object) -> bool:
    """What a manifest reader may accept: text or bytes (junk text must be refused with a
    typed error, which the contract checks)."""
    return isinstance(value, (str, bytes))


FUZZED: Final = ENTRY_POINTS + _manifest_entry_points()

#: At least 10,000 examples in all under the ``ci`` profile.
EXAMPLES_PER_ENTRY: Final = math.ceil(10_000 / len(FUZZED))

settings.register_profile(
    "fuzz-ci",
    settings.get_profile("ci"),
    max_examples=EXAMPLES_PER_ENTRY,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz-dev",
    settings.get_profile("dev"),
    max_examples=5 * EXAMPLES_PER_ENTRY,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ: Final = settings.get_profile(
    "fuzz-dev" if os.environ.get("HYPOTHESIS_PROFILE") == "dev" else "fuzz-ci"
)

# Junk --------------------------------------------------------------------------------------

_NAMES: Final = st.sampled_from(
    [
        "",
        "a",
        "cpu",
        "cluster-a",
        "team-a",
        "ns-a",
        "a,b",
        "x:y/z",
        "東京",
        "A",
        " ",
        "a\nb",
        "\x00",
        "\ud800",
        "nvidia.com/gpu",
        "ecs.gn7i-c8g1.2xlarge",
        "x" * 300,
    ]
) | st.text(max_size=12)

_HUGE: Final = st.builds(
    lambda digits, sign: sign * 10 ** (digits - 1),
    st.sampled_from([99, 100, 101, 200, 4300, 4301, 5000]),
    st.sampled_from([1, -1]),
)

_INTS: Final = st.one_of(
    st.integers(-3, 12),
    st.integers(),
    st.integers(-(10**120), 10**120),
    _HUGE,
    st.sampled_from([10**100 - 1, 10**100, -(10**100), 2**63, 2**64]),
)

_DECIMALS: Final = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("sNaN"), Decimal("-0"), Decimal("1e999999"), Decimal("1e100")]),
)

_ENUMS: Final = st.sampled_from(
    [
        member
        for name in invsched.__all__
        if isinstance(kind := getattr(invsched, name), type) and issubclass(kind, enum.Enum)
        for member in kind
    ]
)

_SCALARS: Final = st.one_of(
    st.none(),
    st.booleans(),
    _INTS,
    st.floats(allow_nan=True, allow_infinity=True),
    _DECIMALS,
    st.fractions(),
    _NAMES,
    st.text(),
    st.binary(max_size=8),
    _ENUMS,
    st.sampled_from(RECORDS),
    st.builds(object),
)

_KEYS: Final = st.one_of(_NAMES, _INTS, st.none(), st.booleans(), _ENUMS)

#: Junk of every shape, nested a little: what any argument may receive.
JUNK: Final = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(_KEYS, children, max_size=4),
        # Near-valid shapes: names to counts, names to labels, records of one kind.
        st.dictionaries(_NAMES, _INTS, max_size=4),
        st.dictionaries(_NAMES, _NAMES, max_size=3),
        st.lists(st.sampled_from(RECORDS), max_size=3),
    ),
    max_leaves=8,
)

#: YAML values for manifest templates, as text.
_YAML_VALUES: Final = st.one_of(
    st.sampled_from(
        [
            "1" * 5000,
            "-" + "9" * 4400,
            "1e999",
            "12x",
            ".nan",
            "~",
            "[]",
            "{}",
            "!!binary aGk=",
            "&a [*a, *a]",
            "0x1F",
            "1_000",
            "'x'",
            '"\\u0000"',
            "yes",
            "2001-12-14",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "Team_A",
            "東京",
        ]
    ),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=10),
)

_YAML_TEMPLATES: Final = (
    "kind: Namespace\nmetadata: {{name: {v}}}\n",
    "apiVersion: scheduling.sigs.k8s.io/v1beta1\nkind: ElasticQuotaTree\nmetadata: {{name: t}}\n"
    "spec:\n  root:\n    name: root\n    min: {{cpu: {v}}}\n    max: {{cpu: 8}}\n"
    "    children:\n    - name: {v}\n      namespaces: [{v}]\n",
    "apiVersion: scheduling.sigs.k8s.io/v1beta1\nkind: ElasticQuotaTree\nmetadata: {{name: t}}\n"
    "spec: {{root: {v}}}\n",
    "kind: List\nitems: {v}\n",
    "kind: {v}\n",
    "{v}\n---\n{v}\n",
)

_YAML: Final = st.builds(
    lambda template, value: template.format(v=value), st.sampled_from(_YAML_TEMPLATES), _YAML_VALUES
)


def _junk_for(entry: EntryPoint) -> st.SearchStrategy[object]:
    if entry.name.startswith("manifests."):
        return st.one_of(_YAML, _YAML.map(lambda text: text.encode()), JUNK)
    return JUNK


# The suite ---------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", FUZZED, ids=lambda entry: entry.name)
@FUZZ
@given(data=st.data())
def test_junk_gets_a_typed_error_or_a_correct_answer(
    entry: EntryPoint, data: st.DataObject
) -> None:
    keys = data.draw(
        st.lists(st.sampled_from(list(entry.arguments)), min_size=1, max_size=3, unique=True),
        label="arguments",
    )
    junk = _junk_for(entry)
    overrides = {key: data.draw(junk, label=key) for key in keys}
    problem = check_call(entry, overrides)
    assert problem is None, problem


def test_the_suite_covers_every_entry_point_and_enough_examples() -> None:
    names = [entry.name for entry in FUZZED]
    assert len(names) == len(set(names))
    assert {"manifests.loads"} <= set(names) or not _manifest_entry_points()
    assert FUZZ.max_examples * len(FUZZED) >= 10_000
    # Every argument accepts its own valid value, so junk is the only cause of a refusal.
    assert all(
        argument.accepts is anything or argument.accepts(argument.valid)
        for entry in FUZZED
        for argument in entry.arguments.values()
    )
