"""Sensitive means sensitive everywhere (issue 10, rule 12), through the real CLI.

A sensitive item (`file --sensitive`) carries a distinctive marker in every field a person can
type: title, unit, place, course, consequences, trend, measures, caller, who was informed, the
text of a follow-up, the unit and place a follow-up supplies, the reason of a level change and
the text of a close. No output of status, show, report (every format, day and half year) or
export may contain the marker unless asked with --include-sensitive; counts per unit may still
include the item. An ordinary item with a unit of its own keeps the per-unit table honest:
it shows that unit, and the sensitive items' counts in a row that names none.
"""

import json

import pytest

from tests.conftest import file_item
from tests.test_import import real_clock

MARK = "密标记"  # every typed field of the sensitive item contains this


def at_now(at: str) -> str:
    return at.replace(" ", "T") + ":00+08:00"


def ok(run, *args, at: str):
    result = run(*args, "--at", at, now=at_now(at))
    assert result.code == 0, result
    return result


@pytest.fixture
def marked(office):
    run = office
    fields = {
        "--unit": "单位",
        "--location": "地点",
        "--summary": "经过",
        "--consequences": "后果",
        "--trend": "趋势",
        "--measures": "措施",
        "--caller": "报告人",
        "--informed": "已报告",
    }
    typed = [x for option, name in fields.items() for x in (option, f"{MARK}{name}")]
    secret = file_item(run, "--kind", "opinion", "--level", "重大", "--sensitive", *typed,
                       title=f"{MARK}标题", occurred="2026-11-22 07:00", at="2026-11-22 08:00",
                       at_now=True)["id"]  # fmt: skip
    ok(run, "continue", secret, "--text", f"{MARK}续报", "--unit", f"{MARK}补报单位",
       "--location", f"{MARK}补报地点", "--trend", f"{MARK}补报趋势", at="2026-11-22 09:00")  # fmt: skip
    ok(run, "continue", secret, "--level", "较大", "--text", f"{MARK}降级理由",
       at="2026-11-22 10:00")  # fmt: skip
    closed = file_item(run, "--unit", f"{MARK}已结单位", "--sensitive", title=f"{MARK}已结",
                       occurred="2026-11-22 07:30", at="2026-11-22 08:30", at_now=True)["id"]  # fmt: skip
    ok(run, "close", closed, "--text", f"{MARK}终报", at="2026-11-22 11:00")
    plain = file_item(run, "--kind", "opinion", "--level", "重大", "--unit", "历下区",
                      title="普通事件", occurred="2026-11-22 07:00", at="2026-11-22 08:00",
                      at_now=True)["id"]  # fmt: skip
    return run, secret, closed, plain


DAY = "2026-11-23T00:05:00+08:00"
LATER = "2026-11-25T09:00:00+08:00"  # every clock of the day overdue: the brief board's lines
YEAR_END = "2027-01-02T09:00:00+08:00"
COMMANDS = [
    ("status",),
    ("status", "--json"),
    ("status", "--all"),
    ("status", "--all", "--json"),
    ("status", "--overdue", "--full"),
    ("status", "--overdue", "--brief"),
    ("status", "--due-within", "30d", "--brief"),
    ("status", "--due-within", "30d", "--json"),
    ("report", "--date", "2026-11-22"),
    ("report", "--date", "2026-11-22", "--format", "markdown"),
    ("report", "--date", "2026-11-22", "--format", "json"),
    ("report", "--date", "2026-11-22", "--format", "csv"),
    ("report", "--period", "2026H2"),
    ("report", "--period", "2026H2", "--format", "markdown"),
    ("report", "--period", "2026H2", "--format", "json"),
    ("report", "--period", "2026H2", "--format", "csv"),
    ("export",),
]


@pytest.mark.parametrize("now", [DAY, LATER, YEAR_END])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_no_output_shows_what_a_sensitive_item_says(marked, args, now):
    run, secret, _closed, _plain = marked
    result = run(*args, now=now)
    assert result.code == 0, result
    assert MARK not in result.out and MARK not in result.err, result
    full = run(*args, "--include-sensitive", now=now)
    assert full.code == 0, full
    if secret in full.out:  # shown in full when asked (closed items are not on every view)
        assert f"{MARK}标题" in full.out, full


