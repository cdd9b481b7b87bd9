"""Import takes nothing the command line would refuse, and nothing the file's chain does not
vouch for (issue 11: each finding of the import list is a test here).

Forged files are re-hashed (tests/export_helpers.rechain) so that the rule under test, not the
hash chain, is what refuses them; edited files that are not re-hashed are refused by the chain.
"""

import itertools
import json
import os
import sqlite3
from datetime import UTC, datetime
from functools import partial

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log, file_item, iso
from tests.export_helpers import read_export, rechain, write_export

JINAN = ["--office", "济南市人民政府办公厅", "--short", "济南市", "--policy", "shandong", "--drill"]
QINGDAO = [
    "--office",
    "青岛市人民政府办公厅",
    "--short",
    "青岛市",
    "--policy",
    "shandong",
    "--drill",
]


def real_clock(run, *args):
    """A command with YAOQING_NOW unset: an import takes nothing from the drill's clock (it
    records at this machine's), and a fresh log it makes adopts the file's office, a drill's
    here, which YAOQING_NOW could not write to before the file said so."""
    saved = os.environ.pop("YAOQING_NOW", None)
    try:
        return run(*args)
    finally:
        if saved is not None:
            os.environ["YAOQING_NOW"] = saved


@pytest.fixture
def source(office, tmp_path):
    """The Jinan log: an opinion (publish clock, not extendable) followed up and closed, an open
    emergency; and its full export."""
    run = office
    first = file_item(run, "--kind", "opinion", "--level", "重大", "--about-level", "重大",
                      title="甲")["id"]  # fmt: skip
    second = file_item(run, "--level", "一般", title="乙", at="2026-11-22 09:30")["id"]
    assert (
        run("continue", first, "--done", "publish", "--text", "已发布", "--at", "10:00").code == 0
    )
    assert run("close", first, "--text", "处置完毕", "--at", "11:00").code == 0
    assert run("continue", second, "--text", "续报一", "--at", "10:30").code == 0
    dump = tmp_path / "source.jsonl"
    assert run("export", "--include-sensitive", "--output", dump).code == 0
    return run, first, second, dump


@pytest.fixture
def target(run, tmp_path):
    """Another Jinan log (same office, another machine), initialised and empty."""
    path = tmp_path / "target.db"
    assert run("--db", path, "init", *JINAN).code == 0
    return path


def refused(run, db, path, *words, extra=()):
    """Import `path` into `db`: exit 1, one line naming every word, the log unchanged."""
    before = dump_log(db) if db.exists() else None
    result = real_clock(run, "--db", db, "import", *extra, path)
    assert result.code == 1, result
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result
    for word in words:
        assert word in result.err, result
    if before is not None:
        assert dump_log(db) == before
    else:  # a new log refused whole is not made at all
        assert not db.exists(), result
    return result


def forge(path, records, tmp_path, name="forged.jsonl"):
    return write_export(tmp_path / name, rechain(records))


def event_at(records, item_id, type_):
    return next(r for r in records if r.get("item_id") == item_id and r.get("type") == type_)


def new_event(records, item_id, type_, happened, data, uid="f" * 32):
    """A hand-written event appended before the head, as a forger would add one."""
    template = event_at(records, item_id, "file")
    event = {**template, "uid": uid, "type": type_, "happened_at": happened, "data": data,
             "recorded_at": happened}  # fmt: skip
    records.insert(len(records) - 1, event)
    return records


# --- the file's own chain ---------------------------------------------------------------------


def test_export_carries_the_chain_head_and_office(source, db_path):
    records = read_export(source[3])
    header, head = records[0], records[-1]
    count, last = (
        sqlite3.connect(db_path)
        .execute("SELECT count(*), (SELECT hash FROM events ORDER BY seq DESC LIMIT 1) FROM events")
        .fetchone()
    )
    assert header["office"]["name"] == "济南市人民政府办公厅"
    assert header["office"]["short"] == "济南市"
    assert header["head"] == {"events": count, "hash": last} and header["masked"] is False
    assert head["record"] == "head" and (head["events"], head["hash"]) == (count, last)
    events = [r for r in records if r["record"] == "event"]
    assert [e["seq"] for e in events] == list(range(1, count + 1))
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))


def test_an_old_export_without_hashes_is_refused(source, target, tmp_path):
    run, *_ = source
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"record": "header", "format": "yaoqing-export/1"}) + "\n")
    refused(run, target, old, "旧版导出格式", "不带哈希链")


