"""Limits on what an observation asks of one account: concurrent calls per service and region, requests per second.

AWS throttles per account and region (per service, and for EC2 per class of
action), so the caps are kept per account: one :class:`AccountLimits` per
account and process, shared by every unit of that account that runs there
(every retry included), whichever thread runs it. A cap is a semaphore per
(service, region); the per-resource sub-calls take it *before* they occupy a
worker of the sub-call pool (:meth:`unify.observe.session.Session.map`), so
one service's backlog never holds the workers another service could use.

``--max-requests-per-second N`` is a sliding window: at most N HTTP requests
(retries included) leave for the account in any one-second window, for
accounts other teams use too. The clock and the sleep are injectable, so the
window can be tested without waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Final

__all__ = ["DEFAULT_LIMIT", "DEFAULT_SERVICE_LIMITS", "AccountLimits", "RequestWindow", "divided"]

# Concurrent requests per (service, region) and account, sized to what AWS documents about throttling:
# - EC2 throttles with a token bucket per account and region; non-mutating (Describe*) actions have a bucket
#   of 100 tokens refilled at 20 per second, per API
#   (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): 8 concurrent calls spread over
#   several Describe* APIs stay near the refill.
# - IAM and STS are global, with low rates that AWS does not publish per action ("IAM and AWS STS quotas",
#   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); 4 and 2 stay polite.
# - S3 supports at least 5,500 GET/HEAD requests per second per prefix
#   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html), and bucket
#   configuration reads are per bucket: 16.
# - KMS sets a request quota per operation, per second, account and region
#   (https://docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html): 8.
# - CloudTrail's quotas are per API, in transactions per second and not adjustable
#   (https://docs.aws.amazon.com/general/latest/gr/ct.html): 4.
# - AWS Config and S3 Control have low per-account rates: 4 and 2.
DEFAULT_SERVICE_LIMITS: Final[Mapping[str, int]] = {
    "iam": 4,
    "sts": 2,
    "cloudtrail": 4,
    "config": 4,
    "s3control": 2,
    "s3": 16,
    "ec2": 8,
    "kms": 8,
}
#: Every other service.
DEFAULT_LIMIT: Final = 8

Clock = Callable[[], float]
Sleep = Callable[[float], None]


def divided(limits: Mapping[str, int], default: int, workers: int) -> tuple[dict[str, int], int]:
    """Each cap divided among ``workers`` processes (at least 1 each), so together they hold the cap."""
    share = max(1, workers)
    return {service: max(1, limit // share) for service, limit in sorted(limits.items())}, max(1, default // share)


class RequestWindow:
    """At most ``per_second`` requests in any window of one second (a sliding window over the last ones sent)."""

    def __init__(self, per_second: int, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self.per_second = per_second
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> None:
        """Wait until one more request fits in the window, then count it as sent."""
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= 1.0:
                    self._sent.popleft()
                if len(self._sent) < self.per_second:
                    self._sent.append(now)
                    return
                wait = 1.0 - (now - self._sent[0])
            self._sleep(max(wait, 0.001))


class AccountLimits:
    """The caps of one account in this process: a semaphore per (service, region), and the request window."""

    def __init__(
        self,
        service_limits: Mapping[str, int],
        default_limit: int,
        max_requests_per_second: int | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._limits = dict(service_limits)
        self._default = default_limit
        self._caps: dict[tuple[str, str], threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.window = (
            RequestWindow(max_requests_per_second, clock=clock, sleep=sleep) if max_requests_per_second else None
        )

    def limit(self, service: str) -> int:
        return max(1, self._limits.get(service, self._default))

    def cap(self, service: str, region: str) -> threading.BoundedSemaphore:
        """The semaphore of (service, region) in this account, made on first use."""
        key = (service, region)
        with self._lock:
            found = self._caps.get(key)
            if found is None:
                found = self._caps[key] = threading.BoundedSemaphore(self.limit(service))
            return found

    def before_request(self) -> None:
        """Called as each HTTP request leaves (retries too): waits for the request window, if any."""
        if self.window is not None:
            self.window.take()
