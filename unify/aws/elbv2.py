"""Elastic Load Balancing v2: Application, Network and Gateway Load Balancers and their listeners.

A load balancer's settings that Terraform writes on ``aws_lb`` itself
(deletion protection, invalid-header dropping, desync mitigation, access
logs) are load-balancer attributes in the API, read with one
DescribeLoadBalancerAttributes per balancer. Listeners are resources of
their own, as in Terraform (``aws_lb_listener``). Every type is regional.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from unify.aws._ec2_shared import texts
from unify.model.resource import Resource, is_unknown, unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED
from unify.observe.collector import ABSENT, CollectContext, Collector, sent, unread

LB_ATTRIBUTES = (
    "arn",
    "name",
    "load_balancer_type",
    "internal",
    "ip_address_type",
    "vpc_id",
    "subnets",
    "security_groups",
    "dns_name",
    "enable_deletion_protection",
    "drop_invalid_header_fields",
    "desync_mitigation_mode",
    "access_logs",
    # extras only observation can see
    "availability_zones",
    "state",
)
LISTENER_ATTRIBUTES = (
    "arn",
    "load_balancer_arn",
    "port",
    "protocol",
    "ssl_policy",
    "certificate_arn",
    "alpn_policy",
    "default_action",
)

#: DescribeTags takes at most 20 resource ARNs (ELBv2 API reference, DescribeTags).
_TAG_BATCH: Final = 20
#: The attributes only Application Load Balancers have: absent, not unknown, on other types.
_APPLICATION_ONLY: Final = ("drop_invalid_header_fields", "desync_mitigation_mode")


def _tags(ctx: CollectContext, client: Any, arns: list[str]) -> dict[str, Any]:
    """Tags by ARN, 20 ARNs a call; a failed batch leaves its resources' tags unknown."""
    found: dict[str, Any] = {}

    def batch_of(batch: list[str]) -> Any:
        return ctx.detail(lambda: ctx.call(client, "describe_tags", ResourceArns=batch, expect=("TagDescriptions",)))

    for start in range(0, len(arns), _TAG_BATCH):
        batch = arns[start : start + _TAG_BATCH]
        answer = batch_of(batch)
        if unread(answer):
            found.update(dict.fromkeys(batch, answer))
            continue
        for description in answer["TagDescriptions"]:
            found[description.get("ResourceArn")] = description.get("Tags") or []
    return found


def _flag(attributes: Mapping[str, str], key: str) -> Any:
    if key not in attributes:
        return unknown(f"{MALFORMED}: the attribute {key} not sent")
    return attributes[key].strip().lower() == "true"


def _settings(answer: Any, kind: Any) -> dict[str, Any]:
    """The attributes Terraform keeps on ``aws_lb``, from DescribeLoadBalancerAttributes' key/value pairs.

    AWS answers every attribute of the balancer's type; one it did not send
    is not observed (moto answers only those that were set).
    """
    keys = ("enable_deletion_protection", *_APPLICATION_ONLY, "access_logs")
    if unread(answer):
        return dict.fromkeys(keys, answer)
    attributes = {str(a["Key"]): str(a.get("Value", "")) for a in answer["Attributes"] if "Key" in a}
    settings: dict[str, Any] = {"enable_deletion_protection": _flag(attributes, "deletion_protection.enabled")}
    if kind == "application":
        settings["drop_invalid_header_fields"] = _flag(attributes, "routing.http.drop_invalid_header_fields.enabled")
        mode = attributes.get("routing.http.desync_mitigation_mode")
        settings["desync_mitigation_mode"] = mode or unknown(f"{MALFORMED}: the desync mitigation mode not sent")
    if kind in ("application", "network"):
        enabled = _flag(attributes, "access_logs.s3.enabled")
        logs: dict[str, Any] = {"enabled": enabled}
        if attributes.get("access_logs.s3.bucket"):
            logs["bucket"] = attributes["access_logs.s3.bucket"]
        if attributes.get("access_logs.s3.prefix"):
            logs["prefix"] = attributes["access_logs.s3.prefix"]
        settings["access_logs"] = logs
    return settings


