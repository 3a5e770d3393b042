"""Law: a mangled example or upstream sample loads, or is refused with one ``InvalidManifest``
line — never another exception.

Every YAML file under ``examples/`` and ``tests/manifests/upstream/`` is parsed, mangled
(a key deleted, a value replaced by one of another type, junk inserted: strings, huge numbers,
non-ASCII text; a document duplicated), written back as YAML and loaded again.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from invsched import InvalidManifest
from invsched import _yaml as yaml_reader
from invsched.manifests import Manifests, loads

ROOT = Path(__file__).parents[2]
FILES = sorted(
    [*ROOT.glob("examples/**/*.yaml"), *(ROOT / "tests/manifests/upstream").glob("*.yaml")]
)

#: Field names the kind readers look for, so that insertions often land on a read field.
_KEYS = [
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "spec",
    "replicas",
    "minReplicas",
    "maxReplicas",
    "numOfHosts",
    "parallelism",
    "completions",
    "suspend",
    "template",
    "containers",
    "initContainers",
    "resources",
    "requests",
    "limits",
    "overhead",
    "priorityClassName",
    "value",
    "globalDefault",
    "total",
    "running",
    "request",
    "min",
    "max",
    "creationTimestamp",
    "quota.scheduling.koordinator.sh/parent",
    "quota.scheduling.koordinator.sh/is-parent",
    "quota.scheduling.koordinator.sh/shared-weight",
    "nvidia.com/gpu",
    "cpu",
]
_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([10**120, -(2**31) - 1, 2**31, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "東京",
            "ü",
            "\u200b",
            "-1",
            "1e999",
            "",
            "nvidia.com/gpu",
            "true",
            "999999999999Gi",
            '{"cpu": "1"}',
            '["a"]',
            "2024-02-30T00:00:00Z",
            "koordinator-root-quota",
            "Always",
        ]
    ),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=2),
    st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=3), st.integers(), max_size=2),
)

#: A place in a document: the container and the key (mapping) or index (list) in it.
_Spot = tuple[Any, Any]


def _spots(value: object) -> Iterator[_Spot]:
    """Every (container, key) below ``value``, depth first."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield value, key
            yield from _spots(child)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield value, index
            yield from _spots(child)


@st.composite
def _mangled(draw: st.DrawFn, documents: list[Any]) -> list[Any]:
    documents = copy.deepcopy(documents)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        action = draw(st.sampled_from(["delete", "replace", "insert", "duplicate"]))
        if action == "duplicate" and documents:
            chosen = draw(st.integers(min_value=0, max_value=len(documents) - 1))
            where = draw(st.integers(min_value=0, max_value=len(documents)))
            documents.insert(where, copy.deepcopy(documents[chosen]))
            continue
        spots = [spot for document in documents for spot in _spots(document)]
        if not spots:
            continue
        container, key = draw(st.sampled_from(spots))
        if action == "delete":
            del container[key]
        elif action == "replace":
            container[key] = draw(_JUNK)
        elif isinstance(container, dict):
            container[draw(st.sampled_from(_KEYS) | st.text(max_size=6))] = draw(_JUNK)
        else:
            container.insert(key, draw(_JUNK))
    return documents


def _documents(path: Path) -> list[Any]:
    return yaml_reader.parse_documents(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", FILES, ids=[str(path.relative_to(ROOT)) for path in FILES])
def test_a_mangled_file_loads_or_is_refused_with_a_typed_error(path: Path) -> None:
    documents = _documents(path)
    assert documents, path

    @settings(max_examples=min(settings().max_examples, 20))
    @given(_mangled(documents))
    def check(mangled: list[Any]) -> None:
        text = yaml.safe_dump_all(mangled, allow_unicode=True, sort_keys=False)
        try:
            result = loads(text)
        except InvalidManifest as error:
            message = str(error)
            assert message
            assert "\n" not in message
            return
        assert isinstance(result, Manifests)

    check()
