"""AWS Network Firewall: each firewall with its logging and the policy it enforces.

Terraform writes a firewall's logging as a resource of its own
(``aws_networkfirewall_logging_configuration``), folded here into the
firewall's ``logging_configuration``. The policy a firewall enforces is read
through the firewall (DescribeFirewallPolicy on its policy ARN) and kept as
the extra ``firewall_policy``, in the shape of the provider's
``aws_networkfirewall_firewall_policy.firewall_policy`` block: the checks on
default actions and rule groups are about the policies firewalls enforce.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import REMOVE, Fold, ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent
from unify.terraform.values import single

FIREWALL_ATTRIBUTES = (
    "arn",
    "name",
    "description",
    "vpc_id",
    "firewall_policy_arn",
    "subnet_mapping",
    "delete_protection",
    "subnet_change_protection",
    "firewall_policy_change_protection",
    "encryption_configuration",
    "logging_configuration",
    # extras only observation can see
    "firewall_policy",
    "status",
)


def _destinations(configuration: Any) -> dict[str, Any]:
    """A logging configuration as the provider's ``{log_destination_config: [{log_type, ...}]}``."""
    configs = (configuration or {}).get("LogDestinationConfigs") if isinstance(configuration, Mapping) else None
    items = [
        {
            "log_type": c.get("LogType"),
            "log_destination_type": c.get("LogDestinationType"),
            "log_destination": dict(sorted((c.get("LogDestination") or {}).items())),
        }
        for c in configs or []
    ]
    return {"log_destination_config": sorted(items, key=lambda i: (str(i["log_type"]), str(i["log_destination_type"])))}


def _policy(answer: Mapping[str, Any]) -> dict[str, Any]:
    policy = answer["FirewallPolicy"]
    stateless = [
        {"resource_arn": r.get("ResourceArn"), "priority": r.get("Priority")}
        for r in policy.get("StatelessRuleGroupReferences") or []
    ]
    stateful = [{"resource_arn": r.get("ResourceArn")} for r in policy.get("StatefulRuleGroupReferences") or []]
    return {
        "stateless_default_actions": list(policy["StatelessDefaultActions"]),
        "stateless_fragment_default_actions": list(policy["StatelessFragmentDefaultActions"]),
        "stateless_rule_group_reference": sorted(stateless, key=lambda r: (int(r["priority"] or 0), str(r))),
        "stateful_rule_group_reference": sorted(stateful, key=lambda r: str(r["resource_arn"])),
    }


def _encryption(configuration: Any) -> Any:
    if not isinstance(configuration, Mapping) or not configuration:
        return ABSENT
    block = {"type": configuration.get("Type")}
    if configuration.get("KeyId"):
        block["key_id"] = configuration["KeyId"]
    return block


