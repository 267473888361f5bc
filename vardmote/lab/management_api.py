"""A stand-in for the Pexip Infinity Management API, strict where the real one is strict.

The lab has no Pexip Management Node, and the tests must not reach one, so this answers the
configuration API from the resource schema that vardmote.platform.pexip.api_schema reads out of
Pexip's published Go SDK and Terraform provider (management_api.yaml), and from Pexip's documented
behaviour (DESIGN notes, the SDK's client):

- configuration resources at /api/admin/configuration/v1/<resource>/, status at
  /api/admin/status/v1/; every path ends with a slash; an unknown resource is 404;
- HTTP Basic authentication over TLS (401 otherwise);
- lists are paged ({"meta": {limit, offset, total_count, next, previous}, "objects": [...]}, default
  limit 20) and filtered by field (`?name=`); filtering by a field the resource lacks is 400;
- POST validates the whole object (400 {"<resource>": {"<field>": ["message"]}} for an unknown
  field, a read-only one, a missing required one, a wrong type, a value outside its enum, range or
  length, an address that is not one), fills the documented defaults, refuses a second object with
  a unique field's value, and answers 201 Created with a Location header;
- a reference must name an object that exists (400 otherwise), and an object that others reference
  cannot be deleted (400, naming them);
- PATCH validates the fields it is given and answers 202; DELETE answers 204; unknown objects 404;
- write-only fields (passwords, PINs, secret keys) read back as null; references that the API nests
  (a system location's DNS, NTP and syslog servers; a conference's aliases) read back as objects;
- POST /worker_vm/ answers with the node's bootstrap configuration, an XML document, as the API does;
  the node syncs (status sync_status SYNCED) once a generic VM has been given that document
  (`NODE_UPLOAD_PATH` plays a freshly deployed node's upload page) and has had time to sync;
- `global` is the singleton /global/1/: read and patched, never created or deleted;
- licences live at /licence/<fulfillment_id>/: POST an entitlement to activate one (once per
  entitlement), DELETE to return it; /status/v1/licensing/ counts what the active licences allow.

Faults can be injected for tests: a status for the next requests matching a method and path prefix
(with Retry-After), or a request that takes effect and then fails (the uncertain case).

Run it as a service: `python -m vardmote.lab.management_api --port 8443 --cert … --key …`, with the
admin password in the file named by `--password-file`, or on its standard input (`--password-stdin`,
as `vardmote lab up` gives it, so that it rests in no file).
"""

from __future__ import annotations

import argparse
import base64
import copy
import json
import re
import secrets
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit
from xml.sax.saxutils import escape

from vardmote.lab.tls_server import serve_over_tls
from vardmote.platform.pexip.api_schema import ResourceSpec, api_schema, field_errors
from vardmote.platform.pexip.protocol import CONFIG_PATH, STATUS_PATH

NODE_UPLOAD_PATH = "/node/bootstrap/"
DEFAULT_LIMIT = 20
# What one activated licence allows, as /status/v1/licensing/ reports it (a lab-sized licence).
LICENCE_PORTS, LICENCE_SYSTEMS, LICENCE_VMRS = 20, 10, 100


@dataclass
class Fault:
    method: str
    path_prefix: str
    status: int
    times: int = 1
    retry_after: str | None = None
    after_commit: bool = False  # the request takes effect, then the answer is an error


