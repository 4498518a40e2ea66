"""IAM identity providers: ``aws_iam_saml_provider`` and ``aws_iam_openid_connect_provider``.

A SAML provider is how people sign in from a central identity store (IAM
Identity Center creates one, ``AWSSSO_..._DO_NOT_DELETE``, in every account
it provisions); an OpenID Connect provider is how workloads outside AWS (CI
runners, Kubernetes service accounts) assume roles without long-lived keys.
Both are global. Neither listing is paginated, so each is one call, and one
``get_*`` per provider gives its details.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import require
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

SAML_ATTRIBUTES = ("arn", "name", "valid_until", "create_date")
OIDC_ATTRIBUTES = ("arn", "url", "client_id_list", "thumbprint_list", "create_date")


def _listed(ctx: CollectContext, iam: Any, operation: str, key: str) -> list[dict[str, Any]]:
    """A provider listing (not paginated: one answer holds every provider), each item with its ARN."""
    items = ctx.call(iam, operation, expect=(key,))[key]
    for item in items:
        require(item, ("Arn",), f"iam:{operation}")
    return sorted(items, key=lambda item: str(item["Arn"]))


def _saml(ctx: CollectContext) -> Iterator[Resource]:
    iam = ctx.client()

    def observe(listed: dict[str, Any]) -> Resource | None:
        arn = str(listed["Arn"])
        detail: Any = ctx.detail(
            lambda: ctx.call(iam, "get_saml_provider", SAMLProviderArn=arn), absent=("NoSuchEntity",)
        )
        if detail is ABSENT:
            return None  # deleted since the listing
        tags = detail if unread(detail) else detail.get("Tags") or []
        name = arn.rsplit("/", 1)[-1]  # arn:aws:iam::ACCOUNT:saml-provider/NAME
        return ctx.resource(
            "aws_iam_saml_provider",
            arn,
            name=name,
            tags=tags,
            attributes={
                "arn": arn,
                "name": name,
                "valid_until": sent(listed, "ValidUntil"),
                "create_date": sent(listed, "CreateDate"),
            },
        )

    for resource in ctx.map(observe, _listed(ctx, iam, "list_saml_providers", "SAMLProviderList")):
        if resource is not None:
            yield resource


def _oidc(ctx: CollectContext) -> Iterator[Resource]:
    iam = ctx.client()

    def observe(listed: dict[str, Any]) -> Resource | None:
        arn = str(listed["Arn"])
        detail = ctx.detail(
            lambda: ctx.call(iam, "get_open_id_connect_provider", OpenIDConnectProviderArn=arn, expect=("Url",)),
            absent=("NoSuchEntity",),
        )
        if detail is ABSENT:
            return None
        if is_unknown(detail) or not isinstance(detail, dict):
            return ctx.resource(
                "aws_iam_openid_connect_provider",
                arn,
                name=f"https://{arn.split(':oidc-provider/', 1)[-1]}",
                tags=detail,
                attributes={"arn": arn, **dict.fromkeys(OIDC_ATTRIBUTES[1:], detail)},
            )
        url = str(detail["Url"])
        # IAM answers the URL without its scheme; Terraform (and the issuer) spell it https://...
        full = url if url.startswith("https://") else f"https://{url}"
        return ctx.resource(
            "aws_iam_openid_connect_provider",
            arn,
            name=full,
            tags=detail.get("Tags") or [],
            attributes={
                "arn": arn,
                "url": full,
                "client_id_list": sent(detail, "ClientIDList", sorted),
                "thumbprint_list": sent(detail, "ThumbprintList", sorted),
                "create_date": sent(detail, "CreateDate"),
            },
        )

    for resource in ctx.map(observe, _listed(ctx, iam, "list_open_id_connect_providers", "OpenIDConnectProviderList")):
        if resource is not None:
            yield resource


def _oidc_from_terraform(values: dict[str, Any]) -> None:
    for key in ("client_id_list", "thumbprint_list"):
        if isinstance(values.get(key), list):
            values[key] = sorted(str(v) for v in values[key])


SAML_PROVIDER = ResourceType(
    "aws_iam_saml_provider",
    SAML_ATTRIBUTES,
    observed_only=("create_date",),
    regional=False,
    # The listing gives every attribute; GetSAMLProvider is asked per provider for its tags only.
    sources={"iam:GetSAMLProvider": ("tags",)},
    drift_ignore=("valid_until", "create_date"),
)

OIDC_PROVIDER = ResourceType(
    "aws_iam_openid_connect_provider",
    OIDC_ATTRIBUTES,
    observed_only=("create_date",),
    regional=False,
    name_path="url",
    from_terraform=_oidc_from_terraform,
    drift_ignore=("create_date", "thumbprint_list"),
)

COLLECTORS = (
    Collector(
        name="iam.saml_providers",
        service="iam",
        resource_types=(SAML_PROVIDER,),
        calls=("iam:ListSAMLProviders", "iam:GetSAMLProvider"),
        collect=_saml,
        scope="global",
        description="IAM SAML identity providers: federated sign-in from a central identity store.",
        notes=(
            "From `list_saml_providers` (one answer, not paginated) and `get_saml_provider` for the tags. The "
            "metadata document is not kept (it is large and holds only the IdP's certificates and endpoints)."
        ),
    ),
    Collector(
        name="iam.openid_connect_providers",
        service="iam",
        resource_types=(OIDC_PROVIDER,),
        calls=("iam:ListOpenIDConnectProviders", "iam:GetOpenIDConnectProvider"),
        collect=_oidc,
        scope="global",
        description="IAM OpenID Connect identity providers: workloads outside AWS assuming roles.",
        notes=(
            "From `list_open_id_connect_providers` and `get_open_id_connect_provider` per provider; `url` is "
            "given with its `https://` scheme as Terraform writes it (IAM answers it without); client ids and "
            "thumbprints are sorted. The resource's name is its `url`."
        ),
    ),
)
