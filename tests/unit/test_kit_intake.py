"""A batch CSV and a single kit's options, read as a technician's spreadsheet comes: every bad row one
line naming its CSV line and field, the whole file refused when it cannot be a batch at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from vardmote.kits.identifiers import iccid_problem, imei_problem, normalise_serial, serial_problem
from vardmote.kits.intake import read_batch
from vardmote.region.catalogue import load_catalogue

CATALOGUE = load_catalogue()
HEADER = "serial,imei,iccid,model,municipality\n"
TAB = "samsung-galaxy-tab-s10-plus-5g"
GOOD = f"R52W700001,352099001760012,8946010000000000012,{TAB},Härnösand\n"


def problems_of(tmp_path: Path, content: str | bytes) -> tuple[list[str], list[str]]:
    batch = tmp_path / "kits.csv"
    if isinstance(content, bytes):
        batch.write_bytes(content)
    else:
        batch.write_text(content, encoding="utf-8")
    requests, problems = read_batch(batch, CATALOGUE)
    return [r.serial for r in requests], [str(p).replace(f"{tmp_path}/", "") for p in problems]


def test_an_empty_file_is_refused_saying_what_its_first_line_must_be(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "") == (
        [],
        ["kits.csv:1: the batch is empty; its first line names the columns serial,imei,iccid,model,municipality"],
    )


def test_a_header_only_file_is_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path, HEADER + "\n") == ([], ["kits.csv:1: the batch has no kits, only its header"])


def test_a_spreadsheets_byte_order_mark_and_header_case_are_fine(tmp_path: Path) -> None:
    content = "\ufeffSerial,IMEI,ICCID,Model,Municipality\n" + GOOD
    assert problems_of(tmp_path, content.encode("utf-8")) == (["R52W700001"], [])


def test_a_swedish_spreadsheets_semicolons_separate_like_commas(tmp_path: Path) -> None:
    """A spreadsheet set to Swedish saves CSV with semicolons (the comma is the decimal sign)."""
    content = "\ufeff" + HEADER.replace(",", ";") + GOOD.replace(",", ";")
    assert problems_of(tmp_path, content.encode("utf-8")) == (["R52W700001"], [])
    # A value holding a comma is a value in a semicolon file, not two.
    row = GOOD.replace(",", ";").replace("Härnösand", "Här,nösand")
    _, problems = problems_of(tmp_path, HEADER.replace(",", ";") + row)
    assert problems[0].startswith("kits.csv:2: municipality: ")


def test_unknown_columns_and_rows_with_extra_values_are_refused(tmp_path: Path) -> None:
    assert problems_of(tmp_path, HEADER.strip() + ",colour\n" + GOOD)[1] == [
        "kits.csv:1: unknown columns: 'colour' (the columns are serial,imei,iccid,model,municipality)"
    ]
    serials, problems = problems_of(tmp_path, HEADER + GOOD.strip() + ",blue,large\n")
    assert (serials, problems) == ([], ["kits.csv:2: 2 value(s) more than the header's 5 columns"])


def test_serials_are_normalised_and_checked_for_what_no_serial_has(tmp_path: Path) -> None:
    content = HEADER + f" r52w 700001 ,352099001760012,8946010000000000012,{TAB},Härnösand\n"
    assert problems_of(tmp_path, content) == (["R52W700001"], [])
    content = HEADER + f"R52W-7000/01,352099001760012,8946010000000000012,{TAB},Härnösand\n"
    assert problems_of(tmp_path, content)[1] == [
        "kits.csv:2: serial: serial 'R52W-7000/01' has characters no serial has: '-' '/'"
    ]
    content = HEADER + f"{'R' * 41},352099001760012,8946010000000000012,{TAB},Härnösand\n"
    assert problems_of(tmp_path, content)[1] == ["kits.csv:2: serial: serial is 41 characters, at most 40"]


def test_the_same_serial_typed_two_ways_is_a_duplicate(tmp_path: Path) -> None:
    content = HEADER + GOOD + f"r52w700001,352099001760020,8946010000000000020,{TAB},Härnösand\n"
    assert problems_of(tmp_path, content)[1] == ["kits.csv:3: serial: R52W700001 is also on line 2"]


def test_non_ascii_digits_are_named_not_taken_for_digits(tmp_path: Path) -> None:
    arabic_indic = "٣٥٢٠٩٩٠٠١٧٦٠٠١٢"  # 352099001760012 in Arabic-Indic digits: str.isdigit() says True
    content = HEADER + f"R52W700001,{arabic_indic},8946010000000000012,{TAB},Härnösand\n"
    assert problems_of(tmp_path, content)[1] == [
        f"kits.csv:2: imei: IMEI '{arabic_indic}' has digits other than 0–9; type it with 0–9"
    ]
    assert iccid_problem("８９４６０１００００００００００００１２") is not None  # full-width digits
    assert imei_problem("352099 001760012".replace(" ", "")) is None


def test_a_cellular_model_needs_its_sim(tmp_path: Path) -> None:
    content = HEADER + f"R52W700001,352099001760012,,{TAB},Härnösand\n"
    assert problems_of(tmp_path, content)[1] == [
        f"kits.csv:2: iccid: {TAB} is a cellular kit: its SIM's ICCID is required"
    ]


def test_a_blank_row_is_skipped_and_missing_values_name_their_field(tmp_path: Path) -> None:
    serials, problems = problems_of(tmp_path, HEADER + ",,,,\n" + "R52W700001\n")
    assert serials == []
    assert problems == [
        "kits.csv:3: model: required; known: apple-ipad-air-13-m2-cellular, samsung-galaxy-tab-s10-plus-5g, "
        "samsung-galaxy-tab-s9-fe-plus-5g",
        "kits.csv:3: municipality: required (name, file name or kommunkod)",
    ]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("r52w700006", "R52W700006"), (" R52W 700006\t", "R52W700006"), ("DMPX0004Q1GH", "DMPX0004Q1GH")],
)
def test_serial_normalisation(typed: str, kept: str) -> None:
    assert normalise_serial(typed) == kept
    assert serial_problem(kept) is None
