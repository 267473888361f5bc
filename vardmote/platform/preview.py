"""Run the real program offline under the Pulumi SDK's mock runtime and record what it declares.

No engine, no provider plugins, no credentials, no network: the mock monitor records every
RegisterResource (type, name, parent, dependencies, inputs) and the stack's outputs; look-ups
(`vsphere.get_*`) answer with placeholders; dynamic providers are never called. The result reads like
`pulumi preview --json`: every resource is a `create` step, secrets show as [secret] and values only
known after deployment as [unknown].
"""

from __future__ import annotations

import gc
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from pulumi.runtime import mocks, settings
from pulumi.runtime import resource as resource_runtime
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from vardmote.platform.program import build_platform
from vardmote.platform.stack_files import StackFile, load_stack_file

PROJECT = "vardmote"
ROOT_STACK_TYPE = "pulumi:pulumi:Stack"
SECRET = "[secret]"
UNKNOWN = "[unknown]"

# Signatures Pulumi's wire format uses for special values (sdk/go/common/resource/sig).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270"
_SIG_RESOURCE_REF = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# The pickled provider a dynamic resource carries: bytes for the engine, noise for a reader.
_HIDDEN_INPUTS = frozenset({"__provider"})


def displayable(value: Any) -> Any:
    """A wire value as a person should see it: secrets hidden, unknowns named, whole floats as ints."""
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SIG_SECRET:
            return SECRET
        if sig == _SIG_RESOURCE_REF:
            return value.get("urn")
        if sig == _SIG_OUTPUT:
            if value.get("secret"):
                return SECRET
            return displayable(value["value"]) if "value" in value else UNKNOWN
        return {key: displayable(item) for key, item in value.items() if key not in _HIDDEN_INPUTS}
    if isinstance(value, list):
        return [displayable(item) for item in value]
    if value == _UNKNOWN_VALUE:
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    provider: str
    dependencies: list[str]
    inputs: dict[str, Any]
    import_id: str = ""  # the existing object the resource takes over (Pulumi's `import_` option)


@dataclass
class Recording:
    stack: str
    resources: list[Registration] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def children_of(self, urn: str) -> list[Registration]:
        return [r for r in self.resources if r.parent == urn]


class DuplicateUrn(Exception):
    """Two resources of the program have one URN."""


