"""Pulumi dynamic providers that keep Pexip configuration objects as the program declares them.

Each provider builds its API client from its inputs on every call (dynamic providers are pickled into
the state, so they hold no connections). Write-only secrets read back as null from the API, so a diff
compares the declared inputs with the previous inputs in state, never with what the API returns.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from vardmote.platform.pexip.protocol import PexipApiError, object_id_of, resource_path

if TYPE_CHECKING:
    import httpx

    from vardmote.platform.pexip.api import Connection, ManagementApi

GLOBAL_URI = resource_path("global", 1)

# Tests and callers may replace how a client is made (e.g. to use a mock transport).
ApiFactory = Callable[["Connection"], "ManagementApi"]


def default_api(connection: Connection) -> ManagementApi:
    # The HTTP client loads only when a provider runs (under `pulumi up`), never for a preview.
    from vardmote.platform.pexip.api import ManagementApi  # noqa: PLC0415

    return ManagementApi(connection)


class _ProviderBase(ResourceProvider):
    """What every Pexip provider shares: building a client and diffing declared fields."""

    api_factory: ApiFactory = staticmethod(default_api)

    def _api(self, props: dict[str, Any]) -> ManagementApi:
        from vardmote.platform.pexip.api import Connection  # noqa: PLC0415 - see default_api

        return type(self).api_factory(Connection.from_inputs(props["connection"]))

    @staticmethod
    def _changed_fields(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        old_payload, new_payload = payload_of(olds), payload_of(news)
        return {key: value for key, value in new_payload.items() if old_payload.get(key) != value}


def payload_of(props: dict[str, Any]) -> dict[str, Any]:
    """What is sent to the API: the plain fields and the write-only secrets, which are kept apart in the
    inputs so that one secret does not hide every other field of a preview behind [secret]."""
    return {**props.get("fields", {}), **(props.get("secrets") or {})}


class ConfigurationObjectProvider(_ProviderBase):
    """Any named object under /configuration/v1/<resource>/: system_location, identity_provider, ...

    Inputs: connection, resource, name, fields (plain, `name` included) and secrets (write-only).
    """

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self._api(props) as api:
            existing = api.find(props["resource"], props["name"])
            if existing is not None:
                # No upsert in the API: adopt the object of that name and make it match.
                uri = str(existing["resource_uri"])
                api.update(uri, _differences(existing, props))
            else:
                uri, _ = api.create(props["resource"], payload_of(props))
        return CreateResult(str(object_id_of(uri)), {**props, "uri": uri})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in ("resource", "name") if olds.get(key) != news.get(key)]
        changed = self._changed_fields(olds, news)
        return DiffResult(
            changes=bool(changed or replaces),
            replaces=replaces,
            delete_before_replace=True,  # names are unique: the old object must go first
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self._api(news) as api:
            api.update(olds["uri"], self._changed_fields(olds, news))
        return UpdateResult({**news, "uri": olds["uri"]})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        with self._api(props) as api:
            api.delete(props["uri"])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self._api(props) as api:
            current = api.get(props["uri"])
        # Secrets read back as null: keep the declared ones rather than report a change.
        fields = {key: current.get(key) for key in props.get("fields", {})}
        return ReadResult(id_, {**props, "fields": fields})


class GlobalSettingsProvider(_ProviderBase):
    """The singleton `global` object: it always exists, is only ever updated, and is never deleted."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self._api(props) as api:
            current = api.get(GLOBAL_URI)
            api.update(GLOBAL_URI, _differences(current, props))
        return CreateResult("global", {**props, "uri": GLOBAL_URI})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=bool(self._changed_fields(olds, news)), replaces=[])

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self._api(news) as api:
            api.update(GLOBAL_URI, self._changed_fields(olds, news))
        return UpdateResult({**news, "uri": GLOBAL_URI})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Removing the resource from the program leaves the platform's settings as they are."""


