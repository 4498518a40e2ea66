"""Elastic Beanstalk: ``aws_elastic_beanstalk_environment``, every environment of the region with its options.

An environment's behaviour (health reporting, managed platform updates, log
streaming) is a list of option settings ``{namespace, name, value}``, in the
API (DescribeConfigurationSettings) and in Terraform (``setting`` blocks)
alike. The options of the ``aws:elasticbeanstalk:application:environment``
namespace are the application's environment properties, often secrets:
unify keeps their names and never their values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "name",
    "arn",
    "application",
    "description",
    "tier",
    "solution_stack_name",
    "platform_arn",
    "cname",
    "setting",
    # extras only observation can see
    "status",
    "health",
)

#: The namespace of environment properties: values not kept (Elastic Beanstalk developer guide, "General
#: options for all environments").
_PROPERTIES = "aws:elasticbeanstalk:application:environment"


def _setting(option: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"namespace": option.get("Namespace"), "name": option.get("OptionName")}
    if option.get("Namespace") != _PROPERTIES and option.get("Value") is not None:
        item["value"] = option["Value"]
    if option.get("ResourceName"):
        item["resource"] = option["ResourceName"]
    return item


def _settings(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    configurations = answer["ConfigurationSettings"]
    options = configurations[0].get("OptionSettings") if configurations else None
    if options is None:
        raise KeyError("ConfigurationSettings[0].OptionSettings")
    for option in options:
        if isinstance(option, dict) and option.get("Namespace") == _PROPERTIES:
            option.pop("Value", None)  # a property's value may be a secret: gone before anything holds on to it
    return sorted(
        (_setting(option) for option in options if isinstance(option, Mapping)),
        key=lambda s: (str(s["namespace"]), str(s["name"]), str(s.get("resource", ""))),
    )


def _tier(tier: Any) -> Any:
    # Terraform's tier is "WebServer" or "Worker" (the tier's Name).
    return tier.get("Name") if isinstance(tier, Mapping) and tier.get("Name") else ABSENT


def _environments(ctx: CollectContext) -> Iterator[Resource]:
    client = ctx.client()
    environments = list(
        ctx.items(
            client,
            "describe_environments",
            "Environments",
            each=("EnvironmentName", "EnvironmentArn", "ApplicationName"),
            IncludeDeleted=False,
        )
    )

    def describe(environment: dict[str, Any]) -> Resource:
        name, arn = environment["EnvironmentName"], environment["EnvironmentArn"]
        settings = ctx.detail(
            lambda: _settings(
                ctx.call(
                    client,
                    "describe_configuration_settings",
                    ApplicationName=environment["ApplicationName"],
                    EnvironmentName=name,
                    expect=("ConfigurationSettings",),
                )
            )
        )
        tags = ctx.detail(
            lambda: ctx.call(client, "list_tags_for_resource", ResourceArn=arn, expect=("ResourceTags",))[
                "ResourceTags"
            ]
        )
        return ctx.resource(
            "aws_elastic_beanstalk_environment",
            arn,
            name=name,
            tags=tags,
            attributes={
                "name": name,
                "arn": arn,
                "application": environment["ApplicationName"],
                "description": environment.get("Description") or ABSENT,
                "tier": _tier(environment.get("Tier")),
                "solution_stack_name": environment.get("SolutionStackName") or ABSENT,
                "platform_arn": environment.get("PlatformArn") or ABSENT,
                "cname": environment.get("CNAME") or ABSENT,
                "setting": settings,
                "status": sent(environment, "Status"),
                "health": environment.get("Health") or ABSENT,
            },
        )

    yield from ctx.map(describe, environments)


def _from_terraform(values: dict[str, Any]) -> None:
    """``setting`` blocks as the collector keeps them: the plan lists the options its configuration sets.

    An option the configuration leaves out takes the API's default, which is
    the weaker setting for every option the checks read: "enhanced health
    reporting is not enabled by default when you create an environment using
    the Elastic Beanstalk API", and managed platform updates and log
    streaming are off unless set (Elastic Beanstalk developer guide, "Using
    enhanced health reporting with the Elastic Beanstalk API" and "General
    options for all environments"). A plan without them is judged as AWS
    would build the environment.
    """
    settings = values.get("setting")
    if is_unknown(settings) or not isinstance(settings, list):
        return
    out = []
    for setting in settings:
        if not isinstance(setting, dict) or is_unknown(setting):
            out.append(setting)
            continue
        item = {"namespace": setting.get("namespace"), "name": setting.get("name")}
        if setting.get("namespace") != _PROPERTIES and setting.get("value") is not None:
            item["value"] = setting["value"]
        if setting.get("resource"):
            item["resource"] = setting["resource"]
        out.append(item)
    values["setting"] = sorted(
        out,
        key=lambda s: (
            ("", "", "") if is_unknown(s) else (str(s["namespace"]), str(s["name"]), str(s.get("resource", "")))
        ),
    )
    values.pop("all_settings", None)


ENVIRONMENT = ResourceType(
    "aws_elastic_beanstalk_environment",
    ATTRIBUTES,
    observed_only=("status", "health"),
    from_terraform=_from_terraform,
    drift_ignore=("setting", "status", "health", "cname"),
    sources={
        "elasticbeanstalk:DescribeConfigurationSettings": ("setting",),
        "elasticbeanstalk:ListTagsForResource": ("tags",),
    },
)

COLLECTORS = (
    Collector(
        name="elasticbeanstalk.environments",
        service="elasticbeanstalk",
        resource_types=(ENVIRONMENT,),
        calls=(
            "elasticbeanstalk:DescribeEnvironments",
            "elasticbeanstalk:DescribeConfigurationSettings",
            "elasticbeanstalk:ListTagsForResource",
        ),
        collect=_environments,
        description="Every Elastic Beanstalk environment in the region (not terminated), with its option settings.",
        notes=(
            "`setting` lists every option of the environment (DescribeConfigurationSettings, AWS's defaults "
            "included) as `{namespace, name, value, resource}`, sorted; options of the "
            "`aws:elasticbeanstalk:application:environment` namespace (environment properties) keep their "
            "name and never their value. A plan lists only the options it sets; the others take the API's "
            "defaults (basic health, no managed updates, no log streaming). `tier` is `WebServer` or `Worker`. "
            "moto (5.x) does not implement DescribeConfigurationSettings: the collector is tested on recorded "
            "answers shaped as the Elastic Beanstalk API reference documents them (botocore's Stubber), and "
            "against moto for the listing."
        ),
    ),
)
