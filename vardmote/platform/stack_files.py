"""The project's `Pulumi.<stack>.yaml` files, read the way the Pulumi engine would hand them to the program."""

from __future__ import annotations

import difflib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vardmote.core.problems import Problem, ProblemsFound
from vardmote.core.project_files import project_root
from vardmote.core.sourced_yaml import SourcedDocument, load_sourced_yaml
from vardmote.core.validation import validate_document
from vardmote.platform.config import CONFIG_NAMESPACE, PLATFORM_KEY, SECRET_KEYS, PlatformConfig

PROJECT_DIR_ENV = "VARDMOTE_PROJECT_DIR"
SECRET_NAME = re.compile(r"(password|secret|passphrase|token)$", re.IGNORECASE)
IMPORT_KEY = "import"
URI = re.compile(r"^/api/admin/configuration/v1/\w+/[\w.-]+/$")
# The hypervisor's own credential, which its provider reads from the stack.
HYPERVISOR_SECRETS = {"vsphere": ["vsphere:password"], "proxmox": ["proxmoxve:apiToken"]}
PLATFORM_CONFIG_KEY = f"{CONFIG_NAMESPACE}:{PLATFORM_KEY}"
# What the offline preview stands in for a `secure:` value it never decrypts.
SECRET_PLACEHOLDER = "[secret]"


def project_dir() -> Path:
    """The Pulumi project: $VARDMOTE_PROJECT_DIR, else the nearest folder up from here with a Pulumi.yaml,
    else the project vardmote is installed from."""
    configured = os.environ.get(PROJECT_DIR_ENV)
    if configured:
        return Path(configured)
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / "Pulumi.yaml").is_file():
            return folder
    return project_root()


def available_stacks(project: Path) -> list[str]:
    return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in project.glob("Pulumi.*.yaml"))


class UnknownStack(LookupError):
    """A stack name the project has no `Pulumi.<stack>.yaml` for; the message lists the stacks there are."""


