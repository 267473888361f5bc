"""Pulumi dynamic providers that keep Pexip configuration objects as the program declares them.

What every provider here holds to:
- An object's Pulumi identity is what identifies it in the API (a routing rule by its name, a DNS
  server by its address): the component names the resource after it, and the inputs carry it as
  `identity`. A changed identity is a new resource, so the engine creates the new object before it
  deletes the old one, and dependants move to the new URI in between.
- A field the API can change is updated in place with PATCH; only a field the API cannot change
  (management_api.yaml: immutable) replaces the object, deleting first where the API's unique names
  leave no room for both.
- create() refuses an object that already exists under the same identity: adopting it silently would
  take over what someone else made. Importing it is explicit (`pulumi import`, or the `import_`
  resource option; see docs/platform-runbook.md).
- check() validates the inputs against the API's schema before the engine plans.
- The Management API password is never an input: it is read from the stack's configuration
  (`vardmote:pexipPassword`) when the engine configures the provider, so rotating it does not break
  the deletes and refreshes of objects created with the old one.
- Each call builds its API client (dynamic providers are pickled into the state and hold no
  connections). Write-only secrets read back as null, so a diff compares the declared inputs with the
  previous inputs in state, never with what the API returns.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from vardmote.platform.pexip.api_schema import api_schema, field_errors, from_engine, unknowns_marked
from vardmote.platform.pexip.protocol import CaBundleMissing, PexipApiError, object_id_of, resource_path

if TYPE_CHECKING:
    import httpx

    from vardmote.platform.pexip.api import Connection, ManagementApi

GLOBAL_URI = resource_path("global", 1)
PASSWORD_CONFIG_KEY = "vardmote:pexipPassword"
# Where a process that is not run by the engine (a test, a script) gives the password instead.
PASSWORD_ENV = "VARDMOTE_PEXIP_PASSWORD"

# Tests and callers may replace how a client is made (e.g. to use a mock transport).
ApiFactory = Callable[["Connection"], "ManagementApi"]


def default_api(connection: Connection) -> ManagementApi:
    # The HTTP client loads only when a provider runs (under `pulumi up`), never for a preview.
    from vardmote.platform.pexip.api import ManagementApi  # noqa: PLC0415

    return ManagementApi(connection)


class ExistingObjectError(Exception):
    """An object with the declared identity exists in the API but not in this stack's state."""


