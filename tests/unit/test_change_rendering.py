"""How `vardmote deploy --check` prints a change: Ansible's diff entries as unified diffs under their
headers, long files cut with a count, a no_log task's content never, colour only at a terminal."""

from __future__ import annotations

import io

from rich.console import Console

from vardmote.cli.changes import HIDDEN, MAX_LINES_PER_FILE, diff_lines, print_changes
from vardmote.core.playbooks import Change


def _printed(changes: list[Change], *, terminal: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=200, force_terminal=terminal, color_system="standard" if terminal else "auto")
    print_changes(changes, console=console)
    return out.getvalue()


def test_a_file_diff_has_ansibles_headers_and_the_changed_lines() -> None:
    entry = {
        "before_header": "/etc/nginx/nginx.conf",
        "after_header": "/etc/nginx/nginx.conf",
        "before": "worker_processes 1;\nssl_protocols TLSv1 TLSv1.2;\n",
        "after": "worker_processes 1;\nssl_protocols TLSv1.2 TLSv1.3;\n",
    }
    assert diff_lines(entry) == [
        "--- before: /etc/nginx/nginx.conf",
        "+++ after: /etc/nginx/nginx.conf",
        "@@ -1,2 +1,2 @@",
        " worker_processes 1;",
        "-ssl_protocols TLSv1 TLSv1.2;",
        "+ssl_protocols TLSv1.2 TLSv1.3;",
    ]


def test_a_new_file_without_a_final_newline_says_so() -> None:
    lines = diff_lines({"before_header": "/etc/motd", "after_header": "/etc/motd", "before": "", "after": "hej"})
    assert lines == [
        "--- before: /etc/motd",
        "+++ after: /etc/motd",
        "@@ -0,0 +1,2 @@",
        "+hej",
        "+\\ No newline at end of file",
    ]


def test_a_long_diff_is_cut_with_how_many_lines_more_and_keeps_its_headers() -> None:
    entry = {
        "before_header": "/etc/big",
        "after_header": "/etc/big",
        "before": "",
        "after": "".join(f"line {n}\n" for n in range(100)),
    }
    lines = diff_lines(entry)
    # two headers, the hunk line and 59 added lines make the 60 shown; 41 of the 100 lines are cut
    assert lines[:3] == ["--- before: /etc/big", "+++ after: /etc/big", "@@ -0,0 +1,100 @@"]
    assert len(lines) == 2 + MAX_LINES_PER_FILE + 1
    assert lines[-2] == f"+line {MAX_LINES_PER_FILE - 2}"
    assert lines[-1] == f"… {101 - MAX_LINES_PER_FILE} more lines"
    assert diff_lines(entry, max_lines=200)[-1] == "+line 99"  # uncut when it fits


def test_the_file_modules_state_is_one_line_per_key_under_its_path() -> None:
    entry = {
        "before": {"path": "/srv/portal", "state": "absent"},
        "after": {"path": "/srv/portal", "state": "directory"},
    }
    assert diff_lines(entry) == [
        "--- before: /srv/portal",
        "+++ after: /srv/portal",
        "@@ -1,2 +1,2 @@",
        ' path: "/srv/portal"',
        '-state: "absent"',
        '+state: "directory"',
    ]


def test_prepared_text_and_skipped_diffs_are_shown_as_ansible_words_them() -> None:
    assert diff_lines({"prepared": "The following NEW packages will be installed:\n  coturn\n"}) == [
        "The following NEW packages will be installed:",
        "  coturn",
    ]
    assert diff_lines({"dst_larger": 104448}) == ["diff skipped: the file on the host is larger than 104448 bytes"]
    assert diff_lines({"before_header": "/etc/x (file attributes)", "after_header": "/etc/x (file attributes)"}) == []


def test_each_change_is_host_and_task_then_its_diff_indented() -> None:
    changes = [
        Change(
            "edge-01",
            "Configure nginx",
            [{"before_header": "/etc/n", "after_header": "/etc/n", "before": "a\n", "after": "b\n"}],
        ),
        Change("edge-01", "Restart nginx"),
    ]
    assert _printed(changes).splitlines() == [
        "edge-01: Configure nginx",
        "    --- before: /etc/n",
        "    +++ after: /etc/n",
        "    @@ -1 +1 @@",
        "    -a",
        "    +b",
        "edge-01: Restart nginx",
    ]


def test_a_no_log_change_prints_only_that_its_output_is_hidden() -> None:
    secret = "sip-trunk-password-77"
    leaked = Change("gateway-01", "Write the trunk secret", [{"before": "", "after": secret}], hidden=True)
    assert _printed([leaked]).splitlines() == [f"gateway-01: Write the trunk secret {HIDDEN}"]


def test_colour_only_at_a_terminal_and_diff_text_is_not_read_as_markup() -> None:
    changes = [Change("portal-01", "Write [bold]x[/]", [{"before": "[red]a\n", "after": "b\n"}])]
    plain = _printed(changes)
    assert "\x1b[" not in plain
    assert "portal-01: Write [bold]x[/]" in plain
    assert "    -[red]a" in plain
    coloured = _printed(changes, terminal=True)
    assert "\x1b[31m-[red]a" in coloured  # removed lines red
    assert "\x1b[32m+b" in coloured  # added lines green
