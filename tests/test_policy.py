"""Policy files: the shipped ones are valid and cited; local ones are checked key by key."""

import os
import re
from datetime import timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import dump_log, file_item
from yaoqing_cli.errors import PolicyError
from yaoqing_cli.policy import list_policies, load_policy, policy_dirs

REPO = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")
SHIPPED = ["national", "shandong", "yunnan", "inner-mongolia", "jiangxi"]
DOC_NUMBER = re.compile(
    r"〔20\d\d〕\d+号|高安市"
)  # a document number, or Gao'an's unnumbered notice


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_rule_cites_its_document(name):
    policy = load_policy(name)
    assert policy.name == name
    for duty in policy.duties:
        assert DOC_NUMBER.search(duty.source), duty
    for rule in (*policy.recipients, *policy.escalation):
        assert DOC_NUMBER.search(rule.source), rule
    if policy.elements:
        assert DOC_NUMBER.search(policy.elements_source)


@pytest.mark.parametrize(
    ("alias", "name"),
    [("山东", "shandong"), ("云南省", "yunnan"), ("内蒙古", "inner-mongolia"), ("江西", "jiangxi"),
     ("国家基线", "national")],
)  # fmt: skip
def test_chinese_names_are_accepted(alias, name):
    assert load_policy(alias).name == name


def test_shandong_inherits_the_warning_window_from_national():
    shandong, national = load_policy("shandong"), load_policy("national")
    assert shandong.extends == "national"
    assert (shandong.warn_minutes, shandong.warn_share) == (
        national.warn_minutes,
        national.warn_share,
    )
    assert {d.key for d in shandong.duties} == {"publish", "press", "respond"}


def test_snapshot_round_trip_keeps_the_hash():
    from yaoqing_cli.policy import Policy

    for policy in list_policies(policy_dirs()):
        again = Policy.from_snapshot(policy.to_snapshot())
        assert again.hash == policy.hash and again.duties == policy.duties


def test_policy_list_and_show(run):
    listed = run("policy", "list")
    assert listed.code == 0 and all(name in listed.out for name in SHIPPED)
    shown = run("policy", "show", "云南")
    assert shown.code == 0, shown
    assert "申诉求助20个工作日" in shown.out and "云政办发〔2016〕106号 四(三)" in shown.out
    assert "可延长一次 10 个工作日" in shown.out


DUTY = '[duties.report]\nname="x"\nkinds=["emergency"]\nmet_by="file"\nsource="s"\n'
BROKEN = [
    ('[duties.report]\nhours = "two"', "duties.report.anchor"),
    (DUTY + 'anchor="occurred"\nhours="two"', "duties.report.hours 应为正整数"),
    (
        DUTY + 'anchor="事后"\nhours=2',
        "duties.report.anchor 应为以下之一：occurred、received、filed",
    ),
    ('[duties.lunch]\nname="x"', "duties.lunch 应为以下时限键之一"),
    (DUTY + 'anchor="occurred"\nhours=2\nminutes=5', "三者恰好其一"),
    ('colour = "red"', "未知的键 colour"),
    ('extends = "nowhere"', "找不到该政策"),
    ("[warn]\nshare = 2", "warn.share 应为0 到 1 之间的小数"),
    ('title_format = "{short}{x}"', "title_format 应为只含 {short} 一个占位符的文字"),
]


@pytest.mark.parametrize(("body", "message"), BROKEN)
def test_policy_check_names_file_key_and_expectation(run, tmp_path, body, message):
    local = tmp_path / "local.toml"
    local.write_text(f'name = "local"\ntitle = "本地"\n{body}\n', encoding="utf-8")
    result = run("policy", "check", local)
    assert result.code == 1, result
    assert result.err.count("\n") == 1 and str(local) in result.err and message in result.err


def test_extends_cycle_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('name = "a"\ntitle = "A"\nextends = "b"\n', "utf-8")
    (tmp_path / "b.toml").write_text('name = "b"\ntitle = "B"\nextends = "a"\n', "utf-8")
    with pytest.raises(PolicyError, match="循环"):
        load_policy("a", [tmp_path])


