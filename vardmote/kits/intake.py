"""Kits to enroll, from the command line or a batch CSV, each row checked on its own before anything is
written (the registry and the run's preconditions are checked by vardmote.kits.preflight).

A batch is a CSV in UTF-8 (with or without a byte-order mark) whose first line names its columns:
serial, imei, iccid, model, municipality, in any order. Values are separated by commas, or by semicolons
as a spreadsheet in Swedish saves them (the comma is its decimal sign): the header line tells which.
Every bad row is one line naming its CSV line and field; a header-only or empty file, an unknown column
or a row with more values than the header are refused as a whole.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardmote.core.problems import Problem
from vardmote.kits.identifiers import iccid_problem, imei_problem, normalise_digits, normalise_serial, serial_problem
from vardmote.region.catalogue import ProfileCatalogue

CSV_COLUMNS = ("serial", "imei", "iccid", "model", "municipality")
SEPARATORS = (",", ";")


def _separator(header_line: str) -> str:
    """The separator that makes the most of the header's names known columns (a comma when none does)."""
    known = {
        separator: sum(name.strip().casefold() in CSV_COLUMNS for name in header_line.split(separator))
        for separator in SEPARATORS
    }
    return max(SEPARATORS, key=lambda separator: known[separator])


@dataclass(frozen=True)
class KitRequest:
    line: int
    serial: str
    imei: str | None
    iccid: str | None
    model: str
    municipality_code: str

    def as_vars(self) -> dict[str, Any]:
        return {
            "serial": self.serial,
            "imei": self.imei,
            "iccid": self.iccid,
            "model": self.model,
            "municipality_code": self.municipality_code,
        }


def check_request(
    row: dict[str, str], line: int, source: Path, catalogue: ProfileCatalogue
) -> tuple[KitRequest | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(field: str, message: str) -> None:
        problems.append(Problem(source, line, field, message))

    serial = normalise_serial(row.get("serial") or "")
    imei = normalise_digits(row.get("imei") or "") or None
    iccid = normalise_digits(row.get("iccid") or "") or None
    model = (row.get("model") or "").strip()
    municipality = (row.get("municipality") or "").strip()
    if not serial:
        problem("serial", "required")
    elif message := serial_problem(serial):
        problem("serial", message)
    if imei is not None and (message := imei_problem(imei)):
        problem("imei", message)
    if iccid is not None and (message := iccid_problem(iccid)):
        problem("iccid", message)
    device = catalogue.models.get(model)
    if not model:
        problem("model", f"required; known: {', '.join(sorted(catalogue.models))}")
    elif device is None:
        problem("model", f"unknown model {model[:80]!r}; known: {', '.join(sorted(catalogue.models))}")
    elif device.model.cellular and iccid is None:
        problem("iccid", f"{model} is a cellular kit: its SIM's ICCID is required")
    elif not device.model.cellular and (imei or iccid):
        problem("iccid" if iccid else "imei", f"{model} has no SIM: leave imei and iccid empty")
    code = ""
    if not municipality:
        problem("municipality", "required (name, file name or kommunkod)")
    else:
        try:
            code = catalogue.find_municipality(municipality[:80])[1].code
        except LookupError as err:
            problem("municipality", str(err))
    if problems:
        return None, problems
    return KitRequest(line, serial, imei, iccid, model, code), []


def _read_rows(path: Path) -> tuple[list[tuple[dict[str, str], int]], list[Problem]]:
    """The batch's rows with their line numbers, or the one problem that makes the whole file unusable."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:  # -sig: a spreadsheet's byte-order mark
            separator = _separator(stream.readline())
            stream.seek(0)
            reader = csv.DictReader(stream, delimiter=separator)
            if reader.fieldnames is None:
                return [], [
                    Problem(
                        path, 1, "", f"the batch is empty; its first line names the columns {','.join(CSV_COLUMNS)}"
                    )
                ]
            header = [name.strip().casefold() for name in reader.fieldnames]
            missing = [column for column in CSV_COLUMNS if column not in header]
            unknown = [name for name in header if name not in CSV_COLUMNS]
            if missing or unknown:
                said = [f"missing columns: {', '.join(missing)}"] if missing else []
                said += [f"unknown columns: {', '.join(repr(u) for u in unknown)}"] if unknown else []
                return [], [Problem(path, 1, "", f"{'; '.join(said)} (the columns are {','.join(CSV_COLUMNS)})")]
            reader.fieldnames = header
            rows: list[tuple[dict[str, str], int]] = []
            problems: list[Problem] = []
            for row in reader:
                extra = row.pop(None, None)
                if extra is not None and any(value.strip() for value in extra):
                    problems.append(
                        Problem(
                            path,
                            reader.line_num,
                            "",
                            f"{len(extra)} value(s) more than the header's {len(header)} columns",
                        )
                    )
                    continue
                if not any((value or "").strip() for value in row.values()):
                    continue  # a blank line, as spreadsheets leave at the end
                rows.append(({k: (v or "") for k, v in row.items()}, reader.line_num))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        return [], [Problem(path, 1, "", f"cannot read the batch: {err}")]
    if not rows and not problems:
        return [], [Problem(path, 1, "", "the batch has no kits, only its header")]
    return rows, problems


def read_batch(path: Path, catalogue: ProfileCatalogue) -> tuple[list[KitRequest], list[Problem]]:
    """Every valid row, and one problem line per bad row (including duplicates within the file)."""
    rows, problems = _read_rows(path)
    requests: list[KitRequest] = []
    first_seen: dict[tuple[str, str], int] = {}
    for row, line in rows:
        request, row_problems = check_request(row, line, path, catalogue)
        values = {
            "serial": normalise_serial(row.get("serial") or ""),
            "imei": normalise_digits(row.get("imei") or ""),
            "iccid": normalise_digits(row.get("iccid") or ""),
        }
        for field, value in values.items():
            if value and (field, value) in first_seen:
                row_problems.append(Problem(path, line, field, f"{value} is also on line {first_seen[(field, value)]}"))
                request = None
            elif value:
                first_seen[(field, value)] = line
        problems += row_problems
        if request is not None:
            requests.append(request)
    return requests, problems
