"""Roles and the one policy table every route is checked against.

The table below is the role matrix of docs/roles.md: each permission names the roles that
hold it. Routes declare the permission they need (``clearhold.interfaces.api.deps.allow``);
nothing else decides who may do what. Permissions marked sensitive are audited on every
access, granted or refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    officer = "officer"
    analyst = "analyst"
    supervisor = "supervisor"
    partner = "partner"
    admin = "admin"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)

OFFICER, ANALYST, SUPERVISOR, PARTNER, ADMIN = (Role.officer, Role.analyst, Role.supervisor, Role.partner, Role.admin)
POLICE = frozenset({OFFICER, ANALYST, SUPERVISOR, ADMIN})
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Permission:
    name: str
    roles: frozenset[Role]
    sensitive: bool
    description: str


def _p(name: str, roles, sensitive: bool, description: str) -> Permission:
    return Permission(name, frozenset(roles), sensitive, description)


POLICY: dict[str, Permission] = {
    p.name: p
    for p in (
        _p("dashboard.read", EVERYONE, False, "operations dashboard: aggregate counts, charts, map of areas"),
        _p("operations.read", EVERYONE, False, "list and show operations and their areas"),
        _p("operations.write", {SUPERVISOR, ADMIN}, True, "create and change operations, areas, tactics"),
        _p("review.read", EVERYONE, False, "results review; partners get it sanitised (no record ids, no intelligence breakdown)"),
        _p("records.read", POLICE, True, "list and show activity records and their history (person references)"),
        _p("records.create", {OFFICER, ANALYST, SUPERVISOR, ADMIN}, True, "record activity"),
        _p("records.correct", {OFFICER, SUPERVISOR, ADMIN}, True, "correct a record (the old value stays in its history)"),
        _p("records.delete", {SUPERVISOR, ADMIN}, True, "delete a record"),
        _p("intel.read", {ANALYST, SUPERVISOR, ADMIN}, True, "intelligence logs: graded content, sources, handling codes"),
        _p("analysis.read", {ANALYST, SUPERVISOR, ADMIN, OFFICER}, False, "hotspot maps and tactic scorecards"),
        _p("patrol.read", POLICE, False, "compute and view hotspot patrol plans, patrol sheets (HTML, PDF) and their GeoJSON"),
        _p("patrol.plan", {ANALYST, SUPERVISOR, ADMIN}, True, "record a patrol plan's visits in an operation's ledger as planned patrols"),
        _p("evaluation.read", EVERYONE, False, "evaluation results (did it work?): aggregate monthly crime counts by area, estimates, intervals, checks"),
        _p("anpr.alerts", {OFFICER, ANALYST, SUPERVISOR, ADMIN}, True, "ANPR live alerts, images, acknowledge and outcome"),
        _p("anpr.search", {ANALYST, SUPERVISOR, ADMIN}, True, "ANPR plate search (reason required; 91-365 days needs supervisor authorisation)"),
        _p("anpr.ingest", {ADMIN}, True, "post ANPR reads into this application (camera feeds normally use the separate ingest service)"),
        _p("anpr.hotlist", {ANALYST, SUPERVISOR, ADMIN}, True, "ANPR hotlist management"),
        _p("audit.read", {SUPERVISOR, ADMIN}, True, "the access audit"),
        _p("users.admin", {ADMIN}, True, "create users, change roles, revoke tokens"),
        _p("account.own", EVERYONE, False, "one's own account: log out, create and revoke one's own API tokens"),
    )
}


def check_role(role: str) -> Role:
    """The Role named ``role``; InvalidInput naming the allowed roles otherwise."""
    from clearhold.errors import InvalidInput

    try:
        return Role(role)
    except ValueError:
        raise InvalidInput(f"role was {role!r}; it must be one of {', '.join(ROLES)}") from None


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` (KeyError for a permission not in the table)."""
    return Role(role) in POLICY[permission].roles


def matrix() -> list[dict]:
    """The role matrix as rows (for docs and the test that keeps docs/roles.md in step)."""
    return [
        {"permission": p.name, "sensitive": p.sensitive, "description": p.description,
         **{r.value: (r in p.roles) for r in Role}}
        for p in POLICY.values()
    ]