def test_local_policy_folder_by_option_and_environment(run, tmp_path, monkeypatch):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "jinan.toml").write_text(
        (REPO / "examples" / "jinan-local.toml").read_text("utf-8"), "utf-8"
    )
    assert run("--policies", folder, "policy", "show", "济南").code == 0
    monkeypatch.setenv("YAOQING_POLICIES", str(folder))
    shown = run("policy", "show", "jinan")
    assert shown.code == 0 and "继承 shandong" in shown.out and "分管负责同志" in shown.out


def test_a_policy_folder_that_is_not_one_is_refused_typed_or_from_the_environment(
    office, run, tmp_path, monkeypatch, db_path
):
    # a mistyped folder would leave the office's own policy unfound, or a shipped one of the
    # same name in its place, without a word
    before = dump_log(db_path)
    typed = run("--policies", tmp_path / "nowhere", "file", "--title", "x", "--occurred", "08:00")
    assert typed.code == 2 and typed.err.count("\n") == 1, typed
    assert "nowhere 不存在（--policies）" in typed.err, typed
    monkeypatch.setenv("YAOQING_POLICIES", f"{tmp_path}{os.pathsep}{db_path}")
    from_env = run("policy", "list")
    assert from_env.code == 2 and "不是目录（环境变量 YAOQING_POLICIES）" in from_env.err, from_env
    assert dump_log(db_path) == before


def test_editing_a_policy_file_never_moves_a_running_clock(run, tmp_path):
    """The item keeps the policy it was filed under (by content hash)."""
    folder = tmp_path / "policies"
    folder.mkdir()
    text = (REPO / "policies" / "yunnan.toml").read_text("utf-8")
    (folder / "yunnan.toml").write_text(text, "utf-8")
    assert run("--policies", folder, "init", "--office", "昆明", "--short", "昆明", "--policy", "yunnan", "--drill").code == 0  # fmt: skip
    file_item(partial(run, "--policies", folder), "--level", "重大", title="x", occurred="08:00",
              at="08:10")  # fmt: skip
    (folder / "yunnan.toml").write_text(text.replace("hours = 1\n", "hours = 3\n"), "utf-8")
    status = run("--policies", folder, "status", "--json")
    duty = next(d for d in status.json[0]["duties"] if d["key"] == "report")
    assert duty["deadline"] == "2026-11-22T09:00:00+08:00"


def test_unknown_policy_lists_the_known_ones(run):
    result = run("init", "--office", "x", "--short", "x", "--policy", "火星", "--drill")
    assert result.code == 1 and "未知的政策" in result.err and "shandong（山东省）" in result.err


def test_calendar_file_errors_are_one_line(run, tmp_path, office):
    bad = tmp_path / "calendar.toml"
    bad.write_text('[years.2027]\nholidays = ["2027-13-01"]\n', "utf-8")
    result = office("--calendar", bad, "status")
    assert result.code == 2 and "2027-13-01" in result.err and result.err.count("\n") == 1


def test_title_format_comes_from_the_policy(run, tmp_path):
    local = tmp_path / "local.toml"
    local.write_text(
        'name = "local"\ntitle = "本地"\nextends = "shandong"\ntitle_format = "{short}值班快报"\n',
        "utf-8",
    )
    assert (
        run("init", "--office", "某市", "--short", "某市", "--policy", local, "--drill").code == 0
    )
    filed = file_item(run, title="x", occurred="08:00", at=None)
    assert filed["heading"] == "【演练】某市值班快报 2026年第1期"
    shown = run("show", filed["id"], "--json")
    assert shown.json["heading"] == "【演练】某市值班快报 2026年第1期"


# --- issue 10 rules 6, 7, 13: who is told, who sends, whose seat -----------------------------


def _init(run, policy: str) -> None:
    result = run("init", "--office", "测试值班室", "--short", "测试", "--policy", policy, "--drill")
    assert result.code == 0, result


