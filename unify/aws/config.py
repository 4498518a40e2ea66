"""AWS Config: ``aws_config_configuration_recorder``, one per region, present whether or not it is set up.

CIS asks for Config in every region, so a region without a recorder must be a
resource that fails (``configured: false``), not an empty listing that makes
the check vacuously pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from unify.errors import AwsError
from unify.model.resource import Resource, is_unknown
from unify.model.resource_type import ResourceType
from unify.observe.answers import MALFORMED, require
from unify.observe.collector import ABSENT, CollectContext, Collector, sent

ATTRIBUTES = (
    "configured",
    "name",
    "role_arn",
    "recording_group",
    "is_enabled",
    # extras only observation can see
    "last_status",
    "last_status_change_time",
)


def _recording_group(group: dict[str, Any] | None) -> Any:
    if group is None:
        return ABSENT
    return {
        "all_supported": sent(group, "allSupported", bool),
        "include_global_resource_types": sent(group, "includeGlobalResourceTypes", bool),
        "resource_types": sent(group, "resourceTypes", sorted),
    }


def _recorder(ctx: CollectContext) -> Iterator[Resource]:
    config = ctx.client()
    found = ctx.call(config, "describe_configuration_recorders", expect=("ConfigurationRecorders",))[
        "ConfigurationRecorders"
    ]
    for recorder in found:
        require(recorder, ("name",), "config:DescribeConfigurationRecorders")
    # Service-linked recorders (made by other AWS services) carry a servicePrincipal; only the customer's counts.
    customer = sorted((r for r in found if not r.get("servicePrincipal")), key=lambda r: str(r["name"]))
    singleton = f"{ctx.account}/{ctx.region}/aws_config_configuration_recorder"
    if not customer:
        yield ctx.resource("aws_config_configuration_recorder", singleton, name=None, attributes={"configured": False})
        return
    recorder = customer[0]
    name = recorder["name"]

    def status_of() -> dict[str, Any]:
        answer = ctx.call(
            config,
            "describe_configuration_recorder_status",
            ConfigurationRecorderNames=[name],
            expect=("ConfigurationRecordersStatus",),
        )
        for entry in answer["ConfigurationRecordersStatus"]:
            if entry.get("name") == name:
                require(entry, ("recording",), "config:DescribeConfigurationRecorderStatus")
                return dict(entry)
        raise AwsError(MALFORMED, f"no status for recorder {name!r}", "config:DescribeConfigurationRecorderStatus")

    status: Any = ctx.detail(status_of)

    def from_status(key: str) -> Any:
        # lastStatus and its time are absent until the recorder first records (Config API reference).
        return status if is_unknown(status) else status.get(key, ABSENT)

    yield ctx.resource(
        "aws_config_configuration_recorder",
        singleton,
        name=name,
        attributes={
            "configured": True,
            "name": name,
            "role_arn": sent(recorder, "roleARN"),
            "recording_group": _recording_group(recorder.get("recordingGroup")),
            "is_enabled": status if is_unknown(status) else bool(status["recording"]),
            "last_status": from_status("lastStatus"),
            "last_status_change_time": from_status("lastStatusChangeTime"),
        },
    )


RECORDER = ResourceType(
    "aws_config_configuration_recorder",
    ATTRIBUTES,
    observed_only=("is_enabled", "last_status", "last_status_change_time"),
    singleton=True,
    single_blocks=("recording_group", "recording_mode"),
)

COLLECTORS = (
    Collector(
        name="config.configuration_recorders",
        service="config",
        resource_types=(RECORDER,),
        calls=("config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"),
        collect=_recorder,
        description="The region's customer managed AWS Config recorder, a singleton per region.",
        notes=(
            "Always present once observed, with id `<account>/<region>/aws_config_configuration_recorder` "
            "and the recorder's name as `name`: `configured: false` and nothing else when the region has no "
            "recorder. `is_enabled` (Terraform's `aws_config_configuration_recorder_status`), `last_status` "
            "and `last_status_change_time` come from DescribeConfigurationRecorderStatus; "
            "`recording_group.resource_types` is sorted. Service-linked recorders are ignored. moto leaves "
            "`last_status` at `PENDING`."
        ),
    ),
)
