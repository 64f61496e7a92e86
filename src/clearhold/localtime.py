"""Timestamps written in local clock time, as many force systems export them.

clearhold stores instants (UTC). A timestamp with an offset (``2023-08-01T14:30:00+01:00``) is
one instant. A timestamp without one (``2023-08-01 14:30``) is a reading of a clock, and only
names an instant once the clock's time zone is known: imports take it as ``--tz`` (for
example ``Europe/London``). Two local readings do not name exactly one instant, and are refused
rather than guessed: the hour repeated when the clocks go back (it happened twice) and the hour
skipped when they go forward (it never happened).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clearhold.errors import InvalidInput

# Operations, periods and reviews are in UK local days.
UK = ZoneInfo("Europe/London")


def uk_day_start(day: date) -> datetime:
    """The first instant of a UK local day (its local midnight, which happens exactly once:
    the clocks change at 01:00 UTC), in UTC."""
    return datetime.combine(day, time(), UK).astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. ``Europe/London``), or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"time zone {name!r} is not known; give an IANA name such as Europe/London") from None


def localise(value: str, tz: ZoneInfo) -> str:
    """``value`` with its offset: unchanged if it has one (or is not a timestamp at all, which the
    record's own validation then reports); otherwise read as a clock time in ``tz``. Raises
    ValueError, with what to do, for a time that is ambiguous or does not exist in ``tz``."""
    if len(value.strip()) <= 10:  # a date alone is not a clock reading: left to validation
        return value
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        return value
    if at.tzinfo is not None:
        return value
    first, second = at.replace(tzinfo=tz, fold=0), at.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != at:  # no instant shows this reading
        raise ValueError(f"did not happen in {tz.key} (the clocks went forward over it); check the time")
    if first.utcoffset() != second.utcoffset():  # two instants show it
        offsets = " or ".join(_offset(x) for x in (first, second))
        raise ValueError(f"happened twice in {tz.key} (the clocks went back); give its offset ({offsets})")
    return first.isoformat()


def _offset(at: datetime) -> str:
    text = at.isoformat()
    return text[-6:]
