"""The accounts an observation covers: an accounts file, or the accounts of an AWS Organization.

An account is reached by assuming a role in it (``sts:AssumeRole``, with an
optional external id and session name) from the base credentials of
whichever process observes it: the task that observes an account carries its
role ARN, never a secret. ``--accounts FILE`` names them::

    accounts:
      - id: "111122223333"
        role_arn: arn:aws:iam::111122223333:role/unify-audit
        regions: [us-east-1, eu-west-1]      # optional: else --regions
        external_id: audit-7f3c               # optional
        session_name: unify-audit             # optional (default: unify)

``--org`` lists the accounts of the Organization the base credentials can
read (its management account or a delegated administrator), optionally only
those under given organisational units or with given tags, and assumes
``--org-role NAME`` in each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from unify.checks.documents import Document, load_yaml
from unify.errors import InputError, ObservationError, Problem
from unify.observe.collector import aws_error

__all__ = ["DEFAULT_ORG_ROLE", "DEFAULT_SESSION_NAME", "Account", "load_accounts", "organisation_accounts"]

DEFAULT_SESSION_NAME: Final = "unify"
#: The role AWS Organizations creates in every account it creates.
DEFAULT_ORG_ROLE: Final = "OrganizationAccountAccessRole"

_ACCOUNT_ID = re.compile(r"\d{12}")
_ROLE_ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role/[\w+=,.@/-]{1,512}")
#: What STS accepts as a RoleSessionName and an ExternalId.
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
_KEYS: Final = ("id", "role_arn", "regions", "external_id", "session_name")


@dataclass(frozen=True)
class Account:
    """One account to observe and how to reach it (``role_arn`` None: the base credentials themselves)."""

    id: str
    role_arn: str | None = None
    #: Regions of this account (empty: the run's ``--regions``); ``("all",)`` for those enabled in it.
    regions: tuple[str, ...] = ()
    external_id: str | None = None
    session_name: str = DEFAULT_SESSION_NAME
    #: The account's name in the Organization (``--org`` only; empty otherwise).
    name: str = ""
    #: The organisational units above the account, root first, as (id, name) pairs (``--org`` only).
    ou_path: tuple[tuple[str, str], ...] = ()

    def organisation(self) -> dict[str, Any] | None:
        """What the snapshot records of the account's place in the Organization (None: nothing known)."""
        if not self.name and not self.ou_path:
            return None
        return {
            "name": self.name,
            "ou": [{"id": ou_id, "name": ou_name} for ou_id, ou_name in self.ou_path],
            "ou_path": "/".join(ou_name for _, ou_name in self.ou_path),
        }

    @property
    def partition(self) -> str:
        """The partition of the role's ARN (``aws`` without one)."""
        if self.role_arn is None:
            return "aws"
        return self.role_arn.split(":")[1] or "aws"