class ApiRefusal(Exception):
    """A 4xx answer with the body the real API gives."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status, body)
        self.status, self.body = status, body


@dataclass
class ManagementApiState:
    username: str = "admin"
    password: str = "test-password"
    objects: dict[str, dict[int | str, dict[str, Any]]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)  # each resource numbers its own objects
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[tuple[str, str, Any]] = field(default_factory=list)
    bootstrap_tokens: dict[str, int] = field(default_factory=dict)  # token in a node's XML → worker_vm id
    uploaded: dict[int, int] = field(default_factory=dict)  # worker_vm id → status polls since its upload
    polls_until_synced: int = 2
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """As a freshly installed Management Node: no objects, no licence, `global` at its defaults."""
        with self.lock:
            self.objects = {name: {} for name in api_schema().root}
            defaults = _defaults(api_schema().resource("global"))
            self.objects["global"][1] = {**defaults, "id": 1, "resource_uri": f"{CONFIG_PATH}global/1/"}
            self.next_ids = {}
            self.bootstrap_tokens.clear()
            self.uploaded.clear()

    # -- what a test may do directly ---------------------------------------------------------------

    def add(self, resource: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Create an object as a POST would (validated), and return it as stored."""
        with self.lock:
            return self.create(resource, fields)[0]

    def find(self, resource: str, **match: Any) -> list[dict[str, Any]]:
        return [obj for obj in self.objects[resource].values() if all(obj.get(k) == v for k, v in match.items())]

    # -- the API's rules ---------------------------------------------------------------------------

    def create(self, resource: str, body: Any) -> tuple[dict[str, Any], bytes | None]:
        spec = api_schema().resource(resource)
        if spec.kind == "singleton":
            raise ApiRefusal(405, {"error": f"{resource} cannot be created; PATCH {CONFIG_PATH}{resource}/1/"})
        errors = field_errors(resource, body, creating=True)
        if errors:
            raise ApiRefusal(400, {resource: errors})
        obj = {**_defaults(spec), **copy.deepcopy(body)}
        self._check_unique(resource, spec, obj, None)
        self._check_references(resource, spec, body)
        if spec.key is not None:
            key: int | str = str(uuid.uuid4())
            obj[spec.key] = key
            obj.update(_activated_licence(body))
        else:
            key = self.next_ids.get(resource, 1)
            self.next_ids[resource] = key + 1
            obj["id"] = key
        obj["resource_uri"] = f"{CONFIG_PATH}{resource}/{key}/"
        aliases = obj.pop("aliases", None) if resource == "conference" else None
        self.objects[resource][key] = obj
        for alias in aliases or []:
            self.create("conference_alias", {"alias": alias, "conference": obj["resource_uri"]})
        return obj, self._bootstrap_document(obj) if resource == "worker_vm" else None

    def update(self, resource: str, key: int | str, body: Any) -> None:
        spec = api_schema().resource(resource)
        existing = self._existing(resource, key)
        errors = field_errors(resource, body, creating=False)
        if errors:
            raise ApiRefusal(400, {resource: errors})
        self._check_unique(resource, spec, {**existing, **body}, key)
        self._check_references(resource, spec, body)
        existing.update(copy.deepcopy(body))

    def delete(self, resource: str, key: int | str) -> None:
        spec = api_schema().resource(resource)
        if spec.kind == "singleton":
            raise ApiRefusal(405, {"error": f"{resource} cannot be deleted"})
        existing = self._existing(resource, key)
        referrers = self._referrers(existing["resource_uri"])
        if referrers:
            raise ApiRefusal(400, {"error": f"{existing['resource_uri']} is in use by {', '.join(sorted(referrers))}"})
        del self.objects[resource][key]
        if resource == "worker_vm" and isinstance(key, int):
            self.uploaded.pop(key, None)

    def read(self, resource: str, key: int | str) -> dict[str, Any]:
        return self.readable(resource, self._existing(resource, key))

    def readable(self, resource: str, obj: dict[str, Any]) -> dict[str, Any]:
        """An object as GET shows it: secrets as null, nested references as the objects they name."""
        spec = api_schema().resource(resource)
        shown = dict(obj)
        for name, field_spec in spec.fields.items():
            if field_spec.write_only and name in shown:
                shown[name] = None
            if field_spec.nested_on_get and field_spec.references:
                if resource == "conference" and name == "aliases":
                    shown[name] = [
                        self.readable("conference_alias", alias)
                        for alias in self.find("conference_alias", conference=obj["resource_uri"])
                    ]
                elif isinstance(shown.get(name), list):
                    shown[name] = [self._resolve(uri) for uri in shown[name]]
        return shown

    def _resolve(self, uri: str) -> dict[str, Any]:
        resource, key = _parse_uri(uri)
        return self.readable(resource, self.objects[resource][key])

    def _existing(self, resource: str, key: int | str) -> dict[str, Any]:
        existing = self.objects[resource].get(key)
        if existing is None:
            raise ApiRefusal(404, {"error": f"{resource} {key} does not exist"})
        return existing

    def _check_unique(self, resource: str, spec: ResourceSpec, obj: dict[str, Any], own: int | str | None) -> None:
        for name in spec.unique:
            for key, other in self.objects[resource].items():
                if key != own and other.get(name) == obj.get(name):
                    label = name.replace("_", " ").capitalize()
                    raise ApiRefusal(400, {resource: {name: [f"{resource} with this {label} already exists."]}})

    def _check_references(self, resource: str, spec: ResourceSpec, body: dict[str, Any]) -> None:
        errors: dict[str, list[str]] = {}
        for name, value in body.items():
            field_spec = spec.fields[name]
            if field_spec.type not in ("reference", "reference_list") or value is None:
                continue
            for uri in value if isinstance(value, list) else [value]:
                target, key = _parse_uri(uri)
                if target not in self.objects or key not in self.objects[target]:
                    errors.setdefault(name, []).append(f"{uri} does not exist")
        if errors:
            raise ApiRefusal(400, {resource: errors})

    def _referrers(self, uri: str) -> list[str]:
        found = []
        for resource, spec in api_schema().root.items():
            references = [n for n, f in spec.fields.items() if f.type in ("reference", "reference_list")]
            for obj in self.objects[resource].values():
                for name in references:
                    value = obj.get(name)
                    if value == uri or (isinstance(value, list) and uri in value):
                        found.append(f"{resource} {obj['resource_uri']} ({name})")
        return found

    def _bootstrap_document(self, node: dict[str, Any]) -> bytes:
        """The configuration a generic VM needs to become this node: the API answers it as XML."""
        token = secrets.token_hex(16)
        self.bootstrap_tokens[token] = int(node["id"])
        items = {
            "name": node["name"],
            "hostname": node["hostname"],
            "domain": node["domain"],
            "address": node["address"],
            "netmask": node["netmask"],
            "gateway": node["gateway"],
            "node_type": node.get("node_type", "CONFERENCING"),
            "management_token": token,
        }
        lines = "".join(f"  <{key}>{escape(str(value))}</{key}>\n" for key, value in items.items())
        header = '<?xml version="1.0" encoding="UTF-8"?>\n'
        return f"{header}<conferencing_node_config>\n{lines}</conferencing_node_config>\n".encode()

    def node_received(self, document: bytes) -> bool:
        """A generic VM was given a bootstrap document: it starts syncing if the document is one of ours."""
        match = re.search(rb"<management_token>([0-9a-f]+)</management_token>", document)
        node_id = self.bootstrap_tokens.get(match.group(1).decode()) if match else None
        if node_id is None or node_id not in self.objects["worker_vm"]:
            return False
        self.uploaded[node_id] = 0
        return True

    def worker_status(self, node_id: int) -> dict[str, Any]:
        node = self._existing("worker_vm", node_id)
        if node_id in self.uploaded:
            self.uploaded[node_id] += 1
            synced = self.uploaded[node_id] >= self.polls_until_synced
        else:
            synced = False
        return {
            "id": node_id,
            "configuration_id": node_id,
            "name": node["name"],
            "node_type": node.get("node_type"),
            "sync_status": "SYNCED" if synced else "NOT_SYNCED",
            "resource_uri": f"{STATUS_PATH}worker_vm/{node_id}/",
        }

    def licensing(self) -> dict[str, Any]:
        active = len(self.objects["licence"])
        return {
            "port_count": 0,
            "port_total": LICENCE_PORTS * active,
            "system_count": len(self.objects["worker_vm"]),
            "system_total": LICENCE_SYSTEMS * active,
            "vmr_count": len(self.objects["conference"]),
            "vmr_total": LICENCE_VMRS * active,
        }


