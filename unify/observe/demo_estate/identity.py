"""The demo's identity part: the organization, contacts, federation, keys, secrets, certificates and SSM.

The demo account is its organization's management account, with one member
account in an organizational unit under a baseline SCP and one left under the
root with FullAWSAccess only; GuardDuty is delegated to a security account,
IAM Access Analyzer is trusted but not delegated. It has a security and a
billing contact but no operations contact, an expired server certificate in
IAM, a SAML identity provider, an external-access analyzer in its home region
and none in the other, and public sharing of SSM documents blocked and
Automation logging on in its home region only. Each unit adds a rotating and
a forgotten secret, a tagged and an untagged certificate, a tagged private
and an untagged public SSM document, a SecureString and a plain parameter,
and an alias and a grant on a KMS key.

moto has no IAM Access Analyzer, no ListOrganizationsFeatures, no
DescribeResourcePolicy and no GetServiceSetting, and its credential report
has no root row: those answers are recorded, shaped as the API references
document them, while moto serves the rest of IAM, Organizations and SSM; the
demo says so. The recorded root user signed in two days ago (CIS 2.7 not
met); central root access is on and policy management is delegated to the
security account.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from unify.observe.demo_seeder import DemoPart, DemoSeeder, doc
from unify.observe.recorded import RecordedAnswers

__all__ = ["PART"]

_CREATED = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
_RUN_DOCUMENT = json.dumps(
    {
        "schemaVersion": "2.2",
        "description": "Restart the reporting service",
        "mainSteps": [
            {
                "action": "aws:runShellScript",
                "name": "restart",
                "inputs": {"runCommand": ["systemctl restart reporting"]},
            }
        ],
    }
)


def _unit(seeder: DemoSeeder, n: int) -> None:
    kms = seeder.client("kms", seeder.home)
    key = kms.create_key(Description=f"payments {n}")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=key)
    kms.create_alias(AliasName=f"alias/payments-{n}", TargetKeyId=key)
    kms.create_grant(
        KeyId=key,
        GranteePrincipal=f"arn:aws:iam::{seeder.account}:role/app-{n}",
        Operations=["Decrypt", "GenerateDataKey"],
        Name=f"app-{n}",
    )
    secrets = seeder.client("secretsmanager", seeder.home)
    secrets.create_secret(
        Name=f"orders-db-{n}",
        SecretString="demo placeholder",
        KmsKeyId=f"alias/payments-{n}",
        Tags=[{"Key": "owner", "Value": "data-platform"}],
    )
    secrets.rotate_secret(SecretId=f"orders-db-{n}", RotationRules={"AutomaticallyAfterDays": 30})
    secrets.create_secret(Name=f"legacy-api-token-{n}", SecretString="demo placeholder")
    acm = seeder.client("acm", seeder.home)
    acm.request_certificate(
        DomainName=f"shop-{n}.example.com", ValidationMethod="DNS", Tags=[{"Key": "owner", "Value": "web"}]
    )
    acm.request_certificate(DomainName=f"legacy-{n}.example.com", ValidationMethod="DNS")
    ssm = seeder.client("ssm", seeder.home)
    ssm.put_parameter(Name=f"/app-{n}/db-password", Value="demo placeholder", Type="SecureString")
    ssm.put_parameter(Name=f"/app-{n}/log-level", Value="info", Type="String")
    ssm.create_document(
        Name=f"restart-reporting-{n}",
        DocumentType="Command",
        Content=_RUN_DOCUMENT,
        Tags=[{"Key": "owner", "Value": "reporting"}],
    )
    ssm.create_document(Name=f"shared-runbook-{n}", DocumentType="Command", Content=_RUN_DOCUMENT)
    ssm.modify_document_permission(Name=f"shared-runbook-{n}", PermissionType="Share", AccountIdsToAdd=["All"])


def _baseline(seeder: DemoSeeder) -> None:
    account = seeder.client("account")
    for kind in ("SECURITY", "BILLING"):
        account.put_alternate_contact(
            AlternateContactType=kind,
            EmailAddress=f"{kind.lower()}@example.com",
            Name=f"{kind.title()} team",
            PhoneNumber="+15550100",
            Title="Team mailbox",
        )
    # A certificate left in IAM from before ACM (moto reports every one as expired in 2012).
    seeder.client("iam").upload_server_certificate(
        ServerCertificateName="legacy-web", CertificateBody="demo certificate", PrivateKey="demo key"
    )
    seeder.client("iam").create_saml_provider(
        Name="corporate-idp", SAMLMetadataDocument="<EntityDescriptor entityID='https://idp.example.com'/>".ljust(1000)
    )
    org = seeder.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    workloads = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    members = {}
    for name in ("payments", "security", "sandbox"):
        created = org.create_account(AccountName=name, Email=f"aws-{name}@example.com")
        members[name] = created["CreateAccountStatus"]["AccountId"]
    for name in ("payments", "security"):
        org.move_account(AccountId=members[name], SourceParentId=root, DestinationParentId=workloads)
    baseline = org.create_policy(
        Name="baseline-guardrails",
        Description="No leaving the organization, no turning off CloudTrail",
        Type="SERVICE_CONTROL_POLICY",
        Content=doc(
            {
                "Effect": "Deny",
                "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
                "Resource": "*",
            }
        ),
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=baseline, TargetId=workloads)  # the sandbox, under the root, is left without it
    for service in ("guardduty.amazonaws.com", "access-analyzer.amazonaws.com"):
        org.enable_aws_service_access(ServicePrincipal=service)
    org.register_delegated_administrator(AccountId=members["security"], ServicePrincipal="guardduty.amazonaws.com")


_REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
#: The security tooling account the delegation policy names (a fixed id: recordings are made before seeding).
_SECURITY_ACCOUNT = "111122223333"


def _iam(answers: RecordedAnswers, region: str) -> None:
    """The credential report (its root row) and central root access; moto serves the rest of IAM."""
    now = datetime.now(UTC)
    stamp = (now - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    root = (
        f"<root_account>,arn:aws:iam::123456789012:root,2019-03-01T10:00:00+00:00,not_supported,{stamp},"
        "not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
    )
    answers.answer("generate_credential_report", {"State": "COMPLETE"})
    answers.answer(
        "get_credential_report",
        {"Content": f"{_REPORT_HEADER}\n{root}\n".encode(), "ReportFormat": "text/csv", "GeneratedTime": now},
    )
    answers.answer(
        "list_organizations_features",
        {"OrganizationId": "o-demo000001", "EnabledFeatures": ["RootCredentialsManagement", "RootSessions"]},
    )
    answers.serve_the_rest()


def _organizations(answers: RecordedAnswers, region: str) -> None:
    """The delegation policy; moto serves the rest of Organizations."""
    delegation = doc(
        {
            "Sid": "DelegatePolicyManagement",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{_SECURITY_ACCOUNT}:root"},
            "Action": ["organizations:CreatePolicy", "organizations:UpdatePolicy", "organizations:AttachPolicy"],
            "Resource": "*",
        }
    )
    answers.answer(
        "describe_resource_policy",
        {
            "ResourcePolicy": {
                "ResourcePolicySummary": {
                    "Id": "rp-demo0001",
                    "Arn": "arn:aws:organizations::123456789012:resourcepolicy/o-demo000001/rp-demo0001",
                },
                "Content": delegation,
            }
        },
    )
    answers.serve_the_rest()


def _analyzers(answers: RecordedAnswers, region: str) -> None:
    """An external-access analyzer in us-east-1 only: eu-west-1 is left unwatched."""
    found: list[dict[str, Any]] = []
    if region == "us-east-1":
        found.append(
            {
                "arn": f"arn:aws:access-analyzer:{region}:123456789012:analyzer/account-external",
                "name": "account-external",
                "type": "ACCOUNT",
                "createdAt": _CREATED,
                "lastResourceAnalyzedAt": _CREATED,
                "status": "ACTIVE",
                "tags": {"owner": "security"},
            }
        )
    answers.answer("list_analyzers", {"analyzers": found})


_PUBLIC_SHARING = "/ssm/documents/console/public-sharing-permission"
_AUTOMATION_LOGS = "/ssm/automation/customer-script-log-destination"


def _ssm(answers: RecordedAnswers, region: str) -> None:
    """Public sharing blocked and Automation logging on in us-east-1 only; moto serves the rest of SSM."""
    home = region == "us-east-1"
    for setting, customized, default in (
        (_PUBLIC_SHARING, "Disable", "Enable"),
        (_AUTOMATION_LOGS, "CloudWatch", "NONE"),
    ):
        answers.answer(
            "get_service_setting",
            {
                "ServiceSetting": {
                    "SettingId": setting,
                    "SettingValue": customized if home else default,
                    "LastModifiedDate": _CREATED,
                    "LastModifiedUser": "arn:aws:sts::123456789012:assumed-role/platform-admin/ops"
                    if home
                    else "System",
                    "ARN": f"arn:aws:ssm:{region}:123456789012:servicesetting{setting}",
                    "Status": "Customized" if home else "Default",
                }
            },
            params={"SettingId": setting},
        )
    answers.serve_the_rest()


PART = DemoPart(
    name="identity",
    seed=_unit,
    baseline=_baseline,
    recordings={"accessanalyzer": _analyzers, "iam": _iam, "organizations": _organizations, "ssm": _ssm},
    note=(
        "IAM Access Analyzer, the credential report's root row, IAM's central root access, the Organizations "
        "delegation policy and SSM's service settings are served from recorded answers (moto lacks them); "
        "moto serves the rest."
    ),
)
