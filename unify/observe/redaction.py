"""Secrets never reach a snapshot: the redaction rules every collector's output passes before it is kept.

A snapshot is evidence: it is written to disk, recorded in the evidence
store, attached to CI runs and read by auditors. A token copied into it from
a CodeBuild source URL or an ECS log option leaks to all of them, so every
resource is redacted once, in :func:`redact_resource`, on its way from the
collectors into the observation, whichever collector (built-in or plugin)
made it. Three rules apply:

1. **What AWS marks sensitive.** botocore's service models carry the
   ``sensitive`` trait on the members AWS documents as secret (a Lambda
   function's environment variables, an ECS container's ``environment`` and
   ``repositoryCredentials``, an App Runner service's runtime environment,
   MWAA's Airflow options, launch-template user data, DMS endpoint
   passwords). :func:`redact_sensitive_members` replaces their values in
   each parsed answer, before any collector reads it; names stay (a check
   may ask which variables exist, never what they hold).
2. **Secrets inside strings**, anywhere: credentials in a URL's user part
   (``https://user:TOKEN@github.com/...``) and in secret-looking query
   parameters, ``password=...`` pairs in connection strings, private-key
   blocks, and tokens whose shape is unmistakable (GitHub, Slack, JWT). The
   string keeps its shape with ``<redacted>`` in place of the secret, so a
   check can still see that a URL carried credentials.
3. **Secret-looking keys in maps whose keys users choose**: tags, and the
   maps a resource type declares in ``free_maps`` (log-driver options,
   parameters). There a key such as ``env-pass`` or ``splunk-token`` has its
   value replaced.

A replaced value becomes ``{"$unknown": "redacted: ..."}``: unify did not
keep it, so a check that reads it is ``unknown``, never a pass on a value
nobody can see.
"""

from __future__ import annotations

import re
from typing import Any, Final

from unify.model.resource import Resource, unknown
from unify.model.resource_type import ResourceTypes

__all__ = [
    "REDACTED",
    "SENSITIVE",
    "redact_resource",
    "redact_sensitive_members",
    "redact_text",
    "secret_key",
]

#: What a secret inside a string is replaced with.
REDACTED: Final = "<redacted>"
#: Placed by :func:`redact_sensitive_members` where AWS sent a sensitive value; never kept as it is.
SENSITIVE: Final = "\x00unify:redacted:sensitive"
_SENSITIVE_REASON: Final = "redacted: AWS marks this field sensitive"
_KEY_REASON: Final = "redacted: the key looks like a secret"

#: Deepest nesting walked; AWS answers nest far less, a deeper value is dropped rather than walked.
_MAX_DEPTH: Final = 64

#: Members that name an entry of a sensitive list (``[{name, value}]``): the name is kept, the value is not.
_NAME_MEMBERS: Final = frozenset({"name", "Name", "key", "Key"})

_KEYWORDS: Final = (
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "private-key",
    "privatekey",
    "access_key",
    "access-key",
    "accesskey",
    "signature",
    "auth",
    "cookie",
    "session",
    "dsn",
)
#: A key that looks like it holds a secret, in a map whose keys users choose (``env-pass``, ``splunk-token``).
_SECRET_KEY: Final = re.compile(
    r"(?:" + "|".join(re.escape(k) for k in _KEYWORDS) + r")|(?:^|[-_.])pass(?:$|[-_.])|conn(?:ection)?[-_.]?str",
    re.IGNORECASE,
)

#: ``scheme://user:password@`` or ``scheme://token@``: the user part of a URL.
_URL_USERINFO: Final = re.compile(r"\b([a-z][a-z0-9+.\-]{0,30}://)[^\s/@?#]+@", re.IGNORECASE)
#: A query parameter whose name says it carries a secret (X-Amz-Signature, access_token, sig, key).
_URL_SECRET_PARAM: Final = re.compile(
    r"([?&;](?:[a-z0-9_\-]*(?:token|secret|password|passwd|pwd|signature|credential|api[-_]?key|apikey)"
    r"[a-z0-9_\-]*|sig|key|code|auth)=)[^&;#\s]+",
    re.IGNORECASE,
)
#: ``password=...`` or ``"token": "..."`` inside a string (connection strings, inline JSON, command lines).
_PAIR: Final = re.compile(
    r"((?:^|[\s\"'{,;&?(])[\"']?[a-z0-9_.\-]*(?:password|passwd|pwd|secret|token|api[-_]?key|apikey|"
    r"private[-_]?key|access[-_]?key)s?[\"']?\s*[:=]\s*[\"']?)([^\"'\s,;&})]+)",
    re.IGNORECASE,
)
_PRIVATE_KEY: Final = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)", re.DOTALL
)
#: Tokens whose shape alone says what they are.
_TOKENS: Final = re.compile(
    r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|"
    r"glpat-[A-Za-z0-9_\-]{20,}|sk_live_[A-Za-z0-9]{16,}|"
    r"eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})"
    r"|(?i:\bbearer\s+)[A-Za-z0-9._~+/\-]{16,}=*"
)
#: Cheap tests that let most strings skip the patterns.
_HINTS: Final = ("://", "=", ":", "-----BEGIN", "gh", "github_pat_", "xox", "glpat-", "sk_live_", "eyJ", "earer")