def test_an_altered_event_is_refused_naming_its_line(source, tmp_path):
    """Finding: an edited export imported into a fresh log with a valid new chain."""
    run, _, _, dump = source
    lines = dump.read_text("utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if '"已发布"' in line)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join(lines).replace('"已发布"', '"未发布"') + "\n", "utf-8")
    fresh = tmp_path / "fresh.db"
    refused(run, fresh, edited, f"第 {number} 行", "哈希不符")
    assert run("--db", fresh, "status", "--all").code == 1  # nothing adopted, nothing imported


@pytest.mark.parametrize("how", ["drop", "swap", "truncate"])
def test_a_removed_reordered_or_cut_event_is_refused(source, target, tmp_path, how):
    run, _, _, dump = source
    lines = dump.read_text("utf-8").splitlines()
    events = [n for n, line in enumerate(lines) if '"record":"event"' in line]
    if how == "drop":
        del lines[events[2]]
    elif how == "swap":
        lines[events[1]], lines[events[2]] = lines[events[2]], lines[events[1]]
    else:
        lines = lines[: events[-1]]  # the last event and the head are gone
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("\n".join(lines) + "\n", "utf-8")
    why = {"drop": "序号", "swap": "序号", "truncate": "head"}[how]
    refused(run, target, damaged, why)


def test_a_forged_head_is_refused(source, target, tmp_path):
    run, *_, dump = source
    records = read_export(dump)
    records[-1]["events"] += 1
    records[0]["head"]["events"] += 1
    refused(run, target, write_export(tmp_path / "f.jsonl", records), "head")


# --- every rule of the command line --------------------------------------------------------------


def test_a_follow_up_before_the_first_report_is_refused(source, db_path, tmp_path):
    """Finding: a hand-written follow-up at 04:00 (before the item was filed) was taken."""
    run, _, second, dump = source
    records = new_event(read_export(dump), second, "continue", "2026-11-21T20:00:00Z",
                        {"n": 2, "text": "凌晨四点的续报", "done": []})  # fmt: skip
    refused(run, db_path, forge(dump, records, tmp_path), "早于", "首报")


def test_an_event_dated_2020_or_outside_2000_2100_is_refused(source, db_path, tmp_path):
    run, _, second, dump = source
    for when, why in (("2020-01-01T00:00:00Z", "早于"), ("1999-12-31T00:00:00Z", "2000–2100"),
                      ("2101-01-01T00:00:00Z", "2000–2100")):  # fmt: skip
        records = new_event(read_export(dump), second, "continue", when,
                            {"n": 2, "text": "x", "done": []})  # fmt: skip
        refused(run, db_path, forge(dump, records, tmp_path), why)


def test_a_follow_up_after_the_close_is_refused(source, db_path, tmp_path):
    run, first, _, dump = source
    records = new_event(read_export(dump), first, "continue", "2026-11-22T04:00:00Z",
                        {"n": 2, "text": "终报之后", "done": []})  # fmt: skip
    refused(run, db_path, forge(dump, records, tmp_path), "已终报")


def test_an_extension_the_policy_does_not_allow_is_refused(source, db_path, tmp_path):
    run, _, second, dump = source
    records = new_event(read_export(dump), second, "extend", "2026-11-22T03:00:00Z",
                        {"duty": "publish", "reason": "情况复杂"})  # fmt: skip
    refused(run, db_path, forge(dump, records, tmp_path), "不允许延长")


@pytest.mark.parametrize(
    "title, why",
    [("某" * 10_000_000, "过长"), ("某县\x1b[2J滑坡", "控制字符"), ("某县\x00滑坡", "控制字符"),
     ("  某县滑坡", "命令行会记下的形式"), ("", "不能为空")],
    ids=["10M", "ESC", "NUL", "untrimmed", "empty"],
)  # fmt: skip
def test_text_the_command_line_refuses_is_refused(source, tmp_path, title, why):
    run, first, _, dump = source
    records = read_export(dump)
    event_at(records, first, "file")["data"]["title"] = title
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), why)


@pytest.mark.parametrize(
    "heading", ["伪造报头", "济南市要情专报 2026年第99期", "【演练】济南市要情专报 2025年第1期"]
)
def test_a_heading_that_does_not_name_the_items_year_and_number_is_refused(
    source, tmp_path, heading
):
    """The heading is what the paper report said (第N期); a forged one would be printed by
    show and report as if it had been issued."""
    run, first, _, dump = source
    records = read_export(dump)
    event_at(records, first, "file")["data"]["heading"] = heading
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), "标题头")


