"""Activity records: create, get, list_, correct, delete, history. Never commits.

Every change writes the record's full new state into ``record_history``; a correction names
its reason and the fields it changed, a deletion is a tombstone (the record leaves every
figure but stays in the history).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectin_polymorphic

from clearhold.area import service as area_service
from clearhold.area.tables import Area
from clearhold.errors import Conflict, InvalidInput, NotFound
from clearhold.localtime import UK, uk_day_start
from clearhold.operation import service as operation_service
from clearhold.operation.tables import Operation, Tactic
from clearhold.record import prices
from clearhold.record.schemas import CREATE_MODELS, RecordCorrection, parse_record
from clearhold.record.tables import (
    Arrest,
    ArrestOffence,
    CourtOutcome,
    Engagement,
    Patrol,
    Record,
    RecordHistory,
    Referral,
    SeizedItem,
    Seizure,
    TestPurchase,
    VehicleStop,
    Warrant,
    WeaponsSweep,
)
from clearhold.storage.base import utcnow

KIND_CLASSES: dict[str, type[Record]] = {
    "arrest": Arrest, "seizure": Seizure, "vehicle_stop": VehicleStop, "weapons_sweep": WeaponsSweep,
    "test_purchase": TestPurchase, "patrol": Patrol, "warrant": Warrant, "referral": Referral,
    "court_outcome": CourtOutcome, "engagement": Engagement,
}
# Input field -> column, where the names differ.
_FIELD_TO_COLUMN = {
    "vehicle_stop": {"reason": "stop_reason"},
}
_BASE_FIELDS = {
    "operation", "kind", "ref", "occurred_at", "ended_at", "area", "tactic", "lat", "lon", "easting",
    "northing", "location_text", "notes", "source_record_id", "items",
}
_POLY = selectin_polymorphic(Record, list(KIND_CLASSES.values()))


def validation_message(exc: ValidationError) -> str:
    """A pydantic error as one line per problem: ``field: problem``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"] if not (isinstance(p, str) and p in CREATE_MODELS))
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


@cache
def _kind_fields(kind: str) -> tuple[str, ...]:
    return tuple(f for f in CREATE_MODELS[kind].model_fields if f not in _BASE_FIELDS)


class _Context:
    """Looks up operations, areas and tactics once per import rather than once per row."""

    def __init__(self, session: Session, price_table_version: str) -> None:
        self.session = session
        self.price_table_version = price_table_version
        self._ops: dict[str, Operation] = {}
        self._areas: dict[str, Area] = {}
        self._locators: dict[int, area_service.AreaLocator] = {}
        self._price_table = None
        self._area_slugs: dict[int, str] = {}
        self._bng: dict[tuple[float, float], tuple[float, float, float, float]] = {}
        self._tactics: dict[tuple[int, str], Tactic] = {}
        self._batches: dict[str, _Batch] = {}
        self._located: dict[int, dict[tuple[float, float], int | None]] = {}  # operation id -> point -> area id

    def operation(self, slug: str) -> Operation:
        if slug not in self._ops:
            self._ops[slug] = operation_service.get(self.session, slug=slug)
        return self._ops[slug]

    def area(self, slug: str, op: Operation) -> Area:
        if slug not in self._areas:
            self._areas[slug] = area_service.get(self.session, slug=slug)
        area = self._areas[slug]
        if area.operation_id not in (None, op.id):
            raise InvalidInput(f"area: {slug!r} belongs to another operation, not {op.slug!r}")
        return area

    def locate(self, op: Operation, easting: float | None, northing: float | None) -> int | None:
        located = self._located.get(op.id)
        if located is not None and (easting, northing) in located:
            return located[(easting, northing)]
        return self._locator(op).locate(easting, northing)

    def _locator(self, op: Operation) -> area_service.AreaLocator:
        if op.id not in self._locators:
            self._locators[op.id] = area_service.AreaLocator(area_service.list_(self.session, operation_slug=op.slug))
        return self._locators[op.id]

    def tactic(self, op: Operation, name: str) -> Tactic:
        """``operation_service.tactic_by_name``, found once per import."""
        key = (op.id, name)
        if key not in self._tactics:
            self._tactics[key] = operation_service.tactic_by_name(op, name)
        return self._tactics[key]

    def price_table(self):
        if self._price_table is None:
            self._price_table = prices.get(self.session, version=self.price_table_version)
        return self._price_table

    def area_slug(self, area_id: int | None) -> str | None:
        """The slug of an area found by ``locate`` (one query per import, not per record)."""
        if area_id is None:
            return None
        if area_id not in self._area_slugs:
            self._area_slugs.update((i, slug) for i, slug in self.session.execute(select(Area.id, Area.slug)))
        return self._area_slugs[area_id]

    def prime_bng(self, lons, lats) -> list[tuple[float, float, float, float]]:
        """Convert many lon/lat pairs to BNG in one vectorised call; ``_place`` then looks them up.
        Returns ``_grid`` of each."""
        from clearhold.geo.bng import to_bng

        if not len(lons):
            return []
        xs, ys = to_bng(lons, lats)
        grids = list(map(_grid, xs.tolist(), ys.tolist()))
        self._bng.update(zip(zip(lons, lats, strict=True), grids, strict=True))
        return grids

    def batch(self, slug: str, entered_by: str, entered_at: datetime) -> _Batch:
        """What new records of operation ``slug`` entered together share (see ``_Batch``),
        worked out on the first of them."""
        batch = self._batches.get(slug)
        if batch is None or batch.entered_at is not entered_at or batch.entered_by != entered_by:
            batch = self._batches[slug] = _Batch(self, self.operation(slug), entered_by, entered_at)
        return batch

    def prime_locate(self, op: Operation, points: list[tuple[float, float]]) -> None:
        """Find the target area of many BNG points at once (``AreaLocator.locate_many``);
        ``locate`` then looks them up."""
        if points:
            self._located.setdefault(op.id, {}).update(zip(points, self._locator(op).locate_many(points), strict=True))

    def bng(self, lon: float, lat: float) -> tuple[float, float, float, float]:
        """``_bng`` of a point, found by ``prime_bng`` if it was given there."""
        found = self._bng.get((lon, lat))
        return _bng(lon, lat) if found is None else found