class _RecordingMonitor(mocks.MockMonitor):
    def __init__(self, recording: Recording) -> None:
        super().__init__(_OfflineMocks())
        self.recording = recording

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The engine's URN: the parent's whole qualified type (the root stack's left out), then `$` and
        the type. The SDK's mock keeps only the parent's last type, which names nested children wrongly."""
        if parent:
            qualified = parent.split("::")[2]
            if qualified != ROOT_STACK_TYPE:
                type_ = f"{qualified}${type_}"
        return f"urn:pulumi:{self.recording.stack}::{PROJECT}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the gRPC method's name
        urn = self.make_urn(request.parent, request.type, request.name)
        provider = request.provider
        if request.custom and not provider:
            package = request.type.split(":", 1)[0]
            if package.startswith("pulumi-python"):
                package = "pulumi-python"
            provider = f"urn:pulumi:{self.recording.stack}::{PROJECT}::pulumi:providers:{package}::default"
        self.recording.resources.append(
            Registration(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                custom=bool(request.custom),
                provider=provider,
                dependencies=sorted(request.dependencies),
                inputs=displayable(json_format.MessageToDict(request.object)),
                import_id=request.importId,
            )
        )
        return super().RegisterResource(request)  # type: ignore[no-untyped-call]

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        if "::pulumi:pulumi:Stack::" in request.urn:
            self.recording.outputs = displayable(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]


class _OfflineMocks(mocks.Mocks):
    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = dict(args.inputs)
        if args.typ.startswith("pulumi-python:dynamic"):
            # What a dynamic provider computes (uri, sync status) is only known after `pulumi up`.
            state = {key: value for key, value in state.items() if value is not None}
        return f"{args.name}-id", state

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        # Look-ups (datacenter, cluster, datastore, network, template) answer with names as ids,
        # in the wire format's camelCase.
        function = args.token.rsplit(":", 1)[-1]
        name = args.args.get("name", "")
        return {
            "id": f"{function}:{name}",
            "name": name,
            "resourcePoolId": f"resgroup:{name}",
            "guestId": "debian12_64Guest",
            "disks": [],
            "networkInterfaceTypes": ["vmxnet3"],
        }, []


def run_offline(stack: str, config: dict[str, str], secret_keys: list[str]) -> Recording:
    """Run the program for `stack` with `config` (engine-shaped strings) and return what it declared."""
    recording = Recording(stack)
    settings.reset_options(project=PROJECT, stack=stack, preview=True)
    monitor = _RecordingMonitor(recording)
    quiet = logging.getLogger("vardmote.preview")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    settings.configure(
        mocks.MockSettings(  # type: ignore[no-untyped-call]
            monitor=monitor,
            monitor_features={"secrets", "resourceReferences"},
            engine=mocks.MockEngine(quiet),
            project=PROJECT,
            stack=stack,
            dry_run=True,
            organization="organization",
            callbacks=None,
        )
    )
    set_all_config(config, secret_keys)
    with _lean_runtime():
        _sync_await(run_in_stack(build_platform))
    _refuse_duplicate_urns(recording.resources)
    recording.resources = _parents_first(recording.resources)
    return recording


def _refuse_duplicate_urns(resources: list[Registration]) -> None:
    """The engine refuses a second resource with a URN already registered (and stops the run); so does
    the offline preview, with the engine's words, rather than show two resources it would never make."""
    seen: set[str] = set()
    for resource in resources:
        if resource.urn in seen:
            raise DuplicateUrn(f"Duplicate resource URN '{resource.urn}'; try giving it a unique name")
        seen.add(resource.urn)


def _parents_first(resources: list[Registration]) -> list[Registration]:
    """The resources in a stable order: each after its parent, siblings by URN. The SDK registers them
    as their inputs resolve, which varies from run to run; two previews of one stack should read alike."""
    children: dict[str, list[Registration]] = {}
    for resource in resources:
        children.setdefault(resource.parent, []).append(resource)
    known = {resource.urn for resource in resources}
    ordered: list[Registration] = []
    pending = sorted((r for r in resources if r.parent not in known), key=lambda r: r.urn, reverse=True)
    while pending:
        resource = pending.pop()
        ordered.append(resource)
        pending += sorted(children.get(resource.urn, []), key=lambda r: r.urn, reverse=True)
    return ordered


@contextmanager
def _lean_runtime() -> Iterator[None]:
    """Spare the offline run two costs that buy nothing without an engine:
    - the cyclic collector: the mock runtime allocates many short-lived cyclic objects (tasks, futures,
      outputs), and the collector's repeated passes over them cost more than the run itself. The run is
      bounded (one stack), so collection waits until it is over, and what the run leaves is then frozen
      (moved out of the collector's sight) rather than walked once more at the next allocation (~40 ms):
      measured over repeated runs, freezing keeps no more memory than collecting, because what is left
      is what the SDK's runtime keeps alive anyway;
    - the SDK's capture of a stack trace for every resource (`traceback.extract_stack`, which also reads
      the source line of every frame): the engine shows it next to a resource's errors, but the mock
      monitor has no use for it — about 40 ms for the production stack's hundred resources."""
    collecting = gc.isenabled()
    gc.disable()
    capture = getattr(resource_runtime, "_get_stack_trace", None)
    if capture is not None:
        resource_runtime._get_stack_trace = source_pb2.StackTrace  # an empty trace
    try:
        yield
    finally:
        if capture is not None:
            resource_runtime._get_stack_trace = capture
        gc.freeze()
        if collecting:
            gc.enable()


def run_stack_offline(project: Path, stack: str) -> tuple[Recording, StackFile]:
    """Load `Pulumi.<stack>.yaml` from `project` and run its program offline (raises ProblemsFound for
    a broken stack config)."""
    stack_file = load_stack_file(project, stack)
    values, secret_keys, _ = stack_file.offline_config(stack_file.platform())
    return run_offline(stack, values, secret_keys), stack_file


DYNAMIC_TYPE_PREFIX = "pulumi-python:dynamic"


def as_engine_prints(value: Any) -> Any:
    """A displayable value as `pulumi preview --json` prints it: an unknown as the wire's unknown value."""
    if isinstance(value, dict):
        return {key: as_engine_prints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_engine_prints(item) for item in value]
    return _UNKNOWN_VALUE if value == UNKNOWN else value


def engine_inputs(resource: Registration) -> dict[str, Any]:
    """A resource's inputs as the engine's JSON preview shows them: a dynamic resource also carries its
    pickled provider, which the engine shows as a secret."""
    inputs: dict[str, Any] = as_engine_prints(resource.inputs)
    if resource.custom and resource.type.startswith(DYNAMIC_TYPE_PREFIX):
        inputs = {"__provider": SECRET, **inputs}
    return inputs


def preview_document(recording: Recording) -> dict[str, Any]:
    """The recording in the shape of `pulumi preview --json`, value for value. There is no state offline,
    so every resource is a `create`, as in the first preview of a new stack, or an `import` where the
    stack asks the resource to take over an existing object."""
    steps = []
    for resource in recording.resources:
        steps.append(
            {
                "op": "import" if resource.import_id else "create",
                "urn": resource.urn,
                "provider": resource.provider,
                "newState": {
                    "urn": resource.urn,
                    "type": resource.type,
                    "custom": resource.custom,
                    "parent": resource.parent,
                    "provider": resource.provider,
                    "dependencies": resource.dependencies,
                    "inputs": engine_inputs(resource),
                },
            }
        )
    return {
        "stack": recording.stack,
        "steps": steps,
        "changeSummary": dict(Counter(step["op"] for step in steps)),
        "outputs": recording.outputs,
    }
