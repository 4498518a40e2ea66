"""The evidence store: content-addressed, hash-chained, tamper-evident, safe under concurrency."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import boto3
import pytest

from factories import moto_server, ok, resource, snapshot
from factories import PLUGINS
from unify.store.export import export_run
from unify.checks.policy_set import load_policies
from unify.cli import main
from unify.engine import evaluate
from unify.errors import EvidenceError
from unify.store.store import open_store
from unify.model.snapshot import write_snapshot
from unify.checks.waivers import load_waivers

POLICY = """
framework: {id: demo, title: Demo, version: "1"}
controls:
  - {id: D-1, title: Volumes are encrypted}
  - {id: D-2, title: Reviewed by hand}
checks:
  - id: ebs-encrypted
    title: EBS volumes are encrypted
    severity: high
    resource: aws_ebs_volume
    assert: {encrypted: {eq: true}}
    controls: {demo: [D-1]}
    remediation: Encrypt it.
"""


@pytest.fixture
def audit(write, tmp_path):
    """A policy set, a snapshot and waivers on disk, and the results of evaluating them."""
    policy_file = write("p/ebs.yaml", POLICY)
    waiver_file = write("w.yaml", "waivers:\n  - {check: ebs-encrypted, resources: [vol-old], reason: legacy, expires: 2027-01-01}\n")
    snap = snapshot([resource("aws_ebs_volume", "vol-good", {"encrypted": True}),
                     resource("aws_ebs_volume", "vol-bad", {"encrypted": False}),
                     resource("aws_ebs_volume", "vol-old", {"encrypted": False})], [ok("aws_ebs_volume")])
    policy = load_policies([policy_file.parent], operators=PLUGINS.operators)
    results = evaluate(policy, snap, load_waivers([waiver_file]))
    write_snapshot(snap, tmp_path / "snap.json")
    return {"policy": policy, "snapshot": snap, "results": results, "waivers": [str(waiver_file)],
            "files": (policy_file, waiver_file, tmp_path / "snap.json")}


def record(store, audit, times: int = 1):
    return [store.record(audit["results"], audit["snapshot"], audit["policy"], audit["waivers"],
                         gate=audit["results"].gate()) for _ in range(times)]


def test_runs_form_a_chain(tmp_path, audit) -> None:
    store = open_store(str(tmp_path / "store"))
    first, second, third = record(store, audit, 3)
    assert [r.number for r in store.runs()] == [1, 2, 3]
    assert first.manifest["previous"] is None
    assert second.manifest["previous"] == first.hash and third.manifest["previous"] == second.hash
    assert store.verify() == (3, None)
    manifest = third.manifest
    assert manifest["format"] == "unify.run/v1" and manifest["snapshot"]["digest"] == audit["snapshot"].digest
    assert manifest["results"]["summary"] == {"pass": 1, "fail": 1, "unknown": 0, "waived": 1, "error": 0}
    assert manifest["actor"]["user"] and manifest["tool"]["name"] == "unify"
    assert [p["path"] for p in manifest["policies"]] == [f.path for f in audit["policy"].files]
    # content addressing: identical inputs are stored once
    objects = [p for p in (tmp_path / "store" / "objects").rglob("*") if p.is_file()]
    assert len(objects) == 4  # snapshot, policy file, waivers file, results
    assert store.results_document("latest")["summary"]["fail"] == 1
    assert store.run("2").hash == second.hash and store.run(second.hash[7:19]).number == 2
    with pytest.raises(EvidenceError, match="no run 9"):
        store.run("9")


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("target", ["snapshot", "results", "policy", "waivers", "manifest"])
def test_verify_detects_a_flipped_byte_anywhere(tmp_path, audit, target) -> None:
    root = tmp_path / "store"
    store = open_store(str(root))
    runs = record(store, audit, 3)
    manifest = runs[1].manifest
    digest = {"snapshot": manifest["snapshot"]["object"], "results": manifest["results"]["object"],
              "policy": manifest["policies"][0]["object"], "waivers": manifest["waivers"][0]["object"]}.get(target)
    if digest is None:
        path = root / "runs" / "00000002.json"
    else:
        hexdigest = digest.split(":")[1]
        path = root / "objects" / "sha256" / hexdigest[:2] / hexdigest[2:]
    _flip(path)
    count, broken = store.verify()
    assert broken is not None
    if target == "manifest":
        # the altered manifest no longer hashes to what run 3 recorded
        assert broken.run == 3 and "run 2 was altered" in broken.message
    else:
        assert broken.run == 1  # every run shares the objects: the first run that names it breaks first
        assert "is corrupt" in broken.message and digest in broken.message


def test_verify_detects_a_removed_run(tmp_path, audit) -> None:
    store = open_store(str(tmp_path / "store"))
    runs = record(store, audit, 4)
    (tmp_path / "store" / "runs" / "00000002.json").unlink()
    count, broken = store.verify()
    assert broken is not None and broken.run == 2 and "missing" in broken.message
    # removing the newest run leaves a consistent chain: the recorded head exposes it
    other = open_store(str(tmp_path / "other"))
    newest = record(other, audit, 3)[-1]
    (tmp_path / "other" / "runs" / "00000003.json").unlink()
    assert other.verify() == (2, None)
    count, broken = other.verify(head=newest.hash)
    assert broken is not None and "no run hashes to" in broken.message


def test_verify_detects_a_renumbered_or_replaced_run(tmp_path, audit) -> None:
    store = open_store(str(tmp_path / "store"))
    record(store, audit, 3)
    runs_dir = tmp_path / "store" / "runs"
    replacement = json.loads((runs_dir / "00000002.json").read_text())
    replacement["results"]["summary"]["fail"] = 0  # someone "fixes" the record
    (runs_dir / "00000002.json").write_text(json.dumps(replacement, sort_keys=True, separators=(",", ":")))
    count, broken = store.verify()
    assert broken is not None and broken.run == 3 and "run 2 was altered" in broken.message


def test_objects_and_runs_are_never_overwritten(tmp_path) -> None:
    store = open_store(str(tmp_path / "store"))
    assert store.backend.create("runs/00000001.json", b"first") is True
    assert store.backend.create("runs/00000001.json", b"second") is False
    assert (tmp_path / "store" / "runs" / "00000001.json").read_bytes() == b"first"
    assert not list((tmp_path / "store" / "runs").glob(".tmp-*"))


def test_concurrent_audits_leave_a_verifiable_store(tmp_path, audit) -> None:
    """Four CLI processes record into one store at once: contiguous runs, one chain."""
    policy_file, waiver_file, snap_file = audit["files"]
    store = tmp_path / "shared"
    command = [sys.executable, "-m", "unify", "audit", str(policy_file.parent), "--snapshot", str(snap_file),
               "--waivers", str(waiver_file), "--store", str(store), "--format", "json", "-o", "/dev/null"]
    processes = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [1, 1, 1, 1], errors
    opened = open_store(str(store))
    assert [r.number for r in opened.runs()] == [1, 2, 3, 4]
    assert opened.verify() == (4, None)
    recorded = sorted(line for text in errors for line in text.splitlines() if "recorded run" in line)
    assert len(recorded) == 4


def test_export_bundle_reads_offline(tmp_path, audit) -> None:
    store = open_store(str(tmp_path / "store"))
    run = record(store, audit, 1)[0]
    bundle = export_run(store, "latest", "demo", tmp_path / "bundle.zip")
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        assert {"README.md", "SHA256SUMS", "manifest.json", "results.json", "snapshot.json.gz",
                "controls/D-1.md", "controls/D-2.md"} <= names
        sums = archive.read("SHA256SUMS").decode().splitlines()
        for line in sums:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        assert hashlib.sha256(archive.read("manifest.json")).hexdigest() == run.hash.split(":")[1]
        control = archive.read("controls/D-1.md").decode()
        assert "Status: **not met**" in control and "**fail** `vol-bad`" in control
        assert "`encrypted`: expected eq true, actual false" in control and "Remediation: Encrypt it." in control
        assert "No automated check maps" in archive.read("controls/D-2.md").decode()
        readme = archive.read("README.md").decode()
        assert f"unify evidence verify --store {store.location} --head {run.hash}" in readme
    with pytest.raises(EvidenceError, match="no compliance results for 'soc2'"):
        export_run(store, "latest", "soc2", tmp_path / "x.zip")


def test_cli_evidence_commands(runner, tmp_path, audit) -> None:
    policy_file, waiver_file, snap_file = audit["files"]
    store = str(tmp_path / "cli-store")
    for _ in range(2):
        result = runner.invoke(main, ["audit", str(policy_file.parent), "--snapshot", str(snap_file),
                                      "--waivers", str(waiver_file), "--store", store, "--format", "json"])
        assert result.exit_code == 1
        assert "recorded run" in result.stderr
    listed = runner.invoke(main, ["evidence", "list", "--store", store])
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["RUN", "1", "2"]
    shown = json.loads(runner.invoke(main, ["evidence", "show", "2", "--store", store]).stdout)
    assert shown["run"] == 2 and shown["manifest"]["previous"] == json.loads(
        runner.invoke(main, ["evidence", "show", "1", "--store", store]).stdout)["hash"]
    verified = runner.invoke(main, ["evidence", "verify", "--store", store])
    assert verified.exit_code == 0 and "2 run(s) verified" in verified.stderr
    _flip(next(p for p in (tmp_path / "cli-store" / "objects").rglob("*") if p.is_file()))
    broken = runner.invoke(main, ["evidence", "verify", "--store", store])
    assert broken.exit_code == 1 and "is corrupt" in broken.stderr
    exported = runner.invoke(main, ["evidence", "export", "1", "--framework", "demo", "--store", store,
                                    "-o", str(tmp_path / "b.zip")])
    assert exported.exit_code == 2 and "is corrupt" in exported.stderr  # a damaged store is never exported


@pytest.mark.parametrize("make", ["a folder of other files", "an empty folder", "no such path", "a file",
                                  "objects without runs"])
@pytest.mark.parametrize("command", ["verify", "list", "show"])
def test_a_location_that_is_not_a_store_is_exit_2_never_a_clean_chain(runner, tmp_path, audit, make, command) -> None:
    where = tmp_path / "where"
    if make == "a folder of other files":
        (where / "etc").mkdir(parents=True)
        (where / "etc" / "hosts").write_text("127.0.0.1 localhost\n")
    elif make == "an empty folder":
        where.mkdir()
    elif make == "a file":
        where.write_text("not a store")
    elif make == "objects without runs":
        record(open_store(str(where)), audit)
        for run in (where / "runs").iterdir():
            run.unlink()
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    args = ["evidence", command, *(["latest"] if command == "show" else []), "--store", str(where)]
    result = runner.invoke(main, args)
    assert result.exit_code == 2, result.stderr
    line, = result.stderr.strip().splitlines()
    assert str(where) in line and "verified" not in line
    assert ("objects but no runs" if make == "objects without runs" else "not an evidence store") in line
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before  # looking never creates a store


@pytest.fixture
def moto_s3():
    with moto_server() as endpoint:
        client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        client.create_bucket(Bucket="acme-evidence")
        yield client


def test_s3_store_over_http(moto_s3, audit) -> None:
    store = open_store("s3://acme-evidence/audits/prod", s3_client=moto_s3)
    first, second = record(store, audit, 2)
    assert store.verify() == (2, None) and second.manifest["previous"] == first.hash
    keys = [o["Key"] for o in moto_s3.list_objects_v2(Bucket="acme-evidence")["Contents"]]
    assert "audits/prod/runs/00000001.json" in keys and any(k.startswith("audits/prod/objects/sha256/") for k in keys)
    assert store.backend.create("runs/00000001.json", b"overwrite?") is False  # conditional put refused
    assert store.run("1").hash == first.hash
    results_key = "audits/prod/" + "objects/sha256/{0}/{1}".format(first.manifest["results"]["object"][7:9],
                                                                   first.manifest["results"]["object"][9:])
    body = bytearray(moto_s3.get_object(Bucket="acme-evidence", Key=results_key)["Body"].read())
    body[10] ^= 1
    moto_s3.put_object(Bucket="acme-evidence", Key=results_key, Body=bytes(body))  # tampering outside unify
    count, broken = store.verify()
    assert broken is not None and broken.run == 1 and "results object" in broken.message
    with pytest.raises(EvidenceError, match="not an evidence store"):
        open_store("s3://acme-evidence/audits/staging", s3_client=moto_s3).verify()
