"""An embedded demo estate: moto's server in this process, seeded like a real account.

``unify audit --demo`` starts moto's server on 127.0.0.1 (a free port), seeds
it over HTTP with the mistakes real estates have (public buckets, SSH open to
the world, unrotated keys, console users without MFA, unencrypted volumes, a
single-region trail), then observes it with the real collectors. The same
seeding, at a scale factor, feeds the end-to-end tests and the observation
benchmark. Nothing here reaches the internet.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from functools import partial
from types import TracebackType
from typing import Any
from urllib.request import Request, urlopen

from unify.errors import ObservationError
from unify.model.time import utcnow
from unify.observe.demo_estate import PARTS
from unify.observe.demo_seeder import (
    DEMO_ACCOUNT,
    DEMO_CREDENTIALS,
    DEMO_REGIONS,
    DemoSeeder,
    doc,
    lambda_zip,
    trust,
)
from unify.observe.recorded import RecordedSession
from unify.observe.session import models_of, session_with_models

__all__ = ["DEMO_ACCOUNT", "DEMO_REGIONS", "DemoEstate", "seed_estate"]

#: The console password of the demo's users, in moto only (the estate lives in this process).
_DEMO_PASSWORD = "Correct-Horse-9"  # noqa: S105 - not a secret: a fixture of the embedded demo


def _rule(
    port: int, *, cidr: str | None = None, ipv6: str | None = None, group: str | None = None, description: str = ""
) -> dict[str, Any]:
    rule: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
    if cidr:
        rule["IpRanges"] = [{"CidrIp": cidr, "Description": description}]
    if ipv6:
        rule["Ipv6Ranges"] = [{"CidrIpv6": ipv6, "Description": description}]
    if group:
        rule["UserIdGroupPairs"] = [{"GroupId": group, "Description": description}]
    return rule


class _Seeder(DemoSeeder):
    """The core of the estate (S3, IAM, the network, data stores); the parts add the rest."""

    def account_baseline(self) -> None:
        """Account-wide settings: a weak password policy, a half-done S3 account block."""
        self.client("iam").update_account_password_policy(
            MinimumPasswordLength=8,
            RequireNumbers=True,
            RequireLowercaseCharacters=True,
            AllowUsersToChangePassword=True,
        )
        self.client("s3control").put_public_access_block(
            AccountId=DEMO_ACCOUNT,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": False,
                "RestrictPublicBuckets": False,
            },
        )
        self.client("ec2", self.home).enable_ebs_encryption_by_default()
        recorder = {
            "name": "default",
            "roleARN": f"arn:aws:iam::{DEMO_ACCOUNT}:role/config-recorder",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
        config = self.client("config", self.home)
        config.put_configuration_recorder(ConfigurationRecorder=recorder)
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "acme-logs-0"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")

    def unit(self, n: int) -> None:
        self.s3(n)
        self.iam(n)
        self.network(n)
        self.data(n)

    def s3(self, n: int) -> None:
        s3 = self.client("s3", self.home)
        logs, data, site, scratch = f"acme-logs-{n}", f"acme-data-{n}", f"acme-website-{n}", f"acme-scratch-{n}"
        s3.create_bucket(Bucket=logs)
        s3.create_bucket(Bucket=site)
        s3.create_bucket(Bucket=scratch)
        other = self.client("s3", self.other)
        other.create_bucket(Bucket=data, CreateBucketConfiguration={"LocationConstraint": self.other})
        block = {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }
        for client, bucket, algorithm in ((s3, logs, "AES256"), (other, data, "aws:kms")):
            client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            client.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=block)
            client.put_bucket_encryption(
                Bucket=bucket,
                ServerSideEncryptionConfiguration={
                    "Rules": [
                        {
                            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm},
                            "BucketKeyEnabled": algorithm != "AES256",
                        }
                    ]
                },
            )
            # Principal {"AWS": "*"} rather than "*": moto's logging-permission
            # check reads every statement's Principal as a mapping.
            client.put_bucket_policy(
                Bucket=bucket,
                Policy=doc(
                    {
                        "Sid": "TLSOnly",
                        "Effect": "Deny",
                        "Principal": {"AWS": "*"},
                        "Action": "s3:*",
                        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Sid": "ServerAccessLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    },
                ),
            )
            client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "owner", "Value": "data-platform"}]})
        s3.put_bucket_logging(
            Bucket=site, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": logs, "TargetPrefix": f"{site}/"}}
        )
        s3.put_bucket_policy(
            Bucket=site,
            Policy=doc(
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{site}/*",
                }
            ),
        )

    def iam(self, n: int) -> None:
        iam = self.client("iam")
        admin_policy = iam.create_policy(
            PolicyName=f"full-admin-{n}", PolicyDocument=doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
        )["Policy"]["Arn"]
        read_policy = iam.create_policy(
            PolicyName=f"read-reports-{n}",
            PolicyDocument=doc({"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}),
        )["Policy"]["Arn"]
        iam.create_group(GroupName=f"admins-{n}")
        iam.attach_group_policy(GroupName=f"admins-{n}", PolicyArn=admin_policy)
        iam.create_group(GroupName=f"analysts-{n}")
        iam.attach_group_policy(GroupName=f"analysts-{n}", PolicyArn=read_policy)
        for user, console, mfa, keys, group in (
            (f"alice-{n}", True, True, 0, f"admins-{n}"),
            (f"bob-{n}", True, False, 0, f"analysts-{n}"),
            (f"ci-deploy-{n}", False, False, 1, None),
            (f"svc-report-{n}", False, False, 2, None),
        ):
            iam.create_user(UserName=user, Tags=[{"Key": "team", "Value": "platform"}])
            if console:
                iam.create_login_profile(UserName=user, Password=_DEMO_PASSWORD)
            if mfa:
                device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]["SerialNumber"]
                iam.enable_mfa_device(
                    UserName=user, SerialNumber=device, AuthenticationCode1="123456", AuthenticationCode2="654321"
                )
            for _ in range(keys):
                iam.create_access_key(UserName=user)
            if group:
                iam.add_user_to_group(GroupName=group, UserName=user)
        iam.attach_user_policy(UserName=f"svc-report-{n}", PolicyArn=admin_policy)
        iam.put_user_policy(
            UserName=f"bob-{n}",
            PolicyName="inline-extra",
            PolicyDocument=doc({"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}),
        )
        iam.create_role(RoleName=f"app-{n}", AssumeRolePolicyDocument=trust("ec2.amazonaws.com"))
        iam.create_instance_profile(InstanceProfileName=f"app-{n}")
        iam.add_role_to_instance_profile(InstanceProfileName=f"app-{n}", RoleName=f"app-{n}")
        iam.create_role(RoleName=f"lambda-{n}", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))

    def network(self, n: int) -> None:
        ec2 = self.client("ec2", self.home)
        vpc = ec2.create_vpc(
            CidrBlock=f"10.{n % 250}.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"app-{n}"}]}],
        )["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n % 250}.1.0/24")["Subnet"]["SubnetId"]
        ec2.create_flow_logs(
            ResourceIds=[vpc],
            ResourceType="VPC",
            TrafficType="ALL",
            LogDestinationType="s3",
            LogDestination=f"arn:aws:s3:::acme-logs-{n}",
        )
        web = ec2.create_security_group(GroupName=f"web-{n}", Description="public web", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=web, IpPermissions=[_rule(443, cidr="0.0.0.0/0", description="https")]
        )
        bastion = ec2.create_security_group(GroupName=f"bastion-{n}", Description="ssh", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=bastion, IpPermissions=[_rule(22, cidr="0.0.0.0/0", description="ssh from anywhere")]
        )
        db = ec2.create_security_group(GroupName=f"db-{n}", Description="database", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=db, IpPermissions=[_rule(5432, group=web, description="app to db")]
        )
        for instance_id_tokens, name in (("required", f"web-{n}"), ("optional", f"legacy-{n}")):
            ec2.run_instances(
                ImageId="ami-0abcdef1234567890",
                MinCount=1,
                MaxCount=1,
                InstanceType="t3.micro",
                SubnetId=subnet,
                SecurityGroupIds=[web],
                MetadataOptions={"HttpTokens": instance_id_tokens, "HttpEndpoint": "enabled"},
                IamInstanceProfile={"Name": f"app-{n}"} if instance_id_tokens == "required" else {},
                TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
            )
        ec2.create_volume(
            AvailabilityZone=f"{self.home}a",
            Size=100,
            VolumeType="gp3",
            Encrypted=True,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": f"data-{n}"}]}],
        )
        away = self.client("ec2", self.other)
        away.create_volume(
            AvailabilityZone=f"{self.other}a",
            Size=50,
            VolumeType="gp2",
            Encrypted=False,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": f"scratch-{n}"}]}],
        )
        jump = away.create_security_group(GroupName=f"windows-jump-{n}", Description="rdp")["GroupId"]
        away.authorize_security_group_ingress(GroupId=jump, IpPermissions=[_rule(3389, ipv6="::/0", description="rdp")])

    def data(self, n: int) -> None:
        kms = self.client("kms", self.home)
        rotating = kms.create_key(Description=f"app data {n}")["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=rotating)
        kms.create_alias(AliasName=f"alias/app-{n}", TargetKeyId=rotating)
        kms.create_key(Description=f"legacy {n}")
        trail = self.client("cloudtrail", self.home)
        trail.create_trail(Name=f"audit-{n}", S3BucketName=f"acme-logs-{n}", IsMultiRegionTrail=False)
        trail.put_event_selectors(
            TrailName=f"audit-{n}", EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}]
        )
        trail.start_logging(Name=f"audit-{n}")
        self.away(n)
        rds = self.client("rds", self.home)
        rds.create_db_instance(
            DBInstanceIdentifier=f"orders-{n}",
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="app",
            MasterUserPassword=_DEMO_PASSWORD,
            AllocatedStorage=20,
            StorageEncrypted=True,
            PubliclyAccessible=False,
            MultiAZ=True,
        )
        rds.create_db_instance(
            DBInstanceIdentifier=f"reporting-{n}",
            DBInstanceClass="db.t3.micro",
            Engine="mysql",
            MasterUsername="app",
            MasterUserPassword=_DEMO_PASSWORD,
            AllocatedStorage=20,
            StorageEncrypted=False,
            PubliclyAccessible=True,
        )
        self.client("efs", self.home).create_file_system(
            CreationToken=f"shared-{n}", Encrypted=True, Tags=[{"Key": "Name", "Value": f"shared-{n}"}]
        )
        self.client("efs", self.other).create_file_system(
            CreationToken=f"scratch-{n}", Encrypted=False, Tags=[{"Key": "Name", "Value": f"scratch-{n}"}]
        )
        ecr = self.client("ecr", self.home)
        ecr.create_repository(
            repositoryName=f"app-{n}", imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True}
        )
        ecr.create_repository(repositoryName=f"tools-{n}")
        role = f"arn:aws:iam::{DEMO_ACCOUNT}:role/lambda-{n}"
        self.client("lambda", self.home).create_function(
            FunctionName=f"report-{n}",
            Runtime="python3.12",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": lambda_zip()},
            Environment={"Variables": {"DB_HOST": "orders", "DB_PASSWORD": "not-stored"}},
        )

    def away(self, n: int) -> None:
        """The second region: a smaller footprint, mostly well kept."""
        kms = self.client("kms", self.other)
        key = kms.create_key(Description=f"eu data {n}")["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=key)
        s3 = self.client("s3", self.other)
        archive = f"acme-archive-{n}"
        s3.create_bucket(Bucket=archive, CreateBucketConfiguration={"LocationConstraint": self.other})
        s3.put_bucket_versioning(Bucket=archive, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(
            Bucket=archive,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        ec2 = self.client("ec2", self.other)
        web = ec2.create_security_group(GroupName=f"web-eu-{n}", Description="public web")["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=web, IpPermissions=[_rule(443, cidr="0.0.0.0/0", description="https")]
        )
        ec2.create_volume(
            AvailabilityZone=f"{self.other}a",
            Size=200,
            VolumeType="gp3",
            Encrypted=True,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": f"eu-data-{n}"}]}],
        )
        self.client("ecr", self.other).create_repository(
            repositoryName=f"app-eu-{n}",
            imageTagMutability="IMMUTABLE",
            imageScanningConfiguration={"scanOnPush": True},
        )
        self.client("lambda", self.other).create_function(
            FunctionName=f"ingest-{n}",
            Runtime="python3.12",
            Role=f"arn:aws:iam::{DEMO_ACCOUNT}:role/lambda-{n}",
            Handler="index.handler",
            Code={"ZipFile": lambda_zip()},
        )
        iam = self.client("iam")
        iam.create_user(UserName=f"carol-{n}")
        iam.create_login_profile(UserName=f"carol-{n}", Password=_DEMO_PASSWORD)
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=f"carol-{n}")["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName=f"carol-{n}", SerialNumber=device, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )
        iam.add_user_to_group(GroupName=f"analysts-{n}", UserName=f"carol-{n}")


def seed_estate(endpoint: str, *, scale: int = 1, regions: tuple[str, str] = ("us-east-1", "eu-west-1")) -> None:
    """Seed a moto server at ``endpoint`` with ``scale`` units of the demo estate (about 60 resources each)."""
    seeder = _Seeder(endpoint, regions)
    for n in range(scale):
        seeder.unit(n)
        for part in PARTS:
            part.seed(seeder, n)
    seeder.account_baseline()
    for part in PARTS:
        if part.baseline is not None:
            part.baseline(seeder)


def _reset(endpoint: str) -> None:
    with urlopen(Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=30) as answer:  # noqa: S310 - loopback
        answer.read()


def _age_access_keys(account: str, user_prefix: str, days: int) -> None:
    """Make some access keys old, in-process: no AWS API can backdate a key."""
    from moto.iam.models import iam_backends

    backend = iam_backends[account]["aws"]
    for name, user in backend.users.items():
        if name.startswith(user_prefix):
            for key in user.access_keys:
                key.create_date = (utcnow() - timedelta(days=days)).replace(tzinfo=None)


class DemoEstate:
    """moto's server in this process, seeded; a context manager that stops it on exit."""

    regions = DEMO_REGIONS

    def __init__(self, scale: int = 1) -> None:
        self.scale = scale
        self.endpoint = ""
        self._server: Any = None
        self._saved_env: dict[str, str | None] = {}
        self._models: Any = None

    def __enter__(self) -> DemoEstate:
        # moto reads these when its backends load; the demo needs no built-in AMIs.
        for name, value in (("MOTO_EC2_LOAD_DEFAULT_AMIS", "false"), ("MOTO_ACCOUNT_ID", DEMO_ACCOUNT)):
            self._saved_env[name] = os.environ.get(name)
            os.environ[name] = value
        try:
            from moto.server import ThreadedMotoServer
        except ImportError:
            raise ObservationError("the demo needs moto's server: pip install 'unify[demo]'") from None
        # moto's server logs every request, and a traceback for each call it does
        # not implement; the audit reports those calls as unknown, so keep quiet.
        logging.disable(logging.CRITICAL)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        _reset(self.endpoint)  # moto's state is per process: start from an empty estate
        seed_estate(self.endpoint, scale=self.scale, regions=DEMO_REGIONS)
        _age_access_keys(DEMO_ACCOUNT, "ci-deploy-", 200)
        return self

    def session(self) -> Any:
        """A boto3 session with the demo's credentials (the endpoint goes in ObserveOptions).

        Services moto does not serve answer from the parts' recordings.
        """
        recordings = {service: fill for part in PARTS for service, fill in part.recordings.items()}
        kind = partial(RecordedSession, recordings) if recordings else None
        session = session_with_models(self._models, kind, region_name=DEMO_REGIONS[0], **DEMO_CREDENTIALS)
        self._models = models_of(session)  # the next session reads the models this one parsed
        return session

    @staticmethod
    def notes() -> list[str]:
        """What the demo's output must say about how it was served (recorded answers, not moto)."""
        return [part.note for part in PARTS if part.note]

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self._server is not None:
            self._server.stop()
        logging.disable(logging.NOTSET)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
