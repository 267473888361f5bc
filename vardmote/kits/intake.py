"""Kits to enroll, from the command line or a batch CSV, validated before anything is written."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardmote.core.problems import Problem
from vardmote.kits.identifiers import iccid_problem, imei_problem
from vardmote.region.catalogue import ProfileCatalogue

CSV_COLUMNS = ("serial", "imei", "iccid", "model", "municipality")


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

    serial = (row.get("serial") or "").strip()
    imei = (row.get("imei") or "").strip() or None
    iccid = (row.get("iccid") or "").strip() or None
    model = (row.get("model") or "").strip()
    municipality = (row.get("municipality") or "").strip()
    if not serial:
        problem("serial", "required")
    if imei is not None and (message := imei_problem(imei)):
        problem("imei", message)
    if iccid is not None and (message := iccid_problem(iccid)):
        problem("iccid", message)
    device = catalogue.models.get(model)
    if device is None:
        problem("model", f"unknown model {model!r}; known: {', '.join(sorted(catalogue.models))}")
    elif device.model.cellular and iccid is None:
        problem("iccid", f"{model} is a cellular kit: its SIM's ICCID is required")
    code = ""
    try:
        code = catalogue.find_municipality(municipality)[1].code
    except LookupError as err:
        problem("municipality", str(err))
    if problems:
        return None, problems
    return KitRequest(line, serial, imei, iccid, model, code), []


def read_batch(path: Path, catalogue: ProfileCatalogue) -> tuple[list[KitRequest], list[Problem]]:
    """Every valid row, and one problem line per bad row (including duplicates within the file)."""
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.DictReader(stream)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [column for column in CSV_COLUMNS if column not in header]
            if missing:
                return [], [
                    Problem(path, 1, "", f"missing columns: {', '.join(missing)} (need {', '.join(CSV_COLUMNS)})")
                ]
            rows = [({k.strip(): (v or "") for k, v in row.items() if k}, reader.line_num) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        return [], [Problem(path, 1, "", f"cannot read the batch: {err}")]
    requests: list[KitRequest] = []
    problems: list[Problem] = []
    first_seen: dict[tuple[str, str], int] = {}
    for row, line in rows:
        request, row_problems = check_request(row, line, path, catalogue)
        for field in ("serial", "imei", "iccid"):
            value = (row.get(field) or "").strip()
            if value and (field, value) in first_seen:
                row_problems.append(Problem(path, line, field, f"{value} is also on line {first_seen[(field, value)]}"))
                request = None
            elif value:
                first_seen[(field, value)] = line
        problems += row_problems
        if request is not None:
            requests.append(request)
    return requests, problems
