"""A local stand-in for the Pexip Infinity Management API, behaving as its documentation describes.

Each behaviour below is one the client must get right (DESIGN.md §3, from Pexip's Management API
documentation):
- configuration resources at /api/admin/configuration/v1/<resource>/ and status at
  /api/admin/status/v1/<resource>/<id>/; paths without the trailing slash are not found;
- HTTP Basic authentication over TLS (401 otherwise);
- lists are paged: {"meta": {limit, offset, total_count, next, previous}, "objects": [...]}, default
  limit 20, filtered by `?name=`; `next` is the path and query of the following page;
- POST answers 201 Created with a Location header; names are unique (400 for a second one);
  POST /worker_vm/ answers with the node's bootstrap configuration in the body;
- PATCH changes the given fields (202); DELETE removes (204); unknown objects are 404;
- write-only fields (password, pin, guest_pin, secret_key) read back as null;
- `global` is the singleton /global/1/: it can be read and patched, not created or deleted;
- a new node reports sync_status SYNCED once its bootstrap configuration is uploaded to it and it
  has had time to sync.
Faults can be injected: a status for the next requests matching a method and path, with an optional
Retry-After, or a POST that creates the object and then fails (the uncertain case).
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.doubles.tls import TestPki

CONFIG = "/api/admin/configuration/v1/"
STATUS = "/api/admin/status/v1/"
BOOTSTRAP_PATH = "/api/bootstrap/"
WRITE_ONLY = frozenset({"password", "pin", "guest_pin", "secret_key"})
DEFAULT_LIMIT = 20


@dataclass
class Fault:
    method: str
    path_prefix: str
    status: int
    times: int = 1
    retry_after: str | None = None
    after_commit: bool = False  # the request takes effect, then the answer is an error


@dataclass
class PexipState:
    username: str = "admin"
    password: str = "test-password"
    objects: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    next_id: int = 1
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[tuple[str, str, Any]] = field(default_factory=list)
    bootstrap_tokens: dict[str, int] = field(default_factory=dict)  # token → worker_vm id
    uploaded: dict[int, int] = field(default_factory=dict)  # worker_vm id → status polls since upload
    polls_until_synced: int = 2
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.objects["global"] = {
            1: {
                "id": 1,
                "resource_uri": f"{CONFIG}global/1/",
                "crypto_mode": "besteffort",
                "enable_h323": True,
                "enable_sip_udp": True,
                "min_pin_length": 4,
                "enable_analytics": True,
                "error_reporting_enabled": True,
                "logs_max_age": 0,
                "waiting_for_chair_timeout": 900,
                "bdpm_pin_checks_enabled": False,
            }
        }

    def add(self, resource: str, fields: dict[str, Any]) -> dict[str, Any]:
        object_id = self.next_id
        self.next_id += 1
        obj = {**fields, "id": object_id, "resource_uri": f"{CONFIG}{resource}/{object_id}/"}
        self.objects.setdefault(resource, {})[object_id] = obj
        return obj


def readable(obj: dict[str, Any]) -> dict[str, Any]:
    return {key: (None if key in WRITE_ONLY else value) for key, value in obj.items()}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *_: Any) -> None:  # keep test output clean
        pass

    # -- plumbing --------------------------------------------------------------------------------

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("multipart/form-data"):
            return raw
        return json.loads(raw) if raw else None

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
        body = self._body() if method in {"POST", "PATCH", "PUT"} else None
        state.bodies.append((method, parts.path, body))
        if parts.path == BOOTSTRAP_PATH and method == "POST":
            self._upload(body if isinstance(body, bytes) else b"")
            return
        if not self._authorised():
            self._send(401, {"error": "Authentication credentials were not provided."})
            return
        fault = self._fault(method, parts.path)
        if fault is not None and not fault.after_commit:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            self._send(fault.status, {"error": f"injected {fault.status}"}, headers)
            return
        if not parts.path.endswith("/"):
            self._send(404, {"error": "not found (the API's paths end with a slash)"})
            return
        if parts.path.startswith(STATUS):
            self._status(parts.path)
            return
        match = re.fullmatch(rf"{CONFIG}(\w+)/(?:(\d+)/)?", parts.path)
        if match is None:
            self._send(404, {"error": "unknown resource"})
            return
        resource, object_id = match.group(1), int(match.group(2)) if match.group(2) else None
        with state.lock:
            status, answer, headers = self._dispatch(method, resource, object_id, parts.query, body)
        if fault is not None:  # after_commit: the change is made, the answer is lost
            self._send(fault.status, {"error": f"injected {fault.status} after commit"})
            return
        self._send(status, answer, headers)

    def _dispatch(
        self, method: str, resource: str, object_id: int | None, query: str, body: Any
    ) -> tuple[int, Any, dict[str, str] | None]:
        state = self.server.state
        store = state.objects.setdefault(resource, {})
        if object_id is None:
            if method == "GET":
                return 200, self._page(resource, store, query), None
            if method == "POST":
                if resource == "global":
                    return 405, {"error": "global cannot be created"}, None
                if any(obj.get("name") == body.get("name") for obj in store.values()):
                    return 400, {resource: {"name": [f"{resource} with this Name already exists."]}}, None
                obj = state.add(resource, body)
                location = f"https://{self.headers.get('Host')}{obj['resource_uri']}"
                answer = None
                if resource == "worker_vm":
                    token = secrets.token_hex(16)
                    state.bootstrap_tokens[token] = obj["id"]
                    answer = {"node": {"name": obj["name"], "address": obj.get("address")}, "token": token}
                return 201, answer, {"Location": location}
            return 405, {"error": "method not allowed"}, None
        existing = store.get(object_id)
        if existing is None:
            return 404, {"error": "not found"}, None
        if method == "GET":
            return 200, readable(existing), None
        if method == "PATCH":
            existing.update(body or {})
            return 202, None, None
        if method == "DELETE":
            if resource == "global":
                return 405, {"error": "global cannot be deleted"}, None
            del store[object_id]
            state.uploaded.pop(object_id, None)
            return 204, None, None
        return 405, {"error": "method not allowed"}, None

    def _page(self, resource: str, store: dict[int, dict[str, Any]], query: str) -> dict[str, Any]:
        params = {key: values[0] for key, values in parse_qs(query).items()}
        limit = int(params.pop("limit", DEFAULT_LIMIT))
        offset = int(params.pop("offset", 0))
        matching = [obj for obj in store.values() if all(str(obj.get(k)) == v for k, v in params.items())]
        page = matching[offset : offset + limit]

        def link(new_offset: int) -> str:
            return f"{CONFIG}{resource}/?{urlencode({**params, 'limit': limit, 'offset': new_offset})}"

        return {
            "meta": {
                "limit": limit,
                "offset": offset,
                "total_count": len(matching),
                "next": link(offset + limit) if offset + limit < len(matching) else None,
                "previous": link(max(0, offset - limit)) if offset else None,
            },
            "objects": [readable(obj) for obj in page],
        }

    def _status(self, path: str) -> None:
        state = self.server.state
        match = re.fullmatch(rf"{STATUS}worker_vm/(\d+)/", path)
        object_id = int(match.group(1)) if match else -1
        with state.lock:
            if object_id not in state.objects.get("worker_vm", {}):
                self._send(404, {"error": "not found"})
                return
            if object_id in state.uploaded:
                state.uploaded[object_id] += 1
                synced = state.uploaded[object_id] >= state.polls_until_synced
            else:
                synced = False
        self._send(200, {"id": object_id, "sync_status": "SYNCED" if synced else "NOT_SYNCED"})

    def _upload(self, raw: bytes) -> None:
        state = self.server.state
        match = re.search(rb'"token":\s*"([0-9a-f]+)"', raw or b"")
        token = match.group(1).decode() if match else ""
        with state.lock:
            object_id = state.bootstrap_tokens.get(token)
            if object_id is None or object_id not in state.objects.get("worker_vm", {}):
                self._send(400, {"error": "not a bootstrap configuration of a known node"})
                return
            state.uploaded[object_id] = 0
        self._send(200, {"status": "accepted"})

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: PexipState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@dataclass
class RunningDouble:
    url: str
    port: int
    state: PexipState
    ca_file: Path

    def connection(self, **overrides: Any) -> dict[str, Any]:
        """Provider inputs for this double: TLS verified against the test CA, fast backoff."""
        return {
            "url": self.url,
            "username": self.state.username,
            "password": self.state.password,
            "verify_tls": True,
            "ca_bundle": str(self.ca_file),
            "backoff_s": 0.01,
            **overrides,
        }


@contextmanager
def running_pexip(pki: TestPki) -> Iterator[RunningDouble]:
    state = PexipState()
    server = _Server(state)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        yield RunningDouble(f"https://127.0.0.1:{port}", port, state, pki.ca_file)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
