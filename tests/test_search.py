"""`yaoqing search`: full text over every event's words, through the CLI on a real log."""

import sqlite3

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import file_item, iso
from tests.test_integrity import rehash_everything


@pytest.fixture
def office_log(log, run):
    """Three items under Shandong's policy, one of them sensitive, with follow-ups and a close."""
    book = log("shandong")
    slide = book.file(
        "某县国道山体滑坡", "2026-11-20 08:00", "2026-11-20 08:30", "--location", "历城区仲宫镇",
        "--unit", "历城区",
    )  # fmt: skip
    book.cont(slide, "2026-11-20 10:00", "--text", "滑坡造成3人受伤，道路中断")
    book.cont(slide, "2026-11-21 09:00", "--unit", "济南市应急局", "--measures", "已封闭K12路段")
    secret = book.file(
        "某化工厂爆炸", "2026-11-21 07:00", "2026-11-21 07:20", "--sensitive",
        "--summary", "爆炸引发山体滑坡", "--unit", "章丘区",
    )  # fmt: skip
    opinion = book.file(
        "网传山体滑坡致多人遇难", "2026-11-21 11:00", "2026-11-21 11:10", "--kind", "opinion",
        "--about", slide,
    )  # fmt: skip
    book.close(opinion, "2026-11-21 15:00", "--text", "经核实系谣言，已发布辟谣信息")
    return {"slide": slide, "secret": secret, "opinion": opinion}


def search(run, *args):
    result = run("search", *args, "--json", now=iso("2026-11-22 12:00"))
    assert result.code == 0, result
    return result.json


def test_a_chinese_substring_finds_every_item_that_says_it_newest_mention_first(office_log, run):
    found = search(run, "山体滑坡")
    assert [item["id"] for item in found["items"]] == [office_log["opinion"], office_log["slide"]]
    assert found["matched"] == 2
    assert found["hidden_sensitive"] == 1  # the chemical plant (says it too): not searched
    first = found["items"][0]
    assert first["match"] == {
        "event": "file",
        "n": None,
        "happened_at": iso("2026-11-21 11:10"),
        "snippet": "网传「山体滑坡」致多人遇难",
    }
    assert first["closed"] is True and first["kind"] == "opinion"


def test_follow_up_texts_and_detail_fields_are_searched(office_log, run):
    injured = search(run, "3人受伤")["items"]
    assert [(i["id"], i["match"]["event"], i["match"]["n"]) for i in injured] == [
        (office_log["slide"], "continue", 1)
    ]
    place = search(run, "仲宫镇")["items"]  # a detail field of the first report
    assert [i["id"] for i in place] == [office_log["slide"]]
    assert place[0]["match"]["snippet"] == "历城区「仲宫镇」"
    measures = search(run, "K12")["items"]  # a field supplied by a follow-up
    assert measures[0]["match"]["n"] == 2
    assert search(run, "辟谣")["items"][0]["match"]["event"] == "close"


def test_the_board_line_says_what_the_item_is_now(office_log, run):
    text = run("search", "受伤", now=iso("2026-11-22 12:00")).out.splitlines()
    assert text[0] == "搜索“受伤”：1 条要情，按最近一次提及排列【演练】"
    assert text[1] == (
        f"{office_log['slide']}  某县国道山体滑坡  [突发事件·未定级·shandong]  "
        "续报一 2026-11-20 10:00：滑坡造成3人「受伤」，道路中断"
    )
    # the unit a follow-up supplied is the item's unit now
    assert search(run, "滑坡")["items"][-1]["unit"] == "济南市应急局"


