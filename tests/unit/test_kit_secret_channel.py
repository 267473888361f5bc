"""The command hands its secrets to its Ansible tasks over a socket only its user can reach, for the
right token, while it runs; nothing of them is written."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from vardmote.kits.secret_channel import SecretChannel, SecretChannelError, receive, run_task

VALUES = {"env": {"VARDMOTE_APN_PASSWORD_RVN": "Sekret-1"}, "db_url": "postgresql://u:Sekret-2@db/x"}


def test_the_tasks_get_the_values_with_the_runs_token_and_nothing_is_written() -> None:
    with SecretChannel(VALUES) as channel:
        folder = Path(channel.reference["path"]).parent
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert receive(channel.reference) == VALUES
        assert receive(channel.reference) == VALUES  # each task asks on its own
        assert not [p for p in folder.iterdir() if p.is_file()]  # a socket, no file with the values
    assert not folder.exists()


def test_a_wrong_token_gets_nothing() -> None:
    with SecretChannel(VALUES) as channel, pytest.raises(SecretChannelError, match="refused"):
        receive({**channel.reference, "token": "guessed"})


def test_after_the_command_ended_there_is_nothing_to_ask() -> None:
    with SecretChannel(VALUES) as channel:
        reference = channel.reference
    with pytest.raises(SecretChannelError, match="cannot reach the command's secrets"):
        receive(reference)


def test_a_held_channel_answers_only_once_released() -> None:
    """The command starts Ansible while it still checks the kits: a task asking before the checks have
    passed waits, and gets the values only then."""
    answers: list[dict[str, object]] = []
    with SecretChannel(VALUES, held=True) as channel:
        asking = threading.Thread(target=lambda: answers.append(receive(channel.reference)))
        asking.start()
        asking.join(0.3)
        assert asking.is_alive()  # held back
        assert not answers
        channel.release()
        asking.join(5)
    assert answers == [VALUES]


def test_a_held_channel_closed_unreleased_hands_over_nothing() -> None:
    """Checks that fail stop the run: a task held back gets nothing, and says so."""
    failures: list[Exception] = []

    def ask(reference: dict[str, str]) -> None:
        try:
            receive(reference)
        except SecretChannelError as err:
            failures.append(err)

    with SecretChannel(VALUES, held=True) as channel:
        asking = threading.Thread(target=ask, args=(channel.reference,))
        asking.start()
        asking.join(0.3)
        assert asking.is_alive()
    asking.join(5)
    assert len(failures) == 1
    assert "refused" in str(failures[0])


def test_a_serving_channel_does_a_tasks_work_for_the_right_token_only() -> None:
    """The command does its run's kit tasks: a task sends its module and arguments, and gets the result."""
    done: list[tuple[str, dict[str, object], bool]] = []

    def serve(task: str, params: dict[str, object], check_mode: bool) -> dict[str, object]:
        done.append((task, params, check_mode))
        return {"changed": True, "kits": [{"asset_tag": "RVN-2260-00001"}]}

    with SecretChannel(VALUES, serve=serve) as channel:
        assert channel.reference["serves"] is True
        result = run_task(channel.reference, "registry", {"action": "register", "kits": []}, False)
        assert result == {"changed": True, "kits": [{"asset_tag": "RVN-2260-00001"}]}
        assert receive(channel.reference) == VALUES  # the secrets are still handed over as before
        with pytest.raises(SecretChannelError, match="refused"):
            run_task({**channel.reference, "token": "guessed"}, "registry", {}, False)
    assert done == [("registry", {"action": "register", "kits": []}, False)]


def test_a_task_the_command_fails_at_fails_alone_and_the_channel_serves_on() -> None:
    def serve(task: str, params: dict[str, object], check_mode: bool) -> dict[str, object]:
        if task == "mdm":
            raise RuntimeError("no MDM today")
        return {"changed": False}

    with SecretChannel(VALUES, serve=serve) as channel:
        failed = run_task(channel.reference, "mdm", {}, False)
        assert failed == {"failed": True, "msg": "the command failed doing the task: no MDM today"}
        assert run_task(channel.reference, "registry", {}, False) == {"changed": False}