_NOT_FOUND = object()


class _Batch:
    """What the new records of one operation entered at one time share, for preparing many
    of them (``prepare_create``): read from the operation, or worked out, once per batch rather
    than once per record. The operation's id and slug (an ORM attribute costs more to read than
    a plain one), its ``_Span``, its tactics by name, the target areas ``prime_locate`` found,
    and the outline of the history state of each kind of record."""

    __slots__ = ("_located", "_outlines", "_tactics", "entered_at", "entered_by", "op", "op_id", "slug", "span")

    def __init__(self, ctx: _Context, op: Operation, entered_by: str, entered_at: datetime) -> None:
        # No reference to ``ctx`` is kept (the context keeps its batches): a cycle would keep
        # both, and all they hold, until the garbage collector found them.
        self.op, self.op_id, self.slug = op, op.id, op.slug
        self.entered_by, self.entered_at = entered_by, entered_at
        self.span = _Span(op, entered_at)
        self._located = ctx._located.setdefault(op.id, {})  # the context's own: later priming shows here too
        self._tactics: dict[str, tuple[int, str]] = {}
        self._outlines: dict[tuple[str, bool], dict[str, Any]] = {}

    def state_outline(self, kind: str, placed: bool) -> dict[str, Any]:
        """The history state of a new record of ``kind`` (with lat/lon if ``placed``): its keys
        in ``to_state``'s order, with what every record of the batch shares (the rest None). A
        copy, filled in, is a record's state, made without growing a dict key by key."""
        outline = self._outlines.get((kind, placed))
        if outline is None:
            outline = {
                "kind": kind, "operation": self.slug, "ref": None, "occurred_at": None, "ended_at": None,
                "area": None, "tactic": None, "location_text": None, "notes": None, "source_record_id": None,
                **({"lat": None, "lon": None} if placed else {}),
                **dict.fromkeys(_kind_fields(kind)),
                "items": None, "id": None, "easting": None, "northing": None, "version": 1,
                "entered_by": self.entered_by, "entered_at": _utc_iso(self.entered_at), "updated_by": None,
                "updated_at": None, "deleted_at": None, "deleted_by": None, "deletion_reason": None,
            }
            self._outlines[(kind, placed)] = outline
        return outline

    def locate(self, ctx: _Context, easting: float | None, northing: float | None) -> int | None:
        """``ctx.locate`` in this operation."""
        found = self._located.get((easting, northing), _NOT_FOUND)
        return ctx.locate(self.op, easting, northing) if found is _NOT_FOUND else found

    def tactic(self, ctx: _Context, name: str) -> tuple[int, str]:
        """The id and name of the operation's tactic ``name`` (``ctx.tactic``)."""
        found = self._tactics.get(name)
        if found is None:
            tactic = ctx.tactic(self.op, name)
            found = self._tactics[name] = (tactic.id, tactic.name)
        return found


def _bng(lon: float, lat: float) -> tuple[float, float, float, float]:
    """One lon/lat point in BNG: ``_grid`` of its easting and northing."""
    from clearhold.geo.bng import to_bng

    x, y = to_bng(lon, lat)
    return _grid(float(x), float(y))


def _grid(x: float, y: float) -> tuple[float, float, float, float]:
    """A BNG point exactly and as a record keeps it (to 0.1 m): (x, y, easting, northing)."""
    return x, y, round(x, 1), round(y, 1)


def _place(data, ctx: _Context | None = None) -> tuple[float | None, float | None, float | None, float | None]:
    lat, lon, e, n = data.lat, data.lon, data.easting, data.northing
    if lat is not None:
        x, y, easting, northing = ctx.bng(lon, lat) if ctx is not None else _bng(lon, lat)
        if e is not None and ((x - e) ** 2 + (y - n) ** 2) ** 0.5 > 50:
            raise InvalidInput(
                f"easting/northing ({e:.0f}, {n:.0f}) are more than 50 m from lat/lon ({lat}, {lon}) = "
                f"({x:.0f}, {y:.0f}); give one or make them agree"
            )
        return lat, lon, easting, northing
    if e is not None:
        from clearhold.geo.bng import to_wgs84

        lo, la = (float(v) for v in to_wgs84(e, n))
        return round(la, 6), round(lo, 6), e, n
    return None, None, None, None




