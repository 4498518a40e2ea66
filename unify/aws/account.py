"""AWS Account Management: ``aws_account_alternate_contact``, the billing, operations and security contacts.

An account has at most one alternate contact of each type; a type that was
never set answers ResourceNotFoundException (Account API reference,
GetAlternateContact), which is a fact: the contact is absent. AWS marks
every field of a contact sensitive (name, title, email address, phone
number), so the snapshot keeps which contacts exist, never who they are:
those attributes are redaction markers. The account's primary contact
(``GetContactInformation``) is all sensitive fields too and says nothing a
check can read beyond its existence, which every account has, so it is not
observed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.errors import AwsError
from unify.model.resource import Resource
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

#: Every alternate contact type (Account API reference, AlternateContactType).
CONTACT_TYPES: Final = ("BILLING", "OPERATIONS", "SECURITY")

ATTRIBUTES = ("alternate_contact_type", "email_address", "name", "phone_number", "title")


def _contacts(ctx: CollectContext) -> Iterator[Resource]:
    account = ctx.client()

    def fetch(kind: str) -> Any:
        # A failure other than "not set" makes the whole listing unobserved: one missing type is not "absent".
        try:
            return ctx.call(
                account,
                "get_alternate_contact",
                AlternateContactType=kind,
                expect=("AlternateContact.AlternateContactType",),
            )["AlternateContact"]
        except AwsError as exc:
            if exc.code == "ResourceNotFoundException":
                return ABSENT
            raise

    for kind, contact in zip(CONTACT_TYPES, ctx.map(fetch, list(CONTACT_TYPES)), strict=True):
        if contact is ABSENT:
            continue
        yield ctx.resource(
            "aws_account_alternate_contact",
            f"{ctx.account}/{kind}",
            name=kind,
            attributes={
                "alternate_contact_type": contact["AlternateContactType"],
                "email_address": sent(contact, "EmailAddress"),
                "name": sent(contact, "Name"),
                "phone_number": sent(contact, "PhoneNumber"),
                "title": sent(contact, "Title"),
            },
        )


ALTERNATE_CONTACT = ResourceType(
    "aws_account_alternate_contact",
    ATTRIBUTES,
    regional=False,
    name_path="alternate_contact_type",
    # The contact's details are kept as redaction markers, so drift compares which contacts exist only.
    drift_ignore=("email_address", "name", "phone_number", "title"),
)

COLLECTORS = (
    Collector(
        name="account.alternate_contacts",
        service="account",
        resource_types=(ALTERNATE_CONTACT,),
        calls=("account:GetAlternateContact",),
        collect=_contacts,
        scope="global",
        description="The account's billing, operations and security contacts, one resource per contact set.",
        notes=(
            "Id `<account>/<type>` and name the type (`BILLING`, `OPERATIONS`, `SECURITY`); a type never set "
            "(ResourceNotFoundException) has no resource. AWS marks `email_address`, `name`, `phone_number` and "
            "`title` sensitive: they are kept as redaction markers. Any other failure of one of the three calls "
            "is `error` coverage, so a contact that could not be read is never reported missing."
        ),
    ),
)