def test_sensitive_items_are_counted_never_shown_without_the_flag(office_log, run):
    hidden = run("search", "爆炸", now=iso("2026-11-22 12:00"))
    assert hidden.code == 0, hidden
    assert "化工厂" not in hidden.out and "爆炸引发" not in hidden.out
    assert office_log["secret"] not in hidden.out
    assert hidden.out.splitlines()[-1] == (
        "1 条涉密/敏感要情未检索（无论是否匹配）；确需检索请加 --include-sensitive"
    )
    # the count is the same whatever is asked: it tells nothing of what the item says
    assert search(run, "某化工厂爆炸")["hidden_sensitive"] == 1
    assert search(run, "一段没有任何要情提到的话")["hidden_sensitive"] == 1
    shown = search(run, "爆炸", "--include-sensitive")
    assert shown["hidden_sensitive"] == 0
    assert [(i["id"], i["sensitive"]) for i in shown["items"]] == [(office_log["secret"], True)]
    assert shown["items"][0]["title"] == "某化工厂爆炸"


def test_two_characters_fall_back_to_a_scan_and_find_the_same(office_log, run):
    short = search(run, "滑坡")
    assert {i["id"] for i in short["items"]} == {office_log["slide"], office_log["opinion"]}
    assert short["hidden_sensitive"] == 1
    assert search(run, "K1")["items"][0]["id"] == office_log["slide"]
    # LIKE's wildcards are searched for as themselves
    assert search(run, "%")["matched"] == 0
    assert search(run, "_")["matched"] == 0


def test_letters_match_in_either_case_and_quotes_are_plain_text(office_log, run):
    assert search(run, "k12")["items"][0]["id"] == office_log["slide"]
    assert search(run, '"K12')["matched"] == 0  # not an FTS5 syntax error
    assert search(run, "K12 OR 滑坡")["matched"] == 0  # nor an operator


def test_filters_by_time_kind_and_current_unit(office_log, run):
    since = search(run, "滑坡", "--since", "2026-11-21 00:00")
    assert [i["id"] for i in since["items"]] == [office_log["opinion"]]
    # the slide's newest mention before the 21st is its follow-up of the 20th at 10:00
    until = search(run, "滑坡", "--until", "2026-11-21 00:00")
    assert [(i["id"], i["match"]["n"]) for i in until["items"]] == [(office_log["slide"], 1)]
    assert [i["id"] for i in search(run, "滑坡", "--kind", "舆情")["items"]] == [
        office_log["opinion"]
    ]
    assert [i["id"] for i in search(run, "滑坡", "--unit", "济南市应急局")["items"]] == [
        office_log["slide"]
    ]
    assert search(run, "滑坡", "--unit", "历城区")["matched"] == 0  # no longer its unit


def test_unit_filter_is_read_as_units_are_stored_nfkc(log, run):
    """Units are NFKC-normalised when filed (ＡＢＣ县 and ABC县 are one unit), so the filter
    that names one must be read the same way, or the full-width spelling finds nothing."""
    book = log("shandong")
    item = book.file("某县山体滑坡", "2026-11-20 08:00", "2026-11-20 08:30", "--unit", "ABC县")
    assert [i["id"] for i in search(run, "滑坡", "--unit", "ＡＢＣ县")["items"]] == [item]


def test_limit_lists_the_newest_and_counts_them_all(office_log, run):
    limited = run("search", "滑坡", "--limit", "1", now=iso("2026-11-22 12:00"))
    lines = limited.out.splitlines()
    assert lines[0].startswith("搜索“滑坡”：2 条要情，显示最新的 1 条")
    assert lines[1].startswith(office_log["opinion"])
    assert len(search(run, "滑坡", "--limit", "0")["items"]) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["   "], "搜索内容为空"),
        (["滑\x01坡"], "控制字符"),
        (["滑" * 201], "搜索内容过长"),
        (["滑坡", "--kind", "typhoon"], "类型"),
        (["滑坡", "--since", "2026-11-22", "--until", "2026-11-21"], "--until 须晚于 --since"),
        (["滑坡", "--limit", "-1"], "--limit"),
        # every field refuses invisible characters; a query echoed back with U+202E in it
        # would turn the answer line around on the officer's screen
        (["\u202e滑坡"], "U+202E"),
        (["滑\u200b坡"], "U+200B"),
        (["滑坡\u2028"], "U+2028"),
    ],
)
def test_bad_searches_are_refused_in_one_line(office_log, run, argv, message):
    result = run("search", *argv)
    assert result.code == 2, result
    assert message in result.err and len(result.err.strip().splitlines()) == 1, result


