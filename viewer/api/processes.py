"""OGC API - Processes (Part 1: Core 1.0) of a municipality: processes, execution and jobs.

``/{slug}/ogc/processes`` lists the registered processes (:mod:`scenarios.processes`),
``…/processes/{id}/execution`` runs one through the server's
:class:`~scenarios.runner.JobRunner`, and ``…/jobs`` reports, returns and dismisses the
municipality's jobs. JSON follows the OGC schemas; lists, descriptions and jobs also
come as HTML pages.

Decisions, where the standard leaves a choice or is read strictly:

- Execution is synchronous unless the client sends ``Prefer: respond-async`` (201 with
  ``Location`` and ``Preference-Applied``). Both kinds run in the runner's pool.
- ``response`` defaults to ``raw`` as in 1.0: one output comes as its bare JSON value,
  several as ``multipart/related`` with one part per output (``Content-ID`` = output id).
  ``document`` gives the results document, where an object value is a qualified value
  (``{"value": …, "mediaType": …}``) so that it cannot be mistaken for a link.
- ``/jobs/{id}/results`` always answers with the results document.
- A dismissed job keeps its status record (``dismissed``); its results answer 410.
- Errors carry the OGC exception ``type`` beside the viewer's ``code`` and
  ``description``.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal
from uuid import uuid4

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from scenarios.processes import PROCESSES, Process, ProcessContext
from scenarios.runner import (
    InvalidInputsError,
    JobFailedError,
    JobRunner,
    NoSuchJobError,
    NoSuchProcessError,
    ProcessingError,
    ResultNotReadyError,
    ResultsDismissedError,
    input_problems,
    outputs_of,
    plain_inputs,
)
from twin.access import Principal
from twin.errors import InvalidRequestError, http_status
from twin.store._jobs import Job, JobStatus
from viewer.api.links import JSON, resource_url, self_and_alternate, with_format
from viewer.api.models import Link, OgcException
from viewer.api.ogc_common import HTML_RESPONSE
from viewer.api.params import OPENAPI_ITEMS, OPENAPI_METADATA, parse_datetime, parse_limit
from viewer.deps import TwinView, TwinViewDep, WorkspaceDep
from viewer.negotiation import Format, Lang, language, output_format, wants_html
from viewer.templating import render
from viewer.texts import TEXTS

logger = logging.getLogger(__name__)

REL = "http://www.opengis.net/def/rel/ogc/1.0/"
JOB_CONTROL = ["sync-execute", "async-execute", "dismiss"]
STATUSES: tuple[JobStatus, ...] = ("accepted", "running", "successful", "failed", "dismissed")
_REQUEST_MEMBERS = ("inputs", "outputs", "response")

router = APIRouter(prefix="/{slug}/ogc", tags=["OGC API Processes"])

_LIMIT = next(p for p in OPENAPI_ITEMS["parameters"] if p["name"] == "limit")
OPENAPI_PROCESSES: dict[str, Any] = {"parameters": [*OPENAPI_METADATA["parameters"], _LIMIT]}
OPENAPI_JOBS: dict[str, Any] = {
    "parameters": [
        *OPENAPI_PROCESSES["parameters"],
        *(
            {"name": name, "in": "query", "required": False, "description": text, "schema": schema}
            for name, text, schema in (
                ("processID", "Jobs of these processes (comma-separated).", {"type": "string"}),
                ("status", "Jobs in these states (comma-separated).", {"type": "string"}),
                ("type", "Job types; only 'process' has jobs.", {"type": "string"}),
                ("datetime", "Created at this RFC 3339 instant or in a/b.", {"type": "string"}),
                ("minDuration", "Jobs that ran at least this many seconds.", {"type": "number"}),
                ("maxDuration", "Jobs that ran at most this many seconds.", {"type": "number"}),
            )
        ),
    ]
}
"""OpenAPI description of the job list's parameters (parsed by hand, like the items')."""


# -- response models (names as in the OGC schemas) --------------------------------------
class ProcessSummary(BaseModel):
    """What the process list says about one process."""

    id: str
    version: str
    title: str
    description: str
    jobControlOptions: list[str]
    outputTransmission: list[str]
    links: list[Link]


class ProcessList(BaseModel):
    """All processes of the municipality."""

    processes: list[ProcessSummary]
    links: list[Link]


class OutputDescription(BaseModel):
    """One output: what it is and the JSON Schema of its value."""

    model_config = ConfigDict(populate_by_name=True)

    title: str
    description: str
    schema_: dict[str, Any] = Field(alias="schema")


class InputDescription(OutputDescription):
    """One input, with how many values it takes."""

    minOccurs: int
    maxOccurs: int | Literal["unbounded"]


class ProcessDescription(ProcessSummary):
    """A process with its inputs and outputs."""

    inputs: dict[str, InputDescription]
    outputs: dict[str, OutputDescription]


class StatusInfo(BaseModel):
    """A job's status (OGC ``statusInfo``)."""

    jobID: str
    processID: str
    type: Literal["process"] = "process"
    status: JobStatus
    message: str
    created: str
    started: str | None = None
    finished: str | None = None
    updated: str
    progress: int
    links: list[Link]


