"""README's JSON key tables are the contract: every key they list is printed, every key printed
is listed (pipx's result contract test, for each command with --json and for report's JSON).

A table is marked in README.md by `<!-- json-keys: COMMAND[, COMMAND] [; includes OTHER] -->`
on the line before it. Its first column names keys in backticks: `a[]` is a list, `a[]: b, c`
the keys of each entry of `a` (several lists may share one row: `a[], b[]: c`), `a.b` a key
inside `a`. A key whose children no row lists (`by_level`, `details`, `events[].data`) is a map
whose keys are data, not names: its value is not looked into. Everywhere else a printed key that
no row lists fails, as does a listed key that no output of a log exercising every section prints.
"""

import csv
import hashlib
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
import typer

from tests.conftest import file_item, iso
from yaoqing_cli.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"
MARKER = re.compile(
    r"^<!-- json-keys: (?P<commands>[^;>]+?)(?:; includes (?P<includes>[^>]+?))? -->$"
)
CODE = re.compile(r"`([^`]+)`")


def plain(path: str) -> str:
    """`duties[].changes[].at` -> `duties.changes.at`: a list's entries are looked into alike."""
    return path.replace("[]", "")


def parse_row(cell: str) -> set[str]:
    """The keys one first cell names, as dotted paths."""
    parents, _, children = cell.partition(":") if re.search(r"`\s*:", cell) else (cell, "", "")
    names = [plain(n) for n in CODE.findall(parents)]
    assert names, f"README: a json-keys row names no key: {cell!r}"
    if not children:
        return set(names)
    kids = [plain(n) for n in CODE.findall(children)]
    assert kids, f"README: a json-keys row lists no keys after ':': {cell!r}"
    return {f"{parent}.{kid}" for parent in names for kid in kids} | set(names)


def readme_tables() -> dict[str, set[str]]:
    """command -> every key path its README table lists (with the tables it includes)."""
    lines = README.read_text("utf-8").splitlines()
    own, includes = {}, {}
    for n, line in enumerate(lines):
        marker = MARKER.match(line)
        if not marker:
            assert "json-keys" not in line, f"README line {n + 1}: a json-keys marker misspelt"
            continue
        rows = []
        for row in lines[n + 1 :]:
            if not row.startswith("|"):
                break
            rows.append(row)
        assert len(rows) > 2 and set(rows[1]) <= set("|-: "), (
            f"README line {n + 1}: the marker is not followed by a key table"
        )
        keys = set()
        for row in rows[2:]:
            keys |= parse_row(row.split("|")[1])
        for command in marker["commands"].split(","):
            own[command.strip()] = keys
            includes[command.strip()] = marker["includes"]
    tables = {}
    for command, keys in own.items():
        other = includes[command]
        assert other is None or other in own, f"README: {command} includes unknown {other}"
        tables[command] = keys | (own[other] if other else set())
    for keys in tables.values():  # a listed a.b.c implies its parents a and a.b
        keys |= {".".join(k.split(".")[:i]) for k in list(keys) for i in range(1, k.count(".") + 1)}
    return tables


def printed(value, prefix: str = "") -> set[str]:
    """Every key path in a JSON value; a list's entries share their list's path."""
    if isinstance(value, list):
        return set().union(*(printed(v, prefix) for v in value))
    if not isinstance(value, dict):
        return set()
    paths = set()
    for key, inner in value.items():
        path = f"{prefix}{key}"
        paths.add(path)
        paths |= printed(inner, path + ".")
    return paths


TABLES = readme_tables()

# JSON outputs that are not the plain `COMMAND --json` of a command: another format, or a flag
# that prints another shape. Each names the command and the option that makes it.
OTHER_OUTPUTS = {
    "report --format json": ("report", "--format"),
    "status --chase --json": ("status", "--chase"),  # the chase list (催办), not the board
}


def json_commands() -> set[str]:
    """Every command (sub-commands too) with a --json option, found by walking the app."""

    def walk(command, path):
        if any("--json" in p.opts for p in command.params):
            yield " ".join(path) + " --json"
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, (*path, name))

    return set(walk(typer.main.get_command(app), ()))