@pytest.mark.parametrize("bad_id", ["../../etc-1", "20261122-1", "20261399-001", "x"])
def test_an_id_not_of_the_form_yyyymmdd_nnn_is_refused(source, tmp_path, bad_id):
    run, first, _, dump = source
    records = read_export(dump)
    for record in records:
        if record.get("item_id") == first:
            record["item_id"] = bad_id
            if record["type"] == "file":
                record["data"]["id"] = bad_id
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), "编号")


def test_an_unknown_office_time_zone_is_refused_and_the_log_still_works(source, target, tmp_path):
    """Finding: `Mars/Olympus` was adopted and every later command failed while verify passed."""
    run, *_, dump = source
    records = read_export(dump)
    records[0]["office"]["tz"] = "Mars/Olympus"
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), "Mars/Olympus", "时区")
    refused(run, target, forge(dump, records, tmp_path), "时区")
    assert run("--db", target, "status").code == 0
    assert not (tmp_path / "fresh.db").exists()  # refused whole: no empty log left behind


@pytest.mark.parametrize(
    "field, value, why",
    [("level", "catastrophic", "级别"), ("kind", "rumour", "类型"),
     ("occurred", "2026-11-22T02:00:00Z", "事发 ≤ 接报 ≤ 首报"), ("issue_no", 0, "正整数"),
     ("policy_hash", "0" * 64, "政策快照"), ("policy_hash", {}, "policy_hash 应为政策快照的哈希")],
)  # fmt: skip
def test_first_report_fields_are_checked(source, tmp_path, field, value, why):
    run, first, _, dump = source
    records = read_export(dump)
    event_at(records, first, "file")["data"][field] = value
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), why)


def test_an_unknown_outcome_or_a_second_close_is_refused(source, db_path, tmp_path):
    run, first, _, dump = source
    records = read_export(dump)
    event_at(records, first, "close")["data"]["outcome"] = "forgotten"
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), "结果")
    records = new_event(read_export(dump), first, "close", "2026-11-22T05:00:00Z",
                        {"text": None, "outcome": "resolved"})  # fmt: skip
    refused(run, db_path, forge(dump, records, tmp_path), "已终报")


def test_a_damaged_policy_snapshot_is_refused(source, tmp_path):
    run, *_, dump = source
    records = read_export(dump)
    policy = next(r for r in records if r["record"] == "policy")
    policy["content"]["duties"]["publish"]["hours"] = 8  # the frozen snapshot, edited
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), "政策快照")


# --- recorded now, the source's moment kept --------------------------------------------------------


def test_recorded_at_is_this_machines_clock_and_the_sources_is_kept(source, tmp_path):
    """Finding: an import kept the file's recorded_at (04:01), so no 补录 mark ever showed."""
    run, first, _, dump = source
    fresh = tmp_path / "fresh.db"
    records = read_export(dump)
    records = new_event(records, first, "continue", "2026-11-22T02:30:00Z",
                        {"n": 2, "text": "x", "done": []})  # fmt: skip
    records = [r for r in records if r.get("type") != "close"]  # keep the item open
    for record in records:  # as if the source had recorded each a minute after it happened
        if record["record"] == "event":
            record["recorded_at"] = record["happened_at"][:15] + "1:00Z"
    start = datetime.now(UTC).replace(microsecond=0)
    assert real_clock(run, "--db", fresh, "import", forge(dump, records, tmp_path)).code == 0
    rows = (
        sqlite3.connect(fresh)
        .execute(
            "SELECT recorded_at, data FROM events WHERE item_id != ''"  # not this log's own init
        )
        .fetchall()
    )
    for recorded, data in rows:
        kept = json.loads(data)["imported"]
        assert kept["source_office"] == "济南市人民政府办公厅"
        assert kept["source_recorded_at"].endswith("1:00Z")
        assert datetime.fromisoformat(recorded) >= start  # this machine's clock at import
    text = run("--db", fresh, "show", first).out
    assert "导入：济南市人民政府办公厅 记录于" in text


def test_an_empty_log_adopts_the_source_office(source, tmp_path):
    run, first, *_ = source
    fresh = tmp_path / "fresh.db"
    assert real_clock(run, "--db", fresh, "import", source[3]).code == 0
    shown = run("--db", fresh, "show", first).out
    assert "济南市要情专报 2026年第1期" in shown
    file_item(partial(run, "--db", fresh), title="丙", occurred="08:00", at=None)
    assert "2026年第3期" in run("--db", fresh, "show", "20261122-003").out


# --- duplicates and conflicts ------------------------------------------------------------------------