def _check_in_operation(op: Operation, data) -> None:
    """A record happens within its operation (UK local days); court outcomes may come after it ends."""
    _Span(op, utcnow()).check(data)


class _Span:
    """When the records of an operation may happen, as instants: from the start of its first UK
    local day to the end of its last (court outcomes may come later), and no more than an hour
    after ``now``. Worked out once for a batch of records (``_Batch``), so that checking each
    one is a few comparisons of instants instead of a conversion of its time to UK local time.

    Instants give the same answers as local days because every UK local day begins at its
    local midnight, which happens exactly once (the clocks change at 01:00 UTC), and local days
    only go forward. The local day a message names is worked out only when a check fails.
    """

    __slots__ = ("begins", "ends", "latest", "slug", "text")

    def __init__(self, op: Operation, now: datetime) -> None:
        self.slug = op.slug
        self.text = f"{op.starts_on} to {op.ends_on or 'open'}"
        self.begins = uk_day_start(op.starts_on)
        # No end if the operation is open, or ends on the last day there is (none comes after it).
        last = op.ends_on if op.ends_on != date.max else None
        self.ends = uk_day_start(last + timedelta(days=1)) if last is not None else None
        self.latest = now + timedelta(hours=1)

    def check(self, data) -> datetime:
        """Raise InvalidInput, naming the record's local day, if it happened outside the span;
        otherwise return its time in UTC (compared in UTC, times need no offset looked up)."""
        at = data.occurred_at.astimezone(UTC)
        if at < self.begins:
            raise InvalidInput(f"occurred_at: {_local_day(at)} is before operation {self.slug!r} started ({self.text})")
        if self.ends is not None and at >= self.ends and data.kind != "court_outcome":
            raise InvalidInput(f"occurred_at: {_local_day(at)} is after operation {self.slug!r} ended ({self.text})")
        if at > self.latest:
            raise InvalidInput(f"occurred_at: {data.occurred_at.isoformat()} is in the future")
        return at


def _local_day(at: datetime) -> date:
    """The UK local day of an instant."""
    return at.astimezone(UK).date()


def _item_values(ctx: _Context, items) -> list[dict[str, Any]]:
    """The seized_items columns of validated items (drug values from the price table)."""
    out = []
    for seq, it in enumerate(items, start=1):
        row = {
            "seq": seq, "item_kind": it.item_kind, "description": it.description, "drug_class": it.drug_class,
            "drug_type": it.drug_type, "quantity": it.quantity, "unit": it.unit, "value_pence": None,
            "value_basis": None, "price_table_version": None, "weapon_type": it.weapon_type,
            "disposition": it.disposition, "count": it.count,
            "cash_pence": int(it.cash_gbp * 100) if it.cash_gbp is not None else None,
        }
        if it.item_kind == "drug":
            if it.value_gbp is not None:
                row["value_pence"], row["value_basis"] = int(it.value_gbp * 100), "manual"
            else:
                try:
                    v = prices.value_of(ctx.price_table(), drug_type=it.drug_type, drug_class=it.drug_class,
                                        quantity=it.quantity, unit=it.unit)
                except InvalidInput as exc:
                    raise InvalidInput(f"items.{seq}: {exc}") from None
                row["value_pence"], row["value_basis"], row["price_table_version"] = (
                    v.value_pence, "price_table", v.price_table_version)
        out.append(row)
    return out


def _build_items(ctx: _Context, items) -> list[SeizedItem]:
    return [SeizedItem(**row) for row in _item_values(ctx, items)]


def _item_input(it: dict[str, Any]) -> dict[str, Any]:
    """An item row as ``to_input`` shows it (the same rules, from column values)."""
    return {k: v for k, v in {
        "item_kind": it["item_kind"], "description": it["description"], "drug_class": it["drug_class"],
        "drug_type": it["drug_type"], "quantity": it["quantity"], "unit": it["unit"],
        "value_gbp": Decimal(it["value_pence"]) / 100 if it["value_basis"] == "manual" else None,
        "weapon_type": it["weapon_type"], "disposition": it["disposition"], "count": it["count"],
        "cash_gbp": Decimal(it["cash_pence"]) / 100 if it["cash_pence"] is not None else None,
    }.items() if v is not None}


def _item_state(it: dict[str, Any]) -> dict[str, Any]:
    """An item row as ``to_state`` shows it (``_item_input`` and the values worked out), JSON-ready."""
    state = _item_input(it)
    state.update(value_pence=it["value_pence"], value_basis=it["value_basis"],
                 price_table_version=it["price_table_version"], cash_pence=it["cash_pence"])
    return {k: v if type(v) in _PLAIN else _jsonable(v) for k, v in state.items()}


