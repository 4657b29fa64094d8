"""`/actions` (F71-F81, F155): list actions, execute, runs, approvals. Thin: the work is in `service`.

The fixed paths (`/actions/runs`, `/actions/approvals`) are declared before `/actions/{name}/…`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from gantry_core.actions import service
from gantry_core.actions.schemas import ActionOut, DecisionIn, ExecuteIn, RunOut, RunStatus
from gantry_core.api.deps import Developer, State, Viewer, client_ip, request_source
from gantry_core.api.pagination import Page, PageParams, page_params
from gantry_core.auth.principal import Principal
from gantry_core.catalog import search
from gantry_core.catalog.documents import DEFAULT_NAMESPACE
from gantry_core.catalog.queries import EntityFilter

router = APIRouter(prefix="/actions", tags=["actions"])
Pagination = Annotated[PageParams, Depends(page_params)]
ActionName = Annotated[str, Path(max_length=63, description="Name of the Action entity")]
RunId = Annotated[str, Path(max_length=64, description="Run id")]
NamespaceQ = Annotated[str, Query(max_length=63, description="Namespace of the Action")]
StatusQ = Annotated[RunStatus | None, Query(description="Only runs with this status")]


def _caller(request: Request, user: Principal) -> service.Caller:
    return service.Caller(principal=user, ip=client_ip(request), source=request_source(request))


@router.get("", summary="Actions (Action entities) with their type, category, inputs and permissions")
async def list_actions(
    state: State,
    user: Viewer,
    page: Pagination,
    category: Annotated[str | None, Query(max_length=63, description="Only this category")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text search")] = None,
    namespace: Annotated[str | None, Query(max_length=63, description="Only this namespace")] = None,
) -> Page[ActionOut]:
    flt = EntityFilter(namespace=namespace, q=q, search_words=tuple(search.terms(q)) if q is not None else ())
    items, total, nxt = await service.list_actions(state, flt, category, page)
    return Page(items=[ActionOut(**i) for i in items], total=total, next=nxt)


@router.get("/runs", summary="Every run, newest first")
async def list_runs(
    state: State,
    user: Viewer,
    page: Pagination,
    action: Annotated[str | None, Query(max_length=63, description="Only runs of this action")] = None,
    namespace: Annotated[str | None, Query(max_length=63, description="Only actions of this namespace")] = None,
    status: StatusQ = None,
) -> Page[RunOut]:
    items, total, nxt = await service.list_runs(state, page, action=action, namespace=namespace, status=status)
    return Page(items=[RunOut(**i) for i in items], total=total, next=nxt)


@router.get("/approvals", summary="Runs waiting for your approval, newest first")
async def list_approvals(state: State, user: Developer, page: Pagination) -> Page[RunOut]:
    items, total, nxt = await service.approvals(state, user, page)
    return Page(items=[RunOut(**i) for i in items], total=total, next=nxt)


@router.post("/runs/{run_id}/approve", summary="Approve a pending run (an approver other than the requester)")
async def approve(
    run_id: RunId, request: Request, state: State, user: Developer, body: DecisionIn | None = None
) -> RunOut:
    reason = body.reason if body else None
    return RunOut(**await service.decide(state, run_id, approve=True, reason=reason, caller=_caller(request, user)))


@router.post("/runs/{run_id}/reject", summary="Reject a pending run (an approver other than the requester)")
async def reject(
    run_id: RunId, request: Request, state: State, user: Developer, body: DecisionIn | None = None
) -> RunOut:
    reason = body.reason if body else None
    return RunOut(**await service.decide(state, run_id, approve=False, reason=reason, caller=_caller(request, user)))


@router.post("/{name}/execute", status_code=201, summary="Run an action: 201 with the run (running or pending)")
async def execute(
    name: ActionName,
    request: Request,
    state: State,
    user: Developer,
    body: ExecuteIn | None = None,
    namespace: NamespaceQ = DEFAULT_NAMESPACE,
) -> RunOut:
    given = body.inputs if body else {}
    return RunOut(**await service.execute(state, name, namespace, given, _caller(request, user)))


@router.get("/{name}/runs", summary="Runs of one action, newest first")
async def runs_of_action(
    name: ActionName,
    state: State,
    user: Viewer,
    page: Pagination,
    namespace: NamespaceQ = DEFAULT_NAMESPACE,
    status: StatusQ = None,
) -> Page[RunOut]:
    items, total, nxt = await service.runs_of_action(state, name, namespace, page, status)
    return Page(items=[RunOut(**i) for i in items], total=total, next=nxt)


@router.get("/{name}/runs/{run_id}", summary="One run of an action")
async def get_run(
    name: ActionName, run_id: RunId, state: State, user: Viewer, namespace: NamespaceQ = DEFAULT_NAMESPACE
) -> RunOut:
    return RunOut(**await service.get_run(state, run_id, action=name, namespace=namespace))
