"""Record forms: which fields each activity type shows, form data -> record dict, errors -> fields.

Validation is the record schemas' own (the same rules as the import and the API); this
module only maps HTML form fields onto them and their errors back onto the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clearhold.record import vocab

LOCAL = ZoneInfo("Europe/London")
MAX_ITEMS = 3
ITEM_FIELDS = ("item_kind", "description", "drug_class", "drug_type", "quantity", "unit", "weapon_type",
               "disposition", "count", "cash_gbp")
ITEM_CHOICES = {"item_kind": vocab.ITEM_KINDS, "drug_class": vocab.DRUG_CLASSES, "unit": vocab.DRUG_UNITS,
                "weapon_type": vocab.WEAPON_TYPES, "disposition": vocab.WEAPON_DISPOSITIONS}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | select | datetime | number | checkbox | textarea
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str | None = None


KIND_LABELS = {
    "arrest": "Arrest", "seizure": "Seizure", "vehicle_stop": "Vehicle stop", "weapons_sweep": "Weapons sweep",
    "test_purchase": "Test purchase", "patrol": "Patrol", "warrant": "Warrant / premises closure",
    "referral": "Referral / diversion", "court_outcome": "Court outcome", "engagement": "Community engagement",
}
PERSON = Field("person_ref", "Person reference", required=True, help="An opaque reference, never a name")
KIND_FIELDS: dict[str, list[Field]] = {
    "arrest": [PERSON, Field("age_band", "Age band", "select", vocab.AGE_BANDS),
               Field("offence_group", "Offence group", "select", vocab.OFFENCE_GROUPS, True),
               Field("offence_text", "Offence", required=True),
               Field("outcome", "Outcome so far", "select", vocab.ARREST_OUTCOMES)],
    "seizure": [Field("seizure_context", "Context")],
    "vehicle_stop": [Field("vrm", "Registration (VRM)", required=True),
                     Field("reason", "Reason", "select", vocab.STOP_REASONS, True),
                     Field("result", "Result", "select", vocab.STOP_RESULTS, True),
                     Field("anpr_hit_ref", "ANPR hit reference")],
    "weapons_sweep": [Field("place", "Place", required=True), Field("area_searched", "Area searched"),
                      Field("area_searched_m2", "Area searched (m²)", "number")],
    "test_purchase": [Field("premises", "Premises", required=True),
                      Field("result", "Result", "select", vocab.TEST_PURCHASE_RESULTS, True),
                      Field("follow_up", "Follow-up", "select", vocab.TEST_PURCHASE_FOLLOW_UPS)],
    "patrol": [Field("ended_at", "Ended", "datetime", required=True),
               Field("patrol_type", "Patrol type", "select", vocab.PATROL_TYPES),
               Field("hotspot_ref", "Hotspot reference"), Field("officers", "Officers", "number"),
               Field("planned", "Planned patrol", "checkbox")],
    "warrant": [Field("address", "Address", required=True),
                Field("warrant_type", "Type", "select", vocab.WARRANT_TYPES, True),
                Field("result", "Result", "select", vocab.WARRANT_RESULTS, True)],
    "referral": [PERSON, Field("age_band", "Age band", "select", vocab.AGE_BANDS),
                 Field("partner_type", "Partner", "select", vocab.PARTNER_TYPES, True),
                 Field("partner_name", "Partner name"),
                 Field("reason", "Reason", "select", vocab.REFERRAL_REASONS, True),
                 Field("status", "Status", "select", vocab.REFERRAL_STATUSES),
                 Field("referral_outcome", "Outcome")],
    "court_outcome": [Field("case_ref", "Case reference", required=True),
                      Field("person_ref", "Person reference", help="An opaque reference, never a name"),
                      Field("sentence_type", "Sentence", "select", vocab.SENTENCE_TYPES, True),
                      Field("custodial_months", "Custodial months", "number")],
    "engagement": [Field("engagement_type", "Type", "select", vocab.ENGAGEMENT_TYPES, True),
                   Field("participants", "Participants", "number")],
}
HAS_ITEMS = {"seizure", "weapons_sweep", "warrant", "vehicle_stop", "arrest"}


def local_input(value: str) -> str:
    """A datetime-local value (UK local time) as an ISO timestamp with its offset."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value  # the schema reports it against the field
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    return moment.isoformat()