def _load_balancers(ctx: CollectContext) -> Iterator[Resource]:
    elb = ctx.client()
    balancers = list(
        ctx.items(elb, "describe_load_balancers", "LoadBalancers", each=("LoadBalancerArn", "LoadBalancerName"))
    )

    def attributes(arn: str) -> Any:
        return ctx.detail(
            lambda: ctx.call(elb, "describe_load_balancer_attributes", LoadBalancerArn=arn, expect=("Attributes",)),
            absent=("LoadBalancerNotFound",),
        )

    answers = ctx.map(attributes, [b["LoadBalancerArn"] for b in balancers])
    tags = _tags(ctx, elb, [b["LoadBalancerArn"] for b in balancers])
    for balancer, answer in zip(balancers, answers, strict=True):
        if answer is ABSENT:
            continue  # deleted between the listing and now (not seen when the attributes call is skipped)
        arn, kind = balancer["LoadBalancerArn"], balancer.get("Type")
        zones = balancer.get("AvailabilityZones") or []
        yield ctx.resource(
            "aws_lb",
            arn,
            name=balancer["LoadBalancerName"],
            tags=tags.get(arn, []),
            attributes={
                "arn": arn,
                "name": balancer["LoadBalancerName"],
                "load_balancer_type": sent(balancer, "Type"),
                "internal": sent(balancer, "Scheme", lambda scheme: scheme == "internal"),
                "ip_address_type": balancer.get("IpAddressType", ABSENT),
                "vpc_id": balancer.get("VpcId", ABSENT),
                "subnets": texts(zones, "SubnetId"),
                "security_groups": texts(balancer.get("SecurityGroups")),
                "dns_name": balancer.get("DNSName", ABSENT),
                **_settings(answer, kind),
                "availability_zones": texts(zones, "ZoneName"),
                "state": (balancer.get("State") or {}).get("Code", ABSENT),
            },
        )


# -- listeners --------------------------------------------------------------------------------------


def _action(action: Mapping[str, Any]) -> dict[str, Any]:
    """One listener action as Terraform's ``default_action`` block (nested configurations as mappings)."""
    block: dict[str, Any] = {"type": action.get("Type")}
    if action.get("Order") is not None:
        block["order"] = action["Order"]
    if action.get("TargetGroupArn"):
        block["target_group_arn"] = action["TargetGroupArn"]
    redirect = action.get("RedirectConfig")
    if isinstance(redirect, Mapping):
        block["redirect"] = {
            "protocol": redirect.get("Protocol", "#{protocol}"),
            "port": redirect.get("Port", "#{port}"),
            "host": redirect.get("Host", "#{host}"),
            "path": redirect.get("Path", "/#{path}"),
            "query": redirect.get("Query", "#{query}"),
            "status_code": redirect.get("StatusCode"),
        }
    fixed = action.get("FixedResponseConfig")
    if isinstance(fixed, Mapping):
        block["fixed_response"] = {k: v for k, v in {"status_code": fixed.get("StatusCode")}.items() if v}
    return block