def test_every_json_output_has_a_readme_table():
    commands = json_commands()
    assert {"status --json", "show --json"} <= commands  # the walk found the --json options
    top = typer.main.get_command(app).commands
    for output, (name, option) in OTHER_OUTPUTS.items():
        assert any(option in p.opts for p in top[name].params), f"{output}: no {name} {option}"
    commands |= set(OTHER_OUTPUTS)
    assert not commands - set(TABLES), f"no README key table for {sorted(commands - set(TABLES))}"
    assert not set(TABLES) - commands, f"README tables for no such output: {set(TABLES) - commands}"


@pytest.fixture
def outputs(run, log):
    """A Shandong log with an item in every section of every JSON output, built through the CLI,
    and what each command printed: command -> list of JSON values.

      A  opinion major, 市中区: filed 07:00, publish (due 11:00) met late at 14:00 by a follow-up
         that restates unit and trend; press conference due 11-23 06:00 (watch)
      B  emergency large → major at 08:10 (level change); its clocks run out (overdue)
      C  warning: closed 10:00 as did-not-occur (exempt, 鲁政办字〔2016〕86号 第18条)
      D  sensitive, general
      E  filed at 12:00 for a first report made at 09:30 (补录)

    B's province desk is told at 08:20 (notify), and the day shift hands over at 20:00.

    Then, at 2026-11-23 00:05: status, show of each item, the chase list (status --chase) and
    the day report (JSON, with and without --include-sensitive, and CSV), and verify plain,
    with a met --expect of the
    report's anchor and with a failed one; search for words of a title, a follow-up, a
    detail field and the sensitive item's title.
    """
    out: dict[str, list] = {}

    def did(command, *args, at):
        result = run(*args, "--at", at, now=iso(at))
        assert result.code == 0, result
        out.setdefault(command, []).append(result.json)
        return result.json

    log("山东")
    a = file_item(run, "--kind", "opinion", "--level", "重大", "--about-level", "重大", "--unit",
                  "市中区", "--trend", "待观察", title="A 网传供水污染", occurred="2026-11-22 06:00",
                  at="2026-11-22 07:00", at_now=True)  # fmt: skip
    b = file_item(run, "--level", "较大", "--unit", "槐荫区", "--location", "某地", "--caller",
                  "县应急局", title="B 某地山体滑坡", occurred="2026-11-22 07:00",
                  at="2026-11-22 07:50", at_now=True)  # fmt: skip
    did("continue --json", "continue", b["id"], "--level", "重大", "--reason", "核实", "--json",
        at="2026-11-22 08:10")  # fmt: skip
    c = file_item(run, "--kind", "warning", "--unit", "历下区", title="C 大风预警",
                  occurred="2026-11-22 08:00", at="2026-11-22 08:30", at_now=True)  # fmt: skip
    did("close --json", "close", c["id"], "--outcome", "did-not-occur", "--text", "未发生",
        "--json", at="2026-11-22 10:00")  # fmt: skip
    d = file_item(run, "--level", "一般", "--unit", "某县", "--sensitive", title="D 涉密事件",
                  occurred="2026-11-22 10:00", at="2026-11-22 10:30", at_now=True)  # fmt: skip
    e = file_item(run, "--level", "一般", title="E 补录事件", occurred="2026-11-22 09:00",
                  at="2026-11-22 09:30")  # recorded at the test's clock, 12:00  # fmt: skip
    did("continue --json", "continue", a["id"], "--done", "publish", "--text", "已发布",
        "--unit", "历下区", "--trend", "平稳", "--json", at="2026-11-22 14:00")  # fmt: skip
    # 传与跟 (issue 14): a unit directory, assignments with feedback, a leader's instruction
    # relayed by an assignment and fed back, and an item supervised from above
    assert (
        run("unit", "add", "某县人民政府", "--phone", "0531-1234567", "--contact", "张三").code == 0
    )
    out["unit list --json"] = [run("unit", "list", "--json").json]
    did("assign --json", "assign", a["id"], "--to", "某县", "--to", "某区", "--task", "核实",
        "--due", "24h", "--json", at="2026-11-22 08:00")  # fmt: skip
    did("feedback --json", "feedback", a["id"], "--from", "某县人民政府", "--text", "已核实",
        "--json", at="2026-11-22 09:00")  # fmt: skip
    did("feedback --json", "feedback", a["id"], "--from", "某县人民政府", "--text", "已办结",
        "--done", "--json", at="2026-11-22 10:00")  # fmt: skip
    did("instruct --json", "instruct", b["id"], "--from", "王副市长", "--text", "速核",
        "--to", "某县人民政府", "--feedback", "2h", "--json", at="2026-11-22 08:20")  # fmt: skip
    did("assign --json", "assign", b["id"], "--to", "某县人民政府", "--due", "1d", "--json",
        at="2026-11-22 09:00")  # fmt: skip
    did("feedback --json", "feedback", b["id"], "--from", "某县人民政府", "--text", "正在核实",
        "--json", at="2026-11-22 10:00")  # fmt: skip
    f = file_item(run, "--kind", "opinion", "--from-above", "省政府办公厅", "--supervised",
                  "--feedback", "24h", title="F 省督办舆情", occurred="2026-11-22 07:00",
                  at="2026-11-22 07:30", at_now=True)  # fmt: skip
    did("assign --json", "assign", f["id"], "--to", "某县人民政府", "--due", "12h", "--json",
        at="2026-11-22 08:00")  # fmt: skip
    did("feedback --json", "feedback", f["id"], "--from", "某县人民政府", "--text", "已回应",
        "--json", at="2026-11-22 11:00")  # fmt: skip
    did("notify --json", "notify", b["id"], "--who", "省政府应急办（省政府总值班室）", "--by",
        "电话", "--json", at="2026-11-22 08:20")  # fmt: skip
    handed = run("handover", "--to", "李接班", "--json", now=iso("2026-11-22 20:00"))
    assert handed.code == 0, handed  # the report's shifts[] too
    listed = run("handover", "--list", "--json", "--include-sensitive", now=iso("2026-11-22 20:00"))
    out["handover --json"] = [handed.json, listed.json]
    g = file_item(run, "--level", "一般", "--unit", "某县", title="G 更正后作废",
                  occurred="2026-11-22 11:00", at="2026-11-22 11:30", at_now=True)  # fmt: skip
    corrected = run("correct", g["id"], "--occurred", "2026-11-22 10:30", "--received",
                    "2026-11-22 10:40", "--reason", "核实", "--json", now=iso("2026-11-22 11:40"))  # fmt: skip
    assert corrected.code == 0, corrected
    # and 接报 of the supervised F: its feedback clock (24 h from 接报) moves, units_moved[]
    supervised = run("correct", f["id"], "--received", "2026-11-22 07:20", "--reason", "核实",
                     "--json", now=iso("2026-11-22 11:45"))  # fmt: skip
    assert supervised.code == 0 and supervised.json["units_moved"], supervised
    out["correct --json"] = [corrected.json, supervised.json]
    did("close --json", "close", g["id"], "--outcome", "void", "--reason", "误录", "--json",
        at="2026-11-22 12:30")  # fmt: skip
    reopened = run("reopen", g["id"], "--reason", "并非误录", "--json", now=iso("2026-11-22 13:00"))
    assert reopened.code == 0, reopened
    out["reopen --json"] = [reopened.json]
    out["file --json"] = [a, b, c, d, e, f, g]
    judged = iso("2026-11-23 00:05")
    for extra in ((), ("--include-sensitive",)):
        shown = run("status", "--json", "--all", *extra, now=judged)
        assert shown.code == 0, shown
        out.setdefault("status --json", []).append(shown.json)
        for item in (a, b, c, d, e, f, g):
            shown = run("show", item["id"], "--json", *extra, now=judged)
            assert shown.code == 0, shown
            out.setdefault("show --json", []).append(shown.json)
        chase = run("status", "--chase", "--json", *extra, now=judged)
        assert chase.code == 0 and chase.json, chase  # F's 12 h assignment is overdue
        out.setdefault("status --chase --json", []).append(chase.json)
        report = run("report", "--date", "2026-11-22", "--format", "json", *extra, now=judged)
        assert report.code == 0, report
        out.setdefault("report --format json", []).append(report.json)
    for extra in ((), ("--include-sensitive",)):  # a title, a follow-up, a detail field
        for text in ("供水污染", "已发布", "县应急局", "涉密"):
            found = run("search", text, "--json", *extra, now=judged)
            assert found.code == 0, found
            out.setdefault("search --json", []).append(found.json)
    head = out["report --format json"][0]["anchor"]
    for extra in ((), ("--expect", f"{head['events']}:{head['head']}"), ("--expect", "0" * 64)):
        verified = run("verify", "--json", *extra, now=judged)
        assert verified.code == (1 if extra[1:] == ("0" * 64,) else 0), verified
        out.setdefault("verify --json", []).append(verified.json)
    csv_report = run("report", "--date", "2026-11-22", "--format", "csv", "--keys", now=judged)
    assert csv_report.code == 0, csv_report
    assert csv_report.out.startswith("\ufeff")  # the BOM README promises (Excel, WPS)
    out["report --format csv"] = list(
        csv.reader(io.StringIO(csv_report.out.removeprefix("\ufeff")))
    )
    return out


