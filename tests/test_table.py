"""The table for people: remediation, wrapping on word and id boundaries, COLUMNS when piped, the summary."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from factories import ACCOUNT, PLUGINS, ok, resource, snapshot
from unify.checks.policy_set import load_policies
from unify.cli import main
from unify.engine import evaluate
from unify.model.snapshot import write_snapshot
from unify.render.layout import fit_widths, wrap
from unify.render.renderer import RenderOptions, render

POLICY = """
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: critical
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1]}
    remediation: Snapshot the volume, copy the snapshot with encryption on, and swap the new volume in.
  - id: recorder-everywhere
    title: AWS Config records in every region
    severity: medium
    resource: aws_config_configuration_recorder
    assert: {is_enabled: {eq: true}}
    controls: {demo: [D-2]}
  - id: keys-rotate
    title: KMS keys rotate
    severity: low
    resource: aws_kms_key
    assert: {enable_key_rotation: {eq: true}}
"""
CATALOG = """
framework: {id: demo, title: Demo baseline}
controls:
  - {id: D-1, title: Data is encrypted}
  - {id: D-2, title: Changes are recorded}
  - {id: D-3, title: People are trained}
"""
SCOPE_ID = f"{ACCOUNT}/eu-west-1/aws_config_configuration_recorder"


@pytest.fixture
def results(write):
    policy = load_policies([write("p.yaml", POLICY), write("c.yaml", CATALOG)], operators=PLUGINS.operators)
    snap = snapshot(
        [resource("aws_ebs_volume", f"vol-{i:02d}", {"encrypted": i % 3 != 0}) for i in range(9)]
        + [resource("aws_config_configuration_recorder", SCOPE_ID, {"is_enabled": False}, name=SCOPE_ID,
                    region="eu-west-1"),
           resource("aws_kms_key", "key-1", {"enable_key_rotation": False})],
        [ok("aws_ebs_volume"), ok("aws_config_configuration_recorder", "eu-west-1"), ok("aws_kms_key")],
        regions=["us-east-1", "eu-west-1"],
    )
    return evaluate(policy, snap)


def table(results, **options) -> str:
    return render(PLUGINS.renderers["table"], results, RenderOptions(**options)).decode("utf-8")


# -- wrapping --------------------------------------------------------------------------------------------

def test_words_stay_whole_and_ids_break_after_their_separators() -> None:
    assert wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]
    assert wrap("123456789012/eu-west-1/aws_config_configuration_recorder", 24) == [
        "123456789012/eu-west-1/", "aws_config_", "configuration_recorder"]
    assert wrap("us-east-1", 7) == ["us-", "east-1"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]  # nothing to break at: cut where the column ends
    assert wrap("one\ntwo three", 5) == ["one", "two", "three"]


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=st.sampled_from("abc/:-_. xyzé漢"), max_size=120), st.integers(min_value=1, max_value=40))
def test_wrapped_lines_fit_and_lose_nothing(text: str, width: int) -> None:
    lines = wrap(text, width)
    assert all(cell_len(line) <= width or len(line) == 1 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(min_value=1, max_value=200), min_size=1, max_size=8), st.integers(min_value=40, max_value=300))
def test_column_widths_fit_the_room(natural: list[int], total: int) -> None:
    widths = fit_widths(natural, total)
    assert len(widths) == len(natural)
    if sum(natural) <= total:
        assert widths == natural
    else:
        assert sum(widths) <= max(total, 8 * len(natural))
        assert all(w <= n for w, n in zip(widths, natural, strict=True))


# -- the full report ---------------------------------------------------------------------------------------

def test_the_full_table_groups_findings_by_check_with_their_fix(results) -> None:
    text = table(results, width=120)
    assert "Policy: 5 failing results in 3 checks (3 critical, 1 medium, 1 low), most severe first" in text
    lines = text.splitlines()
    head = lines.index("CRITICAL ebs-encrypted: EBS volumes are encrypted (3 resources)")
    assert lines[head + 1] == ("  Fix: Snapshot the volume, copy the snapshot with encryption on, and swap the new "
                               "volume in.")
    assert re.match(r"  vol-00 +encrypted is false, must be true$", lines[head + 2])
    assert lines[head + 3] == f"  {ACCOUNT}/us-east-1"  # where it lives, under its name
    assert lines.index("MEDIUM recorder-everywhere: AWS Config records in every region (1 resource)") > head
    assert "Policy: no failing resources in 1 checks" not in text


def test_piped_output_honours_columns_and_never_splits_a_word(results, runner, write, tmp_path) -> None:
    snap = write_snapshot(snapshot([resource("aws_config_configuration_recorder", SCOPE_ID, {"is_enabled": False},
                                             name=SCOPE_ID, region="eu-west-1")],
                                   [ok("aws_config_configuration_recorder", "eu-west-1")],
                                   regions=["eu-west-1"]), tmp_path / "s.json")
    policy = write("p.yaml", POLICY)
    for columns in (60, 80, 132):
        result = runner.invoke(main, ["audit", str(policy), "--snapshot", str(snap)], env={"COLUMNS": str(columns)})
        lines = result.stdout.splitlines()
        assert lines and max(cell_len(line) for line in lines) <= columns, columns
        words = {w for line in lines for w in line.split()}
        for word in ("configured", "recorder-everywhere", "eu-west-1", "must"):
            if word in result.stdout:
                assert word in words or any(w.startswith(word) or w.endswith(word) for w in words), (columns, word)
        # the scope id, in the resource column, only ever breaks after one of its separators
        start = next(i for i, line in enumerate(lines) if line.startswith(f"  {ACCOUNT}/eu-west-1/aws"))
        pieces = [line.split()[0] for line in lines[start:start + 4] if line.split()]
        built = ""
        for piece in pieces:
            if built == SCOPE_ID:
                break
            assert built == "" or built[-1] in "/_-:.", (columns, pieces)
            built += piece
        assert built == SCOPE_ID, (columns, pieces)
    wide = runner.invoke(main, ["audit", str(policy), "--snapshot", str(snap)], env={"COLUMNS": "200"})
    assert any(SCOPE_ID in line for line in wide.stdout.splitlines())


def test_singular_and_plural_counts(write) -> None:
    policy = load_policies([write("p.yaml", POLICY)], operators=PLUGINS.operators)
    clean = evaluate(policy.select(None), snapshot([resource("aws_kms_key", "k", {"enable_key_rotation": True})],
                                                   [ok("aws_kms_key")]), types=["aws_kms_key"])
    text = table(clean, width=100)
    assert "Policy: no failing resources in 1 check\n" in text
    assert "1 resource in 1 account and 1 region; 1 check\n" in text


# -- the summary -------------------------------------------------------------------------------------------

def test_the_summary_fits_one_screen_and_orders_the_worst_checks_first(results) -> None:
    text = table(results, width=100, summary=True)
    lines = text.splitlines()
    assert len(lines) <= 40
    assert lines[2] == "Exit 1: 5 failing result(s) in 3 check(s) at or above severity info"
    assert "Results: 6 pass, 5 fail, 0 unknown, 0 waived, 0 error" in lines
    assert "Failing by severity: 3 critical, 0 high, 1 medium, 1 low, 0 info" in lines
    worst = [line.split()[1] for line in lines if re.match(r"  (CRITICAL|HIGH|MEDIUM|LOW|INFO) ", line)]
    assert worst == ["ebs-encrypted", "recorder-everywhere", "keys-rotate"]
    posture = next(line for line in lines if line.startswith("  Demo baseline (demo)"))
    assert posture.split()[-7:] == ["0", "2", "0", "0", "1", "0", "2/3"]
    assert any(line.strip().startswith("Automated: the controls at least one check gives evidence for") for line in lines)
    assert "Fix:" not in text  # the summary names checks; the full table has the fixes


def test_the_demo_prints_the_summary_first_and_the_rest_on_request(runner, tmp_path) -> None:
    from unify.checks.policy_set import shipped_policies
    import unify.observe

    saved = tmp_path / "demo.json"
    result = runner.invoke(main, ["audit", "--demo", "--save-snapshot", str(saved)], env={"COLUMNS": "100"})
    assert result.exit_code == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= 45 and lines[0].startswith("unify audit: aws snapshot 20")
    assert lines[2].startswith("Exit 1: ")
    assert any(line.startswith("Worst checks (") for line in lines) and "Compliance: controls by status" in lines
    assert "Every finding with its fix: --format table" in " ".join(lines[-3:])
    desired = str(next(iter(unify.observe.__path__)) + "/demo-desired-state.yaml")
    full = runner.invoke(main, ["audit", str(shipped_policies()), desired, "--snapshot", str(saved), "--full"],
                         env={"COLUMNS": "100"})
    assert full.exit_code == 1
    assert "Fix: Enable an MFA device for the user" in full.stdout
    assert len(full.stdout.splitlines()) > 3 * len(lines)