class ConferencingNodeRegistrationProvider(_ProviderBase):
    """A Conferencing Node's worker_vm, bootstrapped onto its freshly deployed VM.

    The sequence: create the worker_vm through the API, whose 201 response carries the node's
    bootstrap configuration; hand that configuration to the generic VM (its first-boot upload
    endpoint); wait until the status API reports the node SYNCED. The bootstrap configuration is
    held in memory only: the state keeps its SHA-256 fingerprint, never the data.

    A node that exists but never synced lost its bootstrap configuration with the failed run, so a
    re-run deletes that worker_vm and starts the sequence again.
    """

    sleep: Callable[[float], None] = staticmethod(time.sleep)
    upload_transport: httpx.BaseTransport | None = None

    def create(self, props: dict[str, Any]) -> CreateResult:
        name = props["fields"]["name"]
        with self._api(props) as api:
            existing = api.find("worker_vm", name)
            if existing is not None:
                uri = str(existing["resource_uri"])
                if self._sync_status(api, uri) == "SYNCED":
                    api.update(uri, _differences(existing, props))
                    return CreateResult(str(object_id_of(uri)), self._outs(props, uri, None))
                api.delete(uri)
            uri, response = api.create("worker_vm", payload_of(props))
            blob = response.content
            if not _is_bootstrap(blob):
                # The POST was adopted after an uncertain failure: its configuration is lost.
                api.delete(uri)
                uri, response = api.create("worker_vm", payload_of(props))
                blob = response.content
            self._hand_over(props["bootstrap"], blob)
            fingerprint = hashlib.sha256(blob).hexdigest()
            del blob
            self._wait_until_synced(api, uri, props["bootstrap"])
        return CreateResult(str(object_id_of(uri)), self._outs(props, uri, fingerprint))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # Pexip cannot move a running node to another address or name: those need a new node.
        immutable = ("name", "hostname", "domain", "address", "netmask", "gateway", "node_type")
        old_fields, new_fields = olds.get("fields", {}), news.get("fields", {})
        replaces = [f"fields.{key}" for key in immutable if old_fields.get(key) != new_fields.get(key)]
        changed = self._changed_fields(olds, news)
        return DiffResult(changes=bool(changed or replaces), replaces=replaces, delete_before_replace=True)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self._api(news) as api:
            api.update(olds["uri"], self._changed_fields(olds, news))
        return UpdateResult({**news, "uri": olds["uri"], "bootstrap_sha256": olds.get("bootstrap_sha256")})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        with self._api(props) as api:
            api.delete(props["uri"])

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

    def _hand_over(self, bootstrap: dict[str, Any], blob: bytes) -> None:
        import httpx  # noqa: PLC0415 - see default_api

        url = f"https://{bootstrap['node_address']}:{bootstrap['upload_port']}{bootstrap['upload_path']}"
        with httpx.Client(
            verify=bootstrap.get("verify_tls", False), timeout=60, transport=type(self).upload_transport
        ) as client:
            response = client.post(url, files={"file": ("bootstrap.json", blob, "application/json")})
        if response.status_code >= 400:
            raise PexipApiError("POST", url, response.status_code, "the node refused its bootstrap configuration")

    def _wait_until_synced(self, api: ManagementApi, uri: str, bootstrap: dict[str, Any]) -> None:
        deadline = time.monotonic() + float(bootstrap["timeout_s"])
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
            "run again to redeploy its bootstrap configuration",
        )


def _is_bootstrap(blob: bytes) -> bool:
    try:
        document = json.loads(blob)
    except ValueError:
        return False
    return isinstance(document, dict) and "adopted" not in document and bool(document)


def _differences(current: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    """Fields to PATCH so `current` (as the API reads it) matches the inputs; secrets are always sent,
    since the API never reads them back."""
    changed = {key: value for key, value in props.get("fields", {}).items() if current.get(key) != value}
    return {**changed, **(props.get("secrets") or {})}
