"""A public testing kit for schedulers: hypothesis strategies, invariant oracles and seeded
generators of large inputs.

Install with ``pip install 'invsched[testing]'``. Names load on first use, so the seeded
generators and the oracles work without hypothesis; only the strategies need it.

* Strategies (valid by construction, with size knobs): :func:`resources`,
  :func:`quota_trees`, :func:`queue_units`, :func:`running_sets`, :func:`clusters`,
  :func:`fleets`, :func:`instance_types`, :func:`workloads`, :func:`placement_policies`,
  :func:`simulation_inputs`.
* Oracles (return the broken invariants; the ``assert_*`` forms raise ``AssertionError``):
  :func:`check_admission`, :func:`assert_admission_consistent`, :func:`check_placement`,
  :func:`assert_placement_consistent`, :func:`check_simulation`,
  :func:`assert_simulation_consistent`.
* Generators (deterministic for a seed, plain records): :func:`generate_tree`,
  :func:`generate_queue`, :func:`generate_fleet`, :func:`generate_jobs` (a synthetic trace
  from :class:`JobClass` descriptions).

>>> from invsched.testing import generate_tree
>>> generate_tree(10, 3, seed=1) == generate_tree(10, 3, seed=1)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from invsched.testing._admission import queue_units, running_sets
    from invsched.testing._admission_generators import generate_queue
    from invsched.testing._admission_oracle import assert_admission_consistent, check_admission
    from invsched.testing._fleet import (
        clusters,
        fleets,
        instance_types,
        placement_policies,
        workloads,
    )
    from invsched.testing._fleet_generators import generate_fleet
    from invsched.testing._placement_oracle import assert_placement_consistent, check_placement
    from invsched.testing._quota import quota_trees
    from invsched.testing._quota_generators import generate_tree
    from invsched.testing._resources import quantity_texts, resources
    from invsched.testing._resources_generators import generate_quantity_texts
    from invsched.testing._simulation_oracle import (
        assert_simulation_consistent,
        check_simulation,
    )
    from invsched.testing._workload import simulation_inputs
    from invsched.testing._workload_generators import JobClass, generate_jobs

#: Public name → the private module defining it.
_LOCATIONS = {
    "resources": "_resources",
    "quantity_texts": "_resources",
    "generate_quantity_texts": "_resources_generators",
    "quota_trees": "_quota",
    "generate_tree": "_quota_generators",
    "queue_units": "_admission",
    "running_sets": "_admission",
    "check_admission": "_admission_oracle",
    "assert_admission_consistent": "_admission_oracle",
    "generate_queue": "_admission_generators",
    "clusters": "_fleet",
    "fleets": "_fleet",
    "instance_types": "_fleet",
    "workloads": "_fleet",
    "placement_policies": "_fleet",
    "generate_fleet": "_fleet_generators",
    "check_placement": "_placement_oracle",
    "assert_placement_consistent": "_placement_oracle",
    "JobClass": "_workload_generators",
    "generate_jobs": "_workload_generators",
    "simulation_inputs": "_workload",
    "check_simulation": "_simulation_oracle",
    "assert_simulation_consistent": "_simulation_oracle",
}

__all__ = [
    "JobClass",
    "assert_admission_consistent",
    "assert_placement_consistent",
    "assert_simulation_consistent",
    "check_admission",
    "check_placement",
    "check_simulation",
    "clusters",
    "fleets",
    "generate_fleet",
    "generate_jobs",
    "generate_quantity_texts",
    "generate_queue",
    "generate_tree",
    "instance_types",
    "placement_policies",
    "quantity_texts",
    "queue_units",
    "quota_trees",
    "resources",
    "running_sets",
    "simulation_inputs",
    "workloads",
]


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        raise AttributeError(f"module 'invsched.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"invsched.testing.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
