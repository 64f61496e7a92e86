"""Operations and tactics: get, list_, create, add_tactic, delete. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearhold.errors import Conflict, NotFound
from clearhold.operation.schemas import OperationCreate, TacticCreate
from clearhold.operation.tables import Operation, Tactic


def get(session: Session, *, slug: str) -> Operation:
    op = session.scalar(select(Operation).where(Operation.slug == slug))
    if op is None:
        known = session.scalars(select(Operation.slug).order_by(Operation.slug)).all()
        hint = f"; known operations: {', '.join(known)}" if known else "; no operations exist yet"
        raise NotFound(f"operation {slug!r} not found{hint}")
    return op


def get_by_id(session: Session, *, operation_id: int) -> Operation:
    op = session.get(Operation, operation_id)
    if op is None:
        raise NotFound(f"operation id {operation_id} not found")
    return op


def list_(session: Session) -> list[Operation]:
    return list(session.scalars(select(Operation).order_by(Operation.starts_on, Operation.slug)))


def create(session: Session, *, operation_in: OperationCreate, created_by: str) -> Operation:
    if session.scalar(select(Operation.id).where(Operation.slug == operation_in.slug)) is not None:
        raise Conflict(f"operation {operation_in.slug!r} already exists")
    op = Operation(
        slug=operation_in.slug, name=operation_in.name, description=operation_in.description,
        force=operation_in.force, starts_on=operation_in.starts_on, ends_on=operation_in.ends_on,
        synthetic=operation_in.synthetic, created_by=created_by,
    )
    op.tactics = [Tactic(**t.model_dump()) for t in operation_in.tactics]
    session.add(op)
    session.flush()
    return op


def add_tactic(session: Session, *, operation_slug: str, tactic_in: TacticCreate) -> Tactic:
    op = get(session, slug=operation_slug)
    if any(t.name == tactic_in.name for t in op.tactics):
        raise Conflict(f"operation {operation_slug!r} already has a tactic named {tactic_in.name!r}")
    tactic = Tactic(**tactic_in.model_dump())
    op.tactics.append(tactic)
    session.flush()
    return tactic


def tactic_by_name(op: Operation, name: str) -> Tactic:
    for t in op.tactics:
        if t.name == name:
            return t
    known = ", ".join(t.name for t in op.tactics) or "none defined"
    raise NotFound(f"tactic {name!r} is not defined on operation {op.slug!r} (tactics: {known})")


def delete(session: Session, *, slug: str) -> None:
    session.delete(get(session, slug=slug))
    session.flush()