def _file(run, *extra) -> str:
    return file_item(run, *extra, title="某事", occurred="08:00", at="08:30")["id"]


def _entry(run, item: str) -> dict:
    result = run("status", "--json", "--all")
    assert result.code == 0, result
    return next(e for e in result.json if e["id"] == item)


def test_an_ungraded_item_shows_every_levels_recipients_required_and_permissive(run):
    """Shandong, from a Jinan county's seat. Not yet graded, the item owes every level's clocks
    (publish, press, respond), so it also owes every level's recipients: 市政府应急办 (济政办字
    〔2016〕47号 二, every item), 省政府应急办 (鲁政办字〔2016〕86号 第2、9条, urgent: 重大以上),
    本级政府主要负责同志 (鲁政办发〔2018〕18号 二, 特别重大), and, as permitted only ("可……报告"),
    市政府办公厅负责同志 (47号 二) and 省政府办公厅负责同志 (86号 第9条)."""
    _init(run, "shandong")
    item = _file(run, "--kind", "opinion")
    notify = [(n["who"], n["required"]) for n in _entry(run, item)["notify"]]
    assert notify == [
        ("市政府应急办（市政府总值班室）", True),
        ("市政府办公厅负责同志", False),
        ("省政府应急办（省政府总值班室）", True),
        ("省政府办公厅负责同志", False),
        ("本级政府主要负责同志", True),
    ]
    shown = run("show", item).out
    assert (
        "现在须报告：市政府应急办（市政府总值班室）（济政办字〔2016〕47号 二）；"
        "省政府应急办（省政府总值班室）（鲁政办字〔2016〕86号 第2条、第9条）；"
        "本级政府主要负责同志（鲁政办发〔2018〕18号 二）"
    ) in shown
    assert (
        "现在可报告：市政府办公厅负责同志（济政办字〔2016〕47号 二）；"
        "省政府办公厅负责同志（鲁政办字〔2016〕86号 第9条）"
    ) in shown
    # graded 一般, only the city desk remains (the other rules are for urgent or 特别重大 items)
    assert run("continue", item, "--level", "一般", "--text", "核实为一般").code == 0
    assert [n["who"] for n in _entry(run, item)["notify"]] == ["市政府应急办（市政府总值班室）"]


def test_a_graded_major_item_shows_the_permitted_leader_as_may_report_in_text(run):
    _init(run, "山东")
    item = _file(run, "--kind", "opinion", "--level", "重大")
    text = run("status").out
    line = next(x for x in text.splitlines() if "可报告" in x)
    assert "省政府办公厅负责同志" in line and "须报告" not in line
    required = next(x for x in text.splitlines() if "现在须报告" in x)
    assert "省政府办公厅负责同志" not in required and "本级政府主要负责同志" not in required
    assert item in text


def test_routing_names_the_sender_not_a_recipient(run):
    """云政办发〔2016〕106号 三(三): "凡属就业……民生热点类的，以各业务职能主管部门报送为主" says who
    sends; the copy to 政务公开日常工作负责部门 ("须同时抄送") stays someone to tell."""
    _init(run, "yunnan")
    item = _file(run, "--kind", "opinion", "--level", "一般", "--category", "就业")
    entry = _entry(run, item)
    assert entry["routed_from"] == "业务职能主管部门"
    assert [(n["who"], n["copy"], n["required"]) for n in entry["notify"]] == [
        ("政务公开日常工作负责部门", True, True)
    ]
    shown = run("show", item).out
    assert (
        "归口报送：由业务职能主管部门报送（类别“就业”归口报送，云政办发〔2016〕106号 三(三)）"
        in shown
    )
    assert "同时抄送：政务公开日常工作负责部门" in shown
    assert "须报告：业务职能主管部门" not in shown and "须报告" not in shown
    other = _file(run, "--kind", "opinion", "--level", "一般", "--category", "其他")
    assert _entry(run, other)["routed_from"] == "政府办公厅（室）统筹报送"
    none = _file(run, "--kind", "opinion", "--level", "一般")
    assert _entry(run, none)["routed_from"] is None


