"""The Pulumi engine (the `pulumi` CLI) as vardmote runs it: where it is, and the lab's state and secrets.

`scripts/bootstrap.sh` uses a `pulumi` already on PATH (a production workstation's, installed the
vendor's way) or builds one from the Go module proxy into the virtualenv's bin, beside its Python
language host, executor and dynamic-provider launcher (tools/pulumi-engine/). Production stacks log in
to the region's own backend with a Vault secrets provider (docs/platform-runbook.md); only the `lab`
stack gets its backend and passphrase from here:

- state in a local file backend under the data folder, `$XDG_DATA_HOME/vardmote/pulumi-state`
  (`~/.local/share/vardmote/pulumi-state`), never inside the checkout;
- the passphrase secrets provider with the lab's passphrase below. It is written down, so it protects
  nothing: the lab's secrets are lab values for containers on this machine, and a reader of the
  repository may decrypt them. That is what makes them usable in CI without a vault, and it is why no
  stack but `lab` may use it (policy check VM-PLAT-011 requires Vault for the others).

    python -m vardmote.platform.engine preview --stack lab     # any pulumi command, with the lab's setting

The lab itself reads one of those secrets without the engine: `vardmote lab up` gives the Management
API stand-in the password the stack's providers will use (lab_secret).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from vardmote.platform.stack_files import project_dir

LAB_STACK = "lab"
# Not a secret (see the module's docstring): the passphrase of the lab stack's `secure:` values.
LAB_PASSPHRASE = "vardmote-lab-not-a-secret"
ENGINE_MISSING = (
    "no Pulumi engine: neither `pulumi` on PATH nor one built by scripts/bootstrap.sh "
    "(which needs the Go toolchain, `go`)"
)


# Pulumi's passphrase secrets provider (sdk/go/common/resource/config/crypt.go,
# NewSymmetricCrypterFromPassphrase): PBKDF2-HMAC-SHA256 of the passphrase with the stack's salt,
# 1,000,000 rounds, a 32-byte AES-256-GCM key; each value is "v1:<nonce>:<ciphertext and tag>" in base64.
PASSPHRASE_ROUNDS = 1_000_000
# The stack's `encryptionsalt` is "v1:<salt>:" followed by the value "pulumi" encrypted with the key,
# which tells a wrong passphrase from a damaged value.
SALT_CHECK = "pulumi"


class LabSecretError(Exception):
    """A `secure:` value of the lab stack could not be read; the message names the file and key."""


class EngineNotFound(Exception):
    """No `pulumi` binary on this machine."""


def find_pulumi(path: str | None = None) -> Path | None:
    """`pulumi` on PATH, else the one scripts/bootstrap.sh built into this virtualenv's bin."""
    found = shutil.which("pulumi", path=path)
    if found:
        return Path(found)
    built = Path(sysconfig.get_path("scripts")) / "pulumi"
    return built if built.is_file() and os.access(built, os.X_OK) else None


def require_pulumi() -> Path:
    pulumi = find_pulumi()
    if pulumi is None:
        raise EngineNotFound(ENGINE_MISSING)
    return pulumi


def lab_state_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The lab's file backend: $XDG_DATA_HOME/vardmote/pulumi-state."""
    data = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "vardmote" / "pulumi-state"


def lab_stack_objects(env: Mapping[str, str] = os.environ) -> int:
    """How many objects the lab stack's state says it made (its latest checkpoint in the lab's file
    backend, read directly: no engine needed), the stack itself and its providers not counted."""
    project = yaml.safe_load((project_dir() / "Pulumi.yaml").read_text(encoding="utf-8"))["name"]
    checkpoint = lab_state_dir(env) / ".pulumi" / "stacks" / str(project) / f"{LAB_STACK}.json"
    try:
        resources = json.loads(checkpoint.read_text(encoding="utf-8"))["checkpoint"]["latest"].get("resources") or []
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    return sum(
        1
        for r in resources
        if r.get("type") != "pulumi:pulumi:Stack" and not r.get("type", "").startswith("pulumi:providers:")
    )


