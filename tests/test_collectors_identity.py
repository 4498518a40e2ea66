"""Identity collectors where moto cannot answer: recorded AWS answers through botocore's Stubber.

moto has no Access Analyzer backend, no ListOrganizationsFeatures or
DescribeResourcePolicy, a credential report without the root row, and
answers member accounts' Organizations listings with empty lists where AWS
answers AccessDeniedException. These tests give the real collectors the
answers AWS documents for those cases (shapes from the API references,
validated by the Stubber against botocore's service models) and check
what the snapshot then says. Everything moto serves is tested in the
both-ways estates (``tests/estates/identity.py``).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import botocore.session
from moto import mock_aws

from factories import _models, deny, moto_session, observe_moto
from unify.model.resource import is_unknown
from unify.observe.recorded import RecordedAnswers, RecordedSession

ACCOUNT = "123456789012"
MANAGEMENT = "210987654321"
WHEN = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def _session(**recordings: Any) -> RecordedSession:
    core = botocore.session.Session()
    core.register_component("data_loader", _models())  # loading service models is most of a small test's cost
    return RecordedSession(recordings, botocore_session=core, region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")


def _by_type(snapshot: Any, type_: str) -> list[dict[str, Any]]:
    return sorted(snapshot.of_type(type_), key=lambda r: r["id"])


def _coverage(snapshot: Any, type_: str) -> list[tuple[str, str, str | None]]:
    return sorted((c["region"], c["status"], (c.get("error") or {}).get("code"))
                  for c in snapshot.coverage if c["type"] == type_)


# -- IAM Access Analyzer --------------------------------------------------------------------------


def _analyzers(answers: RecordedAnswers, region: str) -> None:
    arn = f"arn:aws:access-analyzer:{region}:{ACCOUNT}:analyzer"
    found = {
        "us-east-1": [
            {"arn": f"{arn}/external", "name": "external", "type": "ACCOUNT", "createdAt": WHEN,
             "status": "ACTIVE", "tags": {"owner": "security"}},
            {"arn": f"{arn}/unused", "name": "unused", "type": "ACCOUNT_UNUSED_ACCESS", "createdAt": WHEN,
             "status": "ACTIVE", "configuration": {"unusedAccess": {"unusedAccessAge": 90}}},
        ],
        "eu-west-1": [
            {"arn": f"{arn}/broken", "name": "broken", "type": "ORGANIZATION", "createdAt": WHEN,
             "status": "FAILED", "statusReason": {"code": "AWS_SERVICE_ACCESS_DISABLED"}},
        ],
    }
    answers.answer("list_analyzers", {"analyzers": found.get(region, [])})


def test_access_analyzer_status_says_which_regions_have_an_active_external_analyzer() -> None:
    with mock_aws():
        snapshot = observe_moto("aws_accessanalyzer_analyzer", "aws_accessanalyzer_region_status",
                                regions=["us-east-1", "eu-west-1", "ap-south-1"],
                                session=_session(accessanalyzer=_analyzers))
    statuses = {r["region"]: r["attributes"] for r in snapshot.of_type("aws_accessanalyzer_region_status")}
    assert statuses == {
        "us-east-1": {"analyzers": 2, "external_access_analyzers": ["external"], "unused_access_analyzers": ["unused"]},
        "eu-west-1": {"analyzers": 1, "external_access_analyzers": [], "unused_access_analyzers": []},
        "ap-south-1": {"analyzers": 0, "external_access_analyzers": [], "unused_access_analyzers": []},
    }
    analyzers = {r["name"]: r for r in snapshot.of_type("aws_accessanalyzer_analyzer")}
    assert analyzers["broken"]["attributes"]["status_reason"] == "AWS_SERVICE_ACCESS_DISABLED"
    assert analyzers["unused"]["attributes"]["configuration"] == {"unused_access": {"unused_access_age": 90}}
    assert analyzers["external"]["tags"] == {"owner": "security"}
    assert "status_reason" not in analyzers["external"]["attributes"]


def test_a_failed_analyzer_listing_leaves_the_region_unobserved_not_empty() -> None:
    def refused(answers: RecordedAnswers, region: str) -> None:
        answers.error("list_analyzers", "AccessDeniedException", "not authorized", status=403)

    with mock_aws():
        snapshot = observe_moto("aws_accessanalyzer_region_status", session=_session(accessanalyzer=refused))
    assert snapshot.of_type("aws_accessanalyzer_region_status") == []
    assert _coverage(snapshot, "aws_accessanalyzer_region_status") == [("us-east-1", "error", "AccessDeniedException")]


# -- IAM: the root user's credential report, central root access ---------------------------------

_HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
           "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
           "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
           "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
           "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
           "cert_2_active,cert_2_last_rotated")
_ROOT = (f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2019-03-01T10:00:00+00:00,not_supported,"
         "2026-10-30T08:15:00+00:00,not_supported,not_supported,true,true,2020-01-01T00:00:00+00:00,"
         "2026-10-31T23:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
_USER = (f"alice,arn:aws:iam::{ACCOUNT}:user/alice,2024-01-01T00:00:00+00:00,true,N/A,N/A,N/A,false,false,N/A,"
         "N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")


def _report(*rows: str) -> Any:
    def fill(answers: RecordedAnswers, region: str) -> None:
        answers.answer("generate_credential_report", {"State": "COMPLETE"})
        answers.answer("get_credential_report", {"Content": "\n".join((_HEADER, *rows)).encode(),
                                                 "ReportFormat": "text/csv", "GeneratedTime": WHEN})
    return fill


def test_the_root_user_is_read_from_the_credential_report_root_row() -> None:
    with mock_aws():
        snapshot = observe_moto("aws_iam_root_user", session=_session(iam=_report(_ROOT, _USER)))
    (root,) = snapshot.of_type("aws_iam_root_user")
    assert root["id"] == f"{ACCOUNT}/aws_iam_root_user"
    assert root["attributes"] == {
        "arn": f"arn:aws:iam::{ACCOUNT}:root", "created_at": "2019-03-01T10:00:00Z", "mfa_active": True,
        "password_last_used": "2026-10-30T08:15:00Z",
        "access_keys": [{"active": True, "last_rotated": "2020-01-01T00:00:00Z",
                         "last_used_date": "2026-10-31T23:00:00Z", "last_used_service": "s3"}],
        "signing_certificates": [], "report_generated_at": "2026-11-01T12:00:00Z",
    }


def test_a_report_without_the_root_row_is_unobserved_never_an_unused_root() -> None:
    # moto's report has no <root_account> row: the same answer, as AWS would never send it.
    with mock_aws():
        snapshot = observe_moto("aws_iam_root_user", session=_session(iam=_report(_USER)))
    assert snapshot.of_type("aws_iam_root_user") == []
    assert _coverage(snapshot, "aws_iam_root_user") == [("global", "error", "MalformedResponse")]


def _user_row(name: str, created: str, password: str, mfa: str) -> str:
    return (f"{name},arn:aws:iam::{ACCOUNT}:user/{name},{created},{password},N/A,N/A,N/A,{mfa},false,N/A,"
            "N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")


def test_a_users_report_row_is_read_only_when_it_is_that_very_user() -> None:
    """alice's row is hers; bob's was made before bob was deleted and made again; carol's MFA column is
    broken; dave is newer than the report; erin has two rows. Only alice and carol's password are read."""
    with mock_aws():
        iam = moto_session().client("iam")
        for name in ("alice", "bob", "carol", "dave", "erin"):
            iam.create_user(UserName=name)
        for name in ("alice", "bob", "erin"):
            iam.create_login_profile(UserName=name, Password="Secret-123456")
        created = {u["UserName"]: u["CreateDate"].strftime("%Y-%m-%dT%H:%M:%S+00:00")
                   for u in iam.list_users()["Users"]}
        rows = (_ROOT, _user_row("alice", created["alice"], "true", "true"),
                _user_row("bob", "2020-01-01T00:00:00+00:00", "false", "true"),
                _user_row("carol", created["carol"], "false", "yes"),
                _user_row("erin", created["erin"], "false", "true"),
                _user_row("erin", created["erin"], "true", "false"))
        report = _report(*rows)

        def served(answers: RecordedAnswers, region: str) -> None:
            report(answers, region)
            answers.serve_the_rest()  # moto answers the listings and the per-user calls

        snapshot = observe_moto("aws_iam_user", session=_session(iam=served),
                                attributes={"aws_iam_user": frozenset({"password_enabled", "mfa_active"})})
    users = {u["name"]: u["attributes"] for u in snapshot.of_type("aws_iam_user")}
    # alice's MFA comes from her row (moto knows of no device): the report is what was read.
    assert {n: (a["password_enabled"], a["mfa_active"]) for n, a in users.items()} == {
        "alice": (True, True), "bob": (True, False), "carol": (False, False), "dave": (False, False),
        "erin": (True, False)}
    assert {n for n, a in users.items() if "report_generated_at" in a} == {"alice", "carol"}
    assert users["alice"]["report_generated_at"] == "2026-11-01T12:00:00Z"
    # Asked one by one: bob, dave and erin (password and devices), carol (devices).
    assert snapshot.stats["calls"]["iam:get_login_profile"] == 3
    assert snapshot.stats["calls"]["iam:list_mfa_devices"] == 4