def test_yunnan_copies_only_reports_of_public_opinion_to_the_openness_office(run):
    # 云政办发〔2016〕106号 三(三): "报送各类政务舆情信息时，须同时抄送政务公开日常工作负责部门"; a
    # citizen's message and a warning are not 政务舆情信息
    _init(run, "yunnan")
    message = _file(run, "--kind", "message", "--class", "appeal", "--channel", "微信")
    warning = _file(run, "--kind", "warning")
    opinion = _file(run, "--kind", "opinion", "--level", "一般")
    for item in (message, warning):
        assert "政务公开日常工作负责部门" not in [n["who"] for n in _entry(run, item)["notify"]]
    assert "政务公开日常工作负责部门" in [n["who"] for n in _entry(run, opinion)["notify"]]


def test_an_unknown_category_is_refused_with_the_list(run, db_path):
    from conftest import dump_log

    _init(run, "云南")
    before = dump_log(db_path)
    result = run("file", "--title", "某事", "--occurred", "08:00", "--kind", "opinion",
                 "--category", "天气")  # fmt: skip
    assert result.code == 2 and result.err.count("\n") == 1, result
    assert "天气" in result.err and "民生热点" in result.err and "应急管理" in result.err
    assert "其他" in result.err
    assert dump_log(db_path) == before
    # a policy without routing keeps whatever category it is given
    assert run("file", "--title", "x", "--occurred", "08:00", "--category", "天气",
               "--policy", "shandong").code == 0  # fmt: skip


def test_yunnan_copies_a_report_that_reaches_the_province(run):
    """云政办发〔2016〕106号 三(三): a report to the province is copied to 省政务公开领导小组办公室
    and 省新闻宣传和舆论处置联席会议办公室; a major item is reported to the superior government
    (五), so it carries both copies; 特别重大 also goes to 本级政府主要负责同志 (二)."""
    _init(run, "yunnan")
    top = _file(run, "--kind", "opinion", "--level", "特别重大")
    small = _file(run, "--kind", "opinion", "--level", "较大")
    copies = [n["who"] for n in _entry(run, top)["notify"] if n["copy"]]
    assert copies == ["省政务公开领导小组办公室", "省新闻宣传和舆论处置联席会议办公室",
                      "政务公开日常工作负责部门"]  # fmt: skip
    assert "本级政府主要负责同志" in [n["who"] for n in _entry(run, top)["notify"]]
    assert [n["who"] for n in _entry(run, small)["notify"]] == ["政务公开日常工作负责部门"]


def test_a_hohhot_office_reports_to_the_region_not_to_the_vice_chairman(run):
    """内政办发〔2014〕109号 二(一): phone 自治区人民政府办公厅 first, written within 2 h; 三(二):
    the Party office at the same time; 呼政办发〔2014〕30号 一: 市政府办公厅应急办和信息处. The
    vice-chairman is told by the regional office (二(三)), not by this seat."""
    _init(run, "内蒙古")
    item = _file(run, "--level", "特别重大")
    text = run("show", item).out
    required = next(x for x in text.splitlines() if x.startswith("现在须报告"))
    assert "市政府办公厅应急办和信息处（呼政办发〔2014〕30号 一）" in required
    assert (
        "自治区人民政府办公厅（先电话报告，2小时内报文字材料）（内政办发〔2014〕109号" in required
    )
    assert "本级党委办公部门（同时报送）（内政办发〔2014〕109号 三(二)）" in required
    assert "分管副主席" not in text and "自治区主席" not in text and "秘书长" not in text


def test_a_gaoan_office_is_not_told_to_report_to_itself(run):
    _init(run, "高安")
    item = _file(run, "--kind", "opinion", "--level", "重大")
    who = [n["who"] for n in _entry(run, item)["notify"]]
    assert who[0] == "上级机关（宜春市人民政府办公室、省政府办公厅）"
    assert not any(w == "市政府办公室" or w.startswith("市政府办公室") for w in who)


