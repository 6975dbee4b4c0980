"""The job runner on a real store: validation, sync/async runs, cache, failures, restarts."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scenarios.processes import Process, ProcessContext
from scenarios.runner import (
    RESTARTED,
    REUSED,
    InvalidInputsError,
    JobFailedError,
    JobRunner,
    NoSuchJobError,
    ResultNotReadyError,
    ResultsDismissedError,
)
from tests.conftest import build_workspace, make_town
from twin.config import MunicipalityConfig
from twin.errors import InvalidRequestError
from twin.store._jobs import Job, now
from twin.store.base import TwinStore

TEXT = {"de": "x", "en": "x"}


def described(schema: dict[str, Any], **occurs: Any) -> dict[str, Any]:
    return {"title": TEXT, "description": TEXT, "schema": schema, **occurs}


def adder(
    run: Callable[[ProcessContext, dict[str, Any]], dict[str, Any]], *, deterministic: bool = True
) -> Process:
    return Process(
        id="add",
        version="1.0",
        title=TEXT,
        description=TEXT,
        inputs={
            "a": described({"type": "number"}),
            "b": described({"type": "number", "maximum": 100}, minOccurs=0),
            "tags": described({"type": "string"}, minOccurs=0, maxOccurs="unbounded"),
        },
        outputs={"sum": described({"type": "number"})},
        run=run,
        deterministic=deterministic,
    )


class Calls:
    """A process function that adds ``a`` and ``b`` and counts its runs."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        self.count += 1
        context.progress(50, "halfway")
        return {"sum": inputs["a"] + inputs.get("b", 0)}


@pytest.fixture
def town(tmp_path: Path) -> tuple[MunicipalityConfig, TwinStore]:
    workspace = build_workspace(tmp_path / "ws", make_town(tmp_path))
    return workspace.config("testort"), workspace.store("testort")


@pytest.fixture
def runner() -> Iterator[JobRunner]:
    jobs = JobRunner(workers=2)
    yield jobs
    jobs.shutdown()


def context_of(
    town: tuple[MunicipalityConfig, TwinStore], reports: list[str] | None = None
) -> ProcessContext:
    config, store = town
    sink = [] if reports is None else reports
    return ProcessContext(
        config=config,
        store=store,
        progress=lambda percent, message: sink.append(f"{percent:g} {message}"),
    )


def wait_for(store: TwinStore, job_id: str, status: str) -> Job:
    deadline = time.monotonic() + 20
    while (job := store.job(job_id)) is None or job.status != status:
        assert time.monotonic() < deadline, f"job never became {status}: {job}"
        time.sleep(0.01)
    return job


def test_a_sync_job_runs_and_is_stored(town, runner: JobRunner) -> None:
    reports: list[str] = []
    job = runner.execute(
        "testort", adder(Calls()), {"a": 2, "b": 3}, context_of(town, reports), asynchronous=False
    )
    assert (job.status, job.progress, job.message, job.results) == (
        "successful",
        100,
        "done",
        {"sum": 5},
    )
    assert job.created <= job.started <= job.finished <= job.updated  # type: ignore[operator]
    assert reports == ["50 halfway"]
    assert town[1].job(job.id) == job
    assert runner.results("testort", town[1], job.id) == {"sum": 5}
    audit = town[1].audit_log()[0]
    assert (audit.actor, audit.action, audit.target) == ("anonymous", "submit_job", f"job {job.id}")


def test_inputs_are_checked_before_a_job_exists(town, runner: JobRunner) -> None:
    with pytest.raises(InvalidInputsError) as caught:
        runner.execute(
            "testort",
            adder(Calls()),
            {"b": 101, "c": 1, "tags": ["x", 3], "d": {"href": "http://example.org/a"}},
            context_of(town),
            asynchronous=False,
        )
    assert caught.value.problems == [
        "c: add has no such input; it takes a, b, tags",
        "d: add has no such input; it takes a, b, tags",
        "a: is required",
        "b: 101 is greater than the maximum of 100",
        "tags[1]: 3 is not of type 'string'",
    ]
    assert isinstance(caught.value, InvalidRequestError)  # 400 where nothing maps it closer
    assert town[1].jobs() == []


