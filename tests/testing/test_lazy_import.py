"""The kit's generators and oracles work where hypothesis cannot be imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import invsched.testing

#: Blocks hypothesis for the child interpreter, then uses every hypothesis-free name.
WITHOUT_HYPOTHESIS = textwrap.dedent(
    """
    import sys

    class NoHypothesis:
        def find_spec(self, name, path=None, target=None):
            if name == "hypothesis" or name.startswith("hypothesis."):
                raise ImportError(f"blocked: {name}")
            return None

    sys.meta_path.insert(0, NoHypothesis())

    from invsched.admission import admit
    from invsched.placement import PlacementPolicy, Workload, place
    from invsched.resources import Resources
    from invsched.testing import (
        check_admission,
        check_placement,
        generate_fleet,
        generate_quantity_texts,
        generate_queue,
        generate_tree,
    )

    tree = generate_tree(20, 3, seed=5)
    queue = generate_queue(tree, 200, seed=5)
    total = Resources.parse({"cpu": 400, "memory": "2Ti", "nvidia.com/gpu": 64})
    print(len(check_admission(tree, total, queue, (), admit(tree, queue, total=total))))
    fleet = generate_fleet(5, 4, seed=5)
    workload = Workload(name="w", replicas=3, request=Resources.parse({"nvidia.com/gpu": 1}))
    policy = PlacementPolicy(ecs_provision=True)
    placement = place(workload, policy, fleet, allow_partial=True)
    print(len(check_placement(workload, policy, fleet, placement, allow_partial=True)))
    print(len(generate_quantity_texts(3, seed=5)))
    print(any(name.startswith("hypothesis") for name in sys.modules))
    try:
        from invsched.testing import quota_trees
    except ImportError as error:
        print(type(error).__name__, error)
    """
)


def test_generators_and_oracles_need_no_hypothesis() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_HYPOTHESIS],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.stderr == ""
    assert done.stdout.splitlines() == [
        "0",
        "0",
        "3",
        "False",
        "ImportError blocked: hypothesis",
    ]


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in invsched.testing.__all__:
        assert callable(getattr(invsched.testing, name)), name
    assert set(invsched.testing.__all__) <= set(dir(invsched.testing))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError) as caught:
        invsched.testing.nope  # noqa: B018
    assert str(caught.value) == "module 'invsched.testing' has no attribute 'nope'"
