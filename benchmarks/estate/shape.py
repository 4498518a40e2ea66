"""The estate's shape: which resource types, how many of each in each account and region, and which listings failed."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from benchmarks.estate import account as settings
from benchmarks.estate import data, identity, network, stack
from benchmarks.estate.maker import REGIONS, Maker, Resource
from unify.model.snapshot import resource_key

#: Where an account's regional resources are, by share.
_REGION_SHARE = {"us-east-1": 0.4, "eu-west-1": 0.3, "us-west-2": 0.2, "eu-central-1": 0.1}
#: Resources per account: a large estate is many accounts.
RESOURCES_PER_ACCOUNT = 5000

Builder = Callable[[Maker, str, int], Resource]


@dataclass(frozen=True)
class Kind:
    """One resource type of the estate: how to build one, its share, and where it lives."""

    type: str
    build: Builder
    #: Per mille of the estate's resources (0 for the account-wide settings).
    share: float
    #: "regional": in one of the regions; "global": in region global (IAM); "bucket": a global
    #: listing (coverage in region global) of resources that each have a region (S3 buckets).
    scope: str = "regional"
    #: One per account ("global") or per account and region ("regional"), whatever the size.
    singleton: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("aws_batch_compute_environment", stack.compute_environment, 5),
    Kind("aws_cloudtrail", settings.trail, 2),
    Kind("aws_codebuild_project", stack.project, 15),
    Kind("aws_config_configuration_recorder", settings.recorder, 0, singleton=True),
    Kind("aws_db_instance", data.db_instance, 25),
    Kind("aws_ebs_encryption_by_default", settings.encryption_by_default, 0, singleton=True),
    Kind("aws_ebs_volume", network.volume, 130),
    Kind("aws_ecr_repository", stack.repository, 30),
    Kind("aws_ecs_service", stack.service, 25),
    Kind("aws_ecs_task_definition", stack.task_definition, 40),
    Kind("aws_efs_file_system", data.file_system, 10),
    Kind("aws_flow_log", network.flow_log, 15),
    Kind("aws_iam_account_password_policy", settings.password_policy, 0, "global", singleton=True),
    Kind("aws_iam_account_summary", settings.account_summary, 0, "global", singleton=True),
    Kind("aws_iam_group", identity.group, 8, "global"),
    Kind("aws_iam_policy", identity.policy, 35, "global"),
    Kind("aws_iam_role", identity.role, 80, "global"),
    Kind("aws_iam_server_certificate", identity.server_certificate, 3, "global"),
    Kind("aws_iam_user", identity.user, 40, "global"),
    Kind("aws_instance", network.instance, 90),
    Kind("aws_kms_key", data.kms_key, 30),
    Kind("aws_lambda_function", stack.function, 70),
    Kind("aws_network_acl", network.network_acl, 25),
    Kind("aws_s3_account_public_access_block", settings.account_public_access_block, 0, "global", singleton=True),
    Kind("aws_s3_bucket", data.bucket, 75, "bucket"),
    Kind("aws_sagemaker_training_job", stack.training_job, 20),
    Kind("aws_security_group", network.security_group, 120),
    Kind("aws_sfn_state_machine", stack.state_machine, 10),
    Kind("aws_vpc", network.vpc, 25),
)

#: Listings that failed: (kind, account index, region), when the estate has that account.
_FAILED_LISTINGS = (
    ("aws_lambda_function", 1, "eu-central-1", "AccessDeniedException", "lambda:ListFunctions"),
    ("aws_db_instance", 0, "us-west-2", "Throttling", "Rate exceeded"),
)


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` into integers that add up (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass(frozen=True)
class Plan:
    """How many resources of each type go in each account and region: the estate's shape."""

    size: int
    seed: int
    accounts: tuple[str, ...]
    #: (type, account, region) -> how many resources; regions as the coverage names them.
    counts: dict[tuple[str, str, str], int]
    failed: dict[tuple[str, str, str], tuple[str, str]]


def plan(size: int, seed: int = 15) -> Plan:
    """The shape of a ``size``-resource estate (exactly ``size`` resources)."""
    rng = random.Random(f"unify-estate/{seed}")  # noqa: S311 - seeded, not secret
    n_accounts = max(2, size // RESOURCES_PER_ACCOUNT)
    accounts = tuple(sorted({f"{rng.randrange(10**11, 10**12)}" for _ in range(n_accounts * 2)})[:n_accounts])
    failed = {
        (type_, accounts[index], region): (code, message)
        for type_, index, region, code, message in _FAILED_LISTINGS
        if index < len(accounts)
    }
    singletons = [kind for kind in KINDS if kind.singleton]
    per_account = sum(1 if kind.scope == "global" else len(REGIONS) for kind in singletons)
    bulk = [kind for kind in KINDS if not kind.singleton]
    remaining = max(size - per_account * len(accounts), 0)
    counts: dict[tuple[str, str, str], int] = {}
    for kind in singletons:
        for account in accounts:
            for region in ("global",) if kind.scope == "global" else REGIONS:
                counts[(kind.type, account, region)] = 1
    regions = sorted(_REGION_SHARE)
    for kind, total in zip(bulk, _split(remaining, [kind.share for kind in bulk]), strict=True):
        for account, in_account in zip(accounts, _split(total, [1.0] * len(accounts)), strict=True):
            if kind.scope != "regional":
                counts[(kind.type, account, "global")] = in_account
                continue
            live = [r for r in regions if (kind.type, account, r) not in failed]
            for region, n in zip(live, _split(in_account, [_REGION_SHARE[r] for r in live]), strict=True):
                counts[(kind.type, account, region)] = n
    return Plan(size, seed, accounts, counts, failed)


def coverage(shape: Plan) -> list[dict[str, Any]]:
    """One coverage entry per type, account and region observed, in canonical order."""
    entries = []
    for kind in sorted(KINDS, key=lambda k: k.type):
        for account in shape.accounts:
            for region in ("global",) if kind.scope != "regional" else REGIONS:
                entry: dict[str, Any] = {"account": account, "region": region, "status": "ok", "type": kind.type}
                failure = shape.failed.get((kind.type, account, region))
                if failure is not None:
                    entry.update(status="error", error={"code": failure[0], "message": failure[1]})
                entries.append(entry)
    return entries


def resources(shape: Plan) -> Iterator[Resource]:
    """Every resource of the estate, in canonical order (type, account, region, id)."""
    kinds = {kind.type: kind for kind in KINDS}
    for type_ in sorted(kinds):
        kind = kinds[type_]
        for account in shape.accounts:
            # Each type and account has its own stream: a group's resources do not depend on the others.
            maker = Maker(random.Random(f"{shape.seed}/{type_}/{account}"), account)  # noqa: S311
            group: list[Resource] = []
            for region in ("global",) if kind.scope != "regional" else REGIONS:
                count = shape.counts.get((type_, account, region), 0)
                group.extend(kind.build(maker, region, n) for n in range(count))
            group.sort(key=resource_key)
            yield from group
