"""Policy files: the shipped ones are valid and cited; local ones are checked key by key."""

import re
from pathlib import Path

import pytest

from yaoqing_cli.errors import PolicyError
from yaoqing_cli.policy import list_policies, load_policy, policy_dirs

REPO = Path(__file__).resolve().parent.parent
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


def test_editing_a_policy_file_never_moves_a_running_clock(run, tmp_path):
    """The item keeps the policy it was filed under (by content hash)."""
    folder = tmp_path / "policies"
    folder.mkdir()
    text = (REPO / "policies" / "yunnan.toml").read_text("utf-8")
    (folder / "yunnan.toml").write_text(text, "utf-8")
    assert run("--policies", folder, "init", "--office", "昆明", "--short", "昆明", "--policy", "yunnan", "--drill").code == 0  # fmt: skip
    filed = run("--policies", folder, "file", "--title", "x", "--occurred", "08:00", "--at", "08:10",
                "--level", "重大", "--json")  # fmt: skip
    assert filed.code == 0, filed
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
    filed = run("file", "--title", "x", "--occurred", "08:00", "--json")
    assert filed.json["heading"] == "【演练】某市值班快报 2026年第1期"
    shown = run("show", filed.json["id"], "--json")
    assert shown.json["heading"] == "【演练】某市值班快报 2026年第1期"
