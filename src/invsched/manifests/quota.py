"""The quota kinds: ACK's ``ElasticQuotaTree`` and Koordinator's flat ``ElasticQuota`` objects.

Both become one :class:`~invsched.quota.QuotaTree` (``Manifests.quota_tree``):

* an ``ElasticQuotaTree`` (``scheduling.sigs.k8s.io/v1beta1``, at most one) is read by
  :meth:`QuotaTree.from_manifest <invsched.quota.QuotaTree.from_manifest>`;
* Koordinator's ``ElasticQuota`` objects (``scheduling.sigs.k8s.io/v1alpha1``), one per quota,
  are collected over the whole stream and become one tree at its end, under Koordinator's
  implicit root :data:`ROOT_QUOTA` (``koordinator-root-quota``), which the tree marks
  ``implicit_root``. The labels and annotations read, and their defaults, are Koordinator's
  (``apis/extension/elastic_quota.go``):

  - ``quota.scheduling.koordinator.sh/parent`` (label): the parent quota; absent, empty or
    ``koordinator-root-quota`` means the implicit root;
  - ``quota.scheduling.koordinator.sh/is-parent`` (label): ``"true"`` for a quota that may
    have children (anything else is a leaf, as upstream);
  - ``quota.scheduling.koordinator.sh/allow-lent-resource`` (label): ``"false"`` keeps the
    quota's idle min from being lent (anything else lends, as upstream);
  - ``quota.scheduling.koordinator.sh/shared-weight`` (annotation): a JSON resource list
    (``'{"cpu":"40","memory":"40Gi"}'``); absent or all zero means ``max``;
  - ``quota.scheduling.koordinator.sh/namespaces`` (annotation): a JSON list of the
    namespaces whose pods the quota takes.

  A leaf quota also takes the pods of its own namespace when its name is that namespace
  (Koordinator's ``GetQuotaName``: the quota named like the pod's namespace, in that
  namespace). The objects Koordinator creates for itself — ``koordinator-root-quota``,
  ``koordinator-system-quota`` and ``koordinator-default-quota`` — are not part of the tree
  and are listed as skipped.

An ``ElasticQuotaTree`` and ``ElasticQuota`` objects in one input is an error naming both, as
is an unknown field in ``spec`` (a typo must not silently mean "no guarantee").

>>> from invsched.manifests import loads
>>> tree = loads('''
... apiVersion: scheduling.sigs.k8s.io/v1alpha1
... kind: ElasticQuota
... metadata: {name: team-a, namespace: team-a}
... spec: {min: {cpu: 4}, max: {cpu: 8}}
... ''').quota_tree
>>> [node.name for node in tree], tree.implicit_root, tree.quota_for_namespace("team-a")
(['koordinator-root-quota', 'team-a'], True, 'team-a')
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from invsched._validators import check_dns_label, render
from invsched.errors import InvalidManifest, InvalidQuantity
from invsched.manifests._stream import Collected, Read
from invsched.manifests._walk import Field, type_name
from invsched.quota.tree import QuotaNode, QuotaTree
from invsched.resources import Resources

__all__ = ["ROOT_QUOTA"]

#: Koordinator's implicit root: the parent of every quota that names no other
#: (``extension.RootQuotaName``).
ROOT_QUOTA: Final = "koordinator-root-quota"
#: The quotas Koordinator creates for itself, outside the tree: system pods, and pods that
#: name no quota.
_MANAGED: Final = frozenset({ROOT_QUOTA, "koordinator-system-quota", "koordinator-default-quota"})

_PREFIX: Final = "quota.scheduling.koordinator.sh"
_PARENT: Final = f"{_PREFIX}/parent"
_IS_PARENT: Final = f"{_PREFIX}/is-parent"
_ALLOW_LENT: Final = f"{_PREFIX}/allow-lent-resource"
_SHARED_WEIGHT: Final = f"{_PREFIX}/shared-weight"
_NAMESPACES: Final = f"{_PREFIX}/namespaces"

_SPEC_FIELDS: Final = frozenset({"min", "max"})

#: The slots the two kinds fill: the tree itself, and the flat quotas a finishing step joins.
_TREE_SLOT: Final = "quota_tree"
_FLAT_SLOT: Final = "elastic_quotas"


@attrs.frozen(kw_only=True)
class _FlatQuota:
    """One ``ElasticQuota`` object, before the tree is built."""

    api_version: str
    name: str
    namespace: str
    parent: str
    is_parent: bool
    min: Resources
    max: Resources
    shared_weight: Resources | None
    allow_lent: bool
    namespaces: tuple[str, ...]


def _strings(field: Field) -> dict[str, str]:
    """Labels or annotations: strings to strings, as Kubernetes requires."""
    result: dict[str, str] = {}
    for key, value in field.mapping().items():
        if not isinstance(key, str):
            field.fail(f"a key must be a string, got {type_name(key)} {render(key)}")
        if not isinstance(value, str):
            hint = (
                " (quote it: label and annotation values are strings)" if value is not None else ""
            )
            field[key].fail(f"expected a string, got {type_name(value)} {render(value)}{hint}")
        result[key] = value
    return result


def _json(field: Field, text: str, what: str) -> object:
    """A JSON annotation value; numbers are kept as text, as Kubernetes quantities are."""
    try:
        return json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
    except ValueError as error:
        return field.fail(f"expected {what} as JSON, got {render(text)} ({error})")
    except RecursionError:
        return field.fail(f"expected {what} as JSON, got a value nested too deeply")


def _shared_weight(annotations: Field, text: str | None) -> Resources | None:
    if text is None:
        return None
    field = annotations[_SHARED_WEIGHT]
    value = _json(field, text, "a resource list")
    if not isinstance(value, dict):
        field.fail(f"expected a JSON object of quantities, got {type_name(value)} {render(text)}")
    weight = Field(value, field.path).quantities()
    # Koordinator falls back to max when the list is empty or all zero (GetSharedWeight).
    return None if weight.is_zero() else weight


def _namespaces(annotations: Field, text: str | None) -> tuple[str, ...]:
    if text is None or text == "":
        return ()
    field = annotations[_NAMESPACES]
    value = _json(field, text, "a list of namespaces")
    if not isinstance(value, list):
        return field.fail(  # type: ignore[no-any-return]
            f"expected a JSON list of namespaces, got {type_name(value)} {render(text)}"
        )
    found: list[str] = []
    for index, item in enumerate(value):
        try:
            found.append(check_dns_label(InvalidManifest, "", item))
        except InvalidManifest as error:
            field.fail(f"item {index}: {error.reason}")
    return tuple(found)


def _parent(labels: Field, values: Mapping[str, str]) -> str:
    parent = values.get(_PARENT, "")
    if parent in ("", ROOT_QUOTA):
        return ROOT_QUOTA
    return labels[_PARENT].name()


def _read_elastic_quota(document: Field) -> _FlatQuota:
    """Read one Koordinator ``ElasticQuota`` object (see the module docstring).

    Raises:
        InvalidManifest: a bad name, namespace, label, annotation or quantity, or an unknown
            field in ``spec``; the error names the field path.

    Runtime complexity: O(size of the object).
    """
    metadata = document["metadata"]
    name = metadata["name"].name()
    namespace = metadata["namespace"].label(default="default")
    labels = metadata["labels"]
    annotations = metadata["annotations"]
    label_values = _strings(labels)
    annotation_values = _strings(annotations)
    spec = document["spec"].only(_SPEC_FIELDS)
    return _FlatQuota(
        api_version=document["apiVersion"].string(default=""),
        name=name,
        namespace=namespace,
        parent=_parent(labels, label_values),
        is_parent=label_values.get(_IS_PARENT) == "true",
        min=spec["min"].quantities(),
        max=spec["max"].quantities(),
        shared_weight=_shared_weight(annotations, annotation_values.get(_SHARED_WEIGHT)),
        allow_lent=label_values.get(_ALLOW_LENT) != "false",
        namespaces=_namespaces(annotations, annotation_values.get(_NAMESPACES)),
    )


def _read_elastic_quota_tree(document: Field) -> QuotaTree:
    """Read ACK's ``ElasticQuotaTree`` (see :meth:`QuotaTree.from_manifest`).

    Runtime complexity: O(n + q) for n nodes and q quantities.
    """
    return QuotaTree.from_manifest(document.value)


_PARENT_PATH: Final = f"metadata.labels.{_PARENT}"


def _flat(read: Read[object]) -> _FlatQuota:
    value = read.value
    assert isinstance(value, _FlatQuota)
    return value


def _check_parents(quotas: Sequence[Read[object]], by_name: Mapping[str, Read[object]]) -> None:
    """Every parent exists and says it is one; every quota named once."""
    for read in quotas:
        quota = _flat(read)
        first = by_name[quota.name]
        if first is not read:
            raise read.place.error(
                "metadata.name",
                f"a second quota named {render(quota.name)} (the first is {first.place})",
            )
    for read in quotas:
        quota = _flat(read)
        if quota.parent == ROOT_QUOTA:
            continue
        parent = by_name.get(quota.parent)
        if parent is None:
            raise read.place.error(
                _PARENT_PATH, f"the parent quota {render(quota.parent)} is not in the input"
            )
        if not _flat(parent).is_parent:
            # Koordinator's webhook: "has parentName X but the parentQuotaInfo's IsParent is
            # false".
            raise read.place.error(
                _PARENT_PATH,
                f"the parent quota {render(quota.parent)} ({parent.place}) is not labelled "
                f'{_IS_PARENT}: "true"',
            )


def _detached(quotas: Sequence[Read[object]], children: Mapping[str, list[str]]) -> None:
    """Refuse quotas whose parents form a cycle away from the root."""
    reached: set[str] = set()
    stack = list(children.get(ROOT_QUOTA, ()))
    while stack:
        name = stack.pop()
        reached.add(name)
        stack.extend(children.get(name, ()))
    cycle = [read for read in quotas if _flat(read).name not in reached]
    if cycle:
        names = sorted(_flat(read).name for read in cycle)
        shown = repr(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
        raise cycle[0].place.error(
            _PARENT_PATH, f"the quotas {shown} are each other's parents, detached from the root"
        )


def _node(quota: _FlatQuota, children: Sequence[str]) -> QuotaNode:
    namespaces = list(quota.namespaces)
    # Koordinator routes a pod without a quota label to the quota named like its namespace,
    # in that namespace (GetQuotaName); a parent quota takes no pods.
    if not quota.is_parent and quota.name == quota.namespace and quota.name not in namespaces:
        namespaces.insert(0, quota.namespace)
    return QuotaNode(
        name=quota.name,
        min=quota.min,
        max=quota.max,
        namespaces=namespaces,
        parent=quota.parent,
        children=tuple(children),
        shared_weight=quota.shared_weight,
        allow_lent=quota.allow_lent,
    )


def _finish_quota(collected: Collected) -> dict[str, Any]:
    """Join the flat ``ElasticQuota`` objects into one tree (``quota_tree``).

    Raises:
        InvalidManifest: ``ElasticQuota`` objects beside an ``ElasticQuotaTree``; a quota
            name used twice; a parent that is not in the input or not labelled
            ``is-parent: "true"``; a leaf with children; quotas whose parents form a cycle.
            The error names the object (file, document) and the field.

    Runtime complexity: O(n · r) for n quotas and r resource names.
    """
    flats = collected.get(_FLAT_SLOT)
    if not flats:
        return {}
    tree = collected.first(_TREE_SLOT)
    if tree is not None:
        later, earlier = (flats[0], tree) if flats[0].order > tree.order else (tree, flats[0])
        raise later.place.error(
            "kind",
            "ElasticQuota objects and an ElasticQuotaTree cannot describe the quotas together "
            f"(the other is {earlier.place}); use one or the other",
        )
    skipped = [read for read in flats if _flat(read).name in _MANAGED]
    quotas = [read for read in flats if _flat(read).name not in _MANAGED]
    by_name: dict[str, Read[object]] = {}
    for read in quotas:
        by_name.setdefault(_flat(read).name, read)
    _check_parents(quotas, by_name)
    children: dict[str, list[str]] = {}
    for read in quotas:
        children.setdefault(_flat(read).parent, []).append(_flat(read).name)
    _detached(quotas, children)
    first_level = children.get(ROOT_QUOTA, [])
    root_min = Resources()
    for name in first_level:
        try:
            root_min = root_min + _flat(by_name[name]).min
        except InvalidQuantity:
            raise by_name[name].place.error(
                "spec.min",
                f"the mins of the quotas under {ROOT_QUOTA} add up beyond 10^100 milli-units",
            ) from None
    nodes = [QuotaNode(name=ROOT_QUOTA, min=root_min, children=tuple(first_level))]
    nodes.extend(_node(_flat(read), children.get(_flat(read).name, ())) for read in quotas)
    return {
        _TREE_SLOT: QuotaTree.from_nodes(nodes, implicit_root=True),
        "skipped": [
            (
                read.order,
                read.place.skipped(_flat(read).api_version, "ElasticQuota", _flat(read).name),
            )
            for read in skipped
        ],
    }