def _listeners(ctx: CollectContext) -> Iterator[Resource]:
    elb = ctx.client()
    balancers = [b["LoadBalancerArn"] for b in ctx.items(elb, "describe_load_balancers", "LoadBalancers")]

    def of(balancer: str) -> list[dict[str, Any]]:
        # A listing per balancer: a failure is an error for the whole type, never a silent gap.
        return list(ctx.items(elb, "describe_listeners", "Listeners", each=("ListenerArn",), LoadBalancerArn=balancer))

    for listener in (item for listing in ctx.map(of, balancers) for item in listing):
        arn = listener["ListenerArn"]
        certificates = [c["CertificateArn"] for c in listener.get("Certificates") or [] if c.get("CertificateArn")]
        actions = sorted(
            (_action(a) for a in listener.get("DefaultActions") or []), key=lambda a: int(a.get("order", 0))
        )
        alpn = listener.get("AlpnPolicy") or []
        yield ctx.resource(
            "aws_lb_listener",
            arn,
            name=arn,
            attributes={
                "arn": arn,
                "load_balancer_arn": listener.get("LoadBalancerArn"),
                "port": listener.get("Port"),
                "protocol": sent(listener, "Protocol"),
                # Plain HTTP and TCP listeners have no policy; moto reports one anyway.
                "ssl_policy": listener.get("SslPolicy") if listener.get("Protocol") in ("HTTPS", "TLS") else ABSENT,
                "certificate_arn": certificates[0] if certificates else ABSENT,
                "alpn_policy": alpn[0] if alpn else ABSENT,
                "default_action": actions,
            },
        )


def _lb_from_terraform(values: dict[str, Any]) -> None:
    """Settings that only apply to Application Load Balancers are left out for other types, as AWS does."""
    if values.get("load_balancer_type") != "application":
        for key in _APPLICATION_ONLY:
            values.pop(key, None)
    logs = values.get("access_logs")
    if isinstance(logs, dict) and not is_unknown(logs):
        values["access_logs"] = {k: v for k, v in logs.items() if v not in (None, "")}


LB = ResourceType(
    "aws_lb",
    LB_ATTRIBUTES,
    observed_only=("availability_zones", "state"),
    single_blocks=("access_logs",),
    # Provider defaults (Terraform AWS provider, aws_lb).
    defaults={
        "load_balancer_type": "application",
        "internal": False,
        "enable_deletion_protection": False,
        "drop_invalid_header_fields": False,
        "desync_mitigation_mode": "defensive",
    },
    sources={
        "elbv2:DescribeLoadBalancerAttributes": (
            "enable_deletion_protection",
            "drop_invalid_header_fields",
            "desync_mitigation_mode",
            "access_logs",
        ),
        # One call per 20 load balancers; its answer is only their tags.
        "elbv2:DescribeTags": ("tags",),
    },
    from_terraform=_lb_from_terraform,
    terraform_aliases={"aws_alb": {}},
    drift_ignore=("state", "dns_name"),
)

LISTENER = ResourceType(
    "aws_lb_listener",
    LISTENER_ATTRIBUTES,
    name_path="arn",
    single_blocks=("default_action.redirect", "default_action.fixed_response", "default_action.forward"),
    terraform_aliases={"aws_alb_listener": {}},
)

COLLECTORS = (
    Collector(
        name="elbv2.load_balancers",
        service="elbv2",
        resource_types=(LB,),
        calls=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        collect=_load_balancers,
        description="Every Application, Network and Gateway Load Balancer in the region, with its attributes.",
        notes=(
            "`enable_deletion_protection`, `drop_invalid_header_fields`, `desync_mitigation_mode` and "
            "`access_logs {enabled, bucket, prefix}` come from DescribeLoadBalancerAttributes; an attribute "
            "AWS did not send is unknown (moto sends only those that were set). The two HTTP settings "
            "exist on Application Load Balancers only and are absent on the others. `subnets` and "
            "`availability_zones` are the balancer's zones' subnets and zone names, sorted."
        ),
    ),
    Collector(
        name="elbv2.listeners",
        service="elbv2",
        resource_types=(LISTENER,),
        calls=("elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners"),
        collect=_listeners,
        description="Every listener of every load balancer in the region.",
        notes=(
            "`name` is the listener's ARN (a listener has no name of its own). `default_action` is Terraform's list of "
            "blocks, by order, with `redirect {protocol, port, host, path, query, status_code}` as one "
            "mapping; `ssl_policy` is kept for HTTPS and TLS listeners only (moto reports one on every "
            "listener). `certificate_arn` is the default certificate."
        ),
    ),
)