def test_importing_twice_adds_nothing(source, target):
    run, *_, dump = source
    assert real_clock(run, "--db", target, "import", dump).code == 0
    before = dump_log(target)
    again = real_clock(run, "--db", target, "import", dump)
    assert again.code == 0 and "已导入 0 个事件，跳过已有的 5 个" in again.out, again
    assert dump_log(target) == before


def test_an_altered_event_whose_uid_exists_is_a_conflict(source, db_path, tmp_path):
    """Finding: an altered event whose uid already existed was skipped as a duplicate."""
    run, first, _, dump = source
    records = read_export(dump)
    event_at(records, first, "continue")["data"]["text"] = "从未发布"
    refused(run, db_path, forge(dump, records, tmp_path), "冲突")


# --- masked exports ------------------------------------------------------------------------------


def test_a_masked_export_is_refused_unless_allowed_and_then_marked(office, tmp_path):
    """Finding: a masked export imported first locked 〔涉密/敏感内容，未导出〕 in for good."""
    run = office
    secret = file_item(run, "--sensitive", "--summary", "内部情况", title="敏感")["id"]
    masked = tmp_path / "masked.jsonl"
    assert run("export", "--output", masked).code == 0
    assert read_export(masked)[0]["masked"] is True
    fresh = tmp_path / "fresh.db"
    refused(run, fresh, masked, "--allow-masked")
    taken = real_clock(run, "--db", fresh, "import", "--allow-masked", masked)
    assert taken.code == 0 and "涉密/敏感内容已隐去" in taken.out, taken
    [(text,)] = sqlite3.connect(fresh).execute("SELECT data FROM events WHERE item_id != ''")
    data = json.loads(text)
    assert data["imported"]["masked"] is True and "内部情况" not in json.dumps(data)
    assert "涉密/敏感内容已隐去〕" in run("--db", fresh, "show", secret).out
    full = tmp_path / "full.jsonl"
    assert run("export", "--include-sensitive", "--output", full).code == 0
    refused(run, fresh, full, "隐去")
    assert run("--db", fresh, "show", secret).code == 0
    # the office's own masked export, back into its own full log: nothing new in it
    back = real_clock(run, "import", "--allow-masked", masked)
    assert back.code == 0 and "已导入 0 个事件，跳过已有的 2 个" in back.out, back  # init, file


def test_a_masked_line_cannot_be_edited_either(office, tmp_path):
    run = office
    file_item(run, "--sensitive", title="敏感")
    masked = tmp_path / "masked.jsonl"
    assert run("export", "--output", masked).code == 0
    records = read_export(masked)
    number, event = next(
        (n, r) for n, r in enumerate(records, 1) if r["record"] == "event" and r.get("masked")
    )
    event["data"]["level"] = "especially-major"  # not masked, so not vouched for by the hash
    edited = write_export(tmp_path / "edited.jsonl", records)
    refused(run, tmp_path / "fresh.db", edited, f"第 {number} 行", "摘要", extra=["--allow-masked"])


def test_an_edited_header_is_refused_at_the_header(source, target, tmp_path):
    run, *_, dump = source
    records = read_export(dump)
    records[0]["exported_at"] = "2026-01-01T00:00:00Z"  # nothing else depends on it
    refused(run, target, write_export(tmp_path / "h.jsonl", records), "标头", "摘要")


# --- another office's items: 转报 --------------------------------------------------------------


def test_another_offices_items_are_forwarded_under_their_own_numbers(source, tmp_path):
    """Finding: a foreign office's export merged under this office's heading and numbering."""
    run, *_ = source
    qingdao = tmp_path / "qingdao.db"
    assert run("--db", qingdao, "init", *QINGDAO).code == 0
    for n in range(3):
        file_item(partial(run, "--db", qingdao), title=f"青岛{n}", occurred="08:00", at=f"09:0{n}")
    dump = tmp_path / "qingdao.jsonl"
    assert run("--db", qingdao, "export", "--output", dump).code == 0
    result = real_clock(run, "import", dump)
    assert result.code == 0 and "转报" in result.out, result
    shown = run("show", "青岛市:20261122-003").out
    assert "转报：青岛市 2026年第3期" in shown and "济南市要情专报" not in shown
    assert "转报：青岛市 2026年第1期" in run("status", "--all").out
    report = run("report", "--date", "2026-11-22")
    assert "青岛市:20261122-002〔转报：青岛市 2026年第2期〕" in report.out
    listed = run("report", "--date", "2026-11-22", "--format", "json").json["filed"]
    assert "转报：青岛市 2026年第1期" in [f["forwarded"] for f in listed]
    # this office's own numbering goes on from its own items only
    mine = file_item(run, title="济南的第三条", at="2026-11-22 11:30")["id"]
    assert mine == "20261122-003"
    assert "济南市要情专报 2026年第3期" in run("show", mine).out
    assert run("verify").code == 0
    # and importing again takes nothing twice
    again = real_clock(run, "import", dump)
    assert again.code == 0 and "已导入 0 个事件" in again.out