def _features(code: str | None) -> Any:
    def fill(answers: RecordedAnswers, region: str) -> None:
        if code is None:
            answers.answer("list_organizations_features", {
                "OrganizationId": "o-a1b2c3d4e5", "EnabledFeatures": ["RootSessions", "RootCredentialsManagement"]})
        else:
            answers.error("list_organizations_features", code, "as AWS answers", status=400)
    return fill


def test_central_root_access_from_the_management_account_a_member_and_a_standalone_account() -> None:
    outcomes = {}
    with mock_aws():
        for case, code in (("on", None), ("trusted access off", "ServiceAccessNotEnabledException"),
                           ("member", "AccountNotManagementOrDelegatedAdministratorException"),
                           ("standalone", "OrganizationNotFoundException")):
            snapshot = observe_moto("aws_iam_organizations_features", session=_session(iam=_features(code)))
            outcomes[case] = ([r["attributes"] for r in snapshot.of_type("aws_iam_organizations_features")],
                              _coverage(snapshot, "aws_iam_organizations_features"))
    assert outcomes["on"] == ([{"configured": True, "organization_id": "o-a1b2c3d4e5",
                                "enabled_features": ["RootCredentialsManagement", "RootSessions"]}],
                              [("global", "ok", None)])
    assert outcomes["trusted access off"] == ([{"configured": False}], [("global", "ok", None)])
    # A member cannot tell: unobserved, so CIS 2.1.1 is unknown there, never met or not met.
    assert outcomes["member"] == ([], [("global", "error", "AccountNotManagementOrDelegatedAdministratorException")])
    assert outcomes["standalone"] == ([], [("global", "ok", None)])


