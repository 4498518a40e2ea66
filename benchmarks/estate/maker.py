"""What every builder shares: the seeded random stream, the account, the snapshot's clock and the resource shape."""

from __future__ import annotations

import calendar
import json
import random
import time
from typing import Any

REGIONS = ("eu-central-1", "eu-west-1", "us-east-1", "us-west-2")
TAKEN_AT = "2026-11-20T09:00:00Z"
_TAKEN = calendar.timegm(time.strptime(TAKEN_AT, "%Y-%m-%dT%H:%M:%SZ"))

Resource = dict[str, Any]


def dump(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


class Maker:
    """What one resource builder needs: the random stream, the account and a clock."""

    def __init__(self, rng: random.Random, account: str) -> None:
        self.rng = rng
        self.account = account

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def ago(self, low_days: float, high_days: float) -> str:
        """A timestamp between ``low_days`` and ``high_days`` before the snapshot was taken."""
        seconds = _TAKEN - int(self.rng.uniform(low_days, high_days) * 86400)
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))

    def arn(self, service: str, region: str, tail: str) -> str:
        return f"arn:aws:{service}:{region}:{self.account}:{tail}"

    def pick(self, *options: Any) -> Any:
        return options[self.rng.randrange(len(options))]

    def tags(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        tags = {}
        if self.chance(0.8):
            tags["environment"] = self.pick("production", "production", "staging", "dev")
        if self.chance(0.7):
            tags["team"] = f"team-{self.rng.randrange(60)}"
        if self.chance(0.3):
            tags["cost-center"] = f"cc-{self.rng.randrange(1000, 9999)}"
        tags.update(extra or {})
        return tags


def resource(
    type_: str, arn: str, name: str | None, account: str, region: str, attributes: dict[str, Any], tags: Any
) -> Resource:
    return {
        "type": type_,
        "id": arn,
        "name": name,
        "account": account,
        "region": region,
        "tags": tags,
        "attributes": attributes,
    }


def statement(effect: str, actions: list[str], resources: list[str], **more: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect, "Action": actions, "Resource": resources}
    statement.update(more)
    return statement


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}
