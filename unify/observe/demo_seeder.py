"""What seeds the embedded demo: clients to moto's server, and the parts of the estate by service group.

The demo estate grows with every service unify observes, so it is written
in parts (``unify/observe/demo_estate/``, one module per service group),
each a :class:`DemoPart`. A part seeds one unit of its resources per scale
step through boto3 against moto's server; a service moto does not serve
(App Runner, MWAA) is given as recorded answers instead, shaped as the AWS
API reference documents them, and the part's ``note`` says so in the demo's
output, so nobody mistakes a recording for moto.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from unify.aws.s3 import strip_account_host_prefix
from unify.observe.recorded import Recording

__all__ = ["DEMO_ACCOUNT", "DEMO_CREDENTIALS", "DEMO_REGIONS", "DemoPart", "DemoSeeder", "doc", "lambda_zip", "trust"]

DEMO_REGIONS = ("us-east-1", "eu-west-1")
DEMO_ACCOUNT = "123456789012"
DEMO_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def doc(*statements: dict[str, Any]) -> str:
    """An IAM policy document with these statements, as the APIs take it (a JSON string)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(service: str) -> str:
    """A role trust policy for an AWS service principal."""
    return doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def lambda_zip() -> bytes:
    """The smallest deployment package Lambda accepts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return {'ok': True}\n")
    return buffer.getvalue()


class DemoSeeder:
    """boto3 clients to moto's server, one per (service, region); names carry the scale step."""

    def __init__(self, endpoint: str, regions: tuple[str, str]) -> None:
        self.session = boto3.Session(region_name=regions[0], **DEMO_CREDENTIALS)
        self.endpoint = endpoint
        self.home, self.other = regions
        self.account = DEMO_ACCOUNT
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.home)
        if key not in self._clients:
            client = self.session.client(service, region_name=key[1], endpoint_url=self.endpoint)
            if service == "s3control":
                strip_account_host_prefix(client)
            self._clients[key] = client
        return self._clients[key]


@dataclass(frozen=True)
class DemoPart:
    """One service group of the demo estate."""

    name: str
    #: Seeds unit ``n`` of the part (called once per scale step, after the core estate's unit).
    seed: Callable[[DemoSeeder, int], None]
    #: Account-wide settings, once, after every unit.
    baseline: Callable[[DemoSeeder], None] | None = None
    #: Services moto does not serve: boto3 service name -> what records their answers.
    recordings: Mapping[str, Recording] = field(default_factory=dict)
    #: Shown with the demo's output when the part uses recordings.
    note: str = ""