# -- Organizations seen from a member account, and the delegation policy -----------------------------


def _member_view(answers: RecordedAnswers, region: str) -> None:
    answers.answer("describe_organization", {"Organization": {
        "Id": "o-a1b2c3d4e5", "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/o-a1b2c3d4e5",
        "FeatureSet": "ALL", "MasterAccountId": MANAGEMENT, "MasterAccountEmail": "root@example.com",
        "MasterAccountArn": f"arn:aws:organizations::{MANAGEMENT}:account/o-a1b2c3d4e5/{MANAGEMENT}"}})
    for method in ("list_roots", "list_aws_service_access_for_organization", "list_delegated_administrators",
                   "list_accounts", "describe_resource_policy"):
        answers.error(method, "AccessDeniedException", "You don't have permissions to access this resource.",
                      status=400)


def test_from_a_member_account_the_organization_is_known_and_management_facts_are_unknown() -> None:
    with mock_aws():
        snapshot = observe_moto("aws_organizations_organization", "aws_organizations_account",
                                "aws_organizations_resource_policy", session=_session(organizations=_member_view))
    (org,) = snapshot.of_type("aws_organizations_organization")
    attributes = org["attributes"]
    assert attributes["configured"] is True and attributes["is_management_account"] is False
    assert attributes["master_account_id"] == MANAGEMENT
    for key in ("enabled_policy_types", "aws_service_access_principals", "roots", "undelegated_services"):
        assert is_unknown(attributes[key]) and "AccessDeniedException" in attributes[key]["$unknown"], key
    assert "root@example.com" not in str(org)  # AWS marks the management account's email sensitive
    # Listing accounts and the delegation policy is for the management account: unobserved, not "none".
    assert _coverage(snapshot, "aws_organizations_account") == [("global", "error", "AccessDeniedException")]
    assert _coverage(snapshot, "aws_organizations_resource_policy") == [("global", "error", "AccessDeniedException")]


def _delegation(content: str | None) -> Any:
    def fill(answers: RecordedAnswers, region: str) -> None:
        if content is None:
            answers.error("describe_resource_policy", "ResourcePolicyNotFoundException", "no policy", status=400)
        else:
            answers.answer("describe_resource_policy", {"ResourcePolicy": {
                "ResourcePolicySummary": {"Id": "rp-a1b2c3d4",
                                          "Arn": f"arn:aws:organizations::{ACCOUNT}:resourcepolicy/o-a1/rp-a1b2c3d4"},
                "Content": content}})
    return fill