@pytest.mark.parametrize("item", ["secret", "closed"])
@pytest.mark.parametrize("as_json", [False, True])
def test_show_conceals_a_sensitive_item_unless_asked(marked, item, as_json):
    """`show ID` follows the same rule and says what it left out; --include-sensitive shows
    everything, follow-ups' statements included."""
    run, secret, closed, _ = marked
    item_id = secret if item == "secret" else closed
    extra = ("--json",) if as_json else ()
    shown = run("show", item_id, *extra, now=DAY)
    assert shown.code == 0, shown
    assert MARK not in shown.out, shown
    if not as_json:
        assert "已隐去" in shown.out and "--include-sensitive" in shown.out
    full = run("show", item_id, *extra, "--include-sensitive", now=DAY)
    assert MARK in full.out
    if item == "secret" and as_json:
        data = full.json
        assert data["unit"] == f"{MARK}补报单位"
        assert data["details"]["location"] == f"{MARK}补报地点"


def test_counts_per_unit_may_include_it_but_no_row_names_it(marked):
    """The marked units are named by sensitive items only: their counts go to one row that
    names no unit; with --include-sensitive the row is the unit supplied by the follow-up."""
    run, secret, _closed, _plain = marked
    units = {
        u["unit"]: u
        for u in run("report", "--date", "2026-11-22", "--format", "json").json["units"]
    }
    hidden = units["（涉密/敏感要情的单位，不显示）"]
    assert hidden["items"] == 2 and units["历下区"]["items"] == 1
    data = run("report", "--date", "2026-11-22", "--format", "json", "--include-sensitive").json
    assert {u["unit"] for u in data["units"]} == {"历下区", f"{MARK}补报单位", f"{MARK}已结单位"}
    [row] = [i for i in data["filed"] if i["id"] == secret]
    assert row["unit"] == f"{MARK}补报单位" and row["level"] == "large"


def test_export_lines_mask_every_field(marked):
    run, secret, closed, _ = marked
    lines = [json.loads(line) for line in run("export").out.splitlines()]
    events = [r for r in lines if r.get("record") == "event" and r["item_id"] in (secret, closed)]
    assert {"file", "continue", "level", "close"} <= {e["type"] for e in events}
    assert MARK not in json.dumps(events, ensure_ascii=False)


def test_confirmations_of_writes_to_a_sensitive_item_echo_none_of_its_words(office):
    """review-acts: file, continue, close, reopen, notify and the 传与跟 commands printed back
    what was typed (text, or JSON events) on a sensitive item; correct already masked it."""
    run = office
    filed = run("file", "--title", f"{MARK}标题", "--occurred", "2026-11-22 08:00", "--sensitive",
                "--at", "2026-11-22 09:00", now=at_now("2026-11-22 09:00"))  # fmt: skip
    assert filed.code == 0, filed
    assert MARK not in filed.out
    item = filed.out.split()[1]
    as_json = run("file", "--title", f"{MARK}二", "--occurred", "2026-11-22 08:00", "--sensitive",
                  "--json", now=at_now("2026-11-22 09:05"))  # fmt: skip
    assert MARK not in as_json.out and as_json.json["id"]
    writes = [
        ("continue", item, "--text", f"{MARK}续报"),
        ("continue", item, "--text", f"{MARK}续报", "--json"),
        ("notify", item, "--who", "王书记", "--other", "--text", f"{MARK}指示"),
        ("assign", item, "--to", f"{MARK}县", "--task", f"{MARK}任务", "--due", "2h", "--json"),
        ("assign", item, "--to", f"{MARK}市", "--due", "2h"),
        ("feedback", item, "--from", f"{MARK}县", "--text", f"{MARK}反馈", "--json"),
        ("feedback", item, "--from", f"{MARK}市", "--text", f"{MARK}反馈"),
        ("instruct", item, "--from", f"{MARK}领导", "--text", f"{MARK}批示", "--json"),
        (
            "instruct",
            item,
            "--from",
            f"{MARK}领导",
            "--text",
            "批",
            "--to",
            f"{MARK}办",
            "--feedback",
            "1h",
        ),
        ("close", item, "--text", f"{MARK}终报"),
        ("reopen", item, "--reason", f"{MARK}重开"),
        ("close", item, "--text", f"{MARK}终报", "--json"),
    ]
    for n, args in enumerate(writes):
        done = run(*args, now=at_now(f"2026-11-22 10:{n:02d}"))
        assert done.code == 0, (args, done)
        assert MARK not in done.out, (args, done.out)