def engine_environment(
    pulumi: Path, *, stack: str | None, base: Mapping[str, str] = os.environ, state_dir: Path | None = None
) -> dict[str, str]:
    """The environment for one `pulumi` run: its plugins found beside it, no update checks or plugin
    downloads (every plugin the lab needs is local), and for the lab stack its backend and passphrase
    unless the caller chose others."""
    env = dict(base)
    bin_dir = str(pulumi.parent)
    env["PATH"] = os.pathsep.join([bin_dir, *[p for p in env.get("PATH", "").split(os.pathsep) if p and p != bin_dir]])
    env.setdefault("PULUMI_SKIP_UPDATE_CHECK", "true")
    env.setdefault("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
    if stack == LAB_STACK:
        directory = state_dir or lab_state_dir(base)
        directory.mkdir(parents=True, exist_ok=True)
        env.setdefault("PULUMI_BACKEND_URL", directory.as_uri())
        if "PULUMI_CONFIG_PASSPHRASE_FILE" not in env:
            env.setdefault("PULUMI_CONFIG_PASSPHRASE", LAB_PASSPHRASE)
    return env


def lab_secret(key: str, project: Path | None = None, passphrase: str = LAB_PASSPHRASE) -> str:
    """The plain text of the lab stack's `secure:` value `key`, decrypted as the passphrase provider
    does (the lab only: its passphrase is written down; no other stack's is known here)."""
    path = (project or project_dir()) / f"Pulumi.{LAB_STACK}.yaml"
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise LabSecretError(f"{path}: {err}") from None
    salt_value = str(document.get("encryptionsalt") or "")
    value = (document.get("config") or {}).get(key)
    if not isinstance(value, dict) or "secure" not in value:
        raise LabSecretError(f"{path}: config.{key}: no secure value (`pulumi config set --secret {key}`)")
    version, _, rest = salt_value.partition(":")
    salt_b64, _, check = rest.partition(":")
    if version != "v1" or not salt_b64 or not check:
        raise LabSecretError(f"{path}: encryptionsalt: not a passphrase provider's salt")
    derived = hashlib.pbkdf2_hmac("sha256", passphrase.encode(), base64.b64decode(salt_b64), PASSPHRASE_ROUNDS, 32)
    if _decrypt(derived, check) != SALT_CHECK:
        raise LabSecretError(f"{path}: the lab's passphrase does not open this stack's secrets")
    plain = _decrypt(derived, str(value["secure"]))
    if plain is None:
        raise LabSecretError(f"{path}: config.{key}: the secure value does not decrypt with the stack's key")
    return plain


def _decrypt(key: bytes, value: str) -> str | None:
    """One "v1:<nonce>:<ciphertext>" value, or None where it is not one made with `key`."""
    parts = value.split(":")
    if len(parts) != 3 or parts[0] != "v1":
        return None
    try:
        return AESGCM(key).decrypt(base64.b64decode(parts[1]), base64.b64decode(parts[2]), None).decode()
    except (InvalidTag, ValueError):
        return None


def stack_of(args: Sequence[str]) -> str | None:
    """The value of `--stack`/`-s` in a pulumi command line."""
    for index, arg in enumerate(args):
        if arg in ("--stack", "-s") and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--stack="):
            return arg.split("=", 1)[1]
    return None


def run_pulumi(
    args: Sequence[str],
    *,
    cwd: Path,
    stack: str | None = None,
    env: Mapping[str, str] | None = None,
    state_dir: Path | None = None,
    capture: bool = True,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """`pulumi ARGS` in the project folder `cwd`, with engine_environment for `stack` (else the one ARGS
    name)."""
    pulumi = require_pulumi()
    environment = engine_environment(
        pulumi, stack=stack or stack_of(args), base=os.environ if env is None else env, state_dir=state_dir
    )
    return subprocess.run(
        [str(pulumi), *args],
        cwd=cwd,
        env=environment,
        text=True,
        capture_output=capture,
        timeout=timeout,
        check=False,
    )


def ensure_stack(stack: str, *, cwd: Path, env: Mapping[str, str] | None = None, state_dir: Path | None = None) -> None:
    """Create `stack` in its backend if it is not there yet (passphrase provider for the lab); idempotent."""
    listed = run_pulumi(["stack", "ls", "--json"], cwd=cwd, stack=stack, env=env, state_dir=state_dir)
    if listed.returncode == 0 and any(entry.get("name") == stack for entry in json.loads(listed.stdout or "[]")):
        return
    provider = ["--secrets-provider", "passphrase"] if stack == LAB_STACK else []
    created = run_pulumi(["stack", "init", stack, *provider], cwd=cwd, stack=stack, env=env, state_dir=state_dir)
    if created.returncode != 0 and "already exists" not in created.stderr:
        raise RuntimeError(f"pulumi stack init {stack} failed: {created.stderr.strip() or created.stdout.strip()}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run `pulumi ARGV` from the project folder with this module's environment; exit with its status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        pulumi = require_pulumi()
    except EngineNotFound as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    project = project_dir()
    stack = stack_of(args)
    if stack is not None and args[0] not in ("stack", "login", "logout", "version", "about", "plugin"):
        ensure_stack(stack, cwd=project)
    environment = engine_environment(pulumi, stack=stack)
    return subprocess.run([str(pulumi), *args], cwd=project, env=environment, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
