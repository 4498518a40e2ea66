"""ACM: ``aws_acm_certificate``, the TLS certificates ACM issued or holds as imported, with expiry and key.

``ListCertificates`` returns only RSA 1024/2048 and EC P-256 keys unless it is
asked for the others (ACM API reference, ListCertificates ``Includes``), so
the listing names every key algorithm: a 4096-bit or P-384 certificate is
never left out of an observation that says it is complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import single

#: Every key algorithm ACM knows (ACM API reference, KeyAlgorithm), so the listing misses none.
KEY_TYPES: Final = ("RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1")

ATTRIBUTES = (
    "arn",
    "domain_name",
    "subject_alternative_names",
    "validation_method",
    "key_algorithm",
    "certificate_authority_arn",
    "options",
    "status",
    "type",
    "not_after",
    "not_before",
    "renewal_eligibility",
    # extras only observation can see
    "in_use_by",
    "issuer",
    "renewal_status",
    "created_at",
)


def _validation_method(certificate: dict[str, Any]) -> Any:
    methods = {o.get("ValidationMethod") for o in certificate.get("DomainValidationOptions") or []}
    methods.discard(None)
    # Imported certificates are not validated by ACM: no method (ACM User Guide, "Importing certificates").
    return methods.pop() if len(methods) == 1 else ABSENT


def _certificates(ctx: CollectContext) -> Iterator[Resource]:
    acm = ctx.client()
    arns = [
        c["CertificateArn"]
        for c in ctx.items(
            acm,
            "list_certificates",
            "CertificateSummaryList",
            each=("CertificateArn",),
            Includes={"keyTypes": list(KEY_TYPES)},
        )
    ]

    def observe(arn: str) -> Resource | None:
        described = ctx.detail(
            lambda: ctx.call(acm, "describe_certificate", CertificateArn=arn, expect=("Certificate.CertificateArn",))[
                "Certificate"
            ],
            absent=("ResourceNotFoundException",),
        )
        if described is ABSENT:
            return None  # deleted since the listing
        tags = ctx.detail(
            lambda: ctx.call(acm, "list_tags_for_certificate", CertificateArn=arn, expect=("Tags",))["Tags"]
        )
        if is_unknown(described) or not isinstance(described, dict):
            unread = dict.fromkeys(ATTRIBUTES, described)
            unread["arn"] = arn
            return ctx.resource("aws_acm_certificate", arn, name=None, tags=tags, attributes=unread)
        preference = (described.get("Options") or {}).get("CertificateTransparencyLoggingPreference")
        renewal = described.get("RenewalSummary") or {}
        domain = sent(described, "DomainName")
        return ctx.resource(
            "aws_acm_certificate",
            arn,
            name=domain if isinstance(domain, str) else None,
            tags=tags,
            attributes={
                "arn": arn,
                "domain_name": domain,
                "subject_alternative_names": sorted(described.get("SubjectAlternativeNames") or []),
                "validation_method": _validation_method(described),
                "key_algorithm": sent(described, "KeyAlgorithm"),
                "certificate_authority_arn": described.get("CertificateAuthorityArn", ABSENT),
                "options": {"certificate_transparency_logging_preference": preference} if preference else ABSENT,
                "status": sent(described, "Status"),
                "type": sent(described, "Type"),
                # A certificate still pending validation has no validity period yet (ACM API reference).
                "not_after": described.get("NotAfter", ABSENT),
                "not_before": described.get("NotBefore", ABSENT),
                "renewal_eligibility": described.get("RenewalEligibility", ABSENT),
                "in_use_by": sorted(described.get("InUseBy") or []),
                "issuer": described.get("Issuer", ABSENT),
                "renewal_status": renewal.get("RenewalStatus", ABSENT),
                "created_at": described.get("CreatedAt", described.get("ImportedAt", ABSENT)),
            },
        )

    for resource in ctx.map(observe, arns):
        if resource is not None:
            yield resource


def _from_terraform(values: dict[str, Any]) -> None:
    options = single(values.get("options"))
    if options is None:
        values.pop("options", None)
    elif isinstance(options, dict) and not is_unknown(options):
        preference = options.get("certificate_transparency_logging_preference")
        if preference:
            values["options"] = {"certificate_transparency_logging_preference": preference}
        else:
            values.pop("options")
    if isinstance(values.get("subject_alternative_names"), list):
        values["subject_alternative_names"] = sorted(str(n) for n in values["subject_alternative_names"])
    # An imported certificate (private_key given) is of type IMPORTED; a requested one is AMAZON_ISSUED.
    if "type" not in values and ("certificate_body" in values or "private_key" in values):
        values["type"] = "IMPORTED"


CERTIFICATE = ResourceType(
    "aws_acm_certificate",
    ATTRIBUTES,
    observed_only=("in_use_by", "issuer", "renewal_status", "created_at"),
    name_path="domain_name",
    # Provider default (docs of aws_acm_certificate): a requested certificate gets a 2048-bit RSA key.
    defaults={"key_algorithm": "RSA_2048"},
    from_terraform=_from_terraform,
    drift_ignore=("status", "not_after", "not_before", "renewal_eligibility", "type"),
    # DescribeCertificate is not a source: it gives the certificate's name (its domain) and says whether it
    # still exists.
    sources={"acm:ListTagsForCertificate": ("tags",)},
)

COLLECTORS = (
    Collector(
        name="acm.certificates",
        service="acm",
        resource_types=(CERTIFICATE,),
        calls=("acm:ListCertificates", "acm:DescribeCertificate", "acm:ListTagsForCertificate"),
        collect=_certificates,
        description="Every ACM certificate in the region, issued or imported, with its validity and key.",
        notes=(
            "Listed with every key algorithm in `Includes` (the default listing leaves RSA 3072/4096 and EC "
            "P-384/P-521 out). `not_after`/`not_before` are absent while a certificate awaits validation; "
            "`validation_method` is absent for imported certificates; `in_use_by` lists the ARNs of the load "
            "balancers and distributions using it, sorted. moto issues requested certificates at once (status "
            "stays PENDING_VALIDATION) and reports no renewal summary."
        ),
    ),
)