@pytest.mark.parametrize("command", sorted(TABLES))
def test_readme_keys_are_exactly_the_printed_keys(outputs, command):
    assert command in outputs, f"the contract log prints nothing for {command}: add it to outputs"
    listed = TABLES[command]
    shown = set().union(*(printed(value) for value in outputs[command]))
    missing = sorted(listed - shown)
    assert not missing, f"README lists {command} keys that it does not print: {missing}"
    opaque = {k for k in listed if not any(o.startswith(k + ".") for o in listed)}

    def owner(key):  # the object a key sits in: "" at the top
        return key.rsplit(".", 1)[0] if "." in key else ""

    # a key is owed a row when the object it sits in is listed and not a map of data
    unlisted = sorted(k for k in shown - listed if owner(k) == "" or (owner(k) in listed - opaque))
    assert not unlisted, f"{command} prints keys README does not list: {unlisted}"


def test_readme_names_the_report_csv_columns_and_sections(outputs):
    """ "CSV: one row per entry of `filed`, … (column `section`), with the columns `id title …`"."""
    text = README.read_text("utf-8")
    found = re.search(
        r"CSV: one row per entry of\s+(.+?)\s+\(column `section`\), with the columns\s+`([^`]+)`",
        text,
        re.S,
    )
    assert found, "README no longer describes report's CSV in the form this test reads"
    sections, columns = set(CODE.findall(found[1])), found[2].split()
    header, *rows = outputs["report --format csv"]
    assert header == ["section", *columns]
    assert {row[0] for row in rows} == sections


