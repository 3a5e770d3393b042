"""The ``Scenario`` kind (``invsched.io/v1alpha1``): reading, resolving paths, and refusals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invsched.admission import QueuePolicy, Reclaim
from invsched.errors import InvalidManifest, InvalidRequest
from invsched.manifests import Manifests, load_file, loads
from invsched.manifests.scenario import (
    ScenarioObject,
    TraceSource,
    load_scenario,
    load_scenario_object,
    resolve_scenario,
)
from invsched.quota import QuotaTree
from invsched.resources import Resources
from invsched.simulate import (
    Job,
    PackagedTrace,
    Restart,
    TraceFormat,
    default_scenario,
    load_trace,
)

EXAMPLES = Path(__file__).parents[2] / "examples" / "simulate"
GIB = 2**30 * 1000
HEADER = "apiVersion: invsched.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\nspec:\n"
TREE_FILE = "  tree: {file: t.yaml}\n"


def _scenario(text: str) -> ScenarioObject:
    found = loads(text).scenario
    assert found is not None
    return found


# The examples --------------------------------------------------------------------------------


def test_the_example_scenario_reads_as_written() -> None:
    obj = load_scenario_object(EXAMPLES / "scenario.yaml")
    assert obj == ScenarioObject(
        name="two-teams",
        description="Two teams on 8 GPUs: research borrows idle GPUs for training and is "
        "preempted when inference needs its min back.",
        tree_file="tree.yaml",
        total=Resources({"cpu": 64_000, "memory": 256 * GIB, "nvidia.com/gpu": 8000}),
        policy=QueuePolicy.PRIORITY,
        reclaim=Reclaim.TO_RUNTIME,
        interval=0,
        restart=Restart.FROM_SCRATCH,
        oversell=1,
        preempt_within_quota=False,
        trace=TraceSource(file="trace.csv", format=TraceFormat.CSV),
    )


def test_relative_paths_are_taken_from_the_scenario_file() -> None:
    run = load_scenario(EXAMPLES / "scenario.yaml")
    tree = load_file(EXAMPLES / "tree.yaml").quota_tree
    assert tree is not None
    assert run.scenario.tree == tree
    assert run.jobs == load_trace(EXAMPLES / "trace.csv")
    assert run.name == "two-teams"
    # From another directory the same relative paths name nothing.
    obj = load_scenario_object(EXAMPLES / "scenario.yaml")
    with pytest.raises(InvalidManifest) as caught:
        resolve_scenario(obj, directory=EXAMPLES.parent)
    assert str(caught.value) == f"{EXAMPLES.parent / 'tree.yaml'}: no such file"


def test_the_alibaba_example_is_the_default_scenario() -> None:
    assert load_scenario(EXAMPLES / "alibaba.yaml") == default_scenario()


# Reading -------------------------------------------------------------------------------------


def test_an_inline_tree_and_the_defaults() -> None:
    obj = _scenario(
        HEADER + "  tree:\n    root: {name: root, max: {nvidia.com/gpu: 4}, namespaces: [ml]}\n"
    )
    assert obj.tree == QuotaTree.from_manifest(
        {
            "kind": "ElasticQuotaTree",
            "spec": {"root": {"name": "root", "max": {"nvidia.com/gpu": 4}, "namespaces": ["ml"]}},
        }
    )
    assert (obj.tree_file, obj.total, obj.trace, obj.description) == (None, None, None, "")
    scenario = obj.scenario()
    # The total defaults to the root's max, as ACK's trees set it to the cluster's resources.
    assert scenario.total == Resources({"nvidia.com/gpu": 4000})
    assert (scenario.policy, scenario.reclaim, scenario.interval, scenario.oversell) == (
        QueuePolicy.PRIORITY,
        Reclaim.TO_RUNTIME,
        0,
        1,
    )
    assert (scenario.restart, scenario.preempt_within_quota) == (Restart.FROM_SCRATCH, False)


def test_every_option_is_read() -> None:
    obj = _scenario(
        HEADER
        + TREE_FILE
        + "  policy: Block\n  reclaim: WithinMin\n  interval: 2.5\n  restart: Resume\n"
        "  oversell: 2\n  preemptWithinQuota: true\n"
        "  trace: {packaged: alibaba-v2023-default}\n"
    )
    assert (obj.policy, obj.reclaim, obj.interval, obj.restart, obj.oversell) == (
        QueuePolicy.BLOCK,
        Reclaim.WITHIN_MIN,
        2.5,
        Restart.RESUME,
        2,
    )
    assert obj.preempt_within_quota is True
    assert obj.trace == TraceSource(packaged=PackagedTrace.ALIBABA_V2023_DEFAULT)


def test_kubectl_output_loads_as_is() -> None:
    obj = _scenario(
        HEADER.replace("{name: s}", "{name: s, uid: abc, labels: {team: ml}}")
        + TREE_FILE
        + "status: {observed: 1}\n"
    )
    assert obj.name == "s"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER.replace("v1alpha1", "v2") + TREE_FILE,
            "document 0: apiVersion: expected 'invsched.io/v1alpha1', got 'invsched.io/v2'",
        ),
        (
            "apiVersion: invsched.io/v1alpha1\nkind: Scenario\nmetadata: {name: s}\n",
            "document 0: spec: required field is missing",
        ),
        (HEADER + "  policy: Block\n", "document 0: spec.tree: required field is missing"),
        (
            HEADER + "  tree: {file: t.yaml, root: {name: r}}\n",
            "document 0: spec.tree: give exactly one of file (an ElasticQuotaTree file) and "
            "root (the tree inline)",
        ),
        (
            HEADER + "  tree: {}\n",
            "document 0: spec.tree: give exactly one of file (an ElasticQuotaTree file) and "
            "root (the tree inline)",
        ),
        (
            HEADER + TREE_FILE + "  polcy: Block\n",
            "document 0: spec.polcy: unknown field (expected one of description, interval, "
            "oversell, policy, preemptWithinQuota, reclaim, restart, total, trace, tree)",
        ),
        (
            HEADER + "  tree: {file: t.yaml, files: x}\n",
            "document 0: spec.tree.files: unknown field (expected one of file, root)",
        ),
        (
            HEADER + TREE_FILE + "  policy: Fifo\n",
            "document 0: spec.policy: expected one of Priority, Block, got 'Fifo'",
        ),
        (
            HEADER + TREE_FILE + "  reclaim: always\n",
            "document 0: spec.reclaim: expected one of ToRuntime, WithinMin, None, got 'always'",
        ),
        (
            HEADER + TREE_FILE + "  restart: Never\n",
            "document 0: spec.restart: expected one of FromScratch, Resume, got 'Never'",
        ),
        (
            HEADER + TREE_FILE + "  interval: -1\n",
            "document 0: spec.interval: must be in [0, 10^18] seconds, got -1",
        ),
        (
            HEADER + TREE_FILE + "  interval: 5m\n",
            "document 0: spec.interval: expected seconds (a number ≥ 0), got '5m'",
        ),
        (
            HEADER + TREE_FILE + "  interval: .inf\n",
            "document 0: spec.interval: expected seconds (a number ≥ 0), got inf",
        ),
        (
            HEADER + TREE_FILE + "  oversell: 0\n",
            "document 0: spec.oversell: must be at least 1, got 0",
        ),
        (
            HEADER + TREE_FILE + "  preemptWithinQuota: yes\n",
            "document 0: spec.preemptWithinQuota: expected true or false, got str 'yes'",
        ),
        (
            HEADER + TREE_FILE + "  total: {cpu: -1}\n",
            "document 0: spec.total.cpu: must not be negative, got -1",
        ),
        (
            HEADER + TREE_FILE + "  total: {cpu: 1x}\n",
            "document 0: spec.total.cpu: invalid quantity '1x': unexpected character 'x' at "
            "position 1",
        ),
        (
            HEADER + TREE_FILE + "  trace: {file: a.csv, packaged: alibaba-v2023-default}\n",
            "document 0: spec.trace: give exactly one of file (a trace file) and packaged (a "
            "packaged trace)",
        ),
        (
            HEADER + TREE_FILE + "  trace: {packaged: alibaba-v2023-default, format: csv}\n",
            "document 0: spec.trace.format: a packaged trace has its own format; give no format",
        ),
        (
            HEADER + TREE_FILE + "  trace: {file: a.csv, format: parquet}\n",
            "document 0: spec.trace.format: expected one of csv, jsonl, alibaba-v2023, got "
            "'parquet'",
        ),
        (
            HEADER + TREE_FILE + "  trace: {packaged: alibaba}\n",
            "document 0: spec.trace.packaged: expected one of alibaba-v2023-default, got 'alibaba'",
        ),
        (
            HEADER + TREE_FILE + "  description: 5\n",
            "document 0: spec.description: expected a string, got int 5",
        ),
        (
            HEADER + "  tree: {file: 3}\n",
            "document 0: spec.tree.file: expected a string, got int 3",
        ),
        (HEADER + "  tree: {file: ''}\n", "document 0: spec.tree.file: expected a path, got ''"),
        (
            HEADER.replace("{name: s}", "{name: S_1}") + TREE_FILE,
            "document 0: metadata.name: must be a DNS-1123 subdomain (at most 253 lower-case "
            "letters, digits, '-' or '.', starting and ending with a letter or digit), got "
            "'S_1'",
        ),
        (
            HEADER + TREE_FILE + "spec2: {}\n",
            "document 0: spec2: unknown field (expected one of apiVersion, kind, metadata, spec, "
            "status)",
        ),
        (
            HEADER + TREE_FILE + "---\n" + HEADER + TREE_FILE,
            "document 1: kind: a second Scenario (only one is supported; the first is document 0)",
        ),
    ],
)
def test_a_bad_scenario_names_the_document_and_field(text: str, message: str) -> None:
    with pytest.raises(InvalidManifest) as caught:
        loads(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("root", "message"),
    [
        (
            "{name: root, children: [{name: a, min: {cpu: 1x}}]}",
            "document 0: spec.tree.root.children[0].min.cpu: invalid quantity '1x': unexpected "
            "character 'x' at position 1",
        ),
        (
            "{name: root, children: [{name: a}, {name: a}]}",
            "document 0: spec.tree.root.children[1].name: duplicate quota name 'a' (first at "
            "spec.tree.root.children[0].name)",
        ),
        ("5", "document 0: spec.tree.root: expected a mapping, got int"),
        (
            "{name: root, mins: {cpu: 1}}",
            "document 0: spec.tree.root.mins: unknown field (allowed: allowLentResource, "
            "children, max, min, name, namespaces, sharedWeight)",
        ),
    ],
)
def test_errors_in_an_inline_tree_name_their_path_in_the_scenario(root: str, message: str) -> None:
    with pytest.raises(InvalidManifest) as caught:
        loads(HEADER + f"  tree:\n    root: {root}\n")
    assert str(caught.value) == message


def test_a_scenario_without_apiversion_is_read_by_its_kind() -> None:
    assert _scenario("kind: Scenario\nmetadata: {name: s}\nspec:\n" + TREE_FILE).name == "s"


def test_an_empty_stream_has_no_scenario() -> None:
    assert Manifests().scenario is None
    assert loads("kind: Namespace\nmetadata: {name: a}\n").scenario is None


# Resolving -----------------------------------------------------------------------------------


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


TREE = (
    "apiVersion: scheduling.sigs.k8s.io/v1beta1\nkind: ElasticQuotaTree\nmetadata: {name: t}\n"
    "spec:\n  root: {name: root, max: {cpu: 4}, namespaces: [ml]}\n"
)
JOBS = '{"name": "a", "namespace": "ml", "submit": 0, "duration": 5}\n'


def test_a_scenario_file_names_its_tree_and_trace_files(tmp_path: Path) -> None:
    (tmp_path / "trees").mkdir()
    _write(tmp_path / "trees", "t.yaml", TREE)
    _write(tmp_path, "jobs.jsonl", JOBS)
    path = _write(
        tmp_path,
        "s.yaml",
        HEADER + "  tree: {file: trees/t.yaml}\n  trace: {file: jobs.jsonl}\n",
    )
    run = load_scenario(path)
    assert run.scenario.total == Resources({"cpu": 4000})
    assert run.jobs == (Job(name="a", namespace="ml", request=Resources(), submit=0, duration=5),)


def test_jobs_given_replace_the_trace(tmp_path: Path) -> None:
    _write(tmp_path, "t.yaml", TREE)
    obj = _scenario(HEADER + TREE_FILE)
    job = Job(name="b", namespace="ml", request=Resources(), submit=1, duration=1)
    assert resolve_scenario(obj, directory=tmp_path, jobs=[job]).jobs == (job,)
    with pytest.raises(InvalidManifest) as caught:
        resolve_scenario(obj, directory=tmp_path)
    assert str(caught.value) == (
        "spec.trace: required: the scenario names no trace and no jobs were given"
    )


def test_a_tree_file_must_hold_a_tree(tmp_path: Path) -> None:
    _write(tmp_path, "t.yaml", "kind: Namespace\nmetadata: {name: ml}\n")
    obj = _scenario(HEADER + TREE_FILE)
    with pytest.raises(InvalidManifest) as caught:
        resolve_scenario(obj, directory=tmp_path, jobs=[])
    assert str(caught.value) == f"spec.tree.file: {tmp_path / 't.yaml'} holds no ElasticQuotaTree"


def test_a_total_is_needed_when_the_root_has_no_max(tmp_path: Path) -> None:
    obj = _scenario(HEADER + "  tree:\n    root: {name: root}\n")
    with pytest.raises(InvalidManifest) as caught:
        resolve_scenario(obj, jobs=[])
    assert str(caught.value) == (
        "spec.total: required when the tree's root has no max (nothing to run on)"
    )


def test_errors_in_the_trace_name_the_trace_file(tmp_path: Path) -> None:
    _write(tmp_path, "t.yaml", TREE)
    _write(tmp_path, "jobs.csv", "name,namespace,submit,duration\na,ml,0,soon\n")
    path = _write(tmp_path, "s.yaml", HEADER + TREE_FILE + "  trace: {file: jobs.csv}\n")
    with pytest.raises(InvalidManifest) as caught:
        load_scenario(path)
    assert str(caught.value) == (
        f"{tmp_path / 'jobs.csv'}: line 2: duration: expected seconds (an integer or decimal "
        "number ≥ 0), got 'soon'"
    )


def test_a_file_without_a_scenario_is_refused() -> None:
    with pytest.raises(InvalidManifest) as caught:
        load_scenario(EXAMPLES / "tree.yaml")
    assert str(caught.value) == f"{EXAMPLES / 'tree.yaml'}: holds no Scenario"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: ScenarioObject(name="s"),
            "ScenarioObject: give exactly one of tree and tree_file",
        ),
        (
            lambda: ScenarioObject(name="s", tree_file="t.yaml", oversell=0),
            "ScenarioObject.oversell: expected an int ≥ 1, got 0",
        ),
        (
            lambda: ScenarioObject(name="s", tree_file="t.yaml", interval=-1),
            "ScenarioObject.interval: expected seconds in [0, 10^18], got -1",
        ),
        (TraceSource, "TraceSource: give exactly one of file and packaged"),
        (
            lambda: TraceSource(
                packaged=PackagedTrace.ALIBABA_V2023_DEFAULT, format=TraceFormat.CSV
            ),
            "TraceSource.format: only a trace file has a format",
        ),
        (
            lambda: resolve_scenario("s"),  # type: ignore[arg-type]
            "scenario: expected a ScenarioObject, got 's'",
        ),
        (
            lambda: resolve_scenario(
                ScenarioObject(name="s", tree_file="t.yaml"),
                directory=3,  # type: ignore[arg-type]
            ),
            "directory: expected a path (str or os.PathLike), got 3",
        ),
    ],
)
def test_records_refuse_what_the_kind_refuses(build: Callable[[], object], message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        build()
    assert str(caught.value) == message


# Mangled example files -----------------------------------------------------------------------

_FILES = [
    (EXAMPLES / name).read_text(encoding="utf-8")
    for name in ("scenario.yaml", "alibaba.yaml", "tree.yaml")
]


@st.composite
def _mangled(draw: st.DrawFn) -> str:
    """An example file with a few characters deleted, replaced or inserted."""
    chars = list(draw(st.sampled_from(_FILES)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(chars)))
        piece = draw(st.sampled_from([":", "-", " ", "\n", "{", "[", "x", "9", "&a", "*a", "é"]))
        if draw(st.booleans()) and position < len(chars):
            del chars[position]
        else:
            chars.insert(position, piece)
    return "".join(chars)


def _outcome(text: str) -> Manifests | InvalidManifest:
    """The manifests, or the typed error; anything else propagates."""
    try:
        return loads(text)
    except InvalidManifest as error:
        return error


@given(_mangled())
def test_mangled_examples_give_manifests_or_a_typed_error(text: str) -> None:
    outcome = _outcome(text)
    if isinstance(outcome, InvalidManifest):
        assert str(outcome)
        assert outcome.document is not None or outcome.field == ""
    else:
        assert outcome.scenario is None or isinstance(outcome.scenario, ScenarioObject)