def require_stack(project: Path, stack: str) -> None:
    """Refuse a stack the project does not have, before anything is read or run under its name: a typo
    (`labb`, `Lab`) would otherwise send the user after a stack file or an inventory that cannot exist."""
    stacks = available_stacks(project)
    if stack in stacks:
        return
    if not stacks:
        raise UnknownStack(f"no stack {stack!r}: no Pulumi.<stack>.yaml in {project}; set {PROJECT_DIR_ENV}")
    same_but_case = [name for name in stacks if name.casefold() == stack.casefold()]
    close = same_but_case or difflib.get_close_matches(stack, stacks, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    raise UnknownStack(f"no stack {stack!r} in {project}; the stacks: {', '.join(stacks)}{hint}")


@dataclass(frozen=True)
class StackFile:
    stack: str
    document: SourcedDocument

    @property
    def path(self) -> Path:
        return self.document.path

    @property
    def config(self) -> dict[str, Any]:
        config = self.document.data.get("config") if isinstance(self.document.data, dict) else None
        return config if isinstance(config, dict) else {}

    def platform(self) -> PlatformConfig:
        """`vardmote:platform` validated; ProblemsFound gives file:line: config path: problem."""
        if PLATFORM_CONFIG_KEY not in self.config:
            raise ProblemsFound([self.document.problem(("config",), f"{PLATFORM_CONFIG_KEY} is missing")])
        return validate_document(self.document, PlatformConfig, prefix=("config", PLATFORM_CONFIG_KEY))

    def offline_config(self, platform: PlatformConfig) -> tuple[dict[str, str], list[str], list[str]]:
        """Config as the engine passes it (strings, objects as JSON), with secure values replaced by a
        placeholder that is never decrypted; plus the secret keys, and the secrets the stack still lacks."""
        values: dict[str, str] = {}
        secret_keys: list[str] = []
        problems: list[Problem] = []
        for key, value in self.config.items():
            problems += self._key_problems(key, value)
            if isinstance(value, dict) and set(value) == {"secure"}:
                values[key] = SECRET_PLACEHOLDER
                secret_keys.append(key)
            elif holds_a_secret(key):
                problems.append(
                    self.document.problem(
                        ("config", key),
                        f"must be a secure value, never plain text: run `pulumi config set --secret {key}`",
                    )
                )
            else:
                problems += self._nested_secrets(("config", key), value)
                values[key] = value if isinstance(value, str) else json.dumps(value)
        if problems:
            raise ProblemsFound(problems)
        missing = []
        wanted = [f"{CONFIG_NAMESPACE}:{name}" for name in platform.required_secrets()]
        if platform.pexip is not None:
            wanted += HYPERVISOR_SECRETS.get(platform.hypervisor.kind, [])
        for key in wanted:
            if key not in values:
                missing.append(key)
                values[key] = SECRET_PLACEHOLDER
                secret_keys.append(key)
        return values, secret_keys, missing

    def _key_problems(self, key: str, value: Any) -> list[Problem]:
        """vardmote's own keys are few and known: a misspelt one (a secret under a typo'd name, say) would
        otherwise be read by nothing, and a plain-text secret would pass unnoticed."""
        namespace, _, name = key.partition(":")
        if namespace != CONFIG_NAMESPACE:
            return []
        known = [PLATFORM_KEY, IMPORT_KEY, *SECRET_KEYS]
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"; did you mean {CONFIG_NAMESPACE}:{close[0]}?" if close else f"; known: {', '.join(known)}"
            return [self.document.problem(("config", key), f"not a key vardmote reads{hint}")]
        if name == IMPORT_KEY:
            return self._import_problems(key, value)
        return []

    def _import_problems(self, key: str, value: Any) -> list[Problem]:
        if not isinstance(value, dict):
            return [self.document.problem(("config", key), "must map resource names to the objects' URIs")]
        return [
            self.document.problem(("config", key, name), f"{uri!r} is not a Management API object's URI")
            for name, uri in value.items()
            if not (isinstance(uri, str) and URI.match(uri))
        ]

    def _nested_secrets(self, loc: tuple[str | int, ...], value: Any) -> list[Problem]:
        """A provider's structured setting may hold a secret too (`proxmoxve:ssh: {password: …}`)."""
        if isinstance(value, dict):
            found = []
            for name, item in value.items():
                if isinstance(item, str) and SECRET_NAME.search(str(name)):
                    found.append(
                        self.document.problem(
                            (*loc, name),
                            "must not be in plain text: set the whole key with `pulumi config set --secret`",
                        )
                    )
                else:
                    found += self._nested_secrets((*loc, name), item)
            return found
        if isinstance(value, list):
            return [
                problem for index, item in enumerate(value) for problem in self._nested_secrets((*loc, index), item)
            ]
        return []


def holds_nested_secret(value: Any) -> bool:
    """Whether a structured setting holds a `*password`/`*secret` key with a plain value."""
    if isinstance(value, dict):
        return any(
            (isinstance(item, str) and SECRET_NAME.search(str(name))) or holds_nested_secret(item)
            for name, item in value.items()
        )
    return isinstance(value, list) and any(holds_nested_secret(item) for item in value)


def holds_a_secret(key: str) -> bool:
    """vardmote's own secrets, and any provider's `*Password`/`*Secret` key (`vsphere:password`):
    Pulumi encrypts only what is set with --secret, so each must be a secure value."""
    namespace, _, name = key.partition(":")
    if namespace == CONFIG_NAMESPACE and name in SECRET_KEYS:
        return True
    return SECRET_NAME.search(name) is not None


def load_stack_file(project: Path, stack: str) -> StackFile:
    path = project / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = ", ".join(available_stacks(project)) or "none"
        raise ProblemsFound([Problem(path, 1, "", f"no stack {stack!r} in {project}; stacks: {known}")])
    return StackFile(stack, load_sourced_yaml(path))