@pytest.mark.parametrize(
    ("name", "seat"),
    [("shandong", "济南市各县（市）、区人民政府和市政府各部门"),
     ("inner-mongolia", "呼和浩特市各旗、县、区人民政府和市各委、办、局"),
     ("jiangxi", "高安市人民政府办公室"), ("yunnan", "州（市）人民政府和省直各委、办、厅、局"),
     ("national", "不针对具体单位")],
)  # fmt: skip
def test_every_shipped_policy_states_whose_office_it_speaks_for(run, name, seat):
    policy = load_policy(name)
    assert policy.office.startswith(seat) and DOC_NUMBER.search(policy.office_source)
    shown = run("policy", "show", name).out
    assert f"适用单位：{policy.office}  出处：" in shown


def test_the_jiangxi_file_says_it_is_a_county_level_citys_notice(run):
    assert load_policy("jiangxi").title == "江西省高安市（县级市）"
    assert "江西省高安市（县级市）" in run("policy", "list").out


def test_policy_show_states_each_clocks_real_anchor(run):
    """The reply clock counts from filing (云政办发〔2016〕106号 四(三), engine: anchor filed),
    so the day not counted is the day of the first report, not a day of receipt."""
    shown = run("policy", "show", "云南").out
    reply = next(line for line in shown.splitlines() if line.startswith("  reply"))
    assert "自首报起" in reply and "首报当日不计，截止于第N个工作日24:00" in reply
    assert "接收当日不计" not in shown
    report = next(line for line in shown.splitlines() if line.startswith("  report"))
    assert "自事发时刻起 1小时内（连续计时" in report


def test_the_brief_board_says_须报告_and_可报告_apart(run):
    _init(run, "shandong")
    for n in range(21):
        at = "2026-11-21 08:30"
        file_item(run, "--kind", "emergency", "--level", "重大", title=f"事{n}",
                  occurred="2026-11-21 08:00", at=at, at_now=True)  # fmt: skip
    lines = run("status", "--overdue").out.splitlines()
    assert lines[1].startswith("每个时限一行")
    assert lines[2].endswith(
        "  须报告：市政府应急办（市政府总值班室）、省政府应急办（省政府总值班室）"
        "  可报告：市政府办公厅负责同志、省政府办公厅负责同志"
    ), lines[2]


# --- issue 11 item 7: every number has a range; extends; errors name their own file ---------------

OUT_OF_RANGE = [
    (DUTY + 'anchor="occurred"\nhours=1000000000000', "duties.report.hours 应为 1 到 8760"),
    (DUTY + 'anchor="occurred"\nhours=8761', "duties.report.hours 应为 1 到 8760"),
    (DUTY + 'anchor="occurred"\nminutes=525601', "duties.report.minutes 应为 1 到 525600"),
    (DUTY + 'anchor="filed"\nworking_days=2500000', "duties.report.working_days 应为 1 到 250"),
    (DUTY.replace("emergency", "message") + 'anchor="filed"\nworking_days={praise=251, advice=10, appeal=20}',
     "duties.report.working_days.praise 应为 1 到 250"),
    (DUTY + 'anchor="filed"\nworking_days=5\nextension_working_days=251',
     "duties.report.extension_working_days 应为 1 到 250"),
    ("[warn]\nminutes = 9000000000000", "warn.minutes 应为 0 到 10080"),
    ("[warn]\nminutes = 9e12", "warn.minutes 应为非负整数"),
    ("[warn]\nshare = nan", "warn.share 应为0 到 1 之间的小数"),
    ('[[escalation]]\nwho="x"\nsource="s"\noffset_minutes=43201', "escalation[0].offset_minutes 应为 -43200 到 43200"),
    ('[[escalation]]\nwho="x"\nsource="s"\noffset_minutes=-43201', "escalation[0].offset_minutes 应为 -43200 到 43200"),
    ('[[recipients]]\nwho="x"\nsource="s"\nrequired="否"', "recipients[0].required 应为布尔值"),
    ('[office]\nwho="x"', "office.source 应为非空文字"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), OUT_OF_RANGE)
