"""The data.police.uk file reader: contract, whole-file errors, quarantine reasons, zips."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clearhold.errors import InvalidInput, RowError, SourceError
from clearhold.sources.police_uk_files import (
    CRIME_TYPES, STOP_SEARCH_COLUMNS, STREET_COLUMNS, OUTCOME_COLUMNS, SourceFile, discover, parse,
)

HEADER = ",".join(STREET_COLUMNS)
ROW = "abc,2024-01,Northamptonshire Police,Northamptonshire Police,-0.893900,52.237000,On or near High Street,E01027135,West Northamptonshire 021D,Burglary,Under investigation,"
ASB = ",2024-01,Northamptonshire Police,Northamptonshire Police,-0.88,52.24,On or near Park,E01027135,West Northamptonshire 021D,Anti-social behaviour,,"


def src(data: bytes, name: str = "2024-01-northamptonshire-street.csv") -> SourceFile:
    from clearhold.sources.police_uk_files import _name_parts

    kind, force, month = _name_parts(name)
    return SourceFile(name, kind, force, month, "2024-02-01T00:00:00+00:00", lambda: data)


def text(*lines: str, end: str = "\r\n") -> bytes:
    return (end.join(lines) + end).encode("utf-8")


def test_parses_contract_columns_and_lines():
    parsed = parse(src(text(HEADER, ROW, ASB)))
    assert parsed.rows_read == 2 and parsed.table.num_rows == 2 and parsed.quarantine.num_rows == 0
    t = parsed.table.to_pydict()
    assert t["crime_id"] == ["abc", None]
    assert t["line"] == [2, 3]
    assert t["lon"] == [-0.8939, -0.88]
    assert t["crime_type"] == ["Burglary", "Anti-social behaviour"]
    assert t["context"] == [None, None]
    assert (parsed.kind, parsed.force, parsed.month) == ("street", "northamptonshire", "2024-01")


def test_lf_line_ends_and_bom_are_accepted():
    data = b"\xef\xbb\xbf" + text(HEADER, ROW, end="\n")
    assert parse(src(data)).rows_read == 1


def test_header_only_gives_zero_rows():
    parsed = parse(src(text(HEADER)))
    assert parsed.rows_read == 0 and parsed.table.num_rows == 0


def test_row_without_coordinates_is_stored_without_geometry():
    row = "x,2024-01,N,N,,,No location,,,Other crime,Under investigation,"
    parsed = parse(src(text(HEADER, row)))
    assert parsed.table.num_rows == 1
    assert str(parsed.table["lon"][0]) == "nan"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("a,2024-13,N,N,-0.8,52.2,L,E01027135,n,Burglary,o,", "bad_month"),
        ("a,2024-02,N,N,-0.8,52.2,L,E01027135,n,Burglary,o,", "month_not_file_month"),
        ("a,2024-01,N,N,-0.8,52.2,L,E01027135,n,,o,", "missing_crime_type"),
        ("a,2024-01,N,N,-0.8,52.2,L,E01027135,n,Arson,o,", "unknown_crime_type"),
        ("a,2024-01,N,N,-0.8,,L,E01027135,n,Burglary,o,", "partial_coordinates"),
        ("a,2024-01,N,N,west,52.2,L,E01027135,n,Burglary,o,", "bad_coordinates"),
        ("a,2024-01,N,N,0.0,0.0,L,E01027135,n,Burglary,o,", "coordinates_outside_uk"),
    ],
)
def test_each_quarantine_reason(row, reason):
    parsed = parse(src(text(HEADER, ROW, row)))
    assert parsed.rows_read == 2 and parsed.table.num_rows == 1 and parsed.quarantine.num_rows == 1
    assert parsed.reasons == {reason: 1}
    q = parsed.quarantine.to_pydict()
    assert q["line"] == [3] and q["reason"] == [reason]


def test_wrong_header_names_file_and_line():
    bad = HEADER.replace("Crime type", "Offence")
    with pytest.raises(RowError, match=r"2024-01-northamptonshire-street.csv, line 1: wrong header .*missing \['Crime type'\]"):
        parse(src(text(bad, ROW)))


def test_out_of_order_known_kind():
    cols = list(STREET_COLUMNS)
    cols[4], cols[5] = cols[5], cols[4]
    with pytest.raises(RowError, match="columns out of order"):
        parse(src(text(",".join(cols), ROW)))


def test_non_utf8_byte_names_line():
    data = text(HEADER, ROW) + "a,2024-01,N,N,-0.8,52.2,On or near Caf".encode() + b"\xe9" + b",E01027135,n,Burglary,o,\r\n"
    with pytest.raises(RowError, match=r"line 3: byte 0xe9 at column 39 is not UTF-8"):
        parse(src(data))


def test_truncated_file_names_last_line():
    data = text(HEADER, ROW, ROW)[:-40]
    with pytest.raises(RowError, match=r"line 3: 9 fields; expected 12 \(the file ends here: truncated\?\)"):
        parse(src(data))


def test_ragged_row_in_the_middle():
    with pytest.raises(RowError, match=r"line 3: 13 fields; expected 12$"):
        parse(src(text(HEADER, ROW, ROW + ",extra", ROW)))


def test_unterminated_quote():
    with pytest.raises(RowError, match="line 2: unterminated quote"):
        parse(src(text(HEADER, ROW.replace("On or near", '"On or near'))))


def test_empty_file():
    with pytest.raises(RowError, match="line 1: the file is empty"):
        parse(src(b""))


def test_unknown_header_without_standard_name():
    with pytest.raises(RowError, match="not a data.police.uk street, outcomes or stop-and-search header"):
        parse(src(text("a,b,c", "1,2,3"), name="mine.csv"))


def test_nonstandard_name_takes_force_and_month_from_rows():
    parsed = parse(src(text(HEADER, ROW), name="my-download.csv"))
    assert (parsed.kind, parsed.force, parsed.month) == ("street", "northamptonshire", "2024-01")


def test_nonstandard_name_with_several_months_is_refused():
    other = ROW.replace("2024-01", "2024-02")
    with pytest.raises(SourceError, match="rows from several months"):
        parse(src(text(HEADER, ROW, other), name="my-download.csv"))


def test_outcomes_file():
    header = ",".join(OUTCOME_COLUMNS)
    row = "abc,2024-01,N,N,-0.89,52.23,On or near X,E01027135,West Northamptonshire 021D,Investigation complete; no suspect identified"
    parsed = parse(src(text(header, row), name="2024-01-northamptonshire-outcomes.csv"))
    assert parsed.kind == "outcomes" and parsed.table.num_rows == 1
    assert parsed.table["outcome_type"][0].as_py().startswith("Investigation complete")


@pytest.mark.parametrize("last", [STOP_SEARCH_COLUMNS[-1], "Removal of more than just outer clothing"])
def test_stop_and_search_file(last):
    header = ",".join([*STOP_SEARCH_COLUMNS[:-1], last])
    good = "Person search,2024-01-05T09:58:14+00:00,False,,52.23,-0.89,Male,18-24,White,White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,A no further action disposal,False,"
    bad = good.replace("2024-01-05", "2024-02-05")
    parsed = parse(src(text(header, good, bad), name="2024-01-northamptonshire-stop-and-search.csv"))
    assert parsed.kind == "stop_and_search"
    assert parsed.table["month"].to_pylist() == ["2024-01"]
    assert parsed.table["lat"].to_pylist() == [52.23] and parsed.table["lon"].to_pylist() == [-0.89]
    assert parsed.reasons == {"month_not_file_month": 1}


# ---- discovery and zips ---------------------------------------------------------------
def test_discover_zip_and_folder(tmp_path):
    archive = tmp_path / "2024-01.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2024-01/", "")
        z.writestr("2024-01/2024-01-northamptonshire-street.csv", text(HEADER, ROW))
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "2024-01-northamptonshire-street.csv").write_bytes(text(HEADER, ROW))
    found = discover([archive, folder])
    assert [(f.kind, f.force, f.month) for f in found] == [("street", "northamptonshire", "2024-01")] * 2
    assert found[0].label.endswith("2024-01.zip!2024-01/2024-01-northamptonshire-street.csv")
    assert parse(found[0]).rows_read == 1


def test_zip_with_unexpected_member(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2024-01/2024-01-northamptonshire-street.csv", text(HEADER, ROW))
        z.writestr("2024-01/readme.txt", "hello")
    with pytest.raises(SourceError, match=r"a.zip: unexpected member '2024-01/readme.txt'"):
        discover([archive])


def test_zip_slip_member_refused(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../2024-01-northamptonshire-street.csv", text(HEADER, ROW))
    with pytest.raises(SourceError, match="unexpected member"):
        discover([archive])


def test_not_a_zip(tmp_path):
    bad = tmp_path / "b.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="not a readable zip archive"):
        discover([bad])


def test_folder_with_foreign_csv(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n")
    with pytest.raises(SourceError, match="notes.csv: not a data.police.uk file name"):
        discover([tmp_path])


def test_missing_path_and_wrong_suffix(tmp_path):
    with pytest.raises(InvalidInput, match="no such file or folder"):
        discover([tmp_path / "nope.csv"])
    odd = tmp_path / "x.txt"
    odd.write_text("x")
    with pytest.raises(InvalidInput, match="expected a .csv file, a folder or a .zip"):
        discover([odd])


# ---- properties (hypothesis) ----------------------------------------------------------
field_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\x00"), max_size=20)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(field_text, field_text, st.sampled_from(CRIME_TYPES)), min_size=1, max_size=8))
def test_any_text_fields_round_trip(rows):
    """Fields with commas, quotes and any unicode come back exactly (csv-module writer as oracle)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STREET_COLUMNS)
    for crime_id, location, ctype in rows:
        writer.writerow([crime_id, "2024-01", "N", "N", "-0.8", "52.2", location, "E01027135", "n", ctype, "o", ""])
    parsed = parse(src(buffer.getvalue().encode("utf-8")))
    assert parsed.rows_read == len(rows) == parsed.table.num_rows
    expect_ids = [r[0] if r[0] != "" else None for r in rows]
    expect_loc = [r[1] if r[1] != "" else None for r in rows]
    assert parsed.table["crime_id"].to_pylist() == expect_ids
    assert parsed.table["location"].to_pylist() == expect_loc