def test_qualified_values_are_unwrapped_and_references_refused(town, runner: JobRunner) -> None:
    job = runner.execute(
        "testort",
        adder(Calls()),
        {"a": {"value": 1, "mediaType": "application/json"}},
        context_of(town),
        asynchronous=False,
    )
    assert job.results == {"sum": 1} and job.inputs == {"a": 1}
    with pytest.raises(InvalidInputsError, match="by reference"):
        runner.execute(
            "testort", adder(Calls()), {"a": {"href": "x"}}, context_of(town), asynchronous=False
        )


def test_identical_runs_come_from_the_cache_until_the_base_changes(town, runner: JobRunner) -> None:
    calls = Calls()
    process = adder(calls)
    first = runner.execute(
        "testort", process, {"a": 1, "b": 2}, context_of(town), asynchronous=False
    )
    second = runner.execute(
        "testort", process, {"b": 2, "a": 1}, context_of(town), asynchronous=True
    )
    assert calls.count == 1
    assert second.status == "successful" and second.message == REUSED
    assert second.results == first.results and second.started == second.finished
    config, store = town
    changed = (config.model_copy(update={"attribution": "new"}), store)
    third = runner.execute(
        "testort", process, {"a": 1, "b": 2}, context_of(changed), asynchronous=False
    )
    assert calls.count == 2 and third.message == "done"
    with store._connect() as conn:  # type: ignore[attr-defined]
        assert conn.execute("SELECT count(*) FROM twin_results_cache").fetchone() == (1,)


def test_non_deterministic_processes_always_run(town, runner: JobRunner) -> None:
    calls = Calls()
    process = adder(calls, deterministic=False)
    for _ in range(2):
        runner.execute("testort", process, {"a": 1}, context_of(town), asynchronous=False)
    assert calls.count == 2


