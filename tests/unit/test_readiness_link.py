"""The readiness page's link: the portal's /beredskap/ page with the TURN relay and coturn REST
credentials in the fragment, never the shared secret; bad values refused with one line naming them.
(That coturn accepts the credentials is proved in tests/integration/test_readiness_page.py.)"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from typer.testing import CliRunner

from tests.conftest import edit_stack
from vardmote.cli.app import app
from vardmote.core.problems import ProblemsFound
from vardmote.portal.readiness_link import (
    ReadinessLinkError,
    ReadinessTargets,
    parse_duration,
    read_secret,
    readiness_link,
    targets_of_stack,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGETS = ReadinessTargets(portal_name="videoportal.rvn.example", turn_name="turn.rvn.example")
SECRET = "the-shared-secret-of-the-relay"
NOW = 1_800_000_000.0


def fragment_of(link: str) -> dict[str, str]:
    parsed = parse_qs(urlsplit(link).fragment, strict_parsing=True)
    assert all(len(values) == 1 for values in parsed.values()), parsed
    return {key: values[0] for key, values in parsed.items()}


def test_the_link_opens_the_portals_readiness_page_with_the_relay_in_the_fragment() -> None:
    link = readiness_link(TARGETS, SECRET, now=NOW)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path, parts.query) == (
        "https",
        "videoportal.rvn.example",
        "/beredskap/",
        "",
    )
    fragment = fragment_of(link)
    assert {key: fragment[key] for key in ("v", "turn", "udp", "tls")} == {
        "v": "1",
        "turn": "turn.rvn.example",
        "udp": "3478",
        "tls": "443",
    }


def test_the_credentials_are_coturns_rest_kind_for_the_validity_window() -> None:
    fragment = fragment_of(readiness_link(TARGETS, SECRET, valid_for_s=2 * 3600, user="RVN-000123", now=NOW))
    assert fragment["username"] == f"{int(NOW) + 2 * 3600}:RVN-000123"
    expected = base64.b64encode(hmac.new(SECRET.encode(), fragment["username"].encode(), hashlib.sha1).digest())
    assert fragment["credential"] == expected.decode()


def test_the_shared_secret_is_never_in_the_link() -> None:
    link = readiness_link(TARGETS, SECRET, now=NOW)
    assert SECRET not in link
    assert base64.b64encode(SECRET.encode()).decode() not in link


@pytest.mark.parametrize(
    ("text", "seconds"), [("30m", 1800), ("12h", 43200), ("2d", 172800), ("7d", 604800), (" 5m ", 300)]
)
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [("12", "not a duration"), ("1w", "not a duration"), ("4m", "between 5m and 7d"), ("8d", "between 5m and 7d")],
)
def test_bad_durations_are_refused(text: str, message: str) -> None:
    with pytest.raises(ReadinessLinkError, match=message):
        parse_duration(text)


@pytest.mark.parametrize("user", ["", "a:b", "kit 12", "x" * 65, "åäö"])
def test_a_user_coturn_would_misread_is_refused(user: str) -> None:
    with pytest.raises(ReadinessLinkError, match="--user"):
        readiness_link(TARGETS, SECRET, user=user, now=NOW)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ReadinessLinkError, match="secret is empty"):
        readiness_link(TARGETS, "", now=NOW)


def test_the_targets_come_from_the_stack() -> None:
    assert targets_of_stack(REPO_ROOT, "lab") == ReadinessTargets(
        portal_name="portal.lab.vardmote.example", turn_name="turn.lab.vardmote.example", turn_tls_port=443
    )


def test_a_stack_with_turn_on_5349_gets_links_to_5349(project_copy: Path) -> None:
    edit_stack(
        project_copy,
        "lab",
        "realm: turn.lab.vardmote.example",
        "realm: turn.lab.vardmote.example\n      tls_port: 5349",
    )
    assert targets_of_stack(project_copy, "lab").turn_tls_port == 5349


def test_a_broken_stack_names_its_line(project_copy: Path) -> None:
    edit_stack(project_copy, "lab", "realm: turn.lab.vardmote.example", "realm: 'not a name'")
    with pytest.raises(ProblemsFound) as found:
        targets_of_stack(project_copy, "lab")
    assert "realm" in str(found.value.problems[0])


def test_the_secret_comes_from_a_files_first_line(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(f"{SECRET}\nanything else\n", encoding="utf-8")
    assert read_secret("UNSET_VARIABLE", path, environ={}) == SECRET


def test_an_empty_secret_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(ReadinessLinkError, match=f"--secret-file {path}: the first line is empty"):
        read_secret("UNSET_VARIABLE", path, environ={})


def test_a_missing_secret_names_the_variable() -> None:
    with pytest.raises(ReadinessLinkError, match="VARDMOTE_TURN_SHARED_SECRET is not set"):
        read_secret("VARDMOTE_TURN_SHARED_SECRET", None, environ={})


runner = CliRunner()


def test_the_command_prints_the_link_alone_on_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VARDMOTE_PROJECT_DIR", str(REPO_ROOT))
    monkeypatch.setenv("VARDMOTE_TURN_SHARED_SECRET", SECRET)
    result = runner.invoke(app, ["room", "readiness-link", "--stack", "lab", "--valid-for", "2h"])
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith("https://portal.lab.vardmote.example/beredskap/#v=1&")
    assert fragment_of(link)["turn"] == "turn.lab.vardmote.example"
    assert SECRET not in result.output


def test_the_command_without_a_secret_says_so_and_prints_no_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VARDMOTE_PROJECT_DIR", str(REPO_ROOT))
    monkeypatch.delenv("VARDMOTE_TURN_SHARED_SECRET", raising=False)
    result = runner.invoke(app, ["room", "readiness-link", "--stack", "lab"])
    assert result.exit_code == 1
    assert "https://" not in result.stdout
    assert "VARDMOTE_TURN_SHARED_SECRET is not set" in result.output


def test_a_secret_given_where_its_variable_s_name_belongs_is_refused_and_never_echoed() -> None:
    result = CliRunner().invoke(app, ["room", "readiness-link", "--stack", "lab", "--secret-env", "Xk9/secret+="])
    assert result.exit_code == 1
    assert "--secret-env: give the name of the environment variable" in result.output
    assert "Xk9/secret+=" not in result.output


def test_an_unknown_stack_is_one_line_on_stderr_and_stdout_stays_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VARDMOTE_PROJECT_DIR", str(REPO_ROOT))
    monkeypatch.setenv("VARDMOTE_TURN_SHARED_SECRET", SECRET)
    result = runner.invoke(app, ["room", "readiness-link", "--stack", "labb"])
    assert result.exit_code == 1
    assert result.stdout == ""  # only the link goes there, for a pipe
    assert result.stderr == (
        f"error: no stack 'labb' in {REPO_ROOT}; the stacks: lab, rvn-prod, rvn-test; did you mean lab?\n"
    )


def test_a_broken_stack_file_is_reported_on_stderr(monkeypatch: pytest.MonkeyPatch, project_copy: Path) -> None:
    edit_stack(project_copy, "lab", "realm: turn.lab.vardmote.example", "realm: 'not a name'")
    monkeypatch.setenv("VARDMOTE_PROJECT_DIR", str(project_copy))
    monkeypatch.setenv("VARDMOTE_TURN_SHARED_SECRET", SECRET)
    result = runner.invoke(app, ["room", "readiness-link", "--stack", "lab"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Pulumi.lab.yaml:" in result.stderr
    assert "realm" in result.stderr
