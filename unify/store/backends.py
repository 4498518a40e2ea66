"""Where the evidence store keeps its bytes: a local folder or an S3 prefix, with the same layout.

A backend creates keys exclusively and never overwrites: locally by writing
a temporary file and hard-linking it into place (the link fails if the name
exists), on S3 with a conditional put (``If-None-Match: *``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from unify.errors import EvidenceError

__all__ = ["Backend", "LocalBackend", "S3Backend", "canonical", "object_key", "sha256_digest"]


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def object_key(digest: str) -> str:
    hexdigest = digest.split(":", 1)[1]
    return f"objects/sha256/{hexdigest[:2]}/{hexdigest[2:]}"


def canonical(document: Any) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Backend(Protocol):
    """Where the bytes live: create-only writes, reads and sorted listing."""

    location: str

    def create(self, key: str, data: bytes) -> bool:
        """Store ``data`` under ``key`` unless the key exists; False when it did."""

    def read(self, key: str) -> bytes | None: ...

    def list(self, prefix: str) -> list[str]: ...

    def remove(self, key: str) -> None:
        """For tests and administrators only; unify itself never deletes."""


class LocalBackend:
    """A folder; writes go to a temporary file that is hard-linked into place."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.location = str(self.root)

    def create(self, key: str, data: bytes) -> bool:
        target = self.root / key
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, target)  # atomic and exclusive: fails if the name exists
            except FileExistsError:
                return False
            except OSError:
                # A filesystem without hard links: exclusive create, then fill.
                try:
                    with open(target, "xb") as handle:
                        handle.write(data)
                except FileExistsError:
                    return False
            return True
        finally:
            Path(temp).unlink(missing_ok=True)

    def read(self, key: str) -> bytes | None:
        try:
            return (self.root / key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise EvidenceError(f"{self.root / key}: cannot read: {exc.strerror or exc}") from None

    def list(self, prefix: str) -> list[str]:
        base = self.root / prefix
        if not base.exists():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )

    def remove(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)


class S3Backend:
    """An S3 prefix; creates are conditional puts, so an existing object is never replaced."""

    def __init__(self, bucket: str, prefix: str, client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}".rstrip("/")
        if client is None:
            import boto3  # here, not with the module: a store on disk never loads boto3

            client = boto3.client("s3")
        self.client = client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def create(self, key: str, data: bytes) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, IfNoneMatch="*")
            return True
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if (
                code in ("PreconditionFailed", "ConditionalRequestConflict")
                or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 412
            ):
                return False
            raise EvidenceError(f"{self.location}/{key}: cannot write: {code}: {exc}") from None

    def read(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            data: bytes = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                return None
            raise EvidenceError(f"{self.location}/{key}: cannot read: {code}") from None
        return data

    def list(self, prefix: str) -> list[str]:
        keys: list[str] = []
        strip = len(self.prefix) + 1 if self.prefix else 0
        from botocore.exceptions import ClientError

        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self._key(prefix)
            ):
                keys.extend(item["Key"][strip:] for item in page.get("Contents", []))
        except ClientError as exc:
            raise EvidenceError(f"{self.location}: cannot list: {exc.response.get('Error', {}).get('Code')}") from None
        return sorted(keys)

    def remove(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