def _apply(ctx: _Context, record: Record, data, *, rebuild_items: bool = True) -> None:
    """Copy validated input onto a record (new or corrected)."""
    op = ctx.operation(data.operation)
    if record.operation_id is not None and record.operation_id != op.id:
        raise InvalidInput("operation: a record cannot move to another operation; delete it and record it there")
    record.operation_id = op.id
    _check_in_operation(op, data)
    record.ref = data.ref
    record.occurred_at = data.occurred_at
    record.ended_at = data.ended_at
    record.lat, record.lon, record.easting, record.northing = _place(data)
    record.location_text = data.location_text
    record.notes = data.notes
    if data.area is not None:
        record.area_id = ctx.area(data.area, op).id
    else:
        record.area_id = ctx.locate(op, record.easting, record.northing)
    record.tactic_id = operation_service.tactic_by_name(op, data.tactic).id if data.tactic else None
    if data.source_record_id is not None:
        src = ctx.session.get(Record, data.source_record_id)
        if src is None or src.deleted_at is not None:
            raise InvalidInput(f"source_record_id: record {data.source_record_id} does not exist")
        if src.operation_id != op.id:
            raise InvalidInput(f"source_record_id: record {data.source_record_id} belongs to another operation")
        if record.id is not None and src.id == record.id:
            raise InvalidInput("source_record_id: a record cannot be its own source")
    record.source_record_id = data.source_record_id
    mapping = _FIELD_TO_COLUMN.get(data.kind, {})
    for f in _kind_fields(data.kind):
        if f == "offences":
            record.offences = [
                ArrestOffence(seq=i, offence_group=o.group, offence_text=o.text)
                for i, o in enumerate(data.offences, start=1)
            ]
        elif f == "survey":
            record.survey = [q.model_dump() for q in data.survey] if data.survey is not None else None
        else:
            setattr(record, mapping.get(f, f), getattr(data, f))
    if rebuild_items:
        record.items = _build_items(ctx, data.items)


def _ref_taken(session: Session, operation_id: int, ref: str | None, record_id: int | None) -> bool:
    if ref is None:
        return False
    stmt = select(Record.id).where(Record.operation_id == operation_id, Record.ref == ref, Record.deleted_at.is_(None))
    with session.no_autoflush:
        found = session.scalar(stmt)
    return found is not None and found != record_id


