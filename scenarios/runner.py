"""Jobs: executions of a registered process, run at once or in the background.

:class:`JobRunner` is the one place where processes run (one runner per server). It
checks a request's inputs against the process description before it accepts a job, so a
client learns every problem at once and no job is created for a request that cannot run.
Jobs run in a small thread pool, asynchronous ones and those a client waits for alike, so
that at most ``workers`` heavy models compute at the same time.

A job's record lives in its municipality's store (:mod:`twin.store._jobs`): status,
progress, times, results and failure survive a restart. Jobs that were accepted or
running when a server died can never finish; the first time a runner touches a
municipality it marks them failed, with a message that says to run them again.

Deterministic processes keep their results in a cache keyed by the process, its version,
the inputs and the municipality's base state (:func:`scenarios.model.base_state`),
so that the same question about the same twin is answered at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import reprlib
import threading
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from jsonschema import Draft202012Validator, ValidationError

from scenarios.model import base_state
from scenarios.processes import Process, ProcessContext
from twin.access import ANONYMOUS, Principal, may_see_job
from twin.errors import InvalidRequestError, TwinError, http_status
from twin.store._jobs import UNFINISHED, Job, JobStatus, now
from twin.store.base import TimeFilter, TwinStore

logger = logging.getLogger(__name__)

OGC_EXCEPTIONS = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/"
INVALID_PARAMETER = OGC_EXCEPTIONS + "invalid-parameter-value"

REUSED = "reused an earlier identical run"
RESTARTED = "the server stopped while the job ran; run it again"

_QUALIFIED = {"value", "mediaType", "encoding", "schema"}
"""Members of an OGC qualified input value ``{"value": …, "mediaType": …}``."""


class ProcessingError(TwinError):
    """An error of the processes API; ``exception_type`` is its OGC exception type."""

    exception_type: str


class NoSuchProcessError(ProcessingError, KeyError):
    """No process with this id is registered."""

    exception_type = OGC_EXCEPTIONS + "no-such-process"

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return TwinError.__str__(self)


class NoSuchJobError(ProcessingError, KeyError):
    """The municipality has no job with this id."""

    exception_type = OGC_EXCEPTIONS + "no-such-job"

    def __str__(self) -> str:
        return TwinError.__str__(self)


class ResultNotReadyError(ProcessingError):
    """The job has not finished yet."""

    exception_type = OGC_EXCEPTIONS + "result-not-ready"


class ResultsDismissedError(ProcessingError):
    """The job was dismissed, so its results were deleted."""

    exception_type = OGC_EXCEPTIONS + "result-not-available"


class InvalidInputsError(ProcessingError, InvalidRequestError):
    """An execute request the process cannot run; ``problems`` lists every finding."""

    exception_type = INVALID_PARAMETER

    def __init__(self, message: str, *, problems: list[str], hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems), self.hint]).strip()


class JobFailedError(ProcessingError):
    """The results of a failed job: its failure, with the status and type it was given."""

    def __init__(self, job: Job) -> None:
        failure = job.failure or {}
        super().__init__(failure.get("detail", job.message), hint=failure.get("hint", ""))
        self.exception_type = str(failure.get("type", "InternalError"))
        self.status = int(failure.get("status", 500))


class _Dismissed(Exception):
    """Raised into a running process when its job has been dismissed: stop early."""


def _short(error: ValidationError) -> str:
    """The validator's message with a long offending value abbreviated."""
    full = repr(error.instance)
    if len(full) <= 60:
        return str(error.message)
    return str(error.message).replace(full, reprlib.repr(error.instance))