# --- the hash chain as README specifies it ("The log"), recomputed without yaoqing's code ------


def test_every_event_hash_is_the_one_readme_specifies(outputs, db_path):
    """hash = sha256(prev_hash + "\\n" + canonical), canonical the JSON object of data,
    happened_at, item_id, officer, recorded_at, type and uid, keys sorted, UTF-8 (not \\u
    escapes), separators "," and ":", times YYYY-MM-DDTHH:MM:SSZ; the first links to 64 zeros.
    An auditor with only README and sqlite3 must get the same hashes."""
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute(
            "SELECT uid, item_id, type, happened_at, recorded_at, officer, data, prev_hash, hash"
            " FROM events ORDER BY seq"
        ).fetchall()
    finally:
        db.close()
    assert {r[2] for r in rows} == {
        "office",
        "file",
        "continue",
        "level",
        "close",
        "unit",
        "assign",
        "feedback",
        "instruct",
        "notify",
        "handover",
        "correct",
        "reopen",
    }
    previous = "0" * 64
    for uid, item_id, type_, happened, recorded, officer, data, prev_hash, stored in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", happened), happened
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", recorded), recorded
        canonical = json.dumps(
            {"data": json.loads(data), "happened_at": happened, "item_id": item_id,
             "officer": officer, "recorded_at": recorded, "type": type_, "uid": uid},
            ensure_ascii=False, sort_keys=True, separators=(",", ":"),
        )  # fmt: skip
        assert prev_hash == previous, uid
        assert stored == hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest(), uid
        previous = stored