def test_a_forwarded_item_passed_on_keeps_its_origin(source, tmp_path):
    """Qingdao's item imported into Jinan, exported from Jinan into a third office: still
    Qingdao's 第1期; exported back to Qingdao: its own item, a duplicate."""
    run, *_ = source
    qingdao = tmp_path / "qingdao.db"
    assert run("--db", qingdao, "init", *QINGDAO).code == 0
    file_item(partial(run, "--db", qingdao), title="青岛", occurred="08:00", at=None)
    q_dump = tmp_path / "q.jsonl"
    assert run("--db", qingdao, "export", "--output", q_dump).code == 0
    assert real_clock(run, "import", q_dump).code == 0
    j_dump = tmp_path / "j.jsonl"
    assert run("export", "--output", j_dump).code == 0
    third = tmp_path / "third.db"
    assert run("--db", third, "init", "--office", "烟台市人民政府办公厅", "--short", "烟台市",
               "--policy", "shandong", "--drill").code == 0  # fmt: skip
    assert real_clock(run, "--db", third, "import", j_dump).code == 0
    assert "转报：青岛市 2026年第1期" in run("--db", third, "show", "青岛市:20261122-001").out
    assert "转报：济南市 2026年第1期" in run("--db", third, "show", "济南市:20261122-001").out
    back = real_clock(run, "--db", qingdao, "import", j_dump)
    assert back.code == 0 and "跳过已有的 1 个" in back.out, back


# --- partial exports ------------------------------------------------------------------------------


def test_a_since_export_keeps_the_chain_through_gaps(source, tmp_path):
    run, first, second, _ = source
    later = file_item(run, title="丁", at="2026-11-22 11:40")["id"]
    part = tmp_path / "part.jsonl"
    assert run("export", "--since", "2026-11-22 09:20", "--output", part).code == 0
    records = read_export(part)
    kinds = [r["record"] for r in records if r["record"] == "gap" or r.get("item_id")]
    assert kinds[0] == "gap"  # the first item's events; office-level events are all exported
    assert {r["item_id"] for r in records if r.get("item_id")} == {second, later}
    fresh = tmp_path / "fresh.db"
    assert real_clock(run, "--db", fresh, "import", part).code == 0
    assert run("--db", fresh, "show", first).code == 1
    # a gap where the export was not partial is an event removed
    records[0]["since"] = None
    refused(run, tmp_path / "other.db", write_export(tmp_path / "g.jsonl", records), "gap")


# --- the campaign: any alteration of a line is refused ------------------------------------------

CAMPAIGN = settings(
    max_examples=int(os.environ.get("YAOQING_FUZZ_EXAMPLES", "60")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
value = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=8))


def alter(lines: list[str], data) -> tuple[str, list[str]]:
    """One alteration of an export: a field changed or added (at the top of a line or in one
    of its objects), a line dropped, or two lines swapped."""
    lines = list(lines)
    how = data.draw(st.sampled_from(["field", "data-field", "drop", "swap"]), label="how")
    index = data.draw(st.integers(0, len(lines) - 1), label="line")
    if how == "drop":
        del lines[index]
    elif how == "swap":
        other = data.draw(st.integers(0, len(lines) - 1), label="other")
        assume(lines[index] != lines[other])
        lines[index], lines[other] = lines[other], lines[index]
    else:
        record = json.loads(lines[index])
        where = record
        if how == "data-field":
            nested = [v for v in record.values() if isinstance(v, dict)]
            assume(nested)
            where = data.draw(st.sampled_from(nested), label="object")
        key = data.draw(st.sampled_from(sorted(where)) | st.text(max_size=5), label="key")
        new = data.draw(value, label="value")
        assume(where.get(key, object()) != new or type(where.get(key)) is not type(new))
        where[key] = new
        lines[index] = json.dumps(record, ensure_ascii=False)
    return how, lines


def import_refused_unchanged(run, target, tmp_path, how, lines, *extra):
    altered = tmp_path / "altered.jsonl"
    altered.write_text("\n".join(lines) + "\n", "utf-8")
    before = dump_log(target)
    result = real_clock(run, "--db", target, "import", *extra, altered)
    assert result.code == 1, (how, result)
    assert result.err.count("\n") == 1 and "Traceback" not in result.err, result
    assert dump_log(target) == before