def _to_datetime_str(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def _utc_iso(v: datetime | None) -> str | None:
    """A time as ``_jsonable`` writes it (ISO 8601 in UTC)."""
    return v.astimezone(UTC).isoformat() if v is not None else None


def to_input(session: Session, record: Record) -> dict[str, Any]:
    """The record as a Create-model dict: what would re-create it exactly."""
    op = session.get(Operation, record.operation_id)
    area = session.get(Area, record.area_id) if record.area_id else None
    tactic = session.get(Tactic, record.tactic_id) if record.tactic_id else None
    data: dict[str, Any] = {
        "kind": record.kind, "operation": op.slug, "ref": record.ref, "occurred_at": record.occurred_at,
        "ended_at": record.ended_at, "area": area.slug if area else None, "tactic": tactic.name if tactic else None,
        "location_text": record.location_text, "notes": record.notes, "source_record_id": record.source_record_id,
    }
    if record.lat is not None:
        data["lat"], data["lon"] = record.lat, record.lon
    mapping = _FIELD_TO_COLUMN.get(record.kind, {})
    for f in _kind_fields(record.kind):
        if f == "offences":
            data[f] = [{"group": o.offence_group, "text": o.offence_text} for o in record.offences]
        else:
            data[f] = getattr(record, mapping.get(f, f))
    data["items"] = [
        {k: v for k, v in {
            "item_kind": it.item_kind, "description": it.description, "drug_class": it.drug_class,
            "drug_type": it.drug_type, "quantity": it.quantity, "unit": it.unit,
            "value_gbp": Decimal(it.value_pence) / 100 if it.value_basis == "manual" else None,
            "weapon_type": it.weapon_type, "disposition": it.disposition, "count": it.count,
            "cash_gbp": Decimal(it.cash_pence) / 100 if it.cash_pence is not None else None,
        }.items() if v is not None}
        for it in record.items
    ]
    return data


def to_state(session: Session, record: Record) -> dict[str, Any]:
    """Everything about the record, JSON-ready: input fields, derived values and bookkeeping."""
    data = to_input(session, record)
    data.update({
        "id": record.id, "easting": record.easting, "northing": record.northing, "version": record.version,
        "entered_by": record.entered_by, "entered_at": record.entered_at, "updated_by": record.updated_by,
        "updated_at": record.updated_at, "deleted_at": record.deleted_at, "deleted_by": record.deleted_by,
        "deletion_reason": record.deletion_reason,
    })
    for it_out, it in zip(data["items"], record.items, strict=True):
        it_out.update({"value_pence": it.value_pence, "value_basis": it.value_basis,
                       "price_table_version": it.price_table_version, "cash_pence": it.cash_pence})
    return _jsonable(data)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value.to_integral() else str(value)
    return value


def _history(session: Session, record: Record, action: str, who: str, reason: str | None, changed: list[str]) -> None:
    session.add(RecordHistory(
        record_id=record.id, version=record.version, action=action, state=to_state(session, record),
        changed_fields=changed, reason=reason, changed_by=who, changed_at=utcnow(),
    ))


def create(session: Session, *, record_in, entered_by: str, price_table_version: str | None = None,
           _ctx: _Context | None = None) -> Record:
    """Store a new record (``record_in`` is a Create model or a dict with ``kind``)."""
    if not entered_by:
        raise InvalidInput("entered_by is required: every record keeps who entered it")
    if isinstance(record_in, dict):
        try:
            record_in = parse_record(record_in)
        except ValidationError as exc:
            raise InvalidInput(validation_message(exc)) from None
    ctx = _ctx or _Context(session, price_table_version or _default_price_table())
    record = KIND_CLASSES[record_in.kind]()
    _apply(ctx, record, record_in)
    if _ref_taken(session, record.operation_id, record.ref, None):
        raise Conflict(f"ref {record.ref!r} already exists in operation {record_in.operation!r}")
    record.version = 1
    record.entered_by = entered_by
    record.entered_at = utcnow()
    session.add(record)
    session.flush()
    _history(session, record, "create", entered_by, None, [])
    return record


def _default_price_table() -> str:
    from clearhold.config import get_settings

    return get_settings().drug_price_table


def get(session: Session, *, record_id: int, include_deleted: bool = False) -> Record:
    record = session.scalar(select(Record).options(_POLY).where(Record.id == record_id))
    if record is None or (record.deleted_at is not None and not include_deleted):
        raise NotFound(f"record {record_id} not found")
    return record


def get_many(session: Session, *, record_ids: Iterable[int]) -> list[Record]:
    """The records with these ids (deleted ones included, so that links still resolve)."""
    ids = sorted(set(record_ids))
    if not ids:
        return []
    return list(session.scalars(select(Record).options(_POLY).where(Record.id.in_(ids))))


def get_by_ref(session: Session, *, operation_slug: str, ref: str) -> Record:
    op = operation_service.get(session, slug=operation_slug)
    record = session.scalar(
        select(Record).options(_POLY).where(Record.operation_id == op.id, Record.ref == ref, Record.deleted_at.is_(None))
    )
    if record is None:
        raise NotFound(f"record with ref {ref!r} not found in operation {operation_slug!r}")
    return record


def list_(
    session: Session, *, operation_slug: str, kind: str | Iterable[str] | None = None,
    start: datetime | None = None, end: datetime | None = None, area_slug: str | None = None,
    include_deleted: bool = False, limit: int | None = None, offset: int = 0,
) -> list[Record]:
    """Records of an operation, oldest first; ``start`` inclusive, ``end`` exclusive."""
    op = operation_service.get(session, slug=operation_slug)
    stmt = select(Record).options(_POLY).where(Record.operation_id == op.id)
    if kind is not None:
        kinds = [kind] if isinstance(kind, str) else list(kind)
        unknown = [k for k in kinds if k not in KIND_CLASSES]
        if unknown:
            raise InvalidInput(f"kind was {unknown[0]!r}; it must be one of: {', '.join(KIND_CLASSES)}")
        stmt = stmt.where(Record.kind.in_(kinds))
    if start is not None:
        stmt = stmt.where(Record.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(Record.occurred_at < end)
    if area_slug is not None:
        stmt = stmt.where(Record.area_id == area_service.get(session, slug=area_slug).id)
    if not include_deleted:
        stmt = stmt.where(Record.deleted_at.is_(None))
    stmt = stmt.order_by(Record.occurred_at, Record.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def correct(session: Session, *, record_id: int, correction: RecordCorrection, changed_by: str,
            price_table_version: str | None = None) -> Record:
    """Change fields of a record; the previous state stays in the history with the reason."""
    record = get(session, record_id=record_id)
    if correction.expected_version is not None and correction.expected_version != record.version:
        raise Conflict(
            f"record {record_id} is at version {record.version}, not {correction.expected_version}: "
            "someone changed it since you read it"
        )
    for locked in ("kind", "operation", "id"):
        if locked in correction.changes:
            raise InvalidInput(f"{locked} cannot be corrected; delete the record and enter it again")
    current = to_input(session, record)
    unknown = sorted(set(correction.changes) - set(current) - {"easting", "northing", "lat", "lon"})
    if unknown:
        raise InvalidInput(f"{unknown[0]} is not a field of a {record.kind} record")
    merged = {**current, **correction.changes}
    moved = {"lat", "lon", "easting", "northing"} & set(correction.changes)
    if moved and "lat" not in correction.changes:
        merged.pop("lat", None)
        merged.pop("lon", None)
    if moved and "area" not in correction.changes:
        merged["area"] = None  # placed again from the new location
    try:
        data = parse_record(_jsonable(merged))
    except ValidationError as exc:
        raise InvalidInput(validation_message(exc)) from None
    before = to_input(session, record)
    if _ref_taken(session, record.operation_id, data.ref, record.id):
        raise Conflict(f"ref {data.ref!r} already exists in operation {data.operation!r}")
    ctx = _Context(session, price_table_version or _default_price_table())
    with session.no_autoflush:
        _apply(ctx, record, data, rebuild_items="items" in correction.changes)
    after = to_input(session, record)
    changed = sorted(k for k in after if _jsonable(after[k]) != _jsonable(before.get(k)))
    if not changed:
        raise InvalidInput("the correction changes nothing")
    record.version += 1
    record.updated_by = changed_by
    record.updated_at = utcnow()
    session.flush()
    _history(session, record, "correct", changed_by, correction.reason, changed)
    return record


def delete(session: Session, *, record_id: int, deleted_by: str, reason: str) -> Record:
    """Withdraw a record from every figure; it stays in the history as a tombstone."""
    if not reason or len(reason.strip()) < 3:
        raise InvalidInput("reason is required to delete a record")
    record = get(session, record_id=record_id)
    dependants = session.scalars(
        select(Record.id).where(Record.source_record_id == record_id, Record.deleted_at.is_(None))
    ).all()
    if dependants:
        raise Conflict(f"record {record_id} is the source of records {', '.join(map(str, dependants))}; delete or correct them first")
    record.deleted_at = utcnow()
    record.deleted_by = deleted_by
    record.deletion_reason = reason
    record.version += 1
    session.flush()
    _history(session, record, "delete", deleted_by, reason, [])  # keeps the ref it had
    record.ref = None  # a deleted record's reference can be used again
    session.flush()
    return record


def history(session: Session, *, record_id: int) -> list[RecordHistory]:
    get(session, record_id=record_id, include_deleted=True)
    return list(session.scalars(
        select(RecordHistory).where(RecordHistory.record_id == record_id).order_by(RecordHistory.version)
    ))


def new_context(session: Session, price_table_version: str | None = None) -> _Context:
    """A lookup cache for creating many records in one go (imports, demo)."""
    return _Context(session, price_table_version or _default_price_table())


# --- Bulk creation (imports): the checks of ``create``, then a few multi-row inserts --------------

# The columns of a prepared record's row (``PreparedRecord.record_row``, a list rather than a
# dict: one per record, made and read in bulk), and where three of them are in it.
_RECORD_COLUMNS = (
    "operation_id", "kind", "ref", "occurred_at", "ended_at", "area_id", "tactic_id", "lat", "lon", "easting", "northing",
    "location_text", "notes", "source_record_id", "version", "entered_by", "entered_at", "updated_by", "updated_at",
    "deleted_at", "deleted_by", "deletion_reason", "id",
)
_ID, _SOURCE, _ENTERED_BY = (_RECORD_COLUMNS.index(c) for c in ("id", "source_record_id", "entered_by"))


class PreparedRecord:
    """A validated new record: its rows for every table, ready for ``insert_prepared``
    (``record_row`` a list in the order of ``_RECORD_COLUMNS``, the others dicts by column)."""

    __slots__ = ("item_rows", "kind", "kind_row", "offence_rows", "record_row", "source_index", "state")

    def __init__(self, kind, record_row, kind_row, item_rows, offence_rows, state) -> None:
        self.kind = kind
        self.record_row = record_row
        self.kind_row = kind_row
        self.item_rows = item_rows
        self.offence_rows = offence_rows
        self.state = state
        self.source_index: int | None = None  # a record earlier in the same batch that led to this one


def prepare_create(ctx: _Context, data, *, entered_by: str, entered_at: datetime | None = None) -> PreparedRecord:
    """Everything ``create`` checks and computes for a new record, without writing it
    (``entered_at``: one time for a batch; by default now).

    ``data`` is a validated Create model whose ``source_record_id``, when given, the caller
    has already checked (a live record of the same operation); the ref's uniqueness is the
    caller's check too (``existing_refs``).
    """
    if not entered_by:
        raise InvalidInput("entered_by is required: every record keeps who entered it")
    batch = ctx.batch(data.operation, entered_by, entered_at or utcnow())
    occurred_at = batch.span.check(data)  # in UTC: as the history state shows it and the database keeps it
    lat, lon, easting, northing = _place(data, ctx)
    if data.area is not None:
        area_id = ctx.area(data.area, batch.op).id
        area_slug = data.area
    else:
        area_id = batch.locate(ctx, easting, northing)
        area_slug = ctx.area_slug(area_id)
    tactic_id, tactic_name = batch.tactic(ctx, data.tactic) if data.tactic else (None, None)
    kind = data.kind
    columns = _FIELD_TO_COLUMN.get(kind, {})
    ended_at = data.ended_at.astimezone(UTC) if data.ended_at is not None else None
    ref, source_record_id, location_text, notes = data.ref, data.source_record_id, data.location_text, data.notes
    # The history state, built JSON-ready as ``to_state`` would build it from the stored record:
    # the batch's outline of it, filled in (``insert_prepared`` fills in the id, and the
    # source's id when it is in the same batch).
    state = batch.state_outline(kind, lat is not None).copy()
    state["ref"], state["occurred_at"] = ref, occurred_at.isoformat()
    state["ended_at"] = ended_at.isoformat() if ended_at is not None else None
    state["area"], state["tactic"], state["location_text"], state["notes"] = area_slug, tactic_name, location_text, notes
    state["source_record_id"] = source_record_id
    if lat is not None:
        state["lat"], state["lon"] = lat, lon
    kind_row: dict[str, Any] = {}
    offence_rows: list[dict[str, Any]] = []
    for f in _kind_fields(kind):  # in the order of the kind's fields, as the state shows them
        if f == "offences":
            offence_rows = [{"seq": i, "offence_group": o.group, "offence_text": o.text}
                            for i, o in enumerate(data.offences, start=1)]
            state[f] = [{"group": o["offence_group"], "text": o["offence_text"]} for o in offence_rows]
        elif f == "survey":
            value = [q.model_dump() for q in data.survey] if data.survey is not None else None
            kind_row[f] = value
            state[f] = _jsonable(value)
        else:
            value = kind_row[columns.get(f, f)] = getattr(data, f)
            state[f] = value if type(value) in _PLAIN else _jsonable(value)
    item_rows = _item_values(ctx, data.items) if data.items else []
    state["items"] = [_item_state(it) for it in item_rows]
    state["easting"], state["northing"] = easting, northing
    record_row = [  # in the order of _RECORD_COLUMNS
        batch.op_id, kind, ref, occurred_at, ended_at, area_id, tactic_id, lat, lon, easting, northing,
        location_text, notes, source_record_id,
        1, entered_by, batch.entered_at, None, None, None, None, None,  # version to deletion_reason
        None,  # the id, given by insert_prepared
    ]
    return PreparedRecord(kind, record_row, kind_row, item_rows, offence_rows, state)


def existing_refs(session: Session, *, operation_id: int) -> dict[str, int]:
    """The refs of an operation's records that are not deleted: ref -> record id."""
    rows = session.execute(select(Record.ref, Record.id).where(
        Record.operation_id == operation_id, Record.ref.is_not(None), Record.deleted_at.is_(None)))
    return {ref: rid for ref, rid in rows}


def insert_prepared(session: Session, prepared: list[PreparedRecord]) -> list[int]:
    """Write prepared records, their history, kind rows, items and offences; returns their ids
    in order. One bulk insert per table (``_write_tables``) instead of a flush per record."""
    if not prepared:
        return []
    session.flush()
    ids, written = _number_records(session, prepared)
    _write_tables(session, _table_rows(prepared, ids, written))
    return ids


def _number_records(session: Session, prepared: list[PreparedRecord]) -> tuple[list[int], int]:
    """Number the new records before they are written (so that links to records earlier in the
    batch are written with the rows): their ids, and how many of them this has written."""
    from sqlalchemy import insert, text

    records = Record.__table__
    if session.connection().dialect.name == "sqlite":
        # The first INSERT takes SQLite's write lock, held by this transaction to its end: no
        # one else can add a record meanwhile, so the next ids follow the first one's (as
        # SQLite itself would number them).
        first_row = {c: v for c, v in zip(_RECORD_COLUMNS, prepared[0].record_row, strict=True) if c != "id"}
        first = session.execute(insert(records).values(**first_row).returning(records.c.id)).scalar_one()
        ids, written = list(range(first, first + len(prepared))), 1
    else:
        # PostgreSQL: reserve the ids from the table's own sequence (safe with other writers).
        ids = sorted(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('records', 'id')) FROM generate_series(1, :n)"),
            {"n": len(prepared)}))
        written = 0
    for p, rid in zip(prepared, ids, strict=True):
        p.record_row[_ID] = rid
        if p.source_index is not None:
            p.record_row[_SOURCE] = ids[p.source_index]
    return ids, written


def _table_rows(prepared: list[PreparedRecord], ids: list[int], written: int):
    """Each table's rows as (table, columns, rows, same), in the order their foreign keys need.
    A generator: on PostgreSQL the rows of a table are built while the server takes the
    previous table's."""
    if len(prepared) > written:
        yield Record.__table__, list(_RECORD_COLUMNS), [p.record_row for p in prepared[written:]], None
    by_kind: dict[str, list[tuple]] = {}
    items: list[tuple] = []
    offences: list[tuple] = []
    history: list[tuple] = []
    for p, rid in zip(prepared, ids, strict=True):
        p.state["id"] = rid
        p.state["source_record_id"] = p.record_row[_SOURCE]
        by_kind.setdefault(p.kind, []).append((rid, *p.kind_row.values()))
        if p.item_rows:
            items.extend((rid, *it.values()) for it in p.item_rows)
        if p.offence_rows:
            offences.extend((rid, *o.values()) for o in p.offence_rows)
        history.append((rid, p.state, p.record_row[_ENTERED_BY]))
    yield RecordHistory.__table__, ["record_id", "state", "changed_by"], history, {
        "version": 1, "action": "create", "changed_fields": [], "reason": None, "changed_at": utcnow()}
    for kind, rows in by_kind.items():
        yield KIND_CLASSES[kind].__table__, ["id", *next(p.kind_row for p in prepared if p.kind == kind)], rows, None
    if items:
        yield SeizedItem.__table__, ["record_id", *next(p.item_rows[0] for p in prepared if p.item_rows)], items, None
    if offences:
        columns = ["arrest_id", *next(p.offence_rows[0] for p in prepared if p.offence_rows)]
        yield ArrestOffence.__table__, columns, offences, None


def _write_tables(session: Session, tables) -> None:
    """Insert many rows into each table in turn, through the database driver. ``tables``: an
    iterable of (table, columns, rows as tuples in the order of columns, ``same``: columns
    with one value for every row, or None).

    Each value goes through its column type's bind processing for this dialect, as SQLAlchemy
    would apply it (times to naive UTC, JSON serialised, ...), column by column (``_bind``)
    rather than through a compiled statement per row. PostgreSQL with psycopg streams each
    table with COPY, sent by a worker thread, and takes the next table from ``tables`` while
    the server is still writing the previous one; other back ends get one ``executemany`` of a
    plain INSERT per table.
    """
    conn = session.connection()
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    if dialect.driver != "psycopg":
        for table, columns, rows, same in tables:
            _executemany(conn, table, *_bind(dialect, table, columns, rows, same))
        return
    from psycopg.copy import QueuedLibpqWriter

    with conn.connection.cursor() as cursor, ExitStack() as copying:
        for table, columns, rows, same in tables:
            columns, values = _bind(dialect, table, columns, rows, same)
            copying.close()  # the previous table's COPY: wait for the server to finish it
            names = ", ".join(quote(c) for c in columns)
            copy = copying.enter_context(
                cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN", writer=QueuedLibpqWriter(cursor)))
            for row in zip(*values):
                copy.write_row(row)


def _bind(dialect, table, columns: list[str], rows: list[tuple],
          same: dict[str, Any] | None) -> tuple[list[str], list[Sequence]]:
    """The columns and their values, one sequence per column, every value bound as the
    column's type binds it.

    Column by column: the rows are turned into columns (in C), each processing runs over its
    own column in one pass, and a value every row shares (``same``) is bound once.
    """
    values: list[Sequence] = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    for i, name in enumerate(columns):
        found = _bind_processor(table.c[name], dialect)
        if found is not None:
            process, evaluate_none = found
            values[i] = (list(map(process, values[i])) if evaluate_none
                         else [None if value is None else process(value) for value in values[i]])
    if same:
        for name, value in same.items():
            process, evaluate_none = _bind_processor(table.c[name], dialect) or (None, False)
            bound = process(value) if process and (value is not None or evaluate_none) else value
            values.append([bound] * len(rows))
        columns = [*columns, *same]
    return columns, values


def _executemany(conn, table, columns: list[str], values: list[Sequence]) -> None:
    """One INSERT run for every row (``values``: one sequence per column, as ``_bind`` gives them)."""
    quote = conn.dialect.identifier_preparer.quote
    marks = ["?" if conn.dialect.paramstyle == "qmark" else "%s"] * len(columns)
    # A column that is NULL in every row is written as NULL rather than bound row by row
    # (sqlite3 looks for an adapter for every None it binds, which costs more than the insert).
    keep = [i for i, column in enumerate(values) if any(value is not None for value in column)]
    if 0 < len(keep) < len(columns):
        for i in set(range(len(columns))) - set(keep):
            marks[i] = "NULL"
        values = [values[i] for i in keep]
    names = ", ".join(quote(c) for c in columns)
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join(marks)})", list(zip(*values)))


