"""``invsched simulate``: one run, a sweep, the packaged default, plots, exit statuses.

The example scenario (``examples/simulate/scenario.yaml``: two teams on 8 GPUs, 12 jobs) runs
in milliseconds; the packaged default runs with ``--until`` so that the test stays short
(the documentation runs it whole). JSON output is validated against ``schemas/simulate.json``
and compared with the library's own results.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from invsched.manifests.scenario import load_scenario
from invsched.simulate import sweep
from invsched.simulate.engine import simulate
from tests.cli.helpers import invoke, json_output

SCENARIO = "examples/simulate/scenario.yaml"
RUN = load_scenario(SCENARIO)

TABLE = """\
Scenario two-teams: 12 jobs on cpu=64, memory=256Gi, nvidia.com/gpu=8
policy Priority, reclaim ToRuntime, a cycle at every event time, restart FromScratch, oversell 1

Quotas
QUOTA       JOBS  FINISHED  EXPIRED  PENDING  WAIT P50  WAIT P90  WAIT P99  WAIT MAX  PREEMPTED  PREEMPTING  GPU-H USED  GPU-H BORROWED  MIN HONOURED
root        12    12        0        0        0s        29m00s    30m00s    30m00s    2          2           23.4        0.0             100.0%
  training  8     8         0        0        0s        29m00s    29m00s    29m00s    2          0           18.3        5.6             100.0%
  serving   4     4         0        0        0s        30m00s    30m00s    30m00s    0          2           5.2         0.0             100.0%

WAIT: first start − submit of the jobs that started.
PREEMPTED: preemptions its jobs suffered; PREEMPTING: preemptions made for its jobs.
BORROWED: used above its min. MIN HONOURED: share of the time it asked for no more than
its min and had all of it (- when it never did).

Cluster: utilisation cpu 45.1%, memory 45.1%, nvidia.com/gpu 90.1%; makespan 3h15m (11,700 s); 19 cycles; 2 preemptions
"""  # noqa: E501 (the table is as wide as it prints)


def test_a_run_prints_the_quota_table_and_the_cluster_line() -> None:
    outcome = invoke("simulate", SCENARIO)
    assert (outcome.status, outcome.err) == (0, "")
    assert outcome.out == TABLE


def test_the_json_of_a_run_is_the_library_s_result() -> None:
    data = json_output("simulate", SCENARIO)
    result = simulate(RUN.scenario, RUN.jobs)
    assert data["scenario"] == {
        "name": "two-teams",
        "description": RUN.description,
        "jobs": 12,
        "total": {"cpu": "64", "memory": "256Gi", "nvidia.com/gpu": "8"},
        "policy": "Priority",
        "reclaim": "ToRuntime",
        "interval": 0,
        "restart": "FromScratch",
        "oversell": 1,
        "preempt_within_quota": False,
    }
    assert [quota["name"] for quota in data["quotas"]] == ["root", "training", "serving"]
    for shown, stats in zip(data["quotas"], result.quotas, strict=True):
        assert shown["waits"] == {
            "count": stats.waits.count,
            "p50": stats.waits.p50,
            "p90": stats.waits.p90,
            "p99": stats.waits.p99,
            "max": stats.waits.max,
        }
        assert (shown["jobs"], shown["finished"], shown["expired"]) == (
            stats.jobs,
            stats.finished,
            stats.expired,
        )
        assert shown["used"] == dict(stats.used)
        assert shown["borrowed"] == dict(stats.borrowed)
        assert shown["min_honoured"] == stats.min_honoured
    assert data["cluster"]["cycles"] == result.cluster.cycles == 19
    assert data["cluster"]["utilisation"] == dict(result.cluster.utilisation)
    assert (data["until"], data["plot"], data["never_started"]) == (None, None, [])


def test_the_yaml_of_a_run_holds_the_same_content() -> None:
    import yaml

    outcome = invoke("simulate", SCENARIO, "-o", "yaml")
    assert outcome.status == 0
    assert yaml.safe_load(outcome.out) == json_output("simulate", SCENARIO)


SWEEP = """\
Scenario two-teams: 12 jobs on cpu=64, memory=256Gi, nvidia.com/gpu=8
policy Priority, reclaim ToRuntime, a cycle at every event time, restart FromScratch, oversell 1
Sweep of 6 points (sequential); waits are first start − submit

