"""The `vardmote` command as a user meets it: exit codes, one-line problems, formats and help."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner, Result

from tests.conftest import overlay
from vardmote.cli.app import app

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def all_command_paths() -> list[list[str]]:
    paths: list[list[str]] = []

    def walk(command: Any, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return paths


@pytest.mark.parametrize("path", all_command_paths(), ids=lambda p: " ".join(p) or "vardmote")
def test_every_command_has_help_that_explains_it(path: list[str]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    command: Any = get_command(app)
    for name in path:
        command = command.commands[name]
    assert command.help, f"{' '.join(path)} has no help text"
    # Every word of the help reaches the reader: nothing is swallowed as markup (a `[secret]`
    # placeholder read as a Rich style tag would vanish) and hard-wrapped docstrings reflow.
    shown = set(result.output.split())
    missing = [word for word in command.help.replace("`", "").split() if word not in shown]
    assert not missing, f"{' '.join(path) or 'vardmote'} --help drops {missing}"


def test_validate_passes_on_the_embedded_profiles() -> None:
    result = run("profiles", "validate")
    assert result.exit_code == 0
    assert "20 files valid" in result.output
    assert "7 municipalities" in result.output


def test_validate_prints_one_line_per_problem_exits_1_and_writes_nothing(profiles_copy: Path) -> None:
    overlay(profiles_copy, "alternative_out_of_range")
    before = tree_digest(profiles_copy)
    result = runner.invoke(app, ["profiles", "validate", str(profiles_copy)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{profiles_copy}/municipalities/timra.yaml:8: alternative: must be 1 or 2, got 3"
    ]
    assert tree_digest(profiles_copy) == before


def test_validate_one_file_reports_only_that_file(profiles_copy: Path) -> None:
    overlay(profiles_copy, "alternative_out_of_range")
    overlay(profiles_copy, "screen_too_small")
    timra = profiles_copy / "municipalities" / "timra.yaml"
    result = runner.invoke(app, ["profiles", "validate", str(timra)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{timra}:8: alternative: must be 1 or 2, got 3"]
    sundsvall = runner.invoke(app, ["profiles", "validate", str(profiles_copy / "municipalities" / "sundsvall.yaml")])
    assert sundsvall.exit_code == 0


def test_validate_a_missing_path_is_one_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["profiles", "validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nowhere'}: no such file or directory"


def test_profiles_dir_comes_from_the_environment(profiles_copy: Path) -> None:
    overlay(profiles_copy, "screen_too_small")
    result = runner.invoke(app, ["responsibilities"], env={"VARDMOTE_PROFILES_DIR": str(profiles_copy)})
    assert result.exit_code == 1
    assert "screen_inches: must be at least 12" in result.stdout


def test_responsibilities_json_lists_every_duty_with_both_alternatives() -> None:
    result = run("responsibilities", "--format", "json")
    assert result.exit_code == 0
    duties = json.loads(result.stdout)["duties"]
    assert len(duties) == 11
    broadband = next(d for d in duties if d["id"] == "mobile_broadband")
    assert (broadband["alt1"], broadband["alt2"]) == ("region", "municipality")


def test_responsibilities_for_a_municipality_by_kommunkod() -> None:
    result = run("responsibilities", "--municipality", "2262", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["municipality"] == {"name": "Timrå", "code": "2262", "alternative": 2}
    support = next(d for d in document["duties"] if d["id"] == "support_replacement")
    assert support["party"] == "municipality"
    assert support["contact"]["phone"] == "+46 70 174 06 16"


def test_responsibilities_markdown_is_a_table() -> None:
    result = run("responsibilities", "--municipality", "Ånge", "--format", "markdown")
    lines = result.stdout.splitlines()
    assert lines[0] == "### Ånge (2260), alternativ 1"
    assert lines[2] == "| Duty (ansvar) | Responsible | Contact |"
    assert "| Mobilt bredband | Regionen (RVN) | Regionens IT-servicedesk (exempel), +46 70 174 06 01 |" in lines


def test_an_unknown_municipality_is_one_line_naming_the_known_ones() -> None:
    result = runner.invoke(app, ["responsibilities", "--municipality", "Borås"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: --municipality: unknown municipality 'Borås'; known: Härnösand, Kramfors, Sollefteå, "
        "Sundsvall, Timrå, Ånge, Örnsköldsvik"
    )


def test_quickstart_validates_and_shows_every_municipality_and_the_matrix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["quickstart"], env={"XDG_DATA_HOME": str(tmp_path)}, catch_exceptions=False)
    assert result.exit_code == 0
    for name in ("Härnösand", "Kramfors", "Sollefteå", "Sundsvall", "Timrå", "Ånge", "Örnsköldsvik"):
        assert name in result.stdout
    assert "Ansvarsfördelning" in result.stdout
    assert "lab (30 resources to create)" in result.stdout
    assert "✓ passed" in result.stderr
    assert "RVN-2262-00001" in result.stdout  # the example kits, enrolled into the quickstart's own registry
    assert (tmp_path / "vardmote" / "quickstart" / "bundles" / "RVN-2262-00001" / "label.pdf").is_file()
    assert "from an earlier quickstart" not in " ".join(result.stdout.split())
    again = runner.invoke(app, ["quickstart"], env={"XDG_DATA_HOME": str(tmp_path)}, catch_exceptions=False)
    assert again.exit_code == 0
    # The examples' registry outlives the clone: a second run says why its kits are known already.
    assert "from an earlier quickstart: the kits there are found enrolled" in " ".join(again.stdout.split())


def test_schema_check_fails_on_a_stale_schema_and_schema_rewrites_it(profiles_copy: Path) -> None:
    schema = profiles_copy / "schemas" / "kit.schema.json"
    original = schema.read_text(encoding="utf-8")
    schema.write_text("{}\n", encoding="utf-8")
    check = runner.invoke(app, ["profiles", "schema", "--check", str(profiles_copy)])
    assert check.exit_code == 1
    assert "kit.schema.json: out of date" in check.stderr
    assert run("profiles", "schema", str(profiles_copy)).exit_code == 0
    assert schema.read_text(encoding="utf-8") == original


def test_the_installed_console_command_runs() -> None:
    executable = shutil.which("vardmote") or str(Path(__file__).resolve().parents[2] / ".venv" / "bin" / "vardmote")
    result = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0
    assert result.stdout.startswith("vardmote ")


def test_an_unreachable_kit_registry_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-folder' / 'registry.sqlite'}"
    result = runner.invoke(app, ["kit", "show", "RVN-2262-00001"], env={"VARDMOTE_DB_URL": url})
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: cannot read the kit registry: unable to open database file"


def test_an_unknown_kit_is_named(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    result = runner.invoke(app, ["kit", "show", "RVN-2262-09999"], env={"VARDMOTE_DB_URL": url})
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no kit with asset tag, serial, IMEI or ICCID 'RVN-2262-09999'"


@pytest.mark.parametrize(
    "message",
    ["/etc/passwd:6: games:x:5:60:games:/usr/games", "hosts[0]: [bold]portal[/bold] :smile: [/]", "C:\\path\\"],
    ids=["emoji-code", "markup", "backslash"],
)
def test_an_error_prints_its_text_as_it_is(capsys: pytest.CaptureFixture[str], message: str) -> None:
    from vardmote.cli.console import fail  # noqa: PLC0415

    fail(message)
    assert capsys.readouterr().err == f"error: {message}\n"


def test_the_lab_home_policy_is_a_choice_help_lists() -> None:
    from vardmote.cli.lab import HomeChoice  # noqa: PLC0415
    from vardmote.lab.internet import HOME_POLICIES  # noqa: PLC0415

    assert {choice.value for choice in HomeChoice} == set(HOME_POLICIES)
    shown = runner.invoke(app, ["lab", "home", "--help"], env={"COLUMNS": "200"})
    assert "<web|open|closed>" in shown.stdout
    wrong = runner.invoke(app, ["lab", "home", "webb"])
    assert wrong.exit_code == 2
    assert "'webb' is not one of 'web', 'open', 'closed'" in " ".join(wrong.stderr.replace("│", " ").split())


def test_the_consoles_print_no_emoji_for_colon_words(capsys: pytest.CaptureFixture[str]) -> None:
    from vardmote.cli.console import console, error_console  # noqa: PLC0415

    console.print("games:x:5:60", markup=False)
    error_console.print("[bold]✗[/] games:x:5:60")
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("games:x:5:60\n", "✗ games:x:5:60\n")