def _path(name: str, parts: Iterable[str | int]) -> str:
    """Where in an input a problem is, e.g. ``edits.features[2].properties.edit``."""
    return name + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def plain_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs with OGC qualified values (``{"value": …, "mediaType": …}``) unwrapped."""
    return {
        name: value["value"]
        if isinstance(value, dict) and "value" in value and set(value) <= _QUALIFIED
        else value
        for name, value in inputs.items()
    }


def input_problems(process: Process, inputs: dict[str, Any]) -> list[str]:
    """Every problem of ``inputs`` for ``process``, each naming its input.

    Unknown and missing inputs, too few or too many values, references (not offered) and
    values that fail their JSON Schema.
    """
    problems = [
        f"{name}: {process.id} has no such input; it takes {', '.join(process.inputs)}"
        for name in inputs
        if name not in process.inputs
    ]
    for name, description in process.inputs.items():
        low, high = description.get("minOccurs", 1), description.get("maxOccurs", 1)
        if name not in inputs:
            if low > 0:
                problems.append(f"{name}: is required")
            continue
        several = isinstance(inputs[name], list) and high != 1
        values = inputs[name] if several else [inputs[name]]
        if len(values) < low or (high != "unbounded" and len(values) > high):
            problems.append(f"{name}: give {low} to {high} values, not {len(values)}")
        validator = Draft202012Validator(description["schema"])
        for index, value in enumerate(values):
            where = f"{name}[{index}]" if several else name
            if isinstance(value, dict) and "href" in value:
                problems.append(f"{where}: inputs by reference (href) are not offered")
                continue
            for error in validator.iter_errors(value):
                problems.append(f"{_path(where, error.absolute_path)}: {_short(error)}")
    return problems


def cache_key(process: Process, inputs: dict[str, Any], base: str) -> str:
    """SHA-256 over the process, its version, the inputs as canonical JSON and ``base``."""
    canonical = json.dumps(
        {"process": process.id, "version": process.version, "inputs": inputs, "base": base},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _failure(error: TwinError) -> dict[str, Any]:
    """What a job that failed with ``error`` answers for its results."""
    status = http_status(error)
    return {
        "type": INVALID_PARAMETER if status == 400 else type(error).__name__,
        "status": status,
        "detail": error.message,
        "hint": error.hint,
    }


def _seconds(start: str | None, end: str | None) -> float:
    """Seconds from ``start`` to ``end`` (now if open); 0 for a job not started."""
    if start is None:
        return 0.0
    until = datetime.fromisoformat(end) if end else datetime.now(UTC)
    return (until - datetime.fromisoformat(start)).total_seconds()


def outputs_of(job: Job) -> dict[str, Any]:
    """The outputs of a successful job; otherwise raise why there are none."""
    if job.status == "successful" and job.results is not None:
        return job.results
    if job.status in UNFINISHED:
        raise ResultNotReadyError(
            f"job {job.id} is {job.status}; its results are not ready yet",
            hint=f"Poll ./jobs/{job.id} until its status is successful.",
        )
    if job.status == "failed":
        raise JobFailedError(job)
    raise ResultsDismissedError(
        f"job {job.id} was dismissed and its results deleted", hint="Run the process again."
    )


class _Run:
    """One job being executed, its record kept in step with the store."""

    def __init__(self, store: TwinStore, job: Job, forward: Callable[[float, str], None]) -> None:
        self.store, self.job, self.forward = store, job, forward

    def advance(self, expect: JobStatus, **changes: Any) -> bool:
        """Change the job if its stored status is ``expect``; False if it is not."""
        job = replace(self.job, updated=now(), **changes)
        if not self.store.update_job(job, expect=(expect,)):
            return False
        self.job = job
        return True

    def progress(self, percent: float, message: str) -> None:
        """Record how far the job is; stop the process if the job was dismissed."""
        if not self.advance("running", progress=int(min(max(percent, 0), 100)), message=message):
            raise _Dismissed
        self.forward(percent, message)


class JobRunner:
    """Runs the jobs of every municipality of one server (see the module docstring)."""

    def __init__(self, *, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="twin-job")
        self._recovered: set[str] = set()
        self._lock = threading.Lock()

    def shutdown(self) -> None:
        """Stop taking jobs; queued ones stay ``accepted`` until the next start fails them."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _recover(self, slug: str, store: TwinStore) -> None:
        """Fail the jobs a dead server left unfinished, once per municipality.

        Under the lock, so that no new job of this runner can be accepted in between.
        """
        with self._lock:
            if slug in self._recovered:
                return
            failure = {"type": "ServerRestart", "status": 500, "detail": RESTARTED, "hint": ""}
            count = store.fail_unfinished_jobs(message=RESTARTED, failure=failure)
            if count:
                logger.warning("%s: %d job(s) of a stopped server marked failed", slug, count)
            self._recovered.add(slug)

    def execute(
        self,
        slug: str,
        process: Process,
        inputs: dict[str, Any],
        context: ProcessContext,
        *,
        asynchronous: bool,
    ) -> Job:
        """Check ``inputs``, create a job and run it; return it accepted or finished.

        Synchronous execution waits for the job and returns it finished (successful or
        failed). A deterministic process whose result is cached completes at once. The
        context's ``progress`` is called after the runner has recorded each report.

        Raises
        ------
        InvalidInputsError
            Listing every problem of the inputs; no job is created.
        """
        inputs = plain_inputs(inputs)
        problems = input_problems(process, inputs)
        if problems:
            raise InvalidInputsError(
                f"the inputs of {process.id} have {len(problems)} problem(s)",
                problems=problems,
                hint=f"The process description at ./processes/{process.id} gives every "
                "input's schema.",
            )
        if process.pin is not None:
            try:
                inputs = process.pin(context, inputs)
            except TwinError as error:
                raise InvalidInputsError(
                    f"the inputs of {process.id} refer to something that does not exist",
                    problems=[str(error)],
                ) from None
        store = context.store
        self._recover(slug, store)
        base = base_state(context.config, store)
        stamp = now()
        job = Job(
            id=str(uuid4()),
            process_id=process.id,
            process_version=process.version,
            status="accepted",
            message="waiting for a free worker",
            progress=0,
            created=stamp,
            updated=stamp,
            inputs=inputs,
            cache_key=cache_key(process, inputs, base),
            owner=context.principal.name,
        )
        cached = store.cached_results(job.cache_key) if process.deterministic else None
        if cached is not None:
            job = replace(
                job,
                status="successful",
                message=REUSED,
                progress=100,
                started=stamp,
                finished=stamp,
                results=cached,
            )
        store.add_job(job, actor=context.principal.name)
        if cached is not None:
            return job
        future = self._pool.submit(self._run, process, context, job, base)
        if asynchronous:
            return job
        future.result()
        return self.job(slug, store, job.id, context.principal)

    def _run(self, process: Process, context: ProcessContext, job: Job, base: str) -> None:
        run = _Run(context.store, job, context.progress)
        if not run.advance("accepted", status="running", started=now(), message="running"):
            return  # dismissed while it waited
        try:
            results = process.run(replace(context, progress=run.progress), dict(job.inputs))
            if set(results) != set(process.outputs):
                raise RuntimeError(f"{process.id} returned {sorted(results)}")
            json.dumps(results, allow_nan=False)  # fails here, not in the store
        except _Dismissed:
            return
        except TwinError as error:
            run.advance(
                "running",
                status="failed",
                finished=now(),
                message=str(error),
                failure=_failure(error),
            )
            return
        except Exception:
            logger.exception("job %s of process %s failed", job.id, process.id)
            message = f"internal error in job {job.id}; the server's log has the details"
            failure = {"type": "InternalError", "status": 500, "detail": message, "hint": ""}
            run.advance(
                "running", status="failed", finished=now(), message=message, failure=failure
            )
            return
        finished = run.advance(
            "running",
            status="successful",
            progress=100,
            finished=now(),
            message="done",
            results=results,
        )
        if finished and process.deterministic:
            context.store.cache_results(
                job.cache_key, base=base, process_id=process.id, job_id=job.id, results=results
            )

    def job(
        self, slug: str, store: TwinStore, job_id: str, principal: Principal = ANONYMOUS
    ) -> Job:
        """One job the caller may see; any other id is :class:`NoSuchJobError` (no leak)."""
        self._recover(slug, store)
        job = store.job(job_id)
        if job is None or not may_see_job(principal, job.owner):
            raise NoSuchJobError(
                f"there is no job {job_id!r}", hint="The list of jobs is at ./jobs."
            )
        return job

    def jobs(
        self,
        slug: str,
        store: TwinStore,
        *,
        limit: int,
        process_ids: Collection[str] = (),
        statuses: Collection[str] = (),
        created: TimeFilter | None = None,
        min_seconds: float | None = None,
        max_seconds: float | None = None,
        principal: Principal = ANONYMOUS,
    ) -> list[Job]:
        """The newest ``limit`` matching jobs the caller may see.

        Durations count from start to finish (or now).
        """
        self._recover(slug, store)
        by_duration = min_seconds is not None or max_seconds is not None
        jobs = store.jobs(
            process_ids=process_ids,
            statuses=statuses,
            created=created,
            limit=None if by_duration else limit,
        )
        if by_duration:
            low, high = min_seconds or 0.0, max_seconds if max_seconds is not None else float("inf")
            jobs = [job for job in jobs if low <= _seconds(job.started, job.finished) <= high]
        return [job for job in jobs if may_see_job(principal, job.owner)][:limit]

    def results(
        self, slug: str, store: TwinStore, job_id: str, principal: Principal = ANONYMOUS
    ) -> dict[str, Any]:
        """The outputs of a successful job; otherwise raise why there are none."""
        return outputs_of(self.job(slug, store, job_id, principal))

    def dismiss(
        self, slug: str, store: TwinStore, job_id: str, principal: Principal = ANONYMOUS
    ) -> Job:
        """Dismiss a job: a running one is dropped when it reports or ends; results go."""
        self.job(slug, store, job_id, principal)  # someone else's job does not exist for them
        job = store.dismiss_job(job_id, message="dismissed; results deleted", actor=principal.name)
        if job is None:
            raise NoSuchJobError(
                f"there is no job {job_id!r}", hint="The list of jobs is at ./jobs."
            )
        return job
