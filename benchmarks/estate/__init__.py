"""A seeded generator of realistic snapshots, at any size: what the evaluation benchmark and its tests audit.

The estate is what the collectors produce: every resource type the shipped
packs read, each with the attributes and shapes of its collector (see
docs/resource-types.md), spread over many accounts and four regions, with
the account-wide settings every observed account has. Values are a mix of
compliant and non-compliant (an open SSH rule on one security group in
twenty, an unencrypted volume in seven), a few values the observation could
not read (``{"$unknown": ...}``) and a few listings that failed (coverage
``error``), so every shipped check has work to do and every verdict occurs.

The same ``(size, seed)`` always gives the same snapshot, byte for byte.
:func:`generate` builds one in memory (tests); :func:`write` streams one to
a file in unify's canonical form with its digest, without holding the
resources (the benchmark's million).
"""

from benchmarks.estate.shape import KINDS, REGIONS, Kind, Plan, coverage, plan, resources
from benchmarks.estate.snapshot import generate, write

__all__ = ["KINDS", "REGIONS", "Kind", "Plan", "coverage", "generate", "plan", "resources", "write"]