def secret_key(key: str) -> bool:
    """Whether a key chosen by a user (a tag, an option) looks like it names a secret."""
    return bool(_SECRET_KEY.search(key))


def redact_text(text: str) -> str:
    """``text`` with every secret it carries replaced by ``<redacted>``; the rest of it unchanged.

    ARNs are left alone: ``arn:aws:secretsmanager:...:secret:name`` names a
    secret, it does not hold one.
    """
    if not any(hint in text for hint in _HINTS):
        return text
    out = _PRIVATE_KEY.sub(REDACTED, text) if "-----BEGIN" in text else text
    if "://" in out:
        out = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", out)
        out = _URL_SECRET_PARAM.sub(lambda m: f"{m.group(1)}{REDACTED}", out)
    out = _TOKENS.sub(REDACTED, out)
    if not out.startswith("arn:") and ("=" in out or ":" in out):
        out = _PAIR.sub(lambda m: f"{m.group(1)}{REDACTED}", out)
    return out


def _redact_value(value: Any, depth: int = 0) -> Any:
    """Rule 2 over a JSON value, and the sensitive placeholders of rule 1 turned into markers."""
    if isinstance(value, str):
        if value == SENSITIVE:
            return unknown(_SENSITIVE_REASON)
        return redact_text(value)
    if depth > _MAX_DEPTH:
        return unknown("redacted: nested too deep to check for secrets")
    if isinstance(value, dict):
        return {key: _redact_value(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_value(item, depth + 1) for item in value]
    return value


def _redact_keys(mapping: Any) -> Any:
    """Rule 3 over one map whose keys users choose."""
    if not isinstance(mapping, dict) or "$unknown" in mapping:
        return mapping
    return {
        key: unknown(_KEY_REASON) if secret_key(str(key)) and value is not None else value
        for key, value in mapping.items()
    }


def _at(value: Any, steps: list[str], change: Any) -> Any:
    """``value`` with ``change`` applied to what a ``free_maps`` path (``a[].b.c``) names."""
    if not steps:
        return change(value)
    step, rest = steps[0], steps[1:]
    each = step.endswith("[]")
    name = step[:-2] if each else step
    if not isinstance(value, dict) or name not in value:
        return value
    inner = value[name]
    if each:
        replaced = [_at(item, rest, change) for item in inner] if isinstance(inner, list) else inner
    else:
        replaced = _at(inner, rest, change)
    return {**value, name: replaced}


def redact_resource(resource: Resource, types: ResourceTypes) -> Resource:
    """``resource`` as it may be kept: every rule applied to its attributes and tags (ids stay as AWS made them)."""
    attributes = _redact_value(resource.get("attributes") or {})
    declared = types.get(resource.get("type", ""))
    for path in declared.free_maps if declared is not None else ():
        attributes = _at(attributes, path.split("."), _redact_keys)
    tags = resource.get("tags") or {}
    return {**resource, "attributes": attributes, "tags": _redact_keys(_redact_value(tags))}


def _sensitive(shape: Any) -> bool:
    return bool(getattr(shape, "metadata", {}).get("sensitive"))


def _blank(value: Any, depth: int = 0) -> Any:
    """A sensitive value with its leaves replaced; map keys and entry names kept."""
    if isinstance(value, dict) and depth <= _MAX_DEPTH:
        return {k: v if k in _NAME_MEMBERS and isinstance(v, str) else _blank(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list) and depth <= _MAX_DEPTH:
        return [_blank(item, depth + 1) for item in value]
    return SENSITIVE


def redact_sensitive_members(value: Any, shape: Any, kept: frozenset[str] = frozenset(), path: str = "") -> Any:
    """``value`` (a parsed answer) with every member its botocore ``shape`` marks sensitive blanked.

    Registered by the observation session on every client's ``after-call``,
    so no collector ever holds a value AWS documents as secret. ``kept``
    names the member paths a collector declares are identifiers, not
    secrets (AWS marks S3's ``KMSMasterKeyID`` sensitive: it names a key).
    """
    if shape is None or len(path) > 4096:
        return value
    if _sensitive(shape) and path not in kept:
        return _blank(value)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        for name in list(value):
            if name in members:
                step = f"{path}.{name}" if path else name
                value[name] = redact_sensitive_members(value[name], members[name], kept, step)
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = redact_sensitive_members(item, shape.member, kept, f"{path}[]")
    elif kind == "map" and isinstance(value, dict):
        if (_sensitive(shape.value) or _sensitive(shape.key)) and path not in kept:
            return {key: _blank(item) for key, item in value.items()}
        for key in list(value):
            value[key] = redact_sensitive_members(value[key], shape.value, kept, f"{path}{{}}")
    return value