class _ProviderBase(ResourceProvider):
    """What every Pexip provider shares: the password, building a client, checking and diffing fields."""

    api_factory: ApiFactory = staticmethod(default_api)
    password: str | None = None

    def configure(self, req: ConfigureRequest) -> None:
        configured = req.config.get(PASSWORD_CONFIG_KEY)
        if configured:
            self.password = str(configured)

    def _api(self, props: dict[str, Any]) -> ManagementApi:
        from vardmote.platform.pexip.api import Connection  # noqa: PLC0415 - see default_api

        password = self.password or os.environ.get(PASSWORD_ENV)
        if not password:
            raise PexipApiError(
                "-", str(props["connection"].get("url")), None, f"no Management API password: set {PASSWORD_CONFIG_KEY}"
            )
        return type(self).api_factory(Connection.from_inputs(props["connection"], password))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        resource = news.get("resource", "")
        if resource not in api_schema():
            return CheckResult(news, [CheckFailure("resource", f"the Management API has no resource {resource!r}")])
        inputs = {**news, "fields": from_engine(resource, news.get("fields") or {})}
        inputs["secrets"] = from_engine(resource, news.get("secrets") or {})
        payload = unknowns_marked(payload_of(inputs))
        failures = [
            CheckFailure(f"{'secrets' if name in inputs['secrets'] else 'fields'}.{name}", "; ".join(messages))
            for name, messages in field_errors(resource, payload, creating=self.creates).items()
        ]
        for name in news.get("identity") or []:
            if name not in inputs["fields"] and name not in inputs["secrets"]:
                failures.append(CheckFailure(f"identity.{name}", "the identity names a field the object does not set"))
        return CheckResult(inputs, failures)

    creates = True  # the program declares whole objects; the singleton's are partial

    def _diff(self, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        resource = news["resource"]
        spec = api_schema().resource(resource)
        changed = _changed(payload_of(olds), payload_of(news))
        replaces = ["resource"] if olds.get("resource") != resource else []
        replaces += [f"fields.{name}" for name in sorted(changed) if _is_immutable(resource, name)]
        moved = olds.get("connection") != news.get("connection") or olds.get("identity") != news.get("identity")
        return DiffResult(
            changes=bool(changed or replaces or moved),
            replaces=replaces,
            # Both objects can exist at once unless a unique field (a name) would repeat.
            delete_before_replace=bool(replaces) and bool(spec.unique),
        )


def payload_of(props: dict[str, Any]) -> dict[str, Any]:
    """What is sent to the API: the plain fields and the write-only secrets, which are kept apart in the
    inputs so that one secret does not hide every other field of a preview behind [secret]. Typed as
    the API wants them: the engine hands every number over as a double, in check() and again in
    create(), diff(), update() and delete() (what check() returns goes through the wire too)."""
    payload = {**(props.get("fields") or {}), **(props.get("secrets") or {})}
    resource = props.get("resource")
    return from_engine(str(resource), payload) if resource in api_schema() else payload


def _changed(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    return {key for key in set(old) | set(new) if old.get(key) != new.get(key)}


def _is_immutable(resource: str, name: str) -> bool:
    field = api_schema().resource(resource).fields.get(name)
    return field is not None and field.immutable


def _patch(resource: str, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The PATCH that takes an object from `old` to `new`; a field no longer declared returns to the
    API's default (or null), so removing it from the program removes it from the object."""
    fields = api_schema().resource(resource).fields
    patch = {key: value for key, value in new.items() if old.get(key) != value}
    for key in set(old) - set(new):
        spec = fields.get(key)
        patch[key] = spec.default if spec is not None and spec.default is not None else None
    return patch


def identity_of(props: dict[str, Any]) -> dict[str, Any]:
    payload = payload_of(props)
    return {name: payload.get(name) for name in props.get("identity") or []}


class ConfigurationObjectProvider(_ProviderBase):
    """Any object under /configuration/v1/<resource>/: system_location, dns_server, conference, ...

    Inputs: connection (no password), resource, identity (the names of the fields that identify the
    object), fields (plain) and secrets (write-only). Its id is the object's URI.
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        resource, identity = props["resource"], identity_of(props)
        with self._api(props) as api:
            secret = frozenset(props.get("secrets") or {})
            existing = api.find(resource, identity, secret=secret) if identity else None
            if existing is not None:
                raise ExistingObjectError(
                    f"{resource} {_describe(identity, secret)} already exists in the Management API "
                    f"({existing['resource_uri']}) but is not managed by this stack: import it with "
                    f"`pulumi import` or the import_ resource option (docs/platform-runbook.md), or remove it"
                )
            uri, _ = api.create(resource, payload_of(props), identity=identity, secret=secret)
        return CreateResult(uri, {**props, "uri": uri})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self._diff(olds, news)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self._api(news) as api:
            api.update(olds["uri"], _patch(news["resource"], payload_of(olds), payload_of(news)))
        return UpdateResult({**news, "uri": olds["uri"]})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        with self._api(props) as api:
            api.delete(props["uri"])

    # What the provider computes; the rest of its outputs are the inputs as the API has them.
    outputs: tuple[str, ...] = ("uri",)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The object as the API has it (refresh), or the object named by `id_` (import)."""
        uri = props.get("uri") or id_
        with self._api(props) as api:
            try:
                current = api.get(uri)
            except PexipApiError as err:
                if err.status == 404:  # deleted outside Pulumi: the engine drops it from the state
                    return ReadResult(None, {})
                raise
            observed = self._observed(api, uri)
        resource = props["resource"]
        fields = {key: as_written(resource, key, current.get(key)) for key in props.get("fields") or {}}
        outs = {**props, "fields": fields, "uri": uri, **observed}
        # Secrets read back as null: the declared ones stay, rather than report a change.
        return ReadResult(uri, outs, inputs={key: value for key, value in outs.items() if key not in self.outputs})

    def _observed(self, _api: ManagementApi, _uri: str) -> dict[str, Any]:
        """What a read adds to the object's fields (a node's sync status)."""
        return {}


def as_written(resource: str, name: str, value: Any) -> Any:
    """A field as the program writes it: references the API nests on GET go back to their URIs."""
    field = api_schema().resource(resource).fields.get(name)
    if field is not None and field.nested_on_get and isinstance(value, list):
        return [item["resource_uri"] if isinstance(item, dict) else item for item in value]
    return value


def _describe(identity: dict[str, Any], secret: frozenset[str] = frozenset()) -> str:
    return ", ".join(f"{key} {'[secret]' if key in secret else repr(value)}" for key, value in identity.items())


class GlobalSettingsProvider(_ProviderBase):
    """The singleton `global` object: it always exists and is only ever patched. Removing it from the
    program (or `pulumi destroy`) returns the fields it managed to the API's defaults."""

    creates = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self._api(props) as api:
            current = api.get(GLOBAL_URI)
            api.update(GLOBAL_URI, {k: v for k, v in payload_of(props).items() if current.get(k) != v})
        return CreateResult("global", {**props, "uri": GLOBAL_URI})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = _changed(payload_of(olds), payload_of(news)) or olds.get("connection") != news.get("connection")
        return DiffResult(changes=bool(changed), replaces=[])

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self._api(news) as api:
            api.update(GLOBAL_URI, _patch("global", payload_of(olds), payload_of(news)))
        return UpdateResult({**news, "uri": GLOBAL_URI})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        fields = api_schema().resource("global").fields
        with self._api(props) as api:
            api.update(GLOBAL_URI, {key: fields[key].default for key in payload_of(props)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self._api(props) as api:
            current = api.get(GLOBAL_URI)
        fields = {key: current.get(key) for key in props.get("fields") or {}}
        outs = {**props, "fields": fields, "uri": GLOBAL_URI}
        return ReadResult(id_, outs, inputs={key: value for key, value in outs.items() if key != "uri"})


class ManagementApiReadyProvider(_ProviderBase):
    """Waits until a freshly deployed Management Node's API answers, with backoff, for at most
    `timeout_s`: every Pexip object is created after it. Nothing in the API is created or removed."""

    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, [])

    def create(self, props: dict[str, Any]) -> CreateResult:
        deadline = time.monotonic() + float(props["timeout_s"])
        delay, last = 1.0, "no answer yet"
        while True:
            try:
                with self._api({**props, "connection": {**props["connection"], "retries": 0}}) as api:
                    api.get(GLOBAL_URI)
                return CreateResult("ready", {**props})
            except PexipApiError as err:
                if err.status in (401, 403) or isinstance(err, CaBundleMissing):
                    raise  # the node answers, but not to these credentials, or no CA: waiting will not help
                last = str(err)
            if time.monotonic() + delay > deadline:
                raise PexipApiError(
                    "GET",
                    GLOBAL_URI,
                    None,
                    f"the Management Node did not answer within {props['timeout_s']} s ({last})",
                )
            type(self).sleep(delay)
            delay = min(delay * 2, 30.0)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # A new Management Node VM (its id changed) must be waited for again.
        replaced = olds.get("node") != news.get("node")
        return DiffResult(
            changes=replaced or olds.get("connection") != news.get("connection"),
            replaces=["node"] if replaced else [],
            delete_before_replace=False,
        )

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to remove: the wait made nothing."""


class ConferencingNodeRegistrationProvider(ConfigurationObjectProvider):
    """A Conferencing Node's worker_vm, bootstrapped onto its freshly deployed VM.

    The sequence: create the worker_vm through the API, whose 201 response carries the node's
    bootstrap configuration (an XML document, opaque to us); hand that document to the generic VM's
    upload page, retrying with backoff while the VM is still booting; wait until the status API
    reports the node SYNCED. Both waits are bounded by `timeout_s`. The document is held in memory
    only: the state keeps its SHA-256 fingerprint, never the data.

    If the handover or the sync fails, the worker_vm is deleted before the error is raised, so no
    orphan is left and the next run starts the sequence again.
    """

    sleep: Callable[[float], None] = staticmethod(time.sleep)
    upload_transport: httpx.BaseTransport | None = None

    def create(self, props: dict[str, Any]) -> CreateResult:
        identity = identity_of(props)
        with self._api(props) as api:
            existing = api.find("worker_vm", identity)
            if existing is not None:
                raise ExistingObjectError(
                    f"worker_vm {_describe(identity)} already exists in the Management API "
                    f"({existing['resource_uri']}) but is not managed by this stack: import it with "
                    f"`pulumi import` or the import_ resource option (docs/platform-runbook.md), or remove it"
                )
            uri, response = api.create("worker_vm", payload_of(props), identity=identity)
            if response.status_code != 201 or not response.content:
                # Our POST was found again after an uncertain failure: its document is lost with it.
                api.delete(uri)
                uri, response = api.create("worker_vm", payload_of(props), identity=identity)
            document = response.content
            fingerprint = hashlib.sha256(document).hexdigest()
            deadline = time.monotonic() + float(props["bootstrap"]["timeout_s"])
            try:
                self._hand_over(props["bootstrap"], document, deadline)
                del document
                self._wait_until_synced(api, uri, props["bootstrap"], deadline)
            except Exception:
                api.delete(uri)  # no orphan: the next run deploys the node afresh
                raise
        return CreateResult(uri, self._outs(props, uri, fingerprint))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = self._diff(olds, news)
        # A new VM needs a new bootstrap: the registration is replaced with it.
        if (olds.get("bootstrap") or {}).get("vm") != (news.get("bootstrap") or {}).get("vm"):
            return DiffResult(
                changes=True, replaces=[*(result.replaces or []), "bootstrap.vm"], delete_before_replace=True
            )
        if olds.get("bootstrap") != news.get("bootstrap"):
            return DiffResult(
                changes=True, replaces=result.replaces, delete_before_replace=result.delete_before_replace
            )
        return result

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self._api(news) as api:
            api.update(olds["uri"], _patch("worker_vm", payload_of(olds), payload_of(news)))
        return UpdateResult(
            {**news, "uri": olds["uri"], "sync_status": "SYNCED", "bootstrap_sha256": olds.get("bootstrap_sha256")}
        )

    outputs = ("uri", "sync_status", "bootstrap_sha256")

    def _observed(self, api: ManagementApi, uri: str) -> dict[str, Any]:
        return {"sync_status": self._sync_status(api, uri)}

    @staticmethod
    def _outs(props: dict[str, Any], uri: str, fingerprint: str | None) -> dict[str, Any]:
        return {**props, "uri": uri, "sync_status": "SYNCED", "bootstrap_sha256": fingerprint}

    @staticmethod
    def _sync_status(api: ManagementApi, uri: str) -> str | None:
        try:
            return api.status("worker_vm", object_id_of(uri)).get("sync_status")
        except PexipApiError as err:
            if err.status == 404:  # not yet known to the status API
                return None
            raise

    def _hand_over(self, bootstrap: dict[str, Any], document: bytes, deadline: float) -> None:
        """Upload the document to the new VM's upload page, waiting with backoff while it boots."""
        import httpx  # noqa: PLC0415 - see default_api

        url = f"https://{bootstrap['node_address']}:{int(bootstrap['upload_port'])}{bootstrap['upload_path']}"
        delay = float(bootstrap.get("poll_interval_s", 10))
        while True:
            try:
                with httpx.Client(
                    verify=bootstrap.get("verify_tls", False), timeout=60, transport=type(self).upload_transport
                ) as client:
                    response = client.post(url, files={"file": ("bootstrap.xml", document, "application/xml")})
            except httpx.TransportError as err:
                reason = f"{type(err).__name__}: {err}"
            else:
                if response.status_code < 400:
                    return
                if response.status_code < 500:
                    raise PexipApiError(
                        "POST", url, response.status_code, "the node refused its bootstrap configuration"
                    )
                reason = f"HTTP {response.status_code}"
            if time.monotonic() + delay > deadline:
                raise PexipApiError(
                    "POST", url, None, f"the node's VM did not take its bootstrap configuration in time ({reason})"
                )
            type(self).sleep(delay)
            delay = min(delay * 2, 60.0)

    def _wait_until_synced(self, api: ManagementApi, uri: str, bootstrap: dict[str, Any], deadline: float) -> None:
        interval = float(bootstrap.get("poll_interval_s", 10))
        status = None
        while time.monotonic() < deadline:
            status = self._sync_status(api, uri)
            if status == "SYNCED":
                return
            type(self).sleep(interval)
        raise PexipApiError(
            "GET",
            resource_path("worker_vm", object_id_of(uri), status=True),
            None,
            f"node did not reach SYNCED within {bootstrap['timeout_s']} s (last sync_status: {status}); "
            "its worker_vm was removed: run again to deploy it afresh",
        )
