"""A lease row per job in `job_leases`, so that each job runs on one replica at a time (F164)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from gantry_core.db.engine import Database
from gantry_core.db.tables import job_leases


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def acquire(db: Database, name: str, holder: str, ttl: timedelta) -> bool:
    """Take or renew the lease `name` for `holder`; False while another holder's lease is live."""
    now = datetime.now(UTC)
    try:
        async with db.write() as conn:
            stmt = select(job_leases).where(job_leases.c.name == name)
            if conn.dialect.name == "postgresql":
                stmt = stmt.with_for_update()
            row = (await conn.execute(stmt)).mappings().first()
            if row is None:
                await conn.execute(insert(job_leases).values(name=name, holder=holder, expires_at=now + ttl))
                return True
            if row["holder"] != holder and _utc(row["expires_at"]) > now:
                return False
            await conn.execute(
                update(job_leases).where(job_leases.c.name == name).values(holder=holder, expires_at=now + ttl)
            )
            return True
    except IntegrityError:  # another replica inserted the row first
        return False


async def release(db: Database, name: str, holder: str) -> None:
    async with db.write() as conn:
        await conn.execute(delete(job_leases).where(job_leases.c.name == name, job_leases.c.holder == holder))


async def held_elsewhere(db: Database, name: str, holder: str) -> bool:
    async with db.read() as conn:
        row = (await conn.execute(select(job_leases).where(job_leases.c.name == name))).mappings().first()
    return row is not None and row["holder"] != holder and _utc(row["expires_at"]) > datetime.now(UTC)