@CAMPAIGN
@given(data=st.data())
def test_any_alteration_of_an_export_line_is_refused(source, target, tmp_path, data):
    run, *_, dump = source
    how, lines = alter(dump.read_text("utf-8").splitlines(), data)
    import_refused_unchanged(run, target, tmp_path, how, lines)


@pytest.fixture
def masked_export(source, tmp_path):
    """The source log with a sensitive item too, exported without --include-sensitive."""
    run, *_ = source
    file_item(run, "--sensitive", "--summary", "内部情况", title="敏感", at="2026-11-22 11:10")
    dump = tmp_path / "masked.jsonl"
    assert run("export", "--output", dump).code == 0
    return run, dump


@CAMPAIGN
@given(data=st.data())
def test_any_alteration_of_a_masked_export_is_refused_even_when_masks_are_allowed(
    masked_export, target, tmp_path, data
):
    """A masked line's content cannot be re-hashed by the importer; the head's digest covers
    it, so an edit of it is refused like any other."""
    run, dump = masked_export
    how, lines = alter(dump.read_text("utf-8").splitlines(), data)
    import_refused_unchanged(run, target, tmp_path, how, lines, "--allow-masked")


json_value = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@CAMPAIGN
@given(data=st.data())
def test_a_forged_but_rehashed_event_is_checked_by_the_rules_never_crashes(
    source, target, tmp_path, data
):
    """A forger who re-hashes the whole file meets the rules: whatever gets in, the log still
    verifies and every reader works; whatever is refused is refused in one line."""
    run, *_, dump = source
    records = read_export(dump)
    events = [r for r in records if r["record"] == "event"]
    chosen = data.draw(st.sampled_from(events), label="event")
    where = chosen["data"] if data.draw(st.booleans(), label="in data") else chosen
    key = data.draw(st.sampled_from(sorted(where)) | st.text(max_size=6), label="key")
    assume(key not in ("record", "seq", "prev_hash", "hash"))
    where[key] = data.draw(json_value, label="value")
    forged = write_export(tmp_path / "forged.jsonl", rechain(records))
    before = dump_log(target)
    result = real_clock(run, "--db", target, "import", forged)
    event("taken" if result.code == 0 else "refused")
    assert "Traceback" not in result.err and "内部错误" not in result.err, result
    if result.code != 0:
        assert result.code == 1 and result.err.count("\n") == 1, result
        assert dump_log(target) == before
        return
    for argv in (["verify"], ["status", "--all"], ["report", "--date", "2026-11-22"]):
        after = run("--db", target, *argv)
        assert after.code == 0, (argv, after)
    for (item_id,) in sqlite3.connect(target).execute("SELECT id FROM items"):
        shown = run("--db", target, "show", item_id)
        assert shown.code == 0, shown


# --- the judgement rules of `continue` and `close` -------------------------------------------------


@pytest.fixture
def yunnan(run, tmp_path):
    """A Yunnan log: a citizen's appeal (reply clock, extendable once) filed on 9 October and
    extended in time (a drill's clock at each moment); its export."""
    db = tmp_path / "yunnan.db"
    assert run("--db", db, "init", "--office", "昆明市人民政府办公厅", "--short", "昆明市",
               "--policy", "yunnan", "--drill").code == 0  # fmt: skip
    item = file_item(partial(run, "--db", db), "--kind", "message", "--class", "appeal",
                     title="某小区供水申诉", occurred="2026-10-09 08:00", at="2026-10-09 09:00",
                     at_now=True)["id"]  # fmt: skip
    extended = run("--db", db, "continue", item, "--extend", "reply", "--reason", "需多部门会商",
                   "--at", "2026-10-12 10:00", now="2026-10-12T10:00:00+08:00")  # fmt: skip
    assert extended.code == 0, extended
    dump = tmp_path / "yunnan.jsonl"
    assert run("--db", db, "export", "--output", dump).code == 0
    return item, dump


def test_an_extension_asked_in_time_is_taken(run, yunnan, tmp_path):
    item, dump = yunnan
    fresh = tmp_path / "fresh.db"
    assert real_clock(run, "--db", fresh, "import", dump).code == 0
    original = run("--db", tmp_path / "yunnan.db", "show", item, "--json").json["duties"]
    copied = run("--db", fresh, "show", item, "--json").json["duties"]
    assert copied == original  # the copy judges as the original does
    assert [d["extended"] for d in copied if d["key"] == "reply"] == [True]


