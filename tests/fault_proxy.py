"""A loopback HTTP proxy between boto3 and moto's server that breaks answers, reproducibly from a seed.

Every request is forwarded to moto unless the proxy decides to fail it. The
decision is a hash of the seed, the request itself (service, action, body)
and how many times that same request was seen, so a run with a seed fails
the same requests in the same way whatever order concurrent calls arrive in,
and a retried request meets a fresh decision. The faults are those a real
network and a busy AWS produce:

* ``throttle``: the protocol's own throttling error (``ThrottlingException``,
  ``Throttling``, ``RequestLimitExceeded``, S3's ``503 SlowDown``);
* ``server-error``: a ``500 InternalError``;
* ``reset``: the connection closed with a reset before any answer;
* ``timeout``: no answer until the client's read timeout has passed;
* ``truncated``: moto's real ``200`` answer cut short (its length header says so);
* ``empty``: a ``200`` with no body;
* ``malformed``: a ``200`` whose body is not the protocol's format;
* ``denied``: ``AccessDenied`` on chosen actions, every time (as an audit role without a permission).

The proxy counts what it injected, by kind, for the fault benchmark.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

FAULTS = ("throttle", "server-error", "reset", "timeout", "truncated", "empty", "malformed")

#: S3 sub-resources by query key: how a REST request is named like the action it is.
_S3_ACTIONS = {
    "versioning": "GetBucketVersioning", "encryption": "GetBucketEncryption", "policy": "GetBucketPolicy",
    "policyStatus": "GetBucketPolicyStatus", "publicAccessBlock": "GetPublicAccessBlock", "logging": "GetBucketLogging",
    "tagging": "GetBucketTagging", "ownershipControls": "GetBucketOwnershipControls", "location": "GetBucketLocation",
}
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "content-length", "host"}


def _service(headers: Any) -> str:
    """The signing service of a SigV4 request: ``Credential=KEY/DATE/REGION/SERVICE/aws4_request``."""
    authorization = headers.get("Authorization") or ""
    try:
        return authorization.split("Credential=", 1)[1].split("/")[3]
    except IndexError:
        return "unknown"


def label(method: str, path: str, headers: Any, body: bytes) -> str:
    """``service:Action`` for a request, as an IAM policy would name it (REST calls by method and path)."""
    service = _service(headers)
    target = headers.get("X-Amz-Target")
    if target:
        return f"{service}:{target.rsplit('.', 1)[-1]}"
    if body and headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return f"{service}:{action[0]}"
    parts = urlsplit(path)
    if service == "s3":
        keys = set(parse_qs(parts.query, keep_blank_values=True))
        for key, action in _S3_ACTIONS.items():
            if key in keys:
                return f"s3:{action}"
        return "s3:ListAllMyBuckets" if parts.path in ("", "/") else f"s3:{method} object"
    template = "/".join(segment if segment.isalpha() else "*" for segment in parts.path.split("/"))
    return f"{service}:{method} {template}"


def _protocol(headers: Any, service: str) -> str:
    if headers.get("X-Amz-Target"):
        return "json"
    if service == "ec2":
        return "ec2"
    if headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        return "query"
    return "rest-xml" if service in ("s3", "s3control") else "rest-json"


def _error(protocol: str, status: int, code: str, message: str) -> tuple[int, str, bytes]:
    if protocol in ("json", "rest-json"):
        body = f'{{"__type": "{code}", "message": "{message}"}}'
        return status, "application/x-amz-json-1.1", body.encode()
    if protocol == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors></Response>"
        return status, "text/xml", body.encode()
    if protocol == "query":
        body = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
        return status, "text/xml", body.encode()
    return status, "application/xml", f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()


_THROTTLE = {"json": "ThrottlingException", "rest-json": "ThrottlingException", "query": "Throttling",
             "ec2": "RequestLimitExceeded", "rest-xml": "SlowDown"}


class FaultProxy:
    """The proxy: ``start()`` it, point boto3 at ``endpoint``, read ``injected`` afterwards."""

    def __init__(self, target: str, *, seed: int = 0, rate: float = 0.0, denied: tuple[str, ...] = (),
                 forced: dict[str, str] | None = None, faults: tuple[str, ...] = FAULTS, hold: float = 2.0) -> None:
        self.target = urlsplit(target)
        self.seed, self.rate, self.faults, self.hold = seed, rate, faults, hold
        #: Faults met on every request of an action, whatever the seed: ``{"kms:ListKeys": "empty"}``.
        self.forced = {**dict.fromkeys(denied, "denied"), **(forced or {})}
        self.injected: Counter[str] = Counter()
        self.requests = 0
        self._seen: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def decide(self, name: str, method: str, path: str, body: bytes) -> str | None:
        """The fault for this request (None: forward it), reproducibly from the seed."""
        if name in self.forced:
            with self._lock:
                self.requests += 1
            return self.forced[name]
        key = f"{name}|{method}|{path}|{hashlib.sha256(body).hexdigest()}"
        with self._lock:
            self._seen[key] += 1
            occurrence = self._seen[key]
            self.requests += 1
        digest = hashlib.sha256(f"{self.seed}|{key}|{occurrence}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        return self.faults[digest[8] % len(self.faults)]

    def _count(self, kind: str) -> None:
        with self._lock:
            self.injected[kind] += 1

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - BaseHTTPRequestHandler's name
                pass

            def _send(self, status: int, content_type: str, body: bytes, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                self.wfile.write(body)

            def _reset(self) -> None:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(proxy.target.hostname, proxy.target.port, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                    headers["Host"] = proxy.target.netloc
                    connection.request(self.command, self.path, body=body, headers=headers)
                    answer = connection.getresponse()
                    data = answer.read()
                    return answer.status, [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP], data
                finally:
                    connection.close()

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                name = label(self.command, self.path, self.headers, body)
                fault = proxy.decide(name, self.command, self.path, body)
                protocol = _protocol(self.headers, _service(self.headers))
                if fault is not None:
                    proxy._count(fault)
                if fault == "reset":
                    self._reset()
                    return
                if fault == "timeout":
                    time.sleep(proxy.hold)
                    self._reset()
                    return
                if fault == "denied":
                    self._send(*_error(protocol, 403, "AccessDenied", f"not authorized to perform: {name}"))
                    return
                if fault == "throttle":
                    code = _THROTTLE[protocol]
                    self._send(*_error(protocol, 503 if code == "SlowDown" else 400, code, "Rate exceeded"))
                    return
                if fault == "server-error":
                    self._send(*_error(protocol, 500, "InternalError", "We encountered an internal error."))
                    return
                status, headers, data = self._forward(body)
                if 200 <= status < 300 and fault in ("truncated", "empty", "malformed") and data:
                    data = {"truncated": data[: len(data) // 2], "empty": b"",
                            "malformed": b"<html><body>502 Bad Gateway</body></html>"}[fault]
                elif fault in ("truncated", "empty", "malformed"):
                    with proxy._lock:  # nothing to break in an error or an empty answer: not counted
                        proxy.injected[fault] -= 1
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def do_PUT(self) -> None:
                self._handle()

            def do_HEAD(self) -> None:
                self._handle()

            def do_DELETE(self) -> None:
                self._handle()

        return Handler


@contextmanager
def fault_proxy(target: str, **options: Any) -> Iterator[FaultProxy]:
    """A running proxy in front of ``target`` (moto's server), stopped on exit."""
    proxy = FaultProxy(target, **options).start()
    try:
        yield proxy
    finally:
        proxy.stop()


# -- judging a faulty audit against a fault-free one ---------------------------------------------


def _covered(snapshot: Any, resource: dict[str, Any]) -> bool:
    """Whether coverage says every resource of the type was listed where ``resource`` lives."""
    entries = [c for c in snapshot.coverage_of(resource["type"]) if c["account"] == resource["account"]
               and c["region"] in (resource["region"], "global")]
    return bool(entries) and all(c["status"] == "ok" for c in entries)


def _unknown_covers(results: Any, check: str, resource: dict[str, Any] | None, type_: str) -> bool:
    """Whether a scope result of ``check`` says the resource's scope was not observed."""
    for result in results.of_check(check):
        if result.verdict not in ("unknown", "error"):
            continue
        if result.resource == f"*/*/{type_}":
            return True
        if resource is not None and result.account == resource["account"] and result.region in (
                resource["region"], "global", None) and result.name is None and result.type == type_:
            return True
    return False


#: What ``compare`` counted as lost, for the failing test's message.
LOST: list[str] = []


def compare(baseline: Any, base_snapshot: Any, faulty: Any, faulty_snapshot: Any) -> dict[str, int]:
    """The three figures that must be zero, and what the faults did that is allowed.

    ``false_passes``: a pass where the fault-free run does not pass.
    ``lost_under_ok``: a resource the fault-free run saw, missing while coverage says its scope is complete,
    or now placed in another region.
    ``vanished_failures``: a failure of the fault-free run with neither a result nor an unknown in its place.
    """
    before = {(r.check, r.resource): r for r in baseline}
    after = {(r.check, r.resource): r for r in faulty}
    resources = {r["id"]: r for r in base_snapshot.resources}
    # Where each resource is now: a bucket whose location could not be read stays, in region "global".
    where_now = {(r["type"], r["account"], r["id"]): r["region"] for r in faulty_snapshot.resources}
    false_passes = sum(1 for key, result in after.items()
                       if result.verdict == "pass" and before.get(key) is not None and before[key].verdict != "pass")
    lost = 0
    for r in base_snapshot.resources:
        region = where_now.get((r["type"], r["account"], r["id"]))
        if region is None and _covered(faulty_snapshot, r):
            lost += 1  # gone while coverage says every resource was listed
            LOST.append(f"{r['type']} {r['id']} ({r['region']}): gone under ok coverage")
        elif region is not None and region not in (r["region"], "global"):
            lost += 1  # placed in another region: a false fact, as bad as a lost one
            LOST.append(f"{r['type']} {r['id']}: in {region}, seen in {r['region']} without faults")
    vanished = 0
    for (check, resource_id), result in before.items():
        if result.verdict != "fail" or (check, resource_id) in after:
            continue
        if not _unknown_covers(faulty, check, resources.get(resource_id), result.type):
            vanished += 1
    markers = json.dumps(faulty_snapshot.resources, default=str).count('"$unknown"')
    return {
        "false_passes": false_passes,
        "lost_under_ok": lost,
        "vanished_failures": vanished,
        "unknown_markers": markers,
        "coverage_errors": sum(1 for c in faulty_snapshot.coverage if c["status"] == "error"),
        "results_unknown": sum(1 for r in faulty if r.verdict == "unknown"),
    }


def observe_through(endpoint: str, types: list[str], collectors: Any, regions: tuple[str, ...], *,
                    read_timeout: float = 1.0) -> Any:
    """One observation through ``endpoint`` with short timeouts (a held answer costs a second, not a minute)."""
    from factories import _models
    from unify.observe.observation import observe
    from unify.observe.session import ObserveOptions, session_with_models

    # botocore's models parsed once per process (the loader factories.moto_session shares), not per observation.
    session = session_with_models(_models(), region_name=regions[0], aws_access_key_id="testing",
                                  aws_secret_access_key="testing")
    options = ObserveOptions(regions=list(regions), endpoint_url=endpoint, read_timeout=read_timeout,
                             connect_timeout=2.0, max_attempts=4)
    return observe(types, collectors=collectors, options=options, boto_session=session)
