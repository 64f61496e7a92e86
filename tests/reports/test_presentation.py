import pytest

from clearhold.reports import presentation as p


@pytest.mark.parametrize(("n", "words"), [(0, "0"), (72, "72"), (99, "99"), (190, "190"), (193, "more than 190"),
                                          (999, "more than 990"), (1969, "1,969")])
def test_count_words(n, words):
    assert p.count_words(n) == words


@pytest.mark.parametrize(("pence", "words"), [(0, "£0"), (99_999, "£999.99"), (4_235_000, "more than £42,000"),
                                              (20_900_000, "£209,000"), (20_900_001, "more than £209,000")])
def test_money_words(pence, words):
    assert p.money_words(pence) == words


@pytest.mark.parametrize(("months", "words"), [(372, "31 years"), (376, "31 years and 4 months"), (1, "1 month"),
                                               (12, "1 year"), (0, "0 months")])
def test_months_words(months, words):
    assert p.months_words(months) == words