def test_an_extension_asked_after_the_clock_ran_out_is_refused(run, yunnan, tmp_path):
    item, dump = yunnan
    records = read_export(dump)
    extend = event_at(records, item, "extend")
    extend["happened_at"] = extend["recorded_at"] = "2026-11-20T02:00:00Z"
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), "届满")


@pytest.mark.parametrize(
    "outcome, reason, why",
    [("did-not-occur", None, "只用于预警"), ("misreport", None, "理由不能为空"),
     ("misreport", "经核实系误传", None)],
)  # fmt: skip
def test_close_outcomes_follow_the_command_lines_rules(source, tmp_path, outcome, reason, why):
    run, first, _, dump = source
    records = read_export(dump)
    close = event_at(records, first, "close")
    close["data"]["outcome"] = outcome
    if reason:
        close["data"]["reason"] = reason
    forged = forge(dump, records, tmp_path)
    if why is None:
        assert real_clock(run, "--db", tmp_path / "fresh.db", "import", forged).code == 0
    else:
        refused(run, tmp_path / "fresh.db", forged, why)


def test_done_of_a_clock_the_item_never_owed_is_refused_as_continue_refuses_it(
    source, db_path, tmp_path
):
    # 鲁政办发〔2018〕18号 三: 发布权威信息 only for 特别重大、重大; `second` is 一般
    run, _, second, dump = source
    records = new_event(read_export(dump), second, "continue", "2026-11-22T03:00:00Z",
                        {"n": 2, "text": "已发布", "done": ["publish"]})  # fmt: skip
    refused(
        run, db_path, forge(dump, records, tmp_path), "级别为一般（IV级），发布权威信息只适用于"
    )


def test_a_level_change_without_a_reason_is_refused(source, db_path, tmp_path):
    run, _, second, dump = source
    records = new_event(read_export(dump), second, "level", "2026-11-22T03:00:00Z",
                        {"from": "general", "to": "major", "reason": None})  # fmt: skip
    refused(run, db_path, forge(dump, records, tmp_path), "定级变更的理由")


def test_office_level_events_are_checked_but_not_taken(source, target, tmp_path):
    """Events with item_id '' (settings, calendar) belong to no item: checked like any line,
    and not taken (this log keeps its own settings)."""
    run, *_, dump = source
    records = read_export(dump)
    setting = {**next(r for r in records if r["record"] == "event"), "uid": "e" * 32,
               "item_id": "", "type": "office", "data": {"name": "济南市人民政府办公厅",
               "short": "济南市", "policy": "shandong", "tz": "Asia/Shanghai"}}  # fmt: skip
    records.insert(2, setting)
    result = real_clock(run, "--db", target, "import", forge(dump, records, tmp_path))
    assert (
        result.code == 0
        and "2 个单位级事件（单位设置、他单位的工作日历）经核对，未采用" in result.out
    ), result
    taken = sqlite3.connect(target).execute(
        "SELECT count(*) FROM events WHERE uid = ?", ("e" * 32,)
    )
    assert taken.fetchone() == (0,)
    setting["data"]["short"] = "济南\x1b市"
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path, "bad.jsonl"), "控制字符")


def test_another_office_cannot_slip_items_into_this_offices_own(source, tmp_path):
    """An event that claims (in data.imported) to be this office's own, arriving from another
    office, must be one this log already holds: otherwise it would enter this office's 第N期."""
    run, first, *_ = source
    qingdao = tmp_path / "qingdao.db"
    assert run("--db", qingdao, "init", *QINGDAO).code == 0
    dump = tmp_path / "q.jsonl"
    assert run("--db", qingdao, "export", "--output", dump).code == 0
    records = read_export(dump)
    planted = {"record": "event", "uid": "d" * 32, "item_id": "济南市:20261122-009", "type": "file",
               "happened_at": "2026-11-22T01:00:00Z", "recorded_at": "2026-11-22T01:00:00Z",
               "officer": None, "seq": 0, "prev_hash": "", "hash": ""}  # fmt: skip
    template = read_export(source[3])
    planted["data"] = {**event_at(template, first, "file")["data"], "id": "济南市:20261122-009",
                       "issue_no": 9, "filed": "2026-11-22T01:00:00Z"}  # fmt: skip
    planted["data"]["imported"] = {
        "source_office": "济南市人民政府办公厅", "source_short": "济南市",
        "source_id": "20261122-009", "source_recorded_at": "2026-11-22T01:00:00Z",
        "source_hash": "0" * 64, "masked": False,
    }  # fmt: skip
    records[1:1] = [r for r in template if r["record"] == "policy"]
    records.insert(len(records) - 1, planted)
    refused(run, tmp_path / "log.db", forge(dump, records, tmp_path), "别的单位不能补入")