def _bind_processor(column, dialect):
    """The column type's bind processing for ``dialect`` and whether None goes through it too
    (JSON's null) rather than staying NULL; None when the type has none.

    Two types, one per row and column, get a quicker equivalent: JSON is serialised by orjson
    (the same JSON, compact and UTF-8 where ``json.dumps`` spaces it out and escapes to ASCII),
    and on SQLite a UTC time becomes the text SQLAlchemy would store in one step. Anything
    these do not take goes through the column's own processing.
    """
    from sqlalchemy import JSON

    from clearhold.storage.base import UTCDateTime

    col_type = column.type
    process = col_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    if isinstance(col_type, JSON) and dialect.name in ("sqlite", "postgresql"):
        return _json_text(process), col_type.should_evaluate_none
    if isinstance(col_type, UTCDateTime) and dialect.name == "sqlite":
        return _sqlite_utc_text(process), False
    return process, col_type.should_evaluate_none


def _json_text(process):
    import orjson

    def text(value):
        try:
            return orjson.dumps(value).decode()
        except TypeError:  # e.g. an int beyond 64 bits, a key that is not a string
            return process(value)

    return text


def _sqlite_utc_text(process):
    last = [None, None]  # the time a batch shares (entered_at), converted once

    def text(value):
        if value is last[0]:
            return last[1]
        if value.tzinfo is None:  # refused by UTCDateTime, with its message
            return process(value)
        # In UTC the text ends "+00:00", which naive UTC (what the column type stores) goes without.
        last[0], last[1] = value, value.astimezone(UTC).isoformat(" ", "microseconds")[:-6]
        return last[1]

    return text


_PLAIN = (str, int, float, bool, type(None))
