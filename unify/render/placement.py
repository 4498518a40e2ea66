"""Where a finding lives in AWS, as finding formats for other tools need it: account, region, partition, time.

Security Hub and OCSF consumers file findings by account and region, and
need the partition for ARNs. unify's results carry an account and a region
when there is one; an IAM finding is in region ``global``, a scope that was
not observed at all in no account. These functions decide, once for every
format, which region such a finding is filed in (the home region: the one
asked for, else the snapshot's first real region) and which account ids are
real ones.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from unify.model.time import parse_timestamp
from unify.results import Result, Results

__all__ = ["aws_account", "epoch_millis", "filed_region", "home_region", "is_region", "partition_of"]

_ACCOUNT: Final = re.compile(r"^\d{12}$")
_REGION: Final = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
#: Region prefixes of the partitions other than the commercial one.
_PARTITIONS: Final = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"), ("us-iso-", "aws-iso"))
#: Where findings with no region of their own go when the snapshot names no region either.
DEFAULT_REGION: Final = "us-east-1"


def is_region(name: str | None) -> bool:
    """Whether ``name`` is an AWS region name (``eu-west-1``), not ``global``, ``*`` or ``unknown``."""
    return bool(name and _REGION.match(name))


def aws_account(result: Result) -> str | None:
    """The result's AWS account id, when it has a real one (a plan's ``unknown`` is none)."""
    return result.account if result.account and _ACCOUNT.match(result.account) else None


def partition_of(region: str) -> str:
    """``aws``, or ``aws-cn``, ``aws-us-gov``... for the regions of the other partitions."""
    for prefix, partition in _PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


def home_region(results: Results, asked: str | None = None) -> str:
    """The region findings without one of their own are filed in."""
    if asked:
        return asked
    return next((r for r in results.snapshot.regions if is_region(r)), DEFAULT_REGION)


def filed_region(result: Result, home: str) -> str:
    """The region a finding is filed in: its own, or the home region for global and unscoped ones."""
    return result.region if is_region(result.region) and result.region is not None else home


def epoch_millis(timestamp: str) -> int:
    """An ISO 8601 UTC timestamp as milliseconds since the epoch (OCSF's ``timestamp_t``)."""
    moment = parse_timestamp(timestamp)
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1000)