@pytest.mark.parametrize(
    "edit",
    ["UPDATE items SET origin = '烟台市人民政府办公厅' WHERE id LIKE '青岛市:%'",
     "UPDATE items SET origin_short = '烟台市' WHERE id LIKE '青岛市:%'",
     "UPDATE items SET origin = '青岛市人民政府办公厅' WHERE id = '20261122-002'"],
)  # fmt: skip
def test_verify_recomputes_where_an_item_came_from(source, tmp_path, db_path, edit):
    """(Moving a forwarded item into this office's own numbers collides with its own 第N期:
    the table's uniqueness refuses that edit outright.)"""
    run, *_ = source
    qingdao = tmp_path / "qingdao.db"
    assert run("--db", qingdao, "init", *QINGDAO).code == 0
    file_item(partial(run, "--db", qingdao), title="青岛", occurred="08:00", at=None)
    dump = tmp_path / "q.jsonl"
    assert run("--db", qingdao, "export", "--output", dump).code == 0
    assert real_clock(run, "import", dump).code == 0
    db = sqlite3.connect(db_path)
    db.execute("DROP TRIGGER items_fixed_columns")
    db.execute(edit)
    db.commit()
    db.close()
    found = run("verify")
    assert found.code == 1 and "转报来源" in found.err, found


def test_a_drills_export_never_enters_a_real_log(source, tmp_path):
    run, *_, dump = source  # the source is a drill log (tests run on YAOQING_NOW)
    real = tmp_path / "real.db"
    assert real_clock(run, "--db", real, "init", *JINAN[:-1]).code == 0  # no --drill
    refused(run, real, dump, "演练")


def test_this_offices_calendar_comes_with_its_log(run, yunnan, tmp_path):
    """A copy of a log counts working days as the original did: the office calendar (a
    'calendar' event) is taken with it; another office's is not this office's."""
    item, _ = yunnan
    db = tmp_path / "yunnan.db"
    extra = tmp_path / "calendar.toml"
    extra.write_text('[years.2026]\nholidays = ["2026-10-13", "2026-10-14"]\n', "utf-8")
    assert run("--db", db, "calendar", "add", extra, now="2026-10-12T12:00:00+08:00").code == 0
    dump = tmp_path / "with-calendar.jsonl"
    assert run("--db", db, "export", "--output", dump).code == 0
    copy = tmp_path / "copy.db"
    assert real_clock(run, "--db", copy, "import", dump).code == 0
    assert run("--db", copy, "verify").code == 0
    original = run("--db", db, "show", item, "--json").json["duties"]
    assert run("--db", copy, "show", item, "--json").json["duties"] == original
    other = tmp_path / "other.db"
    assert run("--db", other, "init", *QINGDAO).code == 0
    taken = real_clock(run, "--db", other, "import", dump)
    assert taken.code == 0 and "转报" in taken.out, taken
    mine = run("--db", copy, "calendar", "show", "2026")
    assert mine.code == 0 and "2026-10-13" in mine.out, mine
    theirs = run("--db", other, "calendar", "show", "2026")
    assert theirs.code == 0 and "2026-10-13" not in theirs.out, theirs


def test_nothing_is_done_while_an_item_stood_closed_typed_or_imported(office, tmp_path, db_path):
    # closed 10:00, reopened 14:00: a follow-up dated 12:00 would meet the 13:00 publish clock
    # (鲁政办发〔2018〕18号 三) that fell due while the item stood closed (README: it stays waived)
    run = office
    item = file_item(run, "--level", "重大", title="某地爆炸", occurred="2026-11-22 08:00",
                     at="2026-11-22 08:30", at_now=True)["id"]  # fmt: skip
    assert run("close", item, "--text", "结束", now=iso("2026-11-22 10:00")).code == 0
    assert run("reopen", item, "--reason", "终报有误", now=iso("2026-11-22 14:00")).code == 0
    before = dump_log(db_path)
    typed = run("continue", item, "--done", "publish", "--text", "发布", "--at", "12:00",
                now=iso("2026-11-22 14:10"))  # fmt: skip
    assert typed.code == 2 and "早于重新打开的时间" in typed.err, typed
    assert dump_log(db_path) == before
    dump = tmp_path / "log.jsonl"
    assert run("export", "--output", dump).code == 0
    records = new_event(read_export(dump), item, "continue", "2026-11-22T04:00:00Z",
                        {"n": 1, "text": "发布", "done": ["publish"]})  # fmt: skip
    refused(run, tmp_path / "fresh.db", forge(dump, records, tmp_path), "重新打开的时间")