def _text(document: Document, path: tuple[str | int, ...], key: str, value: Any, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        shown = value if isinstance(value, str) else type(value).__name__
        raise InputError(
            Problem(document.file, document.line(path), key, f"{key} {shown!r} is not valid (expected {_HELP[key]})")
        )
    return value


_HELP: Final = {
    "id": "a 12-digit account id",
    "role_arn": "an IAM role ARN, arn:aws:iam::ACCOUNT:role/NAME",
    "session_name": "2 to 64 of letters, digits and +=,.@_-",
    "external_id": "2 to 1224 of letters, digits and +=,.@:/_-",
}


def _account(document: Document, index: int, entry: Any) -> Account:
    path: tuple[str | int, ...] = ("accounts", index)
    if not isinstance(entry, Mapping):
        raise InputError(Problem(document.file, document.line(path), "accounts", "each account is a mapping"))
    for key in entry:
        if key not in _KEYS:
            raise InputError(
                Problem(
                    document.file,
                    document.line((*path, key)),
                    str(key),
                    f"unknown key {key!r} (expected {', '.join(_KEYS)})",
                )
            )
    for key in ("id", "role_arn"):
        if key not in entry:
            raise InputError(Problem(document.file, document.line(path), key, f"an account needs {key}"))
    id_ = _text(document, (*path, "id"), "id", entry["id"], _ACCOUNT_ID)
    role_arn = _text(document, (*path, "role_arn"), "role_arn", entry["role_arn"], _ROLE_ARN)
    if role_arn.split(":")[4] != id_:
        raise InputError(
            Problem(
                document.file,
                document.line((*path, "role_arn")),
                "role_arn",
                f"the role {role_arn} is not in account {id_}",
            )
        )
    regions: tuple[str, ...] = ()
    if "regions" in entry:
        raw = entry["regions"]
        raw = [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list) or not raw or not all(isinstance(r, str) and r for r in raw):
            raise InputError(
                Problem(
                    document.file,
                    document.line((*path, "regions")),
                    "regions",
                    "regions is a list of region names, or 'all'",
                )
            )
        regions = tuple(sorted(set(raw)))
        if "all" in regions and len(regions) > 1:
            raise InputError(Problem(document.file, document.line((*path, "regions")), "regions", "'all' stands alone"))
    external_id = None
    if entry.get("external_id") is not None:
        external_id = _text(document, (*path, "external_id"), "external_id", entry["external_id"], _EXTERNAL_ID)
    session_name = DEFAULT_SESSION_NAME
    if entry.get("session_name") is not None:
        session_name = _text(document, (*path, "session_name"), "session_name", entry["session_name"], _SESSION_NAME)
    return Account(id_, role_arn, regions, external_id, session_name)


def load_accounts(path: str) -> list[Account]:
    """The accounts of an accounts file, in account order; a mistake names the file, line and key (exit 2)."""

    def raw(where: tuple[str | int, ...]) -> bool:
        # An unquoted account id keeps its digits (a leading zero, no integer conversion).
        return len(where) == 3 and where[0] == "accounts" and where[2] == "id"

    document = load_yaml(path, raw_strings=raw)
    data = document.data
    if not isinstance(data, Mapping) or not isinstance(data.get("accounts"), list) or not data["accounts"]:
        raise InputError(
            Problem(document.file, document.line(()), "accounts", "expected a top-level 'accounts:' list of accounts")
        )
    extra = [key for key in data if key != "accounts"]
    if extra:
        raise InputError(Problem(document.file, document.line((extra[0],)), str(extra[0]), f"unknown key {extra[0]!r}"))
    accounts: dict[str, Account] = {}
    for index, entry in enumerate(data["accounts"]):
        account = _account(document, index, entry)
        if account.id in accounts:
            raise InputError(
                Problem(
                    document.file,
                    document.line(("accounts", index, "id")),
                    "id",
                    f"account {account.id} is listed twice",
                )
            )
        accounts[account.id] = account
    return [accounts[key] for key in sorted(accounts)]


# -- the Organization ---------------------------------------------------------------------------------


def _calls(boto_session: Any, endpoint_url: str | None) -> Any:
    from botocore.config import Config  # with the first call: a snapshot's audit never loads botocore

    config = Config(retries={"mode": "standard", "total_max_attempts": 8})
    # Organizations is a global service served from us-east-1 (aws), cn-northwest-1 or us-gov-west-1.
    region = boto_session.region_name or "us-east-1"
    return boto_session.client("organizations", region_name=region, config=config, endpoint_url=endpoint_url)


def _ancestors(client: Any, account_id: str, memo: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every OU (and the root) above an account, nearest first."""
    chain: list[str] = []
    child = account_id
    while True:
        if child in memo:
            chain.extend(memo[child])
            break
        parents = client.list_parents(ChildId=child)["Parents"]
        if not parents:
            break
        parent = parents[0]
        chain.append(parent["Id"])
        if parent["Type"] == "ROOT":
            break
        child = parent["Id"]
    memo[account_id] = tuple(chain)
    return memo[account_id]


def _place(client: Any, account_id: str, memo: dict[str, tuple[str, ...]], *, needed: bool) -> tuple[str, ...]:
    """The OUs above an account; when no ``--org-ou`` filter needs them, none if ListParents is refused."""
    try:
        return _ancestors(client, account_id, memo)
    except Exception as exc:
        if needed or aws_error(exc, "organizations:ListParents") is None:
            raise
        return ()


def _ou_names(client: Any, chain: Sequence[str], names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The (id, name) of each unit of ``chain`` (nearest first), root first; the root is named ``Root``."""
    path: list[tuple[str, str]] = []
    for ou_id in reversed(chain):
        if ou_id not in names:
            if ou_id.startswith("r-"):
                names[ou_id] = "Root"
            else:
                try:
                    unit = client.describe_organizational_unit(OrganizationalUnitId=ou_id)["OrganizationalUnit"]
                except Exception as exc:
                    if aws_error(exc, "organizations:DescribeOrganizationalUnit") is None:
                        raise
                    unit = {}  # a name is for reading only: without the permission, the OU is shown by its id
                names[ou_id] = str(unit.get("Name") or ou_id)
        path.append((ou_id, names[ou_id]))
    return tuple(path)


def _tags(client: Any, account_id: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in client.get_paginator("list_tags_for_resource").paginate(ResourceId=account_id):
        for tag in page["Tags"]:
            tags[str(tag["Key"])] = str(tag["Value"])
    return tags


def organisation_accounts(
    boto_session: Any,
    role_name: str = DEFAULT_ORG_ROLE,
    *,
    ous: Sequence[str] = (),
    tags: Mapping[str, str] | None = None,
    regions: Sequence[str] = (),
    endpoint_url: str | None = None,
) -> list[Account]:
    """The active accounts of the Organization, under any of ``ous`` and with all of ``tags``, in id order.

    Each is reached by assuming ``role_name`` in it, and carries its name and
    the path of organisational units above it, so reports can group by OU.
    Listing needs ``organizations:ListAccounts``, ``ListParents`` and
    ``DescribeOrganizationalUnit`` (and ``ListTagsForResource`` for the tag
    filter) in the management or a delegated-administrator account;
    without them nothing can be observed, which is an error of the run.
    """
    from botocore.exceptions import BotoCoreError  # see _calls

    wanted_ous = set(ous)
    wanted_tags = dict(tags or {})
    client = _calls(boto_session, endpoint_url)
    memo: dict[str, tuple[str, ...]] = {}
    names: dict[str, str] = {}
    found: list[Account] = []
    try:
        for page in client.get_paginator("list_accounts").paginate():
            for entry in page["Accounts"]:
                if entry.get("Status", entry.get("State")) != "ACTIVE":
                    continue  # suspended or closing accounts answer no API call
                account_id = str(entry["Id"])
                chain = _place(client, account_id, memo, needed=bool(wanted_ous))
                if wanted_ous and not wanted_ous & set(chain):
                    continue
                if wanted_tags:
                    present = _tags(client, account_id)
                    if any(present.get(key) != value for key, value in wanted_tags.items()):
                        continue
                partition = str(entry.get("Arn", "arn:aws:")).split(":")[1] or "aws"
                role_arn = f"arn:{partition}:iam::{account_id}:role/{role_name}"
                path = _ou_names(client, chain, names)
                name = str(entry.get("Name") or "")
                found.append(Account(account_id, role_arn, tuple(regions), name=name, ou_path=path))
    except (BotoCoreError, KeyError, IndexError) as exc:
        raise ObservationError(f"cannot list the accounts of the Organization: {exc}") from None
    except Exception as exc:
        error = aws_error(exc, "organizations:ListAccounts")
        if error is None:
            raise
        raise ObservationError(
            f"cannot list the accounts of the Organization ({error.operation}): {error.code}: {error.message}"
        ) from None
    if not found:
        raise ObservationError("the Organization has no active account that matches the --org filters")
    return sorted(found, key=lambda account: account.id)