def test_a_user_error_fails_the_job_with_its_message(town, runner: JobRunner) -> None:
    def refuse(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        raise InvalidRequestError("a: 7 is unlucky", hint="Take another number.")

    job = runner.execute("testort", adder(refuse), {"a": 7}, context_of(town), asynchronous=False)
    assert job.status == "failed" and job.message == "a: 7 is unlucky Take another number."
    with pytest.raises(JobFailedError) as caught:
        runner.results("testort", town[1], job.id)
    assert caught.value.status == 400 and caught.value.exception_type.endswith(
        "invalid-parameter-value"
    )
    assert town[1].cached_results(job.cache_key) is None


def test_an_unexpected_error_is_logged_not_shown(
    town, runner: JobRunner, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        return {"sum": 1 / 0}

    with caplog.at_level(logging.ERROR, logger="scenarios.runner"):
        job = runner.execute(
            "testort", adder(crash), {"a": 1}, context_of(town), asynchronous=False
        )
    assert job.status == "failed"
    assert job.message == f"internal error in job {job.id}; the server's log has the details"
    assert "ZeroDivisionError" in caplog.text and "Traceback" not in job.message
    with pytest.raises(JobFailedError) as caught:
        runner.results("testort", town[1], job.id)
    assert caught.value.status == 500


def test_wrong_outputs_are_an_internal_error(town, runner: JobRunner) -> None:
    def nan(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        return {"sum": float("nan")}

    job = runner.execute("testort", adder(nan), {"a": 1}, context_of(town), asynchronous=False)
    assert job.status == "failed" and "internal error" in job.message


def test_a_running_job_can_be_dismissed_and_its_result_is_dropped(town, runner: JobRunner) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        started.set()
        release.wait(20)
        return {"sum": inputs["a"]}

    store = town[1]
    try:
        job = runner.execute("testort", adder(slow), {"a": 1}, context_of(town), asynchronous=True)
        assert job.status == "accepted"
        assert started.wait(20)
        running = wait_for(store, job.id, "running")
        assert running.started is not None
        with pytest.raises(ResultNotReadyError, match="running"):
            runner.results("testort", store, job.id)
        dismissed = runner.dismiss("testort", store, job.id)
        assert dismissed.status == "dismissed"
    finally:
        release.set()
    time.sleep(0.2)  # the worker finishes and must not overwrite the dismissal
    assert store.job(job.id).status == "dismissed"  # type: ignore[union-attr]
    with pytest.raises(ResultsDismissedError):
        runner.results("testort", store, job.id)
    assert store.cached_results(job.cache_key) is None


def test_progress_after_a_dismissal_stops_the_process(town, runner: JobRunner) -> None:
    reached, go_on = threading.Event(), threading.Event()
    after: list[str] = []

    def stepwise(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        reached.set()
        go_on.wait(20)
        context.progress(60, "step two")
        after.append("ran on")
        return {"sum": 0}

    store = town[1]
    job = runner.execute("testort", adder(stepwise), {"a": 1}, context_of(town), asynchronous=True)
    assert reached.wait(20)
    runner.dismiss("testort", store, job.id)
    go_on.set()
    time.sleep(0.2)
    assert after == [] and store.job(job.id).status == "dismissed"  # type: ignore[union-attr]


def test_a_queued_job_that_was_dismissed_never_runs(town) -> None:
    release = threading.Event()
    calls = Calls()

    def blocker(context: ProcessContext, inputs: dict[str, Any]) -> dict[str, Any]:
        release.wait(20)
        return {"sum": 0}

    single = JobRunner(workers=1)
    store = town[1]
    try:
        busy = single.execute(
            "testort", adder(blocker), {"a": 1}, context_of(town), asynchronous=True
        )
        queued = single.execute(
            "testort", adder(calls), {"a": 2}, context_of(town), asynchronous=True
        )
        wait_for(store, busy.id, "running")
        assert store.job(queued.id).status == "accepted"  # type: ignore[union-attr]
        single.dismiss("testort", store, queued.id)
    finally:
        release.set()
    wait_for(store, busy.id, "successful")
    single.shutdown()
    time.sleep(0.1)
    assert calls.count == 0 and store.job(queued.id).status == "dismissed"  # type: ignore[union-attr]


def test_jobs_of_a_dead_server_fail_when_a_new_runner_starts(town, runner: JobRunner) -> None:
    store = town[1]
    done = runner.execute("testort", adder(Calls()), {"a": 1}, context_of(town), asynchronous=False)
    stamp = now()
    stale = [
        Job(f"stale-{status}", "add", "1.0", status, "", 0, stamp, stamp, {"a": 1}, "k")
        for status in ("accepted", "running")
    ]
    for job in stale:
        store.add_job(job, actor="pytest")
    # a runner checks a municipality once, when it first meets it: these could be its own
    assert runner.job("testort", store, "stale-running").status == "running"
    fresh = JobRunner(workers=1)  # the server restarted
    try:
        for job in stale:
            failed = fresh.job("testort", store, job.id)
            assert (failed.status, failed.message) == ("failed", RESTARTED)
            assert failed.finished is not None
        assert fresh.job("testort", store, done.id).status == "successful"
        with pytest.raises(JobFailedError, match="run it again"):
            fresh.results("testort", store, stale[0].id)
    finally:
        fresh.shutdown()


def test_job_list_is_newest_first_and_filtered(town, runner: JobRunner) -> None:
    store = town[1]
    ids = [
        runner.execute(
            "testort",
            adder(Calls(), deterministic=False),
            {"a": n},
            context_of(town),
            asynchronous=False,
        ).id
        for n in range(3)
    ]
    assert [job.id for job in runner.jobs("testort", store, limit=10)] == ids[::-1]
    assert [job.id for job in runner.jobs("testort", store, limit=2)] == ids[:0:-1]
    assert runner.jobs("testort", store, limit=10, statuses=["failed"]) == []
    assert runner.jobs("testort", store, limit=10, process_ids=["other"]) == []
    assert len(runner.jobs("testort", store, limit=10, max_seconds=60)) == 3
    assert runner.jobs("testort", store, limit=10, min_seconds=60) == []


def test_unknown_jobs_are_named(town, runner: JobRunner) -> None:
    with pytest.raises(NoSuchJobError, match="there is no job 'nope'"):
        runner.job("testort", town[1], "nope")
    with pytest.raises(NoSuchJobError):
        runner.dismiss("testort", town[1], "nope")
