"""How an AWS answer is judged complete before any collector reads it.

botocore does not fail on a broken ``200`` body: for the JSON protocols a
body that does not parse becomes an empty result, and for S3's XML an empty
body becomes ``{}``. Read as facts, such answers turn a truncated response
into "no buckets" or "rotation off". Two checks stand between the wire and
the collectors:

* the protocol check (:func:`broken_body`), run on every response by the
  session: a ``2xx`` answer whose operation has a modelled body must carry a
  body that parses (a JSON object, or XML). A broken one is turned into a
  ``500`` so botocore's own retries try again, and is reported as
  ``MalformedResponse`` when they run out;
* the collector's statement of what an answer must hold (:func:`require`):
  the keys it will read, as dotted paths (``KeyMetadata.KeyState``), checked
  before the collector reads them. A missing key is ``MalformedResponse`` for
  that one call: ``error`` coverage for a listing, ``$unknown`` for a
  per-resource attribute.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final
from xml.etree import ElementTree

from unify.errors import AwsError

__all__ = ["MALFORMED", "MALFORMED_HEADER", "broken_body", "require"]

#: The error code of an answer that arrived broken or without what the collector needs.
MALFORMED: Final = "MalformedResponse"
#: The header the session puts on a broken answer it turned into a 500, so the final error says why.
MALFORMED_HEADER: Final = "x-unify-malformed"
_BODY_LOCATIONS: Final = (None, "payload")


def _has_body(operation_model: Any) -> bool:
    """Whether the operation's answer is modelled to have members in its body (not only headers)."""
    shape = operation_model.output_shape
    if shape is None or operation_model.has_streaming_output or operation_model.has_event_stream_output:
        return False
    payload = shape.serialization.get("payload")
    if payload is not None:
        return shape.members[payload].type_name not in ("blob", "string")
    return any(member.serialization.get("location") in _BODY_LOCATIONS for member in shape.members.values())


def broken_body(operation_model: Any, status: int, body: bytes, roots: tuple[str, ...] = ()) -> str | None:
    """Why a ``2xx`` answer's body cannot be the complete answer, or None when it can.

    ``roots`` are the elements an XML answer may have at its root when the
    service model does not say (S3's answers), as the collector declares them.
    """
    if not 200 <= status < 300 or not _has_body(operation_model):
        return None
    if not body.strip():
        return "the answer has an empty body"
    protocol = getattr(operation_model.service_model, "resolved_protocol", None) or operation_model.metadata.get(
        "protocol"
    )
    if protocol in ("json", "rest-json"):
        try:
            document = json.loads(body)
        except ValueError:
            return "the answer's body is not JSON"
        return None if isinstance(document, dict) else "the answer's body is not a JSON object"
    try:
        element = ElementTree.fromstring(body)  # noqa: S314 - AWS's own answer, parsed only to see it is whole
    except ElementTree.ParseError:
        return "the answer's body is not whole XML"
    tag = element.tag.rsplit("}", 1)[-1]
    if protocol in ("query", "ec2"):
        # Query and EC2 answers are wrapped in <OperationResponse> (AWS query protocol).
        expected = f"{operation_model.name}Response"
        return None if tag == expected else f"the answer is <{tag}>, not <{expected}>"
    if roots and tag not in roots:
        return f"the answer is <{tag}>, not <{roots[0]}>"
    return None


def require(answer: Mapping[str, Any], paths: Iterable[str], operation: str) -> None:
    """Raise ``MalformedResponse`` unless ``answer`` holds every dotted path (through mappings only)."""
    for path in paths:
        node: Any = answer
        for segment in path.split("."):
            if not isinstance(node, Mapping) or segment not in node:
                raise AwsError(MALFORMED, f"the answer lacks {path!r}", operation)
            node = node[segment]