class JobList(BaseModel):
    """The municipality's jobs, newest first."""

    jobs: list[StatusInfo]
    links: list[Link]


# -- errors -----------------------------------------------------------------------------
_STATUS: dict[type[ProcessingError], int] = {
    NoSuchProcessError: 404,
    NoSuchJobError: 404,
    ResultNotReadyError: 404,
    ResultsDismissedError: 410,
}


async def processing_error_handler(request: Request, exc: Exception) -> Response:
    """Answer a processes error with its status and OGC exception type (or an HTML page)."""
    if not isinstance(exc, ProcessingError):  # registered for ProcessingError only
        raise exc
    if isinstance(exc, JobFailedError):
        status = exc.status
    else:
        status = _STATUS.get(type(exc)) or http_status(exc)
    if wants_html(request):
        return render(request, "error.html", {"status": status, "error": exc}, status_code=status)
    body = OgcException(code=type(exc).__name__, description=exc.message, hint=exc.hint or None)
    problems = exc.problems if isinstance(exc, InvalidInputsError) else []
    return JSONResponse(
        body.model_dump(exclude_none=True)
        | {
            "type": exc.exception_type,
            "title": exc.message,
            "status": status,
            "detail": "; ".join(problems) or str(exc),
        }
        | ({"problems": problems} if problems else {}),
        status_code=status,
    )


# -- helpers ----------------------------------------------------------------------------
def _runner(request: Request) -> JobRunner:
    """The app's job runner (created with the app)."""
    jobs: JobRunner = request.app.state.jobs
    return jobs


def _process(process_id: str) -> Process:
    try:
        return PROCESSES[process_id]
    except KeyError:
        raise NoSuchProcessError(
            f"there is no process {process_id!r}", hint="The list of processes is at ./processes."
        ) from None


def _summary(
    request: Request, slug: str, process: Process, *, fmt: Format, lang: Lang
) -> dict[str, Any]:
    here = resource_url(request, "ogc_process", slug=slug, processId=process.id)
    execution = resource_url(request, "ogc_execute", slug=slug, processId=process.id)
    return {
        "id": process.id,
        "version": process.version,
        "title": process.title[lang],
        "description": process.description[lang],
        "jobControlOptions": JOB_CONTROL,
        "outputTransmission": ["value"],
        "links": [
            *self_and_alternate(here, fmt, lang=lang),
            Link(href=str(execution), rel=REL + "execute", type=JSON, title=TEXTS[lang]["execute"]),
        ],
    }