def _defaults(spec: ResourceSpec) -> dict[str, Any]:
    return {name: copy.deepcopy(f.default) for name, f in spec.fields.items() if f.default is not None}


def _activated_licence(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "fulfillment_type": "activation",
        "product_id": "lab",
        "license_type": "floating",
        "features": "lab",
        "concurrent": LICENCE_PORTS,
        "concurrent_overdraft": 0,
        "activatable": LICENCE_SYSTEMS,
        "activatable_overdraft": 0,
        "hybrid": 0,
        "hybrid_overdraft": 0,
        "status": "ACTIVE",
        "trust_flags": 0,
        "repair": 0,
        "vendor_dictionary": {},
        "entitlement_id": body["entitlement_id"],
    }


def _parse_uri(uri: str) -> tuple[str, int | str]:
    match = re.fullmatch(rf"{re.escape(CONFIG_PATH)}(\w+)/([\w.-]+)/", uri)
    if match is None:
        return "", ""
    key = match.group(2)
    return match.group(1), int(key) if key.isdigit() else key


# -- HTTP --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *_: Any) -> None:  # requests are recorded in the state, not printed
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        if isinstance(body, bytes):
            payload, content_type = body, "application/xml"
        else:
            payload, content_type = (b"" if body is None else json.dumps(body).encode()), "application/json"
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if payload:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.headers.get("Content-Type", "").startswith("multipart/form-data"):
            return raw
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise ApiRefusal(400, {"error": "the body is not JSON"}) from None

    def _authorised(self) -> bool:
        state = self.server.state
        expected = base64.b64encode(f"{state.username}:{state.password}".encode()).decode()
        return self.headers.get("Authorization") == f"Basic {expected}"

    def _fault(self, method: str, path: str) -> Fault | None:
        with self.server.state.lock:
            for fault in self.server.state.faults:
                if fault.method == method and path.startswith(fault.path_prefix) and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _handle(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        state.requests.append((method, self.path))
        try:
            body = self._body() if method in {"POST", "PATCH", "PUT"} else None
        except ApiRefusal as refusal:
            self._send(refusal.status, refusal.body)
            return
        state.bodies.append((method, parts.path, body))
        if parts.path == NODE_UPLOAD_PATH and method == "POST":
            accepted = state.node_received(body if isinstance(body, bytes) else b"")
            self._send(200 if accepted else 400, {"status": "accepted" if accepted else "not a known node's config"})
            return
        if not self._authorised():
            self._send(401, {"error": "Authentication credentials were not provided."})
            return
        fault = self._fault(method, parts.path)
        if fault is not None and not fault.after_commit:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            self._send(fault.status, {"error": f"injected {fault.status}"}, headers)
            return
        try:
            with state.lock:
                status, answer, headers = self._dispatch(method, parts.path, parts.query, body)
        except ApiRefusal as refusal:
            self._send(refusal.status, refusal.body)
            return
        if fault is not None:  # after_commit: the change is made, the answer is lost
            self._send(fault.status, {"error": f"injected {fault.status} after commit"})
            return
        self._send(status, answer, headers)

    def _dispatch(self, method: str, path: str, query: str, body: Any) -> tuple[int, Any, dict[str, str] | None]:
        state = self.server.state
        if not path.endswith("/"):
            raise ApiRefusal(404, {"error": "not found (the API's paths end with a slash)"})
        if path.startswith(STATUS_PATH):
            return self._status(method, path[len(STATUS_PATH) :])
        match = re.fullmatch(rf"{re.escape(CONFIG_PATH)}(\w+)/(?:([\w.-]+)/)?", path)
        if match is None or match.group(1) not in api_schema():
            raise ApiRefusal(404, {"error": f"unknown resource {path}"})
        resource, raw_key = match.group(1), match.group(2)
        if raw_key is None:
            if method == "GET":
                return 200, self._page(resource, query), None
            if method == "POST":
                obj, document = state.create(resource, body)
                return 201, document, {"Location": f"https://{self.headers.get('Host')}{obj['resource_uri']}"}
            raise ApiRefusal(405, {"error": "method not allowed"})
        key: int | str = int(raw_key) if raw_key.isdigit() else raw_key
        if method == "GET":
            return 200, state.read(resource, key), None
        if method == "PATCH":
            state.update(resource, key, body)
            return 202, None, None
        if method == "DELETE":
            state.delete(resource, key)
            return 204, None, None
        raise ApiRefusal(405, {"error": "method not allowed"})

    def _page(self, resource: str, query: str) -> dict[str, Any]:
        state = self.server.state
        spec = api_schema().resource(resource)
        params = {key: values[0] for key, values in parse_qs(query).items()}
        limit = int(params.pop("limit", DEFAULT_LIMIT))
        offset = int(params.pop("offset", 0))
        unknown = sorted(set(params) - set(spec.fields))
        if unknown:
            raise ApiRefusal(400, {"error": f"the {unknown[0]!r} field does not allow filtering"})
        matching = [
            obj for obj in state.objects[resource].values() if all(_as_text(obj.get(k)) == v for k, v in params.items())
        ]
        page = matching[offset : offset + limit]

        def link(new_offset: int) -> str:
            return f"{CONFIG_PATH}{resource}/?{urlencode({**params, 'limit': limit, 'offset': new_offset})}"

        return {
            "meta": {
                "limit": limit,
                "offset": offset,
                "total_count": len(matching),
                "next": link(offset + limit) if offset + limit < len(matching) else None,
                "previous": link(max(0, offset - limit)) if offset else None,
            },
            "objects": [state.readable(resource, obj) for obj in page],
        }

    def _status(self, method: str, rest: str) -> tuple[int, Any, None]:
        if method != "GET":
            raise ApiRefusal(405, {"error": "the status API is read-only"})
        state = self.server.state
        if rest == "licensing/":
            return 200, {"meta": {"total_count": 1}, "objects": [state.licensing()]}, None
        match = re.fullmatch(r"worker_vm/(\d+)/", rest)
        if match is None:
            raise ApiRefusal(404, {"error": f"unknown status resource {rest}"})
        return 200, state.worker_status(int(match.group(1))), None

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: ManagementApiState, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.state = state


@dataclass
class RunningApi:
    url: str
    port: int
    state: ManagementApiState
    ca_file: Path

    def connection(self, **overrides: Any) -> dict[str, Any]:
        """Provider inputs for this API: TLS verified against the CA that signed it, fast backoff."""
        return {
            "url": self.url,
            "username": self.state.username,
            "verify_tls": True,
            "ca_bundle": str(self.ca_file),
            "backoff_s": 0.01,
            **overrides,
        }


@contextmanager
def running_management_api(
    cert_file: Path, key_file: Path, ca_file: Path, host: str = "127.0.0.1", port: int = 0
) -> Iterator[RunningApi]:
    """The stand-in serving HTTPS on `host:port` (a free port by default) in a thread, until the block ends."""
    state = ManagementApiState()
    server = _serve(state, host, port, cert_file, key_file)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    bound = server.server_address[1]
    try:
        yield RunningApi(f"https://{host}:{bound}", int(bound), state, ca_file)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _serve(state: ManagementApiState, host: str, port: int, cert_file: Path, key_file: Path) -> _Server:
    server = _Server(state, (host, port))
    serve_over_tls(server, cert_file, key_file)
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the Pexip Management API stand-in over HTTPS.")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=443)
    parser.add_argument("--cert", type=Path, required=True, help="PEM certificate of this host")
    parser.add_argument("--key", type=Path, required=True, help="its PEM private key")
    parser.add_argument("--username", default="admin")
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument("--password-file", type=Path, help="file holding the admin password")
    given.add_argument("--password-stdin", action="store_true", help="read the admin password's line from stdin")
    args = parser.parse_args(argv)
    password = sys.stdin.readline() if args.password_stdin else args.password_file.read_text()
    if not password.strip():
        parser.error("the admin password is empty")
    state = ManagementApiState(username=args.username, password=password.strip())
    _serve(state, args.host, args.port, args.cert, args.key).serve_forever()


if __name__ == "__main__":
    main()