def test_every_number_in_a_policy_has_a_range(run, tmp_path, body, message):
    local = tmp_path / "local.toml"
    local.write_text(f'name = "local"\ntitle = "本地"\n{body}\n', encoding="utf-8")
    result = run("policy", "check", local)
    assert result.code == 1 and result.err.count("\n") == 1, result
    assert str(local) in result.err and message in result.err, result.err


@pytest.mark.parametrize(
    ("key", "value"),
    [("hours", 8760), ("minutes", 525600), ("working_days", 250)],
)
def test_the_largest_clock_allowed_still_gives_a_deadline(run, tmp_path, key, value):
    anchor = "filed" if key == "working_days" else "occurred"
    local = tmp_path / "local.toml"
    local.write_text(
        f'name = "local"\ntitle = "本地"\n{DUTY}anchor="{anchor}"\n{key}={value}\n'
        "[warn]\nminutes = 10080\n[[escalation]]\nwho='x'\nsource='s'\noffset_minutes=43200\n",
        encoding="utf-8",
    )
    assert run("policy", "check", local).code == 0
    _init(run, str(local))
    item = _file(run)
    [duty] = _entry(run, item)["duties"]
    # a year's clock, met by the first report itself (met_by = "file")
    assert duty["state"] == "met" and duty["deadline"].startswith(("2027-11", "2027-12")), duty


def test_a_log_snapshot_with_a_number_out_of_range_is_refused_on_load():
    """The snapshot frozen into a log is input too: it is checked as a file is."""
    from yaoqing_cli.policy import Policy

    raw = load_policy("inner-mongolia").to_snapshot()
    raw["duties"]["report"]["hours"] = 1_000_000_000_000
    with pytest.raises(PolicyError, match=r"duties\.report\.hours 应为 1 到 8760"):
        Policy.from_snapshot(raw)
    raw = load_policy("yunnan").to_snapshot()
    raw["warn"]["minutes"] = 9_000_000_000_000
    with pytest.raises(PolicyError, match=r"warn\.minutes"):
        Policy.from_snapshot(raw)


def _write(folder: Path, stem: str, body: str) -> Path:
    path = folder / f"{stem}.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "via",
    ["b", "乙", "bee", "b-name"],  # file stem, title, alias, `name` differing from the stem
)
def test_extends_cycles_by_any_name_are_caught(run, tmp_path, via):
    _write(tmp_path, "a", f'name = "a"\ntitle = "甲"\naliases = ["ay"]\nextends = "{via}"\n')
    _write(tmp_path, "b", 'name = "b-name"\ntitle = "乙"\naliases = ["bee"]\nextends = "甲"\n')
    with pytest.raises(PolicyError, match="extends 形成循环：a → b → a"):
        load_policy("a", [tmp_path])
    result = run("policy", "check", tmp_path / "a.toml")
    assert result.code == 1 and result.err.count("\n") == 1, result
    assert "循环" in result.err and "RecursionError" not in result.err
    listed = run("--policies", tmp_path, "policy", "list")
    assert listed.code == 0 and "有误" in listed.out and "national" in listed.out


def test_extends_itself_is_a_cycle(run, tmp_path):
    path = _write(tmp_path, "c", 'name = "c"\ntitle = "丙"\nextends = "丙"\n')
    result = run("policy", "check", path)
    assert result.code == 1 and "extends = '丙' 只指向文件自身" in result.err, result


def test_a_local_file_may_extend_the_shipped_policy_it_shadows(run, tmp_path):
    """extends = "shandong" in a local shandong.toml means the shipped one, not itself."""
    _write(tmp_path, "shandong", 'name = "shandong"\ntitle = "本区山东"\nextends = "shandong"\n'
           '[[recipients]]\nwho = "区委办公室"\nsource = "本区制度"\n')  # fmt: skip
    policy = load_policy("shandong", [tmp_path, *policy_dirs()])
    assert policy.title == "本区山东" and policy.duties == load_policy("shandong").duties
    assert [r.who for r in policy.recipients][-1] == "区委办公室"
    listed = run("--policies", tmp_path, "policy", "list").out
    assert "本区山东" in listed and "取代内置政策 shandong" in listed