def _description(
    request: Request, slug: str, process: Process, *, fmt: Format, lang: Lang
) -> dict[str, Any]:
    def local(description: dict[str, Any]) -> dict[str, Any]:
        return description | {
            "title": description["title"][lang],
            "description": description["description"][lang],
        }

    jobs = resource_url(request, "ogc_jobs", slug=slug)
    summary = _summary(request, slug, process, fmt=fmt, lang=lang)
    summary["links"].append(
        Link(
            href=with_format(jobs, "json"),
            rel=REL + "job-list",
            type=JSON,
            title=TEXTS[lang]["jobs"],
        )
    )
    return summary | {
        "inputs": {
            name: {"minOccurs": 1, "maxOccurs": 1} | local(description)
            for name, description in process.inputs.items()
        },
        "outputs": {name: local(description) for name, description in process.outputs.items()},
    }


def _status_info(request: Request, slug: str, job: Job, fmt: Format, lang: Lang) -> StatusInfo:
    here = resource_url(request, "ogc_job", slug=slug, jobId=job.id)
    links = self_and_alternate(here, fmt, lang=lang)
    if job.status == "successful":
        results = resource_url(request, "ogc_job_results", slug=slug, jobId=job.id)
        links.append(
            Link(href=str(results), rel=REL + "results", type=JSON, title=TEXTS[lang]["results"])
        )
    return StatusInfo(
        jobID=job.id,
        processID=job.process_id,
        status=job.status,
        message=job.message,
        created=job.created,
        started=job.started,
        finished=job.finished,
        updated=job.updated,
        progress=job.progress,
        links=links,
    )


def _document(results: dict[str, Any]) -> dict[str, Any]:
    """The OGC results document: object values as qualified values, the rest bare."""
    return {
        name: {"value": value, "mediaType": JSON} if isinstance(value, dict) else value
        for name, value in results.items()
    }


def _multipart(results: dict[str, Any]) -> Response:
    """Several raw outputs as ``multipart/related`` (RFC 2387), one JSON part each."""
    boundary = uuid4().hex
    parts = [
        f"--{boundary}\r\nContent-Type: {JSON}\r\nContent-ID: <{name}>\r\n\r\n"
        f"{json.dumps(value, ensure_ascii=False)}\r\n"
        for name, value in results.items()
    ]
    return Response(
        "".join(parts) + f"--{boundary}--\r\n",
        media_type=f'multipart/related; boundary="{boundary}"; type="{JSON}"',
    )


def _execute_request(body: bytes, process: Process) -> tuple[dict[str, Any], list[str], str]:
    """Inputs, requested outputs and response mode of an execute request, all checked.

    Raises
    ------
    InvalidInputsError
        Listing every problem of the request and of its inputs.
    """
    try:
        request = json.loads(body or b"{}")
    except ValueError as error:
        raise InvalidInputsError(
            "the execute request is not JSON", problems=[str(error)], hint=_EXECUTE_HINT
        ) from None
    if not isinstance(request, dict):
        raise InvalidInputsError(
            "the execute request must be a JSON object", problems=[], hint=_EXECUTE_HINT
        )
    problems = [
        f"{name}: the execute request has no such member; it takes {', '.join(_REQUEST_MEMBERS)}"
        for name in request
        if name not in _REQUEST_MEMBERS
    ]
    inputs = request.get("inputs", {})
    if not isinstance(inputs, dict):
        problems.append("inputs: must be an object of input id → value")
        inputs = {}
    outputs = request.get("outputs") or {}
    if not isinstance(outputs, dict):
        problems.append("outputs: must be an object of output id → {transmissionMode}")
        outputs = {}
    for name, wanted in outputs.items():
        if name not in process.outputs:
            problems.append(f"outputs.{name}: {process.id} has no such output")
        elif not isinstance(wanted, dict) or wanted.get("transmissionMode", "value") != "value":
            problems.append(f"outputs.{name}: only transmissionMode 'value' is offered")
    mode = request.get("response", "raw")
    if mode not in ("raw", "document"):
        problems.append(f"response: {mode!r} is neither 'raw' nor 'document'")
    problems += input_problems(process, plain_inputs(inputs))
    if problems:
        raise InvalidInputsError(
            f"the execute request has {len(problems)} problem(s)",
            problems=problems,
            hint=_EXECUTE_HINT,
        )
    return inputs, list(outputs) or list(process.outputs), mode