def test_the_delegation_policy_is_parsed_and_its_absence_is_a_fact() -> None:
    policy = ('{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},'
              '"Action":["organizations:CreatePolicy","organizations:AttachPolicy"],"Resource":"*"}}')
    with mock_aws():
        present = observe_moto("aws_organizations_resource_policy", session=_session(organizations=_delegation(policy)))
        missing = observe_moto("aws_organizations_resource_policy", session=_session(organizations=_delegation(None)))
    (found,) = present.of_type("aws_organizations_resource_policy")
    assert found["attributes"]["configured"] is True and found["attributes"]["id"] == "rp-a1b2c3d4"
    assert found["attributes"]["content"]["Statement"][0]["Principal"] == {"AWS": ["arn:aws:iam::111122223333:root"]}
    assert [r["attributes"] for r in missing.of_type("aws_organizations_resource_policy")] == [{"configured": False}]


# -- what moto serves, where a failure must not read as "none" ----------------------------------------


def test_a_refused_alternate_contact_is_unobserved_never_missing() -> None:
    with mock_aws():
        session = moto_session()
        session.client("account").put_alternate_contact(
            AlternateContactType="SECURITY", EmailAddress="sec@example.com", Name="Security", PhoneNumber="+1555",
            Title="CISO")
        seen = observe_moto("aws_account_alternate_contact", session=session)
        deny(session, "account", "GetAlternateContact")
        refused = observe_moto("aws_account_alternate_contact", session=session)
    assert [r["name"] for r in seen.of_type("aws_account_alternate_contact")] == ["SECURITY"]
    assert "sec@example.com" not in str(seen.resources)  # every contact field is sensitive
    assert refused.of_type("aws_account_alternate_contact") == []
    assert _coverage(refused, "aws_account_alternate_contact") == [("global", "error", "AccessDenied")]


def test_grants_that_cannot_be_listed_leave_the_region_unobserved() -> None:
    with mock_aws():
        session = moto_session()
        kms = session.client("kms")
        key = kms.create_key(Description="app")["KeyMetadata"]["KeyId"]
        kms.create_grant(KeyId=key, GranteePrincipal=f"arn:aws:iam::{ACCOUNT}:role/app", Operations=["Decrypt"])
        seen = observe_moto("aws_kms_grant", session=session)
        deny(session, "kms", "ListGrants")
        refused = observe_moto("aws_kms_grant", session=session)
    (grant,) = seen.of_type("aws_kms_grant")
    assert grant["attributes"]["operations"] == ["Decrypt"] and grant["attributes"]["key_id"] == key
    assert refused.of_type("aws_kms_grant") == []
    assert _coverage(refused, "aws_kms_grant") == [("us-east-1", "error", "AccessDenied")]


# -- types no shipped check reads yet, which moto serves: what the snapshot says of them -------------------


def test_aliases_parameters_and_oidc_providers_are_read_as_aws_reports_them() -> None:
    with mock_aws():
        session = moto_session()
        kms = session.client("kms")
        key = kms.create_key(Description="app")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/app", TargetKeyId=key)
        ssm = session.client("ssm")
        ssm.put_parameter(Name="/app/db", Value="never-stored", Type="SecureString", Description="database")
        ssm.put_parameter(Name="/app/level", Value="info", Type="String", AllowedPattern="^[a-z]+$")
        session.client("iam").create_open_id_connect_provider(
            Url="https://token.actions.githubusercontent.com", ClientIDList=["sts.amazonaws.com"],
            ThumbprintList=["6938fd4d98bab03faadb97b34396831e3780aea1"])
        seen = observe_moto("aws_kms_alias", "aws_ssm_parameter", "aws_iam_openid_connect_provider", session=session)
    aliases = {r["name"]: r["attributes"] for r in seen.of_type("aws_kms_alias")}
    assert aliases["alias/app"]["target_key_id"] == key and aliases["alias/app"]["aws_managed"] is False
    assert aliases["alias/app"]["target_key_arn"].endswith(f":key/{key}")
    assert aliases["alias/aws/ssm"]["aws_managed"] is True  # AWS's own alias, listed as AWS lists it
    parameters = {r["name"]: r["attributes"] for r in seen.of_type("aws_ssm_parameter")}
    assert parameters["/app/db"]["type"] == "SecureString" and parameters["/app/db"]["key_id"] == "alias/aws/ssm"
    assert parameters["/app/level"]["allowed_pattern"] == "^[a-z]+$" and "key_id" not in parameters["/app/level"]
    assert "never-stored" not in str(seen.data)  # metadata only: a parameter's value is never asked for
    (provider,) = seen.of_type("aws_iam_openid_connect_provider")
    assert provider["attributes"]["client_id_list"] == ["sts.amazonaws.com"]
    assert provider["attributes"]["thumbprint_list"] == ["6938fd4d98bab03faadb97b34396831e3780aea1"]


