"""Policy files: loading, compiling, and every mistake reported with file, line and key."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from factories import THREE_MISTAKES
from factories import PLUGINS, TYPES
from unify.checks.default_operators import BUILTIN_OPERATORS
from unify.checks.schema import policy_schema
from unify.checks.policy_set import discover_files, lint_paths, load_policies
from unify.errors import PolicyError

GOOD = """
checks:
  - id: s3-versioning
    title: S3 buckets keep versions
    severity: medium
    resource: aws_s3_bucket
    where:
      tags.environment: {eq: production}
    assert:
      versioning.status: {eq: Enabled}
    controls:
      cis-aws-v7.0: [3.1.2, "3.10"]
    remediation: |
      Turn on versioning.
  - id: one-trail
    severity: high
    resource: [aws_cloudtrail]
    expect:
      count: {ge: 1}
desired:
  - resource: aws_s3_bucket
    name: acme-logs
    severity: high
    attributes:
      versioning: {status: Enabled}
      tags: {owner: data-platform}
"""


def test_loads_checks_desired_and_controls(write) -> None:
    path = write("policies/s3.yaml", GOOD)
    policy = load_policies([path.parent], operators=PLUGINS.operators)
    assert policy.ids == ["desired/aws_s3_bucket/acme-logs", "one-trail", "s3-versioning"]
    check = policy.get("s3-versioning")
    assert check.kind == "guardrail" and check.types == ("aws_s3_bucket",)
    assert check.controls == {"cis-aws-v7.0": ("3.1.2", "3.10")}  # unquoted 3.10 stays "3.10"
    assert check.line == 2 and check.remediation == "Turn on versioning."
    assert policy.get("one-trail").kind == "aggregate"
    assert policy.get("one-trail").count == (("ge", 1),)
    desired = policy.get("desired/aws_s3_bucket/acme-logs")
    assert desired.kind == "desired" and desired.name == "acme-logs" and desired.severity == "high"
    assert [leaf.path.text for leaf in desired.assertion.children] == ["versioning.status", "tags.owner"]
    assert policy.types == ["aws_cloudtrail", "aws_s3_bucket"]
    assert [f.path for f in policy.files] == [path.as_posix()]
    assert len(policy.files[0].sha256) == 64


def test_files_and_folders_sorted_and_deduplicated(write, tmp_path, monkeypatch) -> None:
    write("p/b.yaml", "checks: []\n")
    write("p/a/z.yml", "checks: []\n")
    write("p/.hidden/x.yaml", "checks: []\n")
    write("p/readme.txt", "not yaml")
    monkeypatch.chdir(tmp_path)
    files, problems = discover_files(["p", "p/b.yaml", "nope"])
    assert files == ["p/a/z.yml", "p/b.yaml"]
    assert [(p.file, p.message) for p in problems] == [("nope", "no such file or folder")]


def problems_of(write, text: str, name: str = "p.yaml"):
    path = write(name, text)
    problems, _, _ = lint_paths([path], operators=PLUGINS.operators)
    return [(p.line, p.key, p.message) for p in problems if not p.warning]


def test_three_independent_mistakes_are_all_reported(write) -> None:
    found = problems_of(write, THREE_MISTAKES)
    assert [(line, key) for line, key, _ in found] == [(3, "severity"), (6, "equals"), (10, "asert")]
    messages = " | ".join(m for _, _, m in found)
    assert "must be one of" in messages and "did you mean 'high'" in messages
    assert "unknown operator 'equals' (did you mean 'eq'?)" in messages
    assert "unknown key 'asert'" in messages and "did you mean 'assert'" in messages


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert: {cidr_block: {eq: 1}\n", None, None, "YAML syntax error"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert:\n      cidr_block: {eqq: 1}\n", 6, "eqq", "unknown operator 'eqq'"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert:\n      cidr_block: eq\n", 6, "cidr_block", "expected a mapping of operator to value"),
        ("checks:\n  - id: a\n    severity: 3\n    resource: aws_vpc\n    assert:\n      a: {eq: 1}\n", 3, "severity", "must be one of"),
        ("checks:\n  - id: a\n    severity: high\n    resource: 7\n    assert:\n      a: {eq: 1}\n", 4, "resource", "resource must be a resource type"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert:\n      a: {in: 5}\n", 6, "in", "in must be a list; got number"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert:\n      a: {matches: '(['}\n", 6, "matches", "invalid regular expression"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert:\n      a: {older_than: soon}\n", 6, "older_than", "does not match"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n", 2, "assert", "exactly one of 'assert'"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert: {a: {eq: 1}}\n    expect: {count: {ge: 1}}\n", 2, "assert", "exactly one of 'assert'"),
        ("checks:\n  - severity: high\n    resource: aws_vpc\n    assert: {a: {eq: 1}}\n", 2, "id", "missing required key 'id'"),
        ("checks:\n  - id: 'bad id'\n    severity: high\n    resource: aws_vpc\n    assert: {a: {eq: 1}}\n", 2, "id", "may hold only"),
        ("rules:\n  - id: a\n", 1, "rules", "unknown key 'rules'"),
        ("- just\n- a list\n", 1, None, "mapping at the top level"),
        ("checks:\n  - id: a\n    severity: high\n    resource: aws_vpc\n    assert:\n      a: !!python/object/apply:os.system [id]\n", 6, None, "is not allowed"),
        ("checks:\n  - id: a\n    severity: high\n    severity: low\n    resource: aws_vpc\n    assert: {a: {eq: 1}}\n", 4, "severity", "duplicate key"),
        ("controls:\n  - {id: '1', title: x}\n", 1, "controls", "'controls' and 'framework' go together"),
    ],
)
def test_bad_input_names_file_line_and_key(write, text: str, line, key, message: str) -> None:
    path = write("bad.yaml", text)
    with pytest.raises(PolicyError) as info:
        load_policies([path], operators=PLUGINS.operators)
    problem = info.value.problems[0]
    assert problem.file == str(path)
    if line is not None:
        assert problem.line == line
    if key is not None:
        assert problem.key == key
    assert message in problem.message
    assert "\n" not in str(info.value)


def test_duplicate_check_ids_across_files(write) -> None:
    first = write("p/a.yaml", "checks:\n  - id: same\n    severity: low\n    resource: aws_vpc\n    assert: {a: {eq: 1}}\n")
    write("p/b.yaml", "checks:\n  - {id: other, severity: low, resource: aws_vpc, assert: {a: {eq: 1}}}\n  - id: same\n    severity: low\n    resource: aws_vpc\n    assert: {a: {eq: 1}}\n")
    with pytest.raises(PolicyError) as info:
        load_policies([first.parent], operators=PLUGINS.operators)
    problem = info.value.problems[0]
    assert problem.file.endswith("b.yaml") and problem.line == 2 + 1
    assert "duplicate check id 'same'" in problem.message and "a.yaml:2" in problem.message


def test_alias_bomb_in_a_policy_file(write) -> None:
    lines = ["x0: &x0 [a, a, a, a, a, a, a, a, a, a]"]
    lines += [f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]" for i in range(1, 8)]
    path = write("bomb.yaml", "\n".join(lines) + "\n")
    with pytest.raises(PolicyError, match="alias bomb"):
        load_policies([path], operators=PLUGINS.operators)


def test_catalogs_and_their_warnings(write) -> None:
    write("p/catalog.yaml", """
        framework: {id: acme, title: ACME baseline, version: 2.10}
        controls:
          - {id: 1.1, title: Buckets are private}
          - {id: 1.10, title: Trails log}
          - {id: 1.1, title: Again}
        """)
    path = write("p/checks.yaml", """
        checks:
          - id: a
            severity: low
            resource: aws_s3_bucket
            assert: {acl: {eq: private}}
            controls: {acme: [1.1, 9.9], other: [X-1]}
        """)
    problems, policy, _ = lint_paths([path.parent], operators=PLUGINS.operators)
    messages = sorted((p.warning, p.message) for p in problems)
    assert (False, "duplicate control id '1.1' (first at line 3)") in messages
    assert any(w and "'9.9', which the acme catalog does not list" in m for w, m in messages)
    assert any(w and "framework 'other', which has no catalog" in m for w, m in messages)
    framework = policy.frameworks["acme"]
    assert framework.version == "2.10" and framework.control_ids == ["1.1", "1.10"]


def test_waivers_file_among_policies_is_pointed_out(write) -> None:
    path = write("p/waivers.yaml", "waivers:\n  - {check: a, resources: ['*'], reason: r}\n")
    with pytest.raises(PolicyError, match="pass it with --waivers"):
        load_policies([path], operators=PLUGINS.operators)


def test_no_checks_at_all_is_an_error(write) -> None:
    path = write("p/empty.yaml", "checks: []\n")
    with pytest.raises(PolicyError, match="no checks found"):
        load_policies([path], operators=PLUGINS.operators)


def test_shipped_schema_is_the_generated_one() -> None:
    shipped = json.loads((Path(__file__).parent.parent / "unify" / "schemas" / "policy.schema.json").read_text())
    assert shipped == policy_schema(BUILTIN_OPERATORS)


def test_schema_validates_the_design_example() -> None:
    import yaml

    example = yaml.safe_load(GOOD.replace("3.1.2", "'3.1.2'"))
    validator = jsonschema.Draft7Validator(policy_schema(BUILTIN_OPERATORS))
    assert [e.message for e in validator.iter_errors(example)] == []
    example["checks"][0]["severity"] = "severe"
    assert [e.validator for e in validator.iter_errors(example)] == ["enum"]


# -- every problem in one pass, and the resource model ------------------------------------------------------

MIXED = """
checks:
  - id: same
    severity: hgih
    resource: aws_ebs_volume
    assert: {encrytped: {eq: true}}
  - id: same
    severity: low
    resource: aws_ebs_volumes
    assert: {encrypted: {eqq: true}}
  - id: fine
    severity: low
    resource: [aws_s3_bucket, aws_ebs_volume]
    where: {tags.env: {eq: prod}, attributes.type: {eq: gp2}}
    assert:
      versioning.status: {eq: Enabled}
      server_side_encryption_configuration: {exists: true}
      ingress:
        any_item: {made_up_inner: {eq: 1}}
