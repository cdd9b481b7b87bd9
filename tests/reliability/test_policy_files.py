"""Policy files with wrong types, broken syntax, bytes that are not text, cycles."""

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.support import (
    FUZZ,
    REPO,
    check,
)

# --- policy files with wrong types --------------------------------------------------------------


def _paths(node, path=()):
    """Every place in a parsed TOML document that holds a value."""
    if path:
        yield path
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield from _paths(child, (*path, key))


def _kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


wrong_value = st.one_of(
    st.sampled_from(["five", "", "5h", "-1", "2026-13-01"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -5, 10**12, 1.5, float("inf"), float("nan"), True, False]),
    st.text(max_size=12).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text("abc", max_size=3), st.integers(), max_size=2),
    st.dates(),
)


def builtin_policy(name: str = "shandong") -> dict:
    import tomllib

    return tomllib.loads((REPO / "policies" / f"{name}.toml").read_text(encoding="utf-8"))


@FUZZ
@given(data=st.data())
def test_policy_files_with_wrong_types_are_refused(run, tmp_path, data):
    from tests.fuzz_helpers import toml_dumps

    document = builtin_policy()
    where = data.draw(st.sampled_from(sorted(_paths(document), key=repr)), label="where")
    parent = document
    for key in where[:-1]:
        parent = parent[key]
    old = parent[where[-1]]
    if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
        del parent[where[-1]]
        must_fail = False  # an optional key may go; the loader decides
    else:
        new = data.draw(wrong_value, label="new value")
        parent[where[-1]] = new
        must_fail = _kind(new) != _kind(old)
    local = tmp_path / "local.toml"
    local.write_text(toml_dumps(document), encoding="utf-8")
    result = run("policy", "check", local)
    check(result, tmp_path / "log.db", None, must_fail=must_fail, argv=(where, local.read_text()))


BAD_POLICY_FILES = {
    "extends a number": "extends = 3\n",
    "duty hours as words": None,  # built from the real file below
    "not TOML": "name = \n",
    "empty": "",
    "deeply nested": "name = " + "[" * 2000 + "]" * 2000 + "\n",
    "deeply nested tables": "name = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n",
    "huge": "title = " + json.dumps("长" * 2_000_000, ensure_ascii=False) + "\n",
    "NUL inside": 'name = "a\\u0000b"\n',
}


@pytest.mark.parametrize("case", sorted(BAD_POLICY_FILES))
def test_broken_policy_files_are_refused_in_one_line(run, tmp_path, case):
    from tests.fuzz_helpers import toml_dumps

    text = BAD_POLICY_FILES[case]
    if case == "extends a number":
        text = toml_dumps({**builtin_policy(), "extends": 3})
    if text is None:
        document = builtin_policy()
        duty = next(iter(document["duties"].values()))
        number = next(k for k, v in duty.items() if _kind(v) == "number")
        duty[number] = "five"
        text = toml_dumps(document)
    local = tmp_path / "local.toml"
    local.write_text(text, encoding="utf-8")
    result = run("policy", "check", local)
    # A long title is not wrong in itself: it must just not crash anything.
    check(result, tmp_path / "log.db", None, must_fail=case != "huge", argv=case)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe", b'name = "\xc3\x28"\n', os.urandom(512), b"\x00" * 64],
    ids=["bom-like", "bad utf-8 in string", "random bytes", "NULs"],
)
def test_policy_files_that_are_not_text_are_refused(run, tmp_path, content):
    local = tmp_path / "local.toml"
    local.write_bytes(content)
    check(run("policy", "check", local), tmp_path / "log.db", None, must_fail=True, argv=content)
    for argv in (["policy", "check", tmp_path], ["policy", "check", tmp_path / "missing.toml"]):
        check(run(*argv), tmp_path / "log.db", None, must_fail=True, argv=argv)


def test_policies_that_extend_each_other_are_refused(run, tmp_path):
    """A cycle in `extends` (a → b → a, or a → a) must be an error, not a RecursionError."""
    from tests.fuzz_helpers import toml_dumps

    folder = tmp_path / "policies"
    folder.mkdir()
    base = builtin_policy()
    for name, parent in (("loop-a", "loop-b"), ("loop-b", "loop-a"), ("self", "self")):
        (folder / f"{name}.toml").write_text(
            toml_dumps({**base, "name": name, "extends": parent}), encoding="utf-8"
        )
    for argv in (
        ["--policies", folder, "policy", "check", folder / "loop-a.toml"],
        ["--policies", folder, "policy", "show", "self"],
        ["--policies", folder, "init", "--office=a", "--short=b", "--policy=loop-b", "--drill"],
    ):
        check(run(*argv), tmp_path / "log.db", None, must_fail=True, argv=argv)