def test_nothing_found_says_so(office_log, run):
    result = run("search", "台风")
    assert result.code == 0, result
    assert result.out.splitlines()[1] == "无。"


def test_every_write_keeps_the_index_level_with_the_events(office_log, run, db_path):
    db = sqlite3.connect(db_path)
    item_events = db.execute("SELECT seq FROM events WHERE item_id != '' ORDER BY seq").fetchall()
    indexed = db.execute("SELECT seq FROM search_text ORDER BY seq").fetchall()
    assert indexed == item_events
    fts = db.execute(
        "SELECT count(*) FROM search_text_fts WHERE search_text_fts MATCH '\"辟谣信\"'"
    )
    assert fts.fetchone()[0] == 1


def test_an_imported_log_is_searchable(office_log, run, tmp_path, monkeypatch):
    exported = run("export", "--include-sensitive", "-o", tmp_path / "out.jsonl")
    assert exported.code == 0, exported
    other = tmp_path / "other.db"  # an empty log becomes the source office's copy
    monkeypatch.delenv("YAOQING_NOW")  # refused before the log is made, drill or not
    imported = run("--db", other, "import", tmp_path / "out.jsonl")
    assert imported.code == 0, imported
    found = run("--db", other, "search", "仲宫镇", "--json", now=iso("2026-11-22 12:00"))
    assert [i["id"] for i in found.json["items"]] == [office_log["slide"]]


def test_verify_rebuilds_a_search_index_edited_behind_the_tools_back(office_log, run, db_path):
    assert run("verify").code == 0
    db = sqlite3.connect(db_path)
    db.execute(
        "UPDATE search_text SET body = '无关' WHERE seq = (SELECT min(seq) FROM search_text)"
    )
    db.execute("DELETE FROM search_text WHERE seq = (SELECT max(seq) FROM search_text)")
    db.commit()
    db.close()
    assert search(run, "仲宫镇")["matched"] == 0  # the edit hides the item from search
    checked = run("verify")
    assert checked.code == 1, checked
    assert "search_text 表 事件 #" in checked.out and "body（检索文字）" in checked.out
    assert "某县国道" not in checked.out  # the words themselves are never printed
    assert "搜索索引已按事件重建" in checked.err
    assert search(run, "仲宫镇")["matched"] == 1
    assert search(run, "辟谣")["matched"] == 1
    assert run("verify").code == 0


_WORDS = "山体滑坡国道事故火灾化工厂泄漏ABCabc12 "


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=_WORDS, min_size=3, max_size=16), st.data())
def test_every_substring_of_a_title_finds_it_by_index_or_scan(office, run, title, data):
    """The trigram index (three characters or more) and the LIKE scan (fewer) find the same
    thing: every item whose words contain the text, in either case for ASCII letters."""
    title = " ".join(title.split())
    assume(len(title) >= 3)
    filed = file_item(run, title=title, occurred="08:00", at=None)
    start = data.draw(st.integers(min_value=0, max_value=len(title) - 1))
    stop = data.draw(st.integers(min_value=start + 1, max_value=len(title)))
    query = " ".join(title[start:stop].split())
    assume(query)
    query = data.draw(st.sampled_from([query, query.upper(), query.lower()]))
    found = run("search", query, "--limit", "0", "--json")
    assert found.code == 0, found
    assert filed["id"] in [item["id"] for item in found.json["items"]], (title, query)


def test_a_forger_who_rehashes_the_chain_is_caught_by_the_search_index(office_log, run, db_path):
    """An event edited and the whole chain re-hashed holds as a chain; the words the search
    index took from the event when it was written still tell (unless the forger rebuilds it)."""

    rehash_everything(
        db_path, "UPDATE events SET data = replace(data, '3人受伤', '无人受伤')", mend_index=False
    )
    checked = run("verify")
    assert checked.code == 1, checked
    assert "search_text 表 事件 #" in checked.out and "内容不同" in checked.out, checked