def test_policy_check_reports_the_checked_files_own_error(run, tmp_path):
    """A broken neighbour is not this file's error: an unknown `extends` says so."""
    _write(tmp_path, "broken", 'name = "broken"\ntitle = \n')
    local = _write(tmp_path, "local", 'name = "local"\ntitle = "本地"\nextends = "nowhere"\n')
    result = run("policy", "check", local)
    assert result.code == 1, result
    assert f"{local}：extends = 'nowhere'，但找不到该政策" in result.err
    assert "broken" not in result.err


def test_an_error_in_a_parent_is_named_as_the_parents(run, tmp_path):
    _write(tmp_path, "parent", 'name = "parent"\ntitle = "上级"\n[warn]\nminutes = -1\n')
    child = _write(tmp_path, "child", 'name = "child"\ntitle = "本级"\nextends = "parent"\n')
    result = run("policy", "check", child)
    assert result.code == 1 and result.err.count("\n") == 1, result
    assert f"{child}：extends = 'parent' 所指的政策有误：" in result.err
    assert f"{tmp_path / 'parent.toml'}：warn.minutes 应为非负整数" in result.err


def test_positions_are_counted_in_the_file_that_holds_the_entry(run, tmp_path):
    """Shandong has five recipients; the child's first (bad) one is its own recipients[0]."""
    child = _write(
        tmp_path, "child",
        'name = "child"\ntitle = "本级"\nextends = "shandong"\n'
        '[[recipients]]\nwho = "值班长"\nsource = "本室制度"\n'
        '[[recipients]]\nwho = "x"\nsource = "s"\nlevels = ["重大"]\n',
    )  # fmt: skip
    result = run("policy", "check", child)
    assert result.code == 1 and f"{child}：recipients[1].levels 应为以下之一" in result.err, result


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('name = "x"\ntitle = "X"\nhours = \n', "第 3 行第 9 列：值无效（文字须加引号，数字不加）"),
        ('name = "x"\ntitle = "X\n', "第 2 行第 11 列：字符串中不能换行（缺少结尾的引号？）"),
        ('name = "x"\nname = "y"\n', "第 2 行第 11 列：不能覆盖已有的值"),
        ('name = "x"\n[warn\n', "第 2 行第 6 列：表头缺少结尾的“]”"),
        ('name = "x"\naliases = ["a"\n', "文件末尾：数组未闭合"),
    ],
)
def test_toml_errors_are_in_chinese_with_line_and_column(run, tmp_path, body, message):
    path = _write(tmp_path, "x", body)
    result = run("policy", "check", path)
    assert result.code == 1 and result.err.count("\n") == 1, result
    assert f"{path}：TOML 格式错误，{message}" in result.err, result.err


def test_policy_list_shows_a_broken_file_and_a_shadowing_one(run, tmp_path):
    _write(tmp_path, "broken", 'name = "broken"\ntitle = \n')
    _write(tmp_path, "shandong", 'name = "shandong"\ntitle = "本市山东"\nextends = "national"\n')
    _write(tmp_path, "mine", 'name = "mine"\ntitle = "本室"\naliases = ["云南"]\n')
    result = run("--policies", tmp_path, "policy", "list")
    assert result.code == 0, result
    lines = result.out.splitlines()
    broken = next(x for x in lines if x.startswith("broken"))
    assert "有误：" in broken and "第 2 行" in broken
    mine = next(x for x in lines if x.startswith("shandong"))
    assert "本市山东" in mine and "取代内置政策 shandong" in mine
    assert "取代内置政策 yunnan" in next(x for x in lines if x.startswith("mine"))
    assert all(any(x.startswith(name) for x in lines) for name in SHIPPED)
    checked = run("policy", "check", tmp_path / "shandong.toml")
    assert checked.code == 0 and "与内置政策 shandong 同名" in checked.out
    assert "同名" not in run("policy", "check", REPO / "policies" / "yunnan.toml").out


