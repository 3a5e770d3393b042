"""The seed's scenarios (ACK ElasticQuotaTree + kube-queue guide) on the seed tree, with the
cluster total equal to the root's min: cpu 100, memory 50Gi, 16 GPUs."""

from __future__ import annotations

from invsched.admission import (
    Pending,
    Preemption,
    PreemptionReason,
    QueuePolicy,
    QueueUnit,
    Reason,
    Reclaim,
    admit,
)
from invsched.resources import Resources
from invsched.testing import assert_admission_consistent
from tests.admission.helpers import SEED_TOTAL, job, ray_job, seed_tree


def test_video_rayjobs_queue_until_the_video_quota_allows() -> None:
    """(a) Two RayJobs of 3 GPUs: the first fits video's max of 4, the second waits."""
    tree = seed_tree()
    first, second = ray_job("ray-1", "video", created=1), ray_job("ray-2", "video", created=2)
    cycle1 = admit(tree, [second, first], total=SEED_TOTAL)
    assert cycle1.admitted == (first,)
    assert cycle1.pending == (
        Pending(
            unit=second,
            reason=Reason.EXCEEDS_MAX,
            detail="video: nvidia.com/gpu used 3 + request 3 > max 4",
        ),
    )
    assert cycle1.usage["video"] == Resources.parse(
        {"cpu": 6, "memory": "6Gi", "nvidia.com/gpu": 3}
    )
    assert cycle1.usage["algorithm"] == cycle1.usage["root"] == cycle1.usage["video"]
    assert cycle1.usage["devops"] == Resources()
    assert_admission_consistent(
        tree, SEED_TOTAL, [second, first], (), cycle1, reclaim=Reclaim.TO_RUNTIME
    )

    # While ray-1 runs, ray-2 keeps waiting for the same reason.
    cycle2 = admit(tree, [second], running=[first], total=SEED_TOTAL)
    assert cycle2.admitted == ()
    assert cycle2.pending == cycle1.pending

    # ray-1 finishes: ray-2 is dequeued.
    cycle3 = admit(tree, [second], total=SEED_TOTAL)
    assert cycle3.admitted == (second,)
    assert cycle3.pending == ()


def test_video_rayjob_waits_for_runtime_while_devops_and_text_borrow() -> None:
    """(a) With devops at its max and text asking for 10 GPUs, video's runtime is 2 GPUs: the
    3-GPU RayJob waits on runtime (Koordinator), although its max (4) and the free GPUs (4)
    would allow it. Runtime: root 16 = devops min 4 + algorithm min 10 + 2 shared 8:14 by
    largest remainder (devops +1, algorithm +1); algorithm 11 = text 8 + video 2 + 1 to text."""
    tree = seed_tree()
    running = [
        job("d-1", "devops", gpu=8, cpu=8, created=1),
        job("t-1", "text1", gpu=4, cpu=4, created=1),
    ]
    text_more = job("t-2", "text2", gpu=6, created=3)
    video = ray_job("ray-1", "video", created=2)
    result = admit(tree, [video, text_more], running=running, total=SEED_TOTAL)
    assert result.runtime["video"]["nvidia.com/gpu"] == 2000
    assert result.runtime["devops"]["nvidia.com/gpu"] == 5000
    assert result.runtime["text"]["nvidia.com/gpu"] == 9000
    assert result.pending == (
        Pending(
            unit=video,
            reason=Reason.EXCEEDS_RUNTIME,
            detail="video: nvidia.com/gpu used 0 + request 3 > runtime 2",
        ),
        Pending(
            unit=text_more,
            reason=Reason.EXCEEDS_MAX,
            detail="root: nvidia.com/gpu used 12 + request 6 > max 16",
        ),
    )
    assert_admission_consistent(
        tree, SEED_TOTAL, [video, text_more], running, result, reclaim=Reclaim.TO_RUNTIME
    )


def test_priority_policy_skips_a_head_that_does_not_fit() -> None:
    """(b) PRIORITY: the 3-GPU head does not fit (2 + 3 > 4); the later 2-GPU unit goes."""
    tree = seed_tree()
    running = [job("v-run", "video", gpu=2, cpu=2, created=0)]
    head = job("v-big", "video", gpu=3, cpu=3, priority=5, created=1)
    small = job("v-small", "video", gpu=2, cpu=2, priority=1, created=2)
    result = admit(tree, [small, head], running=running, total=SEED_TOTAL)
    assert result.admitted == (small,)
    assert result.pending == (
        Pending(
            unit=head,
            reason=Reason.EXCEEDS_MAX,
            detail="video: nvidia.com/gpu used 2 + request 3 > max 4",
        ),
    )
    assert_admission_consistent(
        tree, SEED_TOTAL, [small, head], running, result, reclaim=Reclaim.TO_RUNTIME
    )