def to_local_input(value: Any) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M")


def record_from_form(kind: str, operation: str, form: dict[str, str]) -> dict[str, Any]:
    """The record dict (as the schemas take it) from submitted form fields; empty fields dropped."""
    def value(name: str) -> str | None:
        v = (form.get(name) or "").strip()
        return v or None

    data: dict[str, Any] = {"kind": kind, "operation": operation}
    for name in ("ref", "area", "tactic", "lat", "lon", "location_text", "notes", "source_record_id"):
        if value(name) is not None:
            data[name] = value(name)
    if value("occurred_at"):
        data["occurred_at"] = local_input(value("occurred_at"))
    for f in KIND_FIELDS[kind]:
        if f.name in ("offence_group", "offence_text"):
            continue
        if f.kind == "checkbox":
            data[f.name] = form.get(f.name) in ("on", "true", "1")
        elif value(f.name) is not None:
            data[f.name] = local_input(value(f.name)) if f.kind == "datetime" else value(f.name)
    if kind == "arrest":
        data["offences"] = [] if not (value("offence_group") or value("offence_text")) else [
            {"group": value("offence_group") or "", "text": value("offence_text") or ""}]
    if kind in HAS_ITEMS:
        items = []
        for i in range(1, MAX_ITEMS + 1):
            item = {f: value(f"items-{i}-{f}") for f in ITEM_FIELDS}
            if item["item_kind"]:
                items.append({k: v for k, v in item.items() if v is not None})
        data["items"] = items
    return data


def form_from_record(state: dict[str, Any]) -> dict[str, str]:
    """Form values that show a stored record (for the correction form)."""
    out: dict[str, str] = {}
    for key, v in state.items():
        if v is None or isinstance(v, list | dict):
            continue
        out[key] = "on" if v is True else ("" if v is False else str(v))
    out["occurred_at"] = to_local_input(state.get("occurred_at"))
    if state.get("ended_at"):
        out["ended_at"] = to_local_input(state["ended_at"])
    if state.get("offences"):
        out["offence_group"] = state["offences"][0]["group"]
        out["offence_text"] = state["offences"][0]["text"]
    for i, item in enumerate(state.get("items") or [], start=1):
        for f in ITEM_FIELDS:
            if item.get(f) is not None:
                out[f"items-{i}-{f}"] = str(item[f])
    return out


def errors_by_field(exc) -> dict[str, str]:
    """A pydantic ValidationError as {form field: message}; ``__all__`` for whole-record problems."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p in KIND_FIELDS)]
        msg = err["msg"].removeprefix("Value error, ")
        if not loc:
            name = "__all__"
        elif loc[0] == "offences":
            name = "offence_text" if len(loc) > 2 and loc[2] == "text" else "offence_group"
        elif loc[0] == "items" and len(loc) > 1 and isinstance(loc[1], int):
            name = f"items-{loc[1] + 1}-{loc[2]}" if len(loc) > 2 else f"items-{loc[1] + 1}-item_kind"
        else:
            name = str(loc[0])
        out[name] = f"{out[name]}; {msg}" if name in out else msg
    return out


def error_for_message(message: str, known: set[str]) -> dict[str, str]:
    """A service error ``"field: problem"`` onto its field when the field is on the form."""
    head, _, rest = message.partition(":")
    head = head.strip()
    if rest and head in known:
        return {head: rest.strip()}
    if head.startswith("items.") and rest:
        return {f"items-{head.split('.')[1]}-item_kind": rest.strip()}
    return {"__all__": message}


def field_names(kind: str) -> set[str]:
    base = {"ref", "area", "tactic", "lat", "lon", "location_text", "notes", "source_record_id", "occurred_at"}
    return base | {f.name for f in KIND_FIELDS[kind]}
