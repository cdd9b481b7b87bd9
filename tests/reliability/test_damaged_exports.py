"""Import of a damaged export is all or nothing."""

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log
from tests.reliability.support import (
    FUZZ,
    TALLY,
    check,
    checkpoint,
    one_line_refusal,
    rows,
)

# --- import of a damaged export -----------------------------------------------------------------------

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture
def blank_target(tmp_path, run):
    """An initialised log with no items: the bytes every import example starts from."""
    template = tmp_path / "target-template.db"
    result = run(
        "--db", template, "init", "--office=乙单位", "--short=乙", "--policy=shandong", "--drill"
    )
    assert result.code == 0, result
    checkpoint(template)
    return template


def mutate_export(lines: list[str], data: st.DataObject) -> bytes:
    how = data.draw(
        st.sampled_from(["field", "data-field", "drop-key", "line", "bytes", "cut", "swap", "dup"]),
        label="mutation",
    )
    lines = list(lines)
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    if how in ("field", "data-field", "drop-key"):
        record = json.loads(lines[index])
        target = (
            record["data"]
            if how == "data-field" and isinstance(record.get("data"), dict)
            else record
        )
        keys = sorted(target)
        key = data.draw(st.sampled_from(keys) | st.text(max_size=6), label="key")
        if how == "drop-key":
            target.pop(key, None)
        else:
            target[key] = data.draw(json_value, label="value")
        lines[index] = json.dumps(record, ensure_ascii=False)
    elif how == "line":
        lines[index] = data.draw(st.text(max_size=60), label="garbage line")
    elif how == "swap":
        other = data.draw(st.integers(0, len(lines) - 1), label="other line")
        lines[index], lines[other] = lines[other], lines[index]
    elif how == "dup":
        lines.insert(index, lines[index])
    text = "\n".join(lines).encode("utf-8")
    if how == "bytes":
        at = data.draw(st.integers(0, len(text)), label="at")
        text = text[:at] + data.draw(st.binary(min_size=1, max_size=8), label="bytes") + text[at:]
    elif how == "cut":
        text = text[: data.draw(st.integers(0, len(text)), label="cut at")]
    return text


@settings(FUZZ, max_examples=70)
@given(data=st.data())
def test_import_of_a_damaged_export_is_all_or_nothing(pristine, blank_target, tmp_path, data):
    run, _, export = pristine
    target = tmp_path / "target.db"
    for leftover in tmp_path.glob("target.db*"):
        leftover.unlink()
    shutil.copy(blank_target, target)
    before = dump_log(target)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_bytes(mutate_export(export.read_text(encoding="utf-8").splitlines(), data))
    result = run("--db", target, "import", damaged)
    check(result, target, before, must_fail=False, argv=damaged.read_text(errors="replace")[:300])
    if result.code == 0:
        # Whatever an import lets in, the log must still verify and every reader still work.
        for argv in (
            ["verify"],
            ["status", "--all", "--json"],
            ["export"],
            *(["show", i] for (i,) in rows(target, "SELECT id FROM items")),
        ):
            after = run("--db", target, *argv)
            TALLY["commands"] += 1
            assert "Traceback" not in after.err, (argv, after)
            if argv == ["verify"]:
                assert after.code == 0, (argv, after)
            elif after.code != 0:
                one_line_refusal(after.code, after.out, after.err, (argv, after))
