"""Sending ASFF findings to AWS Security Hub, batch by batch, within its documented rate.

``BatchImportFindings`` takes up to 100 findings (6 MB) per call, at 10
calls per second per account and region (with bursts of 30). The batches of
:mod:`unify.render.asff` already respect the first limit; :class:`RateLimit`
keeps the calls at the steady rate, never relying on the burst, and
botocore's own retries absorb a throttled call. Findings the service refuses
are reported one by one, with the code and message it gave.

With the default product ARN of a custom integration, only the account a
finding belongs to may import it: batches of other accounts are left out,
and said so, rather than sent to fail.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from unify.errors import InputError, Problem
from unify.render.asff import Batch

__all__ = ["CALLS_PER_SECOND", "Delivery", "RateLimit", "deliver"]

#: Security Hub's documented steady rate for BatchImportFindings, per account and region.
CALLS_PER_SECOND: Final = 10


class RateLimit:
    """At most ``per_second`` calls in any one second (a sliding window of the last calls' times).

    The clock and the sleep are injectable, so the limit is tested without waiting.
    """

    def __init__(
        self,
        per_second: int = CALLS_PER_SECOND,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = per_second
        self.clock, self.sleep = clock, sleep
        self.recent: deque[float] = deque()

    def wait(self) -> None:
        """Return when one more call keeps every one-second window within the rate, sleeping if need be."""
        now = self.clock()
        while self.recent and now - self.recent[0] >= 1.0:
            self.recent.popleft()
        if len(self.recent) >= self.per_second:
            self.sleep(1.0 - (now - self.recent[0]))
            now = max(self.clock(), self.recent[0] + 1.0)
            self.recent.popleft()
        self.recent.append(now)


@dataclass
class Delivery:
    """What an export did: findings sent and imported, those refused, batches left out and why."""

    sent: int = 0
    imported: int = 0
    calls: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    regions: set[str] = field(default_factory=set)


def deliver(
    batches: Sequence[Batch],
    client_for: Callable[[str], Any],
    *,
    account: str | None = None,
    limit: RateLimit | None = None,
) -> Delivery:
    """Send every batch of ``account`` (every batch, when None) to its region's Security Hub.

    ``client_for(region)`` gives a boto3 ``securityhub`` client. A call that
    fails as a whole (Security Hub not enabled, access denied) is an error
    naming the region; findings refused one by one are in ``failed``.
    """
    from botocore.exceptions import BotoCoreError, ClientError  # when sending, not with the CLI

    limit = limit if limit is not None else RateLimit()
    done = Delivery()
    for batch in batches:
        if account is not None and batch.account != account:
            done.skipped[batch.account] = done.skipped.get(batch.account, 0) + len(batch.findings)
            continue
        limit.wait()
        try:
            answer = client_for(batch.region).batch_import_findings(**batch.request())
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise InputError(
                Problem(
                    f"securityhub {batch.region}",
                    None,
                    None,
                    f"BatchImportFindings failed for account {batch.account}: "
                    f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": "),
                )
            ) from None
        except BotoCoreError as exc:
            raise InputError(Problem(f"securityhub {batch.region}", None, None, str(exc))) from None
        done.calls += 1
        done.sent += len(batch.findings)
        done.regions.add(batch.region)
        done.imported += int(answer.get("SuccessCount", 0))
        for refused in answer.get("FailedFindings") or []:
            done.failed.append(
                (str(refused.get("Id", "")), str(refused.get("ErrorCode", "")), str(refused.get("ErrorMessage", "")))
            )
    return done
