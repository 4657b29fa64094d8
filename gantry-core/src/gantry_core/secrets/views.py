"""`/secrets` (admin, F156): list names and timestamps, create or replace, delete. Values never come back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy import func, select

from gantry_core.api.deps import Admin, State, client_ip, request_source
from gantry_core.api.pagination import Page, PageParams, keyset_page, page_params
from gantry_core.db.tables import secrets
from gantry_core.secrets import service
from gantry_core.secrets.schemas import SecretIn, SecretOut

router = APIRouter(prefix="/secrets", tags=["secrets"])
Pagination = Annotated[PageParams, Depends(page_params)]
SecretName = Annotated[str, Path(max_length=63, description="Upper-case name, e.g. DEPLOY_TOKEN")]


@router.get("", summary="Secret names and timestamps (admin); values are never returned")
async def list_secrets(state: State, user: Admin, page: Pagination) -> Page[SecretOut]:
    async with state.db.read() as conn:
        rows, total, nxt = await conn.run_sync(
            keyset_page,
            select(secrets.c.name, secrets.c.created_at, secrets.c.updated_at),
            [secrets.c.name],
            page,
            count=select(func.count()).select_from(secrets),
        )
    return Page(items=[SecretOut(**service.summary(r._mapping)) for r in rows], total=total, next=nxt)


@router.put("/{name}", summary="Create or replace a secret (admin): 201 created, 200 replaced")
async def put_secret(
    name: SecretName, body: SecretIn, request: Request, response: Response, state: State, user: Admin
) -> SecretOut:
    service.check_name(name)
    cipher = service.cipher_of(state)
    async with state.db.write() as conn:
        outcome, shown = await service.put(
            conn,
            cipher,
            name,
            body.value.get_secret_value(),
            actor=user.username,
            source=request_source(request),
            ip=client_ip(request),
        )
    response.status_code = 201 if outcome == "created" else 200
    return SecretOut(**shown)


@router.delete("/{name}", status_code=204, summary="Delete a secret (admin)")
async def delete_secret(name: SecretName, request: Request, state: State, user: Admin) -> Response:
    service.check_name(name)
    async with state.db.write() as conn:
        await service.remove(conn, name, actor=user.username, source=request_source(request), ip=client_ip(request))
    return Response(status_code=204)