Points
CAPACITY.NVIDIA.COM/GPU  POLICY    TRAINING P90  SERVING P90  PREEMPTIONS  GPU UTILISATION  NEVER STARTED
4                        Priority  4h59m         1h50m        1            85.9%            0
4                        Block     4h59m         1h50m        1            85.9%            0
8                        Priority  29m00s        30m00s       2            90.1%            0
8                        Block     1h50m         30m00s       2            92.5%            0
16                       Priority  10m00s        0s           0            65.5%            0
16                       Block     10m00s        0s           0            65.5%            0
"""  # noqa: E501


def test_a_sweep_prints_one_row_per_point() -> None:
    outcome = invoke(
        "simulate",
        SCENARIO,
        "--vary",
        "capacity.nvidia.com/gpu=4,8,16",
        "--vary",
        "policy=priority,block",
    )
    assert (outcome.status, outcome.err) == (0, "")
    assert outcome.out == SWEEP


def test_a_sweep_shows_the_chosen_metrics_of_the_chosen_quotas() -> None:
    outcome = invoke(
        "simulate",
        SCENARIO,
        "--vary",
        "min.training.nvidia.com/gpu:min.serving.nvidia.com/gpu=4:4,6:2",
        "--quota",
        "serving",
        "--metric",
        "wait-max",
        "--metric",
        "min-honoured",
    )
    assert outcome.status == 0
    table = outcome.out.split("\n\n")[1].splitlines()
    assert table[1].split("  ")[:4] == [
        "MIN.TRAINING.NVIDIA.COM/GPU",
        "MIN.SERVING.NVIDIA.COM/GPU",
        "SERVING MAX-WAIT",
        "SERVING MIN-HONOURED",
    ]
    assert [row.split()[:4] for row in table[2:]] == [
        ["4", "4", "30m00s", "100.0%"],
        ["6", "2", "1h30m", "100.0%"],
    ]


def test_the_json_of_a_sweep_is_the_library_s_sweep() -> None:
    data = json_output(
        "simulate", SCENARIO, "--vary", "capacity.nvidia.com/gpu:policy=4:block,8:priority"
    )
    swept = sweep(
        RUN.scenario,
        RUN.jobs,
        {("capacity.nvidia.com/gpu", "policy"): [("4", "block"), ("8", "priority")]},
    )
    assert data["engine"] == "sequential"
    assert data["axes"] == [
        {
            "keys": ["capacity.nvidia.com/gpu", "policy"],
            "steps": [["4", "Block"], ["8", "Priority"]],
        }
    ]
    assert [point["settings"] for point in data["points"]] == [
        {"capacity.nvidia.com/gpu": "4", "policy": "Block"},
        {"capacity.nvidia.com/gpu": "8", "policy": "Priority"},
    ]
    for shown, point in zip(data["points"], swept.points, strict=True):
        assert [quota["waits"]["p90"] for quota in shown["quotas"]] == [
            stats.waits.p90 for stats in point.result.quotas
        ]
        assert shown["cluster"]["total"] == point.scenario.total.to_quantities()


def test_with_no_file_the_packaged_default_runs() -> None:
    data = json_output("simulate", "--until", "864000")
    assert data["scenario"]["name"] == "alibaba-v2023-default"
    assert data["scenario"]["jobs"] == 8152
    assert data["until"] == 864000
    assert data["cluster"]["end"] == 864000
    assert [quota["name"] for quota in data["quotas"]] == [
        "root",
        "protected",
        "latency-sensitive",
        "guaranteed",
        "preemptible",
        "burstable",
        "best-effort",
    ]
    # With the clock stopped, pending jobs are not findings.
    assert data["never_started"] == []


def test_a_trace_replaces_the_scenario_s_jobs(tmp_path: Path) -> None:
    trace = tmp_path / "jobs.csv"
    trace.write_text(
        "name,namespace,submit,duration,nvidia.com/gpu\n"
        "a,research,0,3600,8\n"
        "b,inference,60,600,2\n",
        encoding="utf-8",
    )
    data = json_output("simulate", SCENARIO, "--trace", str(trace))
    assert data["scenario"]["jobs"] == 2
    serving = data["quotas"][2]
    assert (serving["name"], serving["waits"]["max"], serving["preemptions_caused"]) == (
        "serving",
        0,
        1,
    )
    renamed = tmp_path / "jobs.txt"
    renamed.write_bytes(trace.read_bytes())
    assert (
        json_output("simulate", SCENARIO, "--trace", str(renamed), "--trace-format", "csv")[
            "quotas"
        ]
        == data["quotas"]
    )


def test_jobs_that_can_never_start_are_findings(tmp_path: Path) -> None:
    trace = tmp_path / "jobs.csv"
    trace.write_text(
        "name,namespace,submit,duration,nvidia.com/gpu\n"
        "a,research,0,60,1\n"
        "b,nobody,0,60,1\n"
        "c,inference,10,60,9\n",
        encoding="utf-8",
    )
    outcome = invoke("simulate", SCENARIO, "--trace", str(trace))
    assert outcome.status == 1
    assert outcome.out.splitlines()[-1] == (
        "2 jobs still pending at the end, which can never start (no quota, or a request above "
        "a max or the total): nobody/b, inference/c"
    )
    data = json_output("simulate", SCENARIO, "--trace", str(trace), status=1)
    assert data["never_started"] == ["nobody/b", "inference/c"]
    # Cut short by --until, a run has no findings: the clock stopped, not the jobs.
    assert (
        json_output("simulate", SCENARIO, "--trace", str(trace), "--until", "30")["never_started"]
        == []
    )


def test_plots_are_written_where_asked(tmp_path: Path) -> None:
    run_plot, sweep_plot = tmp_path / "run.png", tmp_path / "sweep.png"
    outcome = invoke("simulate", SCENARIO, "--plot", str(run_plot))
    assert outcome.status == 0
    assert outcome.out.endswith(f"\n\nPlot written to {run_plot}\n")
    data = json_output(
        "simulate", SCENARIO, "--vary", "capacity.nvidia.com/gpu=4,8", "--plot", str(sweep_plot)
    )
    assert data["plot"] == str(sweep_plot)
    for path in (run_plot, sweep_plot):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--vary", "polcy=block"],
            "invsched: error: grid: unknown key 'polcy'; expected policy, reclaim, restart, "
            "interval, oversell, total.<resource>, capacity.<resource>, min.<quota>.<resource> "
            "or max.<quota>.<resource>\n",
        ),
        (
            ["--vary", "policy=fast"],
            "invsched: error: grid['policy']: unknown value 'fast'; expected one of Priority, "
            "Block\n",
        ),
        (
            ["--vary", "policy=block", "--vary", "policy=priority"],
            "invsched: error: --vary: policy twice\n",
        ),
        (
            ["--vary", "min.serving.nvidia.com/gpu=5"],
            "invsched: error: grid point min.serving.nvidia.com/gpu=5: the quota tree becomes "
            "invalid: root: sum of children's min nvidia.com/gpu=9 exceeds min "
            "nvidia.com/gpu=8 (training=4, serving=5)\n",
        ),
        (["--metric", "wait-p99"], "invsched: error: --metric: only with --vary (a sweep)\n"),
        (["--quota", "serving"], "invsched: error: --quota: only with --vary (a sweep)\n"),
        (
            ["--vary", "oversell=1", "--quota", "nobody"],
            "invsched: error: --quota: no quota named 'nobody' in the tree\n",
        ),
        (["--address", "auto"], "invsched: error: --address: only with --engine ray\n"),
        (["--num-cpus", "2"], "invsched: error: --num-cpus: only with --engine ray\n"),
        (["--trace-format", "csv"], "invsched: error: --trace-format: needs --trace\n"),
        # Both refused before the simulation runs.
        (
            ["--plot", "no/such/dir/plot.png"],
            "invsched: error: --plot no/such/dir/plot.png: no such directory\n",
        ),
        (
            ["--plot", "plot"],
            "invsched: error: --plot plot: name the format by the suffix (.png, .svg or .pdf)\n",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(argv: list[str], message: str) -> None:
    outcome = invoke("simulate", SCENARIO, *argv)
    assert (outcome.status, outcome.out, outcome.err) == (2, "", message)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--vary", "policy"],
            "argument --vary: expected KEY=VALUE[,VALUE...] or KEY:KEY=VALUE:VALUE[,...], "
            "got 'policy'",
        ),
        (
            ["--vary", "total.cpu:policy=1:block,2"],
            "argument --vary: '2' has 1 value(s) for the 2 keys of 'total.cpu:policy'",
        ),
        (["--until", "soon"], "argument --until: expected seconds, got 'soon'"),
        (["--until", "-1"], "argument --until: expected seconds ≥ 0, got '-1'"),
        (["--engine", "spark"], "argument --engine: expected one of sequential, ray, got 'spark'"),
        (["--num-cpus", "0"], "argument --num-cpus: expected a positive integer, got '0'"),
    ],
)
def test_bad_usage_exits_2_through_argparse(argv: list[str], message: str) -> None:
    outcome = invoke("simulate", SCENARIO, *argv)
    assert outcome.status == 2
    assert outcome.err.splitlines()[-1] == f"invsched simulate: error: {message}"


def test_a_missing_scenario_file_is_bad_input() -> None:
    outcome = invoke("simulate", "examples/simulate/nothing.yaml")
    assert outcome.status == 2
    assert outcome.out == ""
    assert outcome.err.startswith("invsched: error: examples/simulate/nothing.yaml")


def test_no_progress_bar_when_standard_error_is_not_a_terminal() -> None:
    outcome = invoke("simulate", SCENARIO, "--vary", "oversell=1,2", "-o", "json")
    assert (outcome.status, outcome.err) == (0, "")