def test_the_units_and_leader_of_a_sensitive_items_downward_half_are_not_shown(office, tmp_path):
    """传与跟 on a sensitive item: the units it was handed to, the leader who instructed on it
    and the unit a report came from are words typed about it (README: never its unit or any
    typed text, unless --include-sensitive), in every view, an error and the export."""
    run = office
    item = file_item(run, "--level", "重大", "--sensitive", title=f"{MARK}爆炸",
                     occurred="2026-11-22 08:00", at="2026-11-22 08:30", at_now=True)["id"]  # fmt: skip
    ok(run, "assign", item, "--to", f"{MARK}承办", "--task", f"{MARK}任务", "--due", "1h",
       at="2026-11-22 09:00")  # fmt: skip
    ok(run, "instruct", item, "--from", f"{MARK}领导", "--text", f"{MARK}批示",
       "--to", f"{MARK}承办二", "--feedback", "2h", at="2026-11-22 09:10")  # fmt: skip
    ok(run, "feedback", item, "--from", f"{MARK}承办", "--text", "x", at="2026-11-22 09:20")
    now = at_now("2026-11-22 12:00")
    dump = tmp_path / "masked.jsonl"
    outputs = {
        argv: run(*argv, now=now)
        for argv in [
            ("status",), ("status", "--json"), ("status", "--chase"), ("status", "--chase", "--json"),
            ("show", item), ("show", item, "--json"), ("handover", "--to", "李四", "--json"),
            ("handover", "--list"), ("export", "--output", str(dump)),
        ]
    }  # fmt: skip
    for argv, result in outputs.items():
        assert result.code == 0, (argv, result)
        assert MARK not in result.out + result.err, (argv, result.out)
    # the export keeps the units handed to (an importing log checks each report back against
    # them), never the leader, the task or any text
    lines = [json.loads(x) for x in dump.read_text("utf-8").splitlines()]
    exported = json.dumps(
        [r["data"] for r in lines if r.get("item_id") == item], ensure_ascii=False
    )
    assert f"{MARK}领导" not in exported and f"{MARK}任务" not in exported
    assert f"{MARK}批示" not in exported and f"{MARK}爆炸" not in exported
    wrong = run("feedback", item, "--from", "别的单位", "--text", "x", now=now)
    assert wrong.code == 1 and MARK not in wrong.err and "已转办 1 个单位" in wrong.err, wrong
    # asked for, they are all there; and a masked export still imports (--allow-masked)
    shown = run("status", "--chase", "--include-sensitive", now=now)
    assert f"{MARK}承办" in shown.out, shown
    copy = real_clock(run, "--db", tmp_path / "copy.db", "import", "--allow-masked", dump)
    assert copy.code == 0, copy


def test_a_unit_frozen_in_a_handover_is_hidden_once_the_item_is_made_sensitive(office):
    """A handover froze "转办→UNIT" while the item was not sensitive; corrected to sensitive,
    the sheet (`handover --list`, --json) hides the unit as it hides the title."""
    run = office
    item = file_item(run, "--level", "重大", title="某地爆炸", occurred="2026-11-22 08:00",
                     at="2026-11-22 08:30", at_now=True)["id"]  # fmt: skip
    ok(run, "assign", item, "--to", f"{MARK}承办", "--due", "2h", at="2026-11-22 09:00")
    handed = run("handover", "--to", "李四", now=at_now("2026-11-22 09:30"))
    assert handed.code == 0 and f"{MARK}承办" in handed.out, handed
    made = run("correct", item, "--sensitive", "--reason", "涉密", now=at_now("2026-11-22 09:40"))
    assert made.code == 0, made
    for argv in (("handover", "--list"), ("handover", "--list", "--json")):
        shown = run(*argv, now=at_now("2026-11-22 09:45"))
        assert shown.code == 0 and MARK not in shown.out, (argv, shown.out)
        assert "转办" in shown.out, shown.out  # the clock is still there, unnamed


def test_watch_names_no_unit_of_a_sensitive_item(office):
    """The night board (watch) lines a unit's clock as status does: without the unit when
    the item is sensitive."""
    from test_board import watch_frame

    run = office
    item = file_item(run, "--level", "重大", "--sensitive", title=f"{MARK}爆炸")["id"]
    assigned = run("assign", item, "--to", f"{MARK}承办", "--due", "1h")
    assert assigned.code == 0, assigned
    frame = watch_frame(columns=120)
    assert "转办" in frame and MARK not in frame, frame