desired:
  - resource: aws_s3_bucket
    name: logs
    attributes: {versioning: {status: Enabled}, tags: {owner: a}, acl_typo: private}
"""


def test_duplicates_are_reported_with_the_other_problems_of_their_checks(write) -> None:
    path = write("p.yaml", MIXED)
    problems, _, _ = lint_paths([path], operators=PLUGINS.operators, types=TYPES)
    errors = sorted((p.line, p.key, p.message) for p in problems if not p.warning)
    assert [(line, key) for line, key, _ in errors] == [(3, "severity"), (6, "same"), (9, "eqq")]
    assert errors[1][2] == f"duplicate check id 'same' (first at {path}:2)"


def test_unknown_types_and_attributes_are_warnings_with_suggestions(write) -> None:
    path = write("p.yaml", MIXED)
    problems, _, _ = lint_paths([path], operators=PLUGINS.operators, types=TYPES)
    assert sorted((p.line, p.key, p.message) for p in problems if p.warning) == [
        # the first check does not compile (its severity), yet its attribute paths are read all the same
        (5, "encrytped", "check 'same' reads attribute 'encrytped', which aws_ebs_volume does not have "
                         "(did you mean 'encrypted'?)"),
        (8, "aws_ebs_volumes", "check 'same' reads resource type 'aws_ebs_volumes', which no collector declares "
                               "(did you mean 'aws_ebs_volume'?)"),
        # a check over two types may read what either has; paths inside any_item are the provider's shape
        (18, "ingress", "check 'fine' reads attribute 'ingress', which aws_s3_bucket or aws_ebs_volume does not have"),
        (22, "acl_typo", "check 'desired/aws_s3_bucket/logs' reads attribute 'acl_typo', which aws_s3_bucket "
                         "does not have"),
    ]
    # without the declarations nothing is said about types or attributes
    assert [p for p in lint_paths([path], operators=PLUGINS.operators)[0] if p.warning] == []


def test_load_policies_warns_but_still_loads(write) -> None:
    path = write("p.yaml", "checks:\n  - {id: a, severity: low, resource: aws_vpc, assert: {flow_log: {empty: false}}}\n")
    policy = load_policies([path], operators=PLUGINS.operators, types=TYPES)
    assert policy.ids == ["a"]
    assert [str(w) for w in policy.warnings] == [
        f"{path}:2: [flow_log] warning: check 'a' reads attribute 'flow_log', which aws_vpc does not have "
        "(did you mean 'flow_logs'?)"]