NUMBERS = st.one_of(
    st.integers(-(10**15), 10**15),
    st.integers(-100, 100_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(["hours", "minutes", "working_days", "extension", "warn", "offset"]),
    value=NUMBERS,
)
def test_any_number_is_either_in_range_and_usable_or_refused_as_a_policy_error(field, value):
    """Whatever a file or a snapshot holds, loading gives a policy whose clocks the engine can
    compute (no overflow, no endless count), or one PolicyError naming the key."""
    from datetime import UTC, datetime

    from yaoqing_cli.engine import deadline_for, escalation_reached
    from yaoqing_cli.models import Item
    from yaoqing_cli.policy import LIMITS, Policy
    from yaoqing_cli.workdays import WorkCalendar

    raw = load_policy("yunnan").to_snapshot()
    raw["escalation"] = [{"who": "x", "offset_minutes": 0, "source": "s"}]
    if field in ("hours", "minutes"):
        raw["duties"]["report"].pop("hours")
        raw["duties"]["report"][field] = value
    elif field == "working_days":
        raw["duties"]["reply"]["working_days"] = value
    elif field == "extension":
        raw["duties"]["reply"]["extension_working_days"] = value
    elif field == "warn":
        raw["warn"]["minutes"] = value
    else:
        raw["escalation"][0]["offset_minutes"] = value
    try:
        policy = Policy.from_snapshot(raw)
    except PolicyError as err:
        assert str(err).count("\n") == 0
        return
    assert type(value) is int
    limit = {
        "extension": "extension_working_days",
        "warn": "warn.minutes",
        "offset": "offset_minutes",
    }
    low, high = LIMITS[limit.get(field, field)]
    assert low <= value <= high
    at = datetime(2026, 11, 22, tzinfo=UTC)
    item = Item(id="20261122-001", year=2026, issue_no=1, title="t", kind="message", level=None,
                policy=policy.name, policy_hash=policy.hash, occurred=at, received=at, filed=at,
                message_class="appeal")  # fmt: skip
    for duty in policy.duties:
        found = deadline_for(duty, item, WorkCalendar(), SHANGHAI)
        if found is not None:
            assert found[0] - at <= timedelta(days=366 * 2)
            escalation_reached(policy, duty.key, found[0], at)


def test_a_chain_of_extends_deeper_than_sixteen_is_refused_in_one_short_line(run, tmp_path):
    for n in range(20):
        parent = f'extends = "p{n + 1}"\n' if n < 19 else ""
        _write(tmp_path, f"p{n}", f'name = "p{n}"\ntitle = "P{n}"\n{parent}')
    result = run("policy", "check", tmp_path / "p0.toml")
    assert result.code == 1 and result.err.count("\n") == 1, result
    assert "extends 层数超过 16" in result.err and "所指的政策有误" not in result.err
    assert run("policy", "check", tmp_path / "p5.toml").code == 0  # 15 levels


@pytest.mark.parametrize(
    "duty, why",
    [
        ('kinds=["message"]\nworking_days={ praise = 5 }', "缺 advice、appeal"),
        ('kinds=["message","emergency"]\nworking_days={ praise = 5, advice = 10, appeal = 20 }',
         "只适用于网民留言"),
    ],
    ids=["a-class-missing", "not-only-messages"],
)  # fmt: skip
def test_a_per_class_clock_names_every_class_and_only_messages(run, tmp_path, duty, why):
    # 云政办发〔2016〕106号 四(三): 5、10、20个工作日 for the three classes of a citizen's message;
    # a class left out, or a kind that has no class, would leave an item with no clock at all
    path = tmp_path / "p.toml"
    path.write_text(
        'name = "p"\ntitle = "测试"\nextends = "yunnan"\n[duties.reply]\nname = "办结并回复网民"\n'
        f'{duty}\nanchor = "filed"\nmet_by = "close"\nsource = "本地"\n',
        "utf-8",
    )
    checked = run("policy", "check", path)
    assert checked.code == 1 and why in checked.err, checked