REAL_SAMPLE = text(HEADER, ROW, ASB, ROW.replace("abc", "def"), ROW.replace("Burglary", "Drugs"))


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=len(HEADER) + 2, max_value=len(REAL_SAMPLE) - 1))
def test_truncation_is_an_error_or_a_clean_prefix(cut):
    """Cutting the file anywhere either raises naming the last line or yields whole rows."""
    data = REAL_SAMPLE[:cut]
    full = parse(src(REAL_SAMPLE)).table.drop_columns(["line"]).to_pylist()
    try:
        parsed = parse(src(data))
    except RowError as exc:
        assert exc.line == data.count(b"\n") + 1
        assert "truncated" in exc.problem or "unterminated" in exc.problem or "expected 12" in exc.problem
        return
    got = parsed.table.drop_columns(["line"]).to_pylist()
    assert got == full[: len(got)]
    assert parsed.rows_read == len(got)


@settings(max_examples=80, deadline=None)
@given(pos=st.integers(min_value=0, max_value=len(REAL_SAMPLE) - 1), byte=st.integers(min_value=0x80, max_value=0xFF))
def test_any_invalid_byte_is_reported_with_its_line(pos, byte):
    data = bytearray(REAL_SAMPLE)
    data[pos] = byte
    data = bytes(data)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        with pytest.raises(RowError) as info:
            parse(src(data))
        assert info.value.line == data.count(b"\n", 0, err.start) + 1
        assert "is not UTF-8" in info.value.problem


def test_blank_line_inside_is_an_error_trailing_ones_are_not():
    with pytest.raises(RowError, match="line 3: empty line; expected 12 fields"):
        parse(src(text(HEADER, ROW, "", ROW)))
    parsed = parse(src(text(HEADER, ROW, ROW) + b"\r\n\r\n"))
    assert parsed.rows_read == 2 and parsed.table["line"].to_pylist() == [2, 3]


def test_quoted_header_is_accepted():
    quoted = ",".join(f'"{c}"' for c in STREET_COLUMNS)
    assert parse(src(text(quoted, ROW))).rows_read == 1
