"""Safe YAML loading: lines for every key, and refusal of what a policy must not hold."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unify.checks.documents import MAX_NODES, load_yaml
from unify.errors import InputError


def test_lines_of_keys_and_items() -> None:
    doc = load_yaml("p.yaml", "checks:\n  - id: a\n    severity: high\n  - id: b\n")
    assert doc.data == {"checks": [{"id": "a", "severity": "high"}, {"id": "b"}]}
    assert doc.line(("checks", 0, "severity")) == 3
    assert doc.line(("checks", 1)) == 4
    # A path below a leaf falls back to its nearest known ancestor.
    assert doc.line(("checks", 1, "id", "deeper")) == 4


def test_timestamps_stay_text() -> None:
    doc = load_yaml("w.yaml", "expires: 2027-01-31\nat: 2026-11-20T09:00:00Z\n")
    assert doc.data == {"expires": "2027-01-31", "at": "2026-11-20T09:00:00Z"}


def test_raw_strings_keep_identifiers_as_written() -> None:
    doc = load_yaml("c.yaml", "ids: [2.10, 3.1, '4.20', 7]\nnum: 2.10\n", raw_strings=lambda p: p[:1] == ("ids",))
    assert doc.data == {"ids": ["2.10", "3.1", "4.20", "7"], "num": 2.1}


def test_duplicate_key_names_key_and_line() -> None:
    with pytest.raises(InputError) as info:
        load_yaml("d.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n")
    problem = info.value.problems[0]
    assert (problem.file, problem.line, problem.key) == ("d.yaml", 4, "c")
    assert "duplicate key" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['echo owned']\n",
        "x: !!python/name:os.system\n",
        "x: !custom thing\n",
        "x: !!binary aGVsbG8=\n",
    ],
)
def test_object_tags_are_refused_with_line(text: str) -> None:
    with pytest.raises(InputError) as info:
        load_yaml("t.yaml", text)
    assert info.value.problems[0].line == 1
    assert "is not allowed" in str(info.value)


def test_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(InputError) as info:
        load_yaml("bomb.yaml", "\n".join(lines) + "\n")
    assert f"more than {MAX_NODES}" in str(info.value)
    assert str(info.value).startswith("bomb.yaml:")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(InputError, match="recursive"):
        load_yaml("r.yaml", "a: &a\n  b: *a\n")


def test_merge_keys_merge_without_overriding() -> None:
    doc = load_yaml("m.yaml", "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert doc.data["other"] == {"x": 1, "y": 3}
    assert doc.line(("other", "y")) == 4


def test_syntax_error_has_line() -> None:
    with pytest.raises(InputError) as info:
        load_yaml("s.yaml", "a: [1,\nb: 2\n")
    assert info.value.problems[0].line is not None
    assert "YAML syntax error" in str(info.value)


def test_unreadable_and_non_utf8_files(tmp_path) -> None:
    with pytest.raises(InputError, match="cannot read file"):
        load_yaml(tmp_path / "absent.yaml")
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_yaml(binary)


_scalars = st.one_of(st.integers(-1000, 1000), st.booleans(), st.none(),
                     st.text(alphabet="abcdefgh xyz-_", min_size=1, max_size=8))
_keys = st.text(alphabet="abcdefghij_", min_size=1, max_size=6)
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(_keys, inner, max_size=4)), max_leaves=20)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_keys, _values, min_size=1, max_size=5))
def test_round_trip_of_plain_data(data) -> None:
    import yaml

    text = yaml.safe_dump(data, sort_keys=False)
    doc = load_yaml("h.yaml", text)
    assert doc.data == yaml.safe_load(text)
    for key in data:
        assert doc.line((key,)) is not None


def test_the_shipped_packs_read_with_libyaml_give_the_same_values_and_lines() -> None:
    """The packs shipped with unify are composed by libyaml's C parser (trusted files): the same document as the
    bounded Python composer gives, every value and every line, so errors and evidence name the same places."""
    from unify.checks.documents import load_yaml
    from unify.checks.frameworks import control_id_path
    from unify.checks.policy_set import shipped_policies

    files = sorted(shipped_policies().rglob("*.yaml"))
    assert len(files) > 50
    for path in files:
        bounded = load_yaml(path, raw_strings=control_id_path)
        fast = load_yaml(path, raw_strings=control_id_path, trusted=True)
        assert (fast.data, fast.lines) == (bounded.data, bounded.lines), path


def test_the_shipped_files_read_alike_by_libyaml_and_by_the_python_composer() -> None:
    # Packs, pack descriptions and catalogs ship with unify and are composed by libyaml (trusted); a user's
    # files by the Python composer, which counts nodes. Both must give the same data and the same lines.
    from unify.checks.frameworks import control_id_path
    from unify.checks.policy_set import shipped_policies

    files = sorted(p for p in shipped_policies().rglob("*") if p.suffix in (".yaml", ".yml"))
    assert len(files) > 60 and any(p.parent.name == "catalogs" for p in files), files
    for path in files:
        fast = load_yaml(path, raw_strings=control_id_path, trusted=True)
        slow = load_yaml(path, raw_strings=control_id_path)
        assert (fast.data, fast.lines) == (slow.data, slow.lines), path
