"""Recorded AWS answers for services moto does not serve, given through botocore's own Stubber.

moto has no App Runner or MWAA backend and leaves out some ``describe_*``
calls. The embedded demo and the tests still observe those services with
the real collectors and real botocore clients: each client of a recorded
service gets a :class:`RecordedAnswers` (a :class:`botocore.stub.Stubber`),
which checks every answer against the service model when it is recorded
and serves it in place of the HTTP call. Everything after the answer (the
``after-call`` redaction, the collectors' strict reading) runs as it does
against AWS.

Unlike a plain Stubber, answers are a standing table rather than a queue:
an observation calls concurrently and may list a service once per region,
so an answer is chosen by operation and parameters, whatever the order, and
may be served any number of times. A call nobody recorded fails loudly,
unless the recording says the rest of the service is the endpoint's
(:meth:`RecordedAnswers.serve_the_rest`): for a service moto serves but for
a few operations, the recording gives those and moto answers the others.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber, UnStubbedResponseError

__all__ = ["RecordedAnswers", "RecordedSession", "Recording"]

#: Fills the answers of one client: ``(answers, region)``.
Recording = Callable[["RecordedAnswers", str], None]

_CONTEXT_KEY = "unify_recorded_answer"


class RecordedAnswers(Stubber):  # type: ignore[misc]  # botocore has no type hints
    """A Stubber whose answers are matched by operation and parameters, in any order, any number of times."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._table: dict[str, list[tuple[Mapping[str, Any] | None, tuple[AWSResponse, dict[str, Any]]]]] = {}
        self._lock = threading.Lock()
        self._rest_to_endpoint = False

    def serve_the_rest(self) -> None:
        """Let operations nobody recorded reach the client's endpoint instead of failing.

        An operation with recorded answers still fails loudly for parameters
        none of them match: only whole operations left unrecorded pass through.
        """
        self._rest_to_endpoint = True

    def answer(self, method: str, response: dict[str, Any], params: Mapping[str, Any] | None = None) -> None:
        """Record ``response`` for ``method`` called with ``params`` (every call, when None).

        The answer is validated against the operation's output shape, as
        :meth:`Stubber.add_response` does: a field AWS does not document, or
        of the wrong type, is refused here rather than observed.
        """
        operation = self._operation(method)
        self._validate_operation_response(operation, response)
        answer = {"ResponseMetadata": {"HTTPStatusCode": 200}, **response}
        self._record(operation, params, (AWSResponse("https://recorded.invalid/", 200, {}, None), answer))

    def error(
        self, method: str, code: str, message: str, status: int = 400, params: Mapping[str, Any] | None = None
    ) -> None:
        """Record an AWS error answer (``AccessDenied``, ``ResourceNotFoundException``) for ``method``."""
        parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
        self._record(
            self._operation(method), params, (AWSResponse("https://recorded.invalid/", status, {}, None), parsed)
        )

    def _operation(self, method: str) -> str:
        if not hasattr(self.client, method):
            raise ValueError(f"{self.client.meta.service_model.service_name} has no method {method!r}")
        operation: str = self.client.meta.method_to_api_mapping[method]
        return operation

    def _record(
        self, operation: str, params: Mapping[str, Any] | None, response: tuple[AWSResponse, dict[str, Any]]
    ) -> None:
        with self._lock:
            entries = self._table.setdefault(operation, [])
            entries.append((dict(params) if params is not None else None, response))
            # The most specific answers first: a call with parameters matches them before a catch-all.
            entries.sort(key=lambda entry: -1 if entry[0] is None else len(entry[0]), reverse=True)

    def _assert_expected_params(
        self, model: Any, params: dict[str, Any], context: dict[str, Any], **kwargs: Any
    ) -> None:
        """Choose the answer when the call's parameters are still the caller's (before they are serialised)."""
        if self._should_not_stub(context):
            return
        with self._lock:
            entries = list(self._table.get(model.name, ()))
        if not entries and self._rest_to_endpoint:
            return  # an operation of the endpoint's: the request goes out as it would unstubbed
        for expected, response in entries:
            if expected is None or all(params.get(key) == value for key, value in expected.items()):
                context[_CONTEXT_KEY] = response
                return
        raise UnStubbedResponseError(
            operation_name=model.name, reason=f"no answer recorded for these parameters: {sorted(params)}"
        )

    def _get_response_handler(
        self, model: Any, params: Any, context: dict[str, Any], **kwargs: Any
    ) -> tuple[AWSResponse, dict[str, Any]] | None:
        if self._should_not_stub(context) or _CONTEXT_KEY not in context:
            return None  # not stubbed, or an operation left to the endpoint (serve_the_rest)
        response: tuple[AWSResponse, dict[str, Any]] = context.pop(_CONTEXT_KEY)
        # A copy each time: a collector (or the redaction) may change what it is given.
        http, parsed = response
        return http, _copy(parsed)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


class RecordedSession(boto3.Session):  # type: ignore[misc]  # boto3 has no type hints
    """A boto3 session whose clients of the recorded services answer from their recordings.

    Clients of other services are untouched (they reach moto's server, or
    AWS). ``recordings`` maps a boto3 service name to what fills the answers
    of each of its clients, given the client's region.
    """

    def __init__(self, recordings: Mapping[str, Recording], **session: Any) -> None:
        super().__init__(**session)
        self.recordings = dict(recordings)

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        client = super().client(service_name, *args, **kwargs)
        fill = self.recordings.get(service_name)
        if fill is not None:
            answers = RecordedAnswers(client)
            fill(answers, client.meta.region_name)
            answers.activate()
        return client