def test_units_policies_and_delegated_administrators_of_the_organization() -> None:
    with mock_aws():
        session = moto_session()
        org = session.client("organizations")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
        unit = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
        member = org.create_account(AccountName="security", Email="security@example.com")
        member_id = member["CreateAccountStatus"]["AccountId"]
        content = '{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}'  # noqa: E501
        policy = org.create_policy(Name="deny-leave", Description="stay", Type="SERVICE_CONTROL_POLICY",
                                   Content=content)["Policy"]["PolicySummary"]["Id"]
        org.attach_policy(PolicyId=policy, TargetId=unit)
        org.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
        org.register_delegated_administrator(AccountId=member_id, ServicePrincipal="guardduty.amazonaws.com")
        seen = observe_moto("aws_organizations_organizational_unit", "aws_organizations_policy",
                            "aws_organizations_delegated_administrator", session=session)
    (ou,) = seen.of_type("aws_organizations_organizational_unit")
    assert ou["attributes"]["parent_id"] == root
    assert ou["attributes"]["service_control_policies"] == sorted(["p-FullAWSAccess", policy])
    policies = {r["name"]: r["attributes"] for r in seen.of_type("aws_organizations_policy")}
    assert policies["deny-leave"]["targets"] == [unit] and policies["deny-leave"]["aws_managed"] is False
    assert policies["deny-leave"]["content"]["Statement"][0]["Effect"] == "Deny"  # parsed, not a string
    assert policies["FullAWSAccess"]["aws_managed"] is True
    (delegated,) = seen.of_type("aws_organizations_delegated_administrator")
    assert (delegated["attributes"]["account_id"], delegated["attributes"]["service_principal"]) == (
        member_id, "guardduty.amazonaws.com")
    assert is_unknown(delegated["attributes"]["email"])  # AWS marks an account's email sensitive: redacted


# -- SSM: service settings (moto has no GetServiceSetting) -------------------------------------------------

_SHARING = "/ssm/documents/console/public-sharing-permission"
_LOGS = "/ssm/automation/customer-script-log-destination"


def test_service_settings_are_read_per_region_and_a_broken_answer_is_never_a_setting() -> None:
    def settings(answers: RecordedAnswers, region: str) -> None:
        if region == "ap-south-1":  # an answer without SettingValue: malformed, not "Enable" nor "Disable"
            answers.answer("get_service_setting", {"ServiceSetting": {"SettingId": _SHARING}})
        elif region == "eu-west-1":
            answers.error("get_service_setting", "AccessDeniedException", "not authorized", status=400)
        else:
            for setting, value in ((_SHARING, "Enable"), (_LOGS, "CloudWatch")):
                answers.answer("get_service_setting", {"ServiceSetting": {
                    "SettingId": setting, "SettingValue": value, "Status": "Default", "LastModifiedUser": "System",
                    "ARN": f"arn:aws:ssm:{region}:{ACCOUNT}:servicesetting{setting}"}}, params={"SettingId": setting})

    with mock_aws():
        snapshot = observe_moto("aws_ssm_service_setting", regions=["us-east-1", "eu-west-1", "ap-south-1"],
                                session=_session(ssm=settings))
    found = {(r["region"], r["name"]): r["attributes"] for r in snapshot.of_type("aws_ssm_service_setting")}
    assert set(found) == {("us-east-1", _SHARING), ("us-east-1", _LOGS)}  # nothing from the broken regions
    assert found["us-east-1", _SHARING]["setting_value"] == "Enable"
    assert found["us-east-1", _SHARING]["status"] == "Default"
    assert found["us-east-1", _LOGS]["setting_value"] == "CloudWatch"
    assert _coverage(snapshot, "aws_ssm_service_setting") == [
        ("ap-south-1", "error", "MalformedResponse"), ("eu-west-1", "error", "AccessDeniedException"),
        ("us-east-1", "ok", None)]


def test_the_root_user_and_the_users_read_one_report() -> None:
    def served(answers: RecordedAnswers, region: str) -> None:
        _report(_ROOT, _USER)(answers, region)
        answers.serve_the_rest()

    with mock_aws():
        moto_session().client("iam").create_user(UserName="alice")
        snapshot = observe_moto("aws_iam_root_user", "aws_iam_user", session=_session(iam=served))
    assert [r["attributes"]["mfa_active"] for r in snapshot.of_type("aws_iam_root_user")] == [True]
    assert [r["name"] for r in snapshot.of_type("aws_iam_user")] == ["alice"]
    calls = snapshot.stats["calls"]
    assert (calls["iam:generate_credential_report"], calls["iam:get_credential_report"]) == (1, 1)