def test_block_policy_holds_the_queue_behind_its_head() -> None:
    """(b) BLOCK: the same head blocks video's queue; the small unit waits behind it, while
    another quota's queue is not affected."""
    tree = seed_tree()
    running = [job("v-run", "video", gpu=2, cpu=2, created=0)]
    head = job("v-big", "video", gpu=3, cpu=3, priority=5, created=1)
    small = job("v-small", "video", gpu=2, cpu=2, priority=1, created=2)
    other = job("t-1", "text1", gpu=1, cpu=1, created=3)
    pending = [small, other, head]
    result = admit(tree, pending, running=running, total=SEED_TOTAL, policy=QueuePolicy.BLOCK)
    assert result.admitted == (other,)
    assert result.pending == (
        Pending(
            unit=head,
            reason=Reason.EXCEEDS_MAX,
            detail="video: nvidia.com/gpu used 2 + request 3 > max 4",
        ),
        Pending(
            unit=small,
            reason=Reason.BLOCKED_BY_HEAD,
            detail="video: blocked behind video/v-big (ExceedsMax)",
        ),
    )
    assert_admission_consistent(
        tree, SEED_TOTAL, pending, running, result, reclaim=Reclaim.TO_RUNTIME
    )


def _devops_borrowing() -> list[QueueUnit]:
    return [
        job("d-a", "devops", gpu=2, cpu=2, priority=3, created=1),
        job("d-b", "devops", gpu=4, cpu=2, priority=1, created=2),
        job("d-c", "devops", gpu=2, cpu=2, priority=1, created=3),
        job("d-z", "devops", cpu=4, created=4),  # no GPU: frees nothing the text team needs
        job("t-run", "test1", gpu=2, cpu=4, created=1),
        job("v-run", "video", gpu=4, cpu=4, created=1),
    ]


def test_text_team_within_min_reclaims_the_minimal_set_of_devops_victims() -> None:
    """(c) devops borrows 8 GPUs (min 4); the cluster has 2 free; text asks for 6 within its
    min 8. Devops is above its runtime (4): d-c (least important) is stripped, then d-b; d-b
    alone frees enough, so d-c is put back. d-z holds no GPU and is never a victim."""
    tree = seed_tree()
    running = _devops_borrowing()
    text = job("text-train", "text1", gpu=6, cpu=8, memory="8Gi", created=10)
    for reclaim in (Reclaim.TO_RUNTIME, Reclaim.WITHIN_MIN):
        result = admit(tree, [text], running=running, total=SEED_TOTAL, reclaim=reclaim)
        assert result.admitted == (text,)
        assert result.preempted == (
            Preemption(victim=running[1], preemptor=text, reason=PreemptionReason.RECLAIM),
        )
        assert result.runtime["devops"]["nvidia.com/gpu"] == 4000
        assert result.usage["devops"] == Resources.parse({"cpu": 8, "nvidia.com/gpu": 4})
        assert result.usage["root"]["nvidia.com/gpu"] == 16000
        assert_admission_consistent(tree, SEED_TOTAL, [text], running, result, reclaim=reclaim)


def test_without_reclaim_the_text_team_waits_on_the_full_cluster() -> None:
    """(c) Reclaim.NONE: the root (max = the cluster) is full, nothing is preempted."""
    tree = seed_tree()
    running = _devops_borrowing()
    text = job("text-train", "text1", gpu=6, cpu=8, memory="8Gi", created=10)
    result = admit(tree, [text], running=running, total=SEED_TOTAL, reclaim=Reclaim.NONE)
    assert result.preempted == ()
    assert result.pending == (
        Pending(
            unit=text,
            reason=Reason.EXCEEDS_MAX,
            detail="root: nvidia.com/gpu used 14 + request 6 > max 16",
        ),
    )


def test_within_min_refuses_reclaim_for_a_borrowing_unit() -> None:
    """(c) Without video running, text asks for 9 GPUs: beyond its min 8 but within its
    runtime 9. TO_RUNTIME reclaims 3 GPUs from devops (d-b); WITHIN_MIN does not, because
    the unit would borrow (Kueue's reclaimWithinCohort, the seed's "min cannot be guaranteed")."""
    tree = seed_tree()
    running = _devops_borrowing()[:5]
    text = job("text-big", "text1", gpu=9, cpu=8, created=10)
    lenient = admit(tree, [text], running=running, total=SEED_TOTAL)
    assert lenient.runtime["text"]["nvidia.com/gpu"] == 9000
    assert lenient.preempted == (
        Preemption(victim=running[1], preemptor=text, reason=PreemptionReason.RECLAIM),
    )
    strict = admit(tree, [text], running=running, total=SEED_TOTAL, reclaim=Reclaim.WITHIN_MIN)
    assert strict.preempted == ()
    assert strict.pending == (
        Pending(
            unit=text,
            reason=Reason.EXCEEDS_MAX,
            detail="root: nvidia.com/gpu used 10 + request 9 > max 16",
        ),
    )


def test_reclaim_may_take_from_a_sibling_above_its_runtime() -> None:
    """(c) text asks for its whole min (8): video, which borrows 4 GPUs against a runtime of
    2, is a victim too. Least important first: v-run (priority 0), then d-c; both needed."""
    tree = seed_tree()
    running = _devops_borrowing()
    text = job("text-8", "text1", gpu=8, cpu=8, created=10)
    result = admit(tree, [text], running=running, total=SEED_TOTAL)
    assert result.runtime["video"]["nvidia.com/gpu"] == 2000
    assert [(p.victim.name, p.reason) for p in result.preempted] == [
        ("d-c", PreemptionReason.RECLAIM),
        ("v-run", PreemptionReason.RECLAIM),
    ]
    assert_admission_consistent(
        tree, SEED_TOTAL, [text], running, result, reclaim=Reclaim.TO_RUNTIME
    )