def _firewalls(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    listed = list(ctx.items(client, "list_firewalls", "Firewalls", each=("FirewallArn",)))

    def describe(arn: str) -> tuple[Any, Any, Any]:
        found = ctx.detail(
            lambda: ctx.call(client, "describe_firewall", FirewallArn=arn, expect=("Firewall.FirewallName",)),
            absent=("ResourceNotFoundException",),
        )
        if found is ABSENT or is_unknown(found):
            return found, found, found
        logging = ctx.detail(
            lambda: _destinations(
                ctx.call(client, "describe_logging_configuration", FirewallArn=arn).get("LoggingConfiguration")
            )
        )
        policy_arn = found["Firewall"].get("FirewallPolicyArn")  # type: ignore[index]
        policy = ctx.detail(
            lambda: _policy(
                ctx.call(
                    client,
                    "describe_firewall_policy",
                    FirewallPolicyArn=policy_arn,
                    expect=(
                        "FirewallPolicy.StatelessDefaultActions",
                        "FirewallPolicy.StatelessFragmentDefaultActions",
                    ),
                )
            )
        )
        return found, logging, policy

    described = ctx.map(describe, [f["FirewallArn"] for f in listed])
    for summary, (found, logging, policy) in zip(listed, described, strict=True):
        if found is ABSENT:
            continue  # deleted between the listing and now
        arn = summary["FirewallArn"]
        if is_unknown(found):
            # The firewall is listed but could not be described: everything about it is unknown.
            yield ctx.resource(
                "aws_networkfirewall_firewall",
                arn,
                name=summary.get("FirewallName"),
                attributes={
                    "arn": arn,
                    "name": summary.get("FirewallName"),
                    **dict.fromkeys(FIREWALL_ATTRIBUTES[2:], found),
                },
            )
            continue
        firewall = found["Firewall"]
        encryption = firewall.get("EncryptionConfiguration")
        yield ctx.resource(
            "aws_networkfirewall_firewall",
            arn,
            name=firewall["FirewallName"],
            tags=firewall.get("Tags") or [],
            attributes={
                "arn": arn,
                "name": firewall["FirewallName"],
                "description": firewall.get("Description") or ABSENT,
                "vpc_id": firewall.get("VpcId"),
                "firewall_policy_arn": firewall.get("FirewallPolicyArn"),
                "subnet_mapping": sorted(
                    (
                        {"subnet_id": m.get("SubnetId"), "ip_address_type": m.get("IPAddressType", "IPV4")}
                        for m in firewall.get("SubnetMappings") or []
                    ),
                    key=lambda m: str(m["subnet_id"]),
                ),
                "delete_protection": sent(firewall, "DeleteProtection", bool),
                "subnet_change_protection": sent(firewall, "SubnetChangeProtection", bool),
                "firewall_policy_change_protection": sent(firewall, "FirewallPolicyChangeProtection", bool),
                "encryption_configuration": _encryption(encryption),
                "logging_configuration": logging,
                "firewall_policy": policy,
                "status": (found.get("FirewallStatus") or {}).get("Status", ABSENT),
            },
        )


def _fold_logging(values: Mapping[str, Any]) -> Any:
    """An ``aws_networkfirewall_logging_configuration`` as its firewall's ``logging_configuration``."""
    block = single(values.get("logging_configuration"))
    if block is None:
        return REMOVE
    if is_unknown(block) or not isinstance(block, dict):
        return block
    configs = block.get("log_destination_config")
    if not isinstance(configs, list):
        return {"log_destination_config": configs}
    items = []
    for config in configs:
        if isinstance(config, dict) and not is_unknown(config):
            destination = config.get("log_destination")
            items.append(
                {
                    "log_type": config.get("log_type"),
                    "log_destination_type": config.get("log_destination_type"),
                    "log_destination": (
                        dict(sorted(destination.items())) if isinstance(destination, dict) else destination
                    ),
                }
            )
        else:
            items.append(config)
    items.sort(key=lambda i: str(i.get("log_type")) if isinstance(i, dict) else "")
    return {"log_destination_config": items}


def _from_terraform(values: dict[str, Any]) -> None:
    """Subnet mappings in the collector's order; a firewall with no logging resource logs nothing."""
    mappings = values.get("subnet_mapping")
    if isinstance(mappings, list) and all(isinstance(m, dict) and not is_unknown(m) for m in mappings):
        shaped = [
            {"subnet_id": m.get("subnet_id"), "ip_address_type": m.get("ip_address_type") or "IPV4"} for m in mappings
        ]
        values["subnet_mapping"] = sorted(shaped, key=lambda m: str(m["subnet_id"]))


FIREWALL = ResourceType(
    "aws_networkfirewall_firewall",
    FIREWALL_ATTRIBUTES,
    observed_only=("firewall_policy", "status"),
    single_blocks=("encryption_configuration",),
    # Provider defaults (Terraform AWS provider, aws_networkfirewall_firewall): no protection switched on.
    defaults={
        "delete_protection": False,
        "subnet_change_protection": False,
        "firewall_policy_change_protection": False,
    },
    # DescribeFirewall names the firewall and says it still exists: it is not a skippable detail.
    sources={
        "network-firewall:DescribeLoggingConfiguration": ("logging_configuration",),
        "network-firewall:DescribeFirewallPolicy": ("firewall_policy",),
    },
    from_terraform=_from_terraform,
    folds=(
        Fold(
            "aws_networkfirewall_logging_configuration",
            "logging_configuration",
            _fold_logging,
            reference="firewall_arn",
            match=("arn",),
        ),
    ),
    # A new firewall logs nothing until a logging configuration resource says otherwise.
    created_empty=(("logging_configuration", None, {"log_destination_config": []}),),
    drift_ignore=("status",),
)

COLLECTORS = (
    Collector(
        name="networkfirewall.firewalls",
        service="network-firewall",
        resource_types=(FIREWALL,),
        calls=(
            "network-firewall:ListFirewalls",
            "network-firewall:DescribeFirewall",
            "network-firewall:DescribeLoggingConfiguration",
            "network-firewall:DescribeFirewallPolicy",
        ),
        collect=_firewalls,
        description="Every Network Firewall firewall in the region, with its logging and the policy it enforces.",
        notes=(
            "`logging_configuration` is `{log_destination_config: [{log_type, log_destination_type, "
            "log_destination}]}`, an empty list when the firewall logs nothing (AWS answers no destination "
            "for a firewall whose logging was never set). `firewall_policy` is the enforced policy's "
            "`{stateless_default_actions, stateless_fragment_default_actions, stateless_rule_group_reference, "
            "stateful_rule_group_reference}`, read with DescribeFirewallPolicy. moto serves firewalls and "
            "their logging but not firewall policies: against moto `firewall_policy` is unknown, and the "
            "policy checks are tested with recorded answers shaped as the Network Firewall API reference "
            "documents them. Policies no firewall uses, and rule groups, are not collected."
        ),
    ),
)
