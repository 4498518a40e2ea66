"""Classic Load Balancers (``aws_elb``): listeners, zones, attributes and the TLS policy of each secure listener.

Terraform keeps a Classic Load Balancer's listeners, access logs, cross-zone
balancing, connection draining and desync mitigation on ``aws_elb`` itself;
the API splits them over DescribeLoadBalancers and
DescribeLoadBalancerAttributes. The negotiation policy of each HTTPS or SSL
listener is another call (DescribeLoadBalancerPolicies), kept as the extra
``listener_security_policies``. Listener protocols are lower case, as the
provider writes them in its state.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.aws._ec2_shared import texts
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

#: What DescribeLoadBalancerAttributes answers for one load balancer.
_SETTINGS = (
    "access_logs",
    "cross_zone_load_balancing",
    "connection_draining",
    "connection_draining_timeout",
    "idle_timeout",
    "desync_mitigation_mode",
)

ELB_ATTRIBUTES = (
    "arn",
    "name",
    "internal",
    "availability_zones",
    "subnets",
    "security_groups",
    "instances",
    "listener",
    *_SETTINGS,
    "dns_name",
    # extras only observation can see
    "listener_security_policies",
)

#: DescribeTags takes at most 20 load balancer names (ELB API reference, DescribeTags).
_TAG_BATCH: Final = 20
_SECURE: Final = frozenset({"https", "ssl"})


def _listener(description: Mapping[str, Any]) -> dict[str, Any]:
    listener = description.get("Listener") or {}
    return {
        "instance_port": listener.get("InstancePort"),
        "instance_protocol": str(listener.get("InstanceProtocol", "")).lower(),
        "lb_port": listener.get("LoadBalancerPort"),
        "lb_protocol": str(listener.get("Protocol", "")).lower(),
        "ssl_certificate_id": listener.get("SSLCertificateId") or "",
    }


def _attributes(answer: Any) -> dict[str, Any]:
    if unread(answer):
        return dict.fromkeys(_SETTINGS, answer)
    attributes = answer["LoadBalancerAttributes"]

    def part(name: str) -> Any:
        value = attributes.get(name)
        return value if isinstance(value, Mapping) else None

    def missing(name: str) -> Any:
        return unknown(f"{MALFORMED}: {name} not sent")

    logs, zone, draining, settings = (
        part("AccessLog"),
        part("CrossZoneLoadBalancing"),
        part("ConnectionDraining"),
        part("ConnectionSettings"),
    )
    extra = {a.get("Key"): a.get("Value") for a in attributes.get("AdditionalAttributes") or []}
    access: Any = missing("AccessLog")
    if logs is not None:
        access = {"enabled": bool(logs.get("Enabled"))}
        if logs.get("S3BucketName"):
            access["bucket"] = logs["S3BucketName"]
        if logs.get("S3BucketPrefix"):
            access["bucket_prefix"] = logs["S3BucketPrefix"]
        if logs.get("EmitInterval"):
            access["interval"] = logs["EmitInterval"]
    return {
        "access_logs": access,
        "cross_zone_load_balancing": sent(zone, "Enabled", bool) if zone is not None else missing("CrossZone"),
        "connection_draining": sent(draining, "Enabled", bool) if draining is not None else missing("Draining"),
        "connection_draining_timeout": (draining or {}).get("Timeout", ABSENT),
        "idle_timeout": (settings or {}).get("IdleTimeout", ABSENT),
        "desync_mitigation_mode": extra.get("elb.http.desyncmitigationmode")
        or missing("the elb.http.desyncmitigationmode attribute"),
    }


def _security_policies(ctx: CollectContext, elb: Any, name: str, listeners: list[Mapping[str, Any]]) -> Any:
    """The predefined policy each HTTPS or SSL listener negotiates with: ``[{lb_port, reference_security_policy}]``.

    A secure listener with no negotiation policy of its own uses the one AWS
    applies by default, named by no attribute: its ``reference_security_policy``
    is then empty.
    """
    secure = [d for d in listeners if str((d.get("Listener") or {}).get("Protocol", "")).lower() in _SECURE]
    if not secure:
        return []

    def read() -> list[dict[str, Any]]:
        answer = ctx.call(elb, "describe_load_balancer_policies", LoadBalancerName=name, expect=("PolicyDescriptions",))
        references = {}
        for policy in answer["PolicyDescriptions"]:
            if policy.get("PolicyTypeName") != "SSLNegotiationPolicyType":
                continue
            for attribute in policy.get("PolicyAttributeDescriptions") or []:
                if attribute.get("AttributeName") == "Reference-Security-Policy":
                    references[policy.get("PolicyName")] = attribute.get("AttributeValue") or ""
        found = []
        for description in secure:
            named = [references[p] for p in description.get("PolicyNames") or [] if p in references]
            found.append(
                {
                    "lb_port": (description.get("Listener") or {}).get("LoadBalancerPort"),
                    "reference_security_policy": named[0] if named else "",
                }
            )
        return sorted(found, key=lambda p: int(p["lb_port"] or 0))

    return ctx.detail(read)


def _load_balancers(ctx: CollectContext) -> Iterator[Resource]:
    elb = ctx.client()
    balancers = list(ctx.items(elb, "describe_load_balancers", "LoadBalancerDescriptions", each=("LoadBalancerName",)))
    names = [b["LoadBalancerName"] for b in balancers]

    def describe(balancer: Mapping[str, Any]) -> tuple[Any, Any]:
        name = balancer["LoadBalancerName"]
        attributes = ctx.detail(
            lambda: ctx.call(
                elb, "describe_load_balancer_attributes", LoadBalancerName=name, expect=("LoadBalancerAttributes",)
            ),
            absent=("LoadBalancerNotFound",),
        )
        return attributes, _security_policies(ctx, elb, name, balancer.get("ListenerDescriptions") or [])

    details = ctx.map(describe, balancers)
    tags: dict[str, Any] = {}
    for start in range(0, len(names), _TAG_BATCH):
        batch = names[start : start + _TAG_BATCH]

        def read(batch: list[str] = batch) -> Any:
            return ctx.call(elb, "describe_tags", LoadBalancerNames=batch, expect=("TagDescriptions",))

        answer: Any = ctx.detail(read)
        if unread(answer):
            tags.update(dict.fromkeys(batch, answer))
        else:
            tags.update({d.get("LoadBalancerName"): d.get("Tags") or [] for d in answer["TagDescriptions"]})
    for balancer, (attributes, policies) in zip(balancers, details, strict=True):
        if attributes is ABSENT:
            continue  # deleted between the listing and now (not seen when the attributes call is skipped)
        name = balancer["LoadBalancerName"]
        arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{name}")
        yield ctx.resource(
            "aws_elb",
            arn,
            name=name,
            tags=tags.get(name, []),
            attributes={
                "arn": arn,
                "name": name,
                "internal": sent(balancer, "Scheme", lambda scheme: scheme == "internal"),
                "availability_zones": texts(balancer.get("AvailabilityZones")),
                "subnets": texts(balancer.get("Subnets")),
                "security_groups": texts(balancer.get("SecurityGroups")),
                "instances": texts(balancer.get("Instances"), "InstanceId"),
                "listener": sorted(
                    (_listener(d) for d in balancer.get("ListenerDescriptions") or []),
                    key=lambda b: (int(b["lb_port"] or 0), b["lb_protocol"]),
                ),
                **_attributes(attributes),
                "dns_name": balancer.get("DNSName", ABSENT),
                "listener_security_policies": policies,
            },
        )


def _from_terraform(values: dict[str, Any]) -> None:
    """Listener protocols in lower case, as the provider's state has them; ``listener`` in the collector's order."""
    listeners = values.get("listener")
    if isinstance(listeners, list) and not any(is_unknown(item) for item in listeners):
        for listener in listeners:
            if isinstance(listener, dict):
                for key in ("instance_protocol", "lb_protocol"):
                    if isinstance(listener.get(key), str):
                        listener[key] = listener[key].lower()
                listener.setdefault("ssl_certificate_id", "")
                if listener["ssl_certificate_id"] is None:
                    listener["ssl_certificate_id"] = ""
        values["listener"] = sorted(
            listeners,
            key=lambda b: (int(b.get("lb_port") or 0), str(b.get("lb_protocol"))) if isinstance(b, dict) else (0, ""),
        )
    logs = values.get("access_logs")
    if isinstance(logs, dict) and not is_unknown(logs):
        values["access_logs"] = {k: v for k, v in logs.items() if v not in (None, "")}


ELB = ResourceType(
    "aws_elb",
    ELB_ATTRIBUTES,
    observed_only=("listener_security_policies",),
    single_blocks=("access_logs", "health_check"),
    # Provider defaults (Terraform AWS provider, aws_elb).
    defaults={
        "internal": False,
        "cross_zone_load_balancing": True,
        "connection_draining": False,
        "connection_draining_timeout": 300,
        "idle_timeout": 60,
        "desync_mitigation_mode": "defensive",
    },
    # DescribeLoadBalancerPolicies (listener_security_policies) is made only for HTTPS or SSL listeners,
    # which the demo estate has none of, so it is not declared: it is always made when needed.
    sources={
        "elb:DescribeLoadBalancerAttributes": _SETTINGS,
        # One call per 20 load balancers; its answer is only their tags.
        "elb:DescribeTags": ("tags",),
    },
    from_terraform=_from_terraform,
    drift_ignore=("dns_name", "instances"),
)

COLLECTORS = (
    Collector(
        name="elb.load_balancers",
        service="elb",
        resource_types=(ELB,),
        calls=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeLoadBalancerPolicies",
            "elasticloadbalancing:DescribeTags",
        ),
        collect=_load_balancers,
        description="Every Classic Load Balancer in the region, with its attributes and TLS policies.",
        notes=(
            "`listener` is Terraform's list of `{instance_port, instance_protocol, lb_port, lb_protocol, "
            'ssl_certificate_id}` blocks, protocols in lower case, `ssl_certificate_id` `""` when none, '
            "sorted by port. `desync_mitigation_mode` is the `elb.http.desyncmitigationmode` additional "
            "attribute; an attribute AWS did not send is unknown (moto sends the desync mode only once set). "
            "`listener_security_policies` is `[{lb_port, reference_security_policy}]` for the HTTPS and SSL "
            "listeners: the predefined policy their negotiation policy refers to, empty when the listener "
            "has none of its own."
        ),
    ),
)
