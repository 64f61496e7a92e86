"""Press-release wording of exact figures. The exact value is always kept beside it."""

from __future__ import annotations


def count_words(n: int) -> str:
    """``193`` -> ``more than 190``; under 100 and from 1,000 up, counts are stated exactly
    (``1,969``), as the reference press releases do."""
    if n < 100 or n >= 1000:
        return f"{n:,}"
    floor = (n // 10) * 10
    return f"{n:,}" if floor == n else f"more than {floor:,}"


def money_exact(pence: int) -> str:
    pounds, p = divmod(pence, 100)
    return f"£{pounds:,}" if p == 0 else f"£{pounds:,}.{p:02d}"


def money_words(pence: int) -> str:
    """``4237500`` pence -> ``more than £42,000``; under £1,000 stated exactly."""
    if pence < 100_000:
        return money_exact(pence)
    floor = (pence // 100_000) * 1000
    return money_exact(pence) if floor * 100 == pence else f"more than £{floor:,}"


def months_words(months: int) -> str:
    """``372`` -> ``31 years``; ``376`` -> ``31 years and 4 months``."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not parts:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def hours_words(minutes: float) -> str:
    return f"{minutes / 60:,.1f} hours"


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


def small_number(n: int) -> str:
    return NUMBER_WORDS.get(n, str(n))