_EXECUTE_HINT = (
    'Send {"inputs": {...}, "outputs": {...}, "response": "raw" | "document"}; the process '
    "description lists every input with its schema."
)


def _prefers_async(request: Request) -> bool:
    """Whether a ``Prefer`` header (RFC 7240) asks for ``respond-async``."""
    return any(
        token.split(";")[0].strip().lower() == "respond-async"
        for header in request.headers.getlist("prefer")
        for token in header.split(",")
    )


def _log_progress(percent: float, message: str) -> None:
    logger.debug("job progress %.0f%%: %s", percent, message)


def _names(text: str | None) -> list[str]:
    """A list parameter: repeated or comma-separated values."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _seconds(name: str, text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise InvalidRequestError(f"{name}={text!r} is not a number of seconds ≥ 0")
    return value


# -- routes -----------------------------------------------------------------------------
def _caller(twin: TwinView) -> Principal:
    """Who asks (anonymous without a token): jobs are theirs, scenarios as their role allows."""
    return twin.principal


@router.get(
    "/processes",
    name="ogc_processes",
    response_model=ProcessList,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_PROCESSES,
    summary="The processes a municipality's twin can run",
)
def processes(request: Request, twin: TwinViewDep) -> Response:
    """List the processes with links to their descriptions and execution endpoints."""
    fmt, lang = output_format(request), language(request)
    slug = twin.record.slug
    limit = parse_limit(request.query_params.get("limit"))
    page = ProcessList(
        processes=[
            ProcessSummary.model_validate(_summary(request, slug, process, fmt="json", lang=lang))
            for process in list(PROCESSES.values())[:limit]
        ],
        links=self_and_alternate(resource_url(request, "ogc_processes", slug=slug), fmt, lang=lang),
    )
    if fmt == "html":
        return render(request, "ogc_processes.html", {"page": page, "twin": twin.record})
    return JSONResponse(page.model_dump(exclude_none=True))


@router.get(
    "/processes/{processId}",
    name="ogc_process",
    response_model=ProcessDescription,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_METADATA,
    summary="Description of one process: its inputs and outputs",
)
def process_description(request: Request, twin: TwinViewDep, processId: str) -> Response:
    """Describe a process: inputs with their JSON Schemas, outputs, links."""
    fmt, lang = output_format(request), language(request)
    slug = twin.record.slug
    page = ProcessDescription.model_validate(
        _description(request, slug, _process(processId), fmt=fmt, lang=lang)
    )
    if fmt == "html":
        return render(request, "ogc_process.html", {"page": page, "twin": twin.record})
    return JSONResponse(page.model_dump(by_alias=True, exclude_none=True))


@router.post(
    "/processes/{processId}/execution",
    name="ogc_execute",
    responses={
        200: {"description": "Synchronous: the outputs (raw or as results document)"},
        201: {"description": "Asynchronous (Prefer: respond-async): the job's status"},
        400: {"description": "The request or its inputs are invalid; every problem listed"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                JSON: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "inputs": {"type": "object"},
                            "outputs": {"type": "object"},
                            "response": {"enum": ["raw", "document"], "default": "raw"},
                        },
                    }
                }
            },
        }
    },
    summary="Run a process, synchronously or as a job",
)
async def execute(
    request: Request, twin: TwinViewDep, workspace: WorkspaceDep, processId: str
) -> Response:
    """Check the request, then run the process (see the module docstring for the modes)."""
    process = _process(processId)
    inputs, outputs, mode = _execute_request(await request.body(), process)
    slug = twin.record.slug
    principal = _caller(twin)
    asynchronous = _prefers_async(request)

    def submit() -> Job:  # reads the config and may wait for the job: not on the event loop
        config = workspace.config(slug, check_files=False)
        context = ProcessContext(
            config=config, store=twin.store, progress=_log_progress, principal=principal
        )
        return _runner(request).execute(slug, process, inputs, context, asynchronous=asynchronous)

    job = await run_in_threadpool(submit)
    if asynchronous:
        info = _status_info(request, slug, job, "json", language(request))
        return JSONResponse(
            info.model_dump(exclude_none=True),
            status_code=201,
            headers={
                "Location": str(resource_url(request, "ogc_job", slug=slug, jobId=job.id)),
                "Preference-Applied": "respond-async",
            },
        )
    results = {name: value for name, value in outputs_of(job).items() if name in outputs}
    if mode == "document":
        return JSONResponse(_document(results))
    if len(results) == 1:
        return JSONResponse(next(iter(results.values())))
    return _multipart(results)


@router.get(
    "/jobs",
    name="ogc_jobs",
    response_model=JobList,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_JOBS,
    summary="The municipality's jobs, newest first",
)
def jobs(request: Request, twin: TwinViewDep) -> Response:
    """List jobs; filter by ``processID``, ``status``, ``datetime`` (created), duration."""
    fmt, lang = output_format(request), language(request)
    slug = twin.record.slug
    params = request.query_params
    statuses = _names(",".join(params.getlist("status")))
    unknown = sorted(set(statuses) - set(STATUSES))
    if unknown:
        raise InvalidRequestError(
            f"unknown job status(es): {', '.join(unknown)}", hint=f"Use {', '.join(STATUSES)}."
        )
    types = _names(",".join(params.getlist("type")))
    created = params.get("datetime")
    found = (
        _runner(request).jobs(
            slug,
            twin.store,
            limit=parse_limit(params.get("limit")),
            process_ids=_names(",".join(params.getlist("processID"))),
            statuses=statuses,
            created=None if created is None else parse_datetime(created),
            min_seconds=_seconds("minDuration", params.get("minDuration")),
            max_seconds=_seconds("maxDuration", params.get("maxDuration")),
            principal=_caller(twin),
        )
        if not types or "process" in types
        else []
    )
    page = JobList(
        jobs=[_status_info(request, slug, job, "json", lang) for job in found],
        links=self_and_alternate(resource_url(request, "ogc_jobs", slug=slug), fmt, lang=lang),
    )
    if fmt == "html":
        return render(request, "ogc_jobs.html", {"page": page, "twin": twin.record})
    return JSONResponse(page.model_dump(exclude_none=True))


@router.get(
    "/jobs/{jobId}",
    name="ogc_job",
    response_model=StatusInfo,
    responses=HTML_RESPONSE,
    openapi_extra=OPENAPI_METADATA,
    summary="Status of one job",
)
def job_status(request: Request, twin: TwinViewDep, jobId: str) -> Response:
    """Report a job's status, progress and times; link to its results once it has them."""
    fmt, lang = output_format(request), language(request)
    slug = twin.record.slug
    job = _runner(request).job(slug, twin.store, jobId, _caller(twin))
    info = _status_info(request, slug, job, fmt, lang)
    if fmt == "html":
        return render(
            request, "ogc_job.html", {"page": info, "results": job.results, "twin": twin.record}
        )
    return JSONResponse(info.model_dump(exclude_none=True))


@router.get(
    "/jobs/{jobId}/results",
    name="ogc_job_results",
    responses={200: {"description": "The results document of a successful job"}},
    summary="Results of a job",
)
def job_results(request: Request, twin: TwinViewDep, jobId: str) -> Response:
    """Return the results document; say why there is none (not ready, failed, dismissed)."""
    runner, principal = _runner(request), _caller(twin)
    return JSONResponse(_document(runner.results(twin.record.slug, twin.store, jobId, principal)))


@router.delete(
    "/jobs/{jobId}",
    name="ogc_dismiss",
    response_model=StatusInfo,
    summary="Dismiss a job: cancel it if it runs, delete its results",
)
def dismiss(request: Request, twin: TwinViewDep, jobId: str) -> Response:
    """Mark the job dismissed; a running job's result is dropped when it ends."""
    slug = twin.record.slug
    job = _runner(request).dismiss(slug, twin.store, jobId, _caller(twin))
    return JSONResponse(
        _status_info(request, slug, job, "json", language(request)).model_dump(exclude_none=True)
    )
