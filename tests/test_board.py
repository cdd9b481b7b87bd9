"""The board an officer reads: deadlines as offices write them (10月29日24时), the status board
on an 80-column terminal, moved clocks and what a confirmation says it changed, and `yaoqing
watch` driven in a pseudo-terminal (python's pty module: no test dependency)."""

import errno
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from tests.conftest import iso
from yaoqing_cli.clock import deadline_text
from yaoqing_cli.status import shift_start
from yaoqing_cli.vocab import STATE_LABELS

TZ = ZoneInfo("Asia/Shanghai")
NOW = "2026-11-22 12:00"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")


# --- 24时: the formatting function ------------------------------------------------------------------


def read_deadline(text: str, tz: ZoneInfo, year: int | None = None) -> datetime:
    """The inverse of deadline_text, as an officer reads it: 10月29日24时 is the end of the 29th."""
    match = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:24时| (\d\d):(\d\d))", text)
    assert match, text
    y, month, day, hour, minute = match.groups()
    y = int(y) if y else year
    assert y is not None, f"no year in {text!r} and none given"
    if hour is None:  # 24时: 00:00 of the next day
        return datetime(y, int(month), int(day), tzinfo=tz) + timedelta(days=1)
    return datetime(y, int(month), int(day), int(hour), int(minute), tzinfo=tz)


moments = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2100, 12, 30), timezones=st.just(UTC)
)


@given(moments)
def test_a_deadline_reads_back_as_its_iso_value(moment):
    whole = moment.replace(second=0, microsecond=0)  # minutes, as every output shows
    text = deadline_text(moment, TZ)
    assert read_deadline(text, TZ) == whole, text


@given(moments, moments)
def test_the_year_is_left_out_only_within_the_year_asked_at(moment, now):
    text = deadline_text(moment, TZ, now)
    shown = (moment.astimezone(TZ) - timedelta(minutes=1)).year  # the day the text names
    local = moment.astimezone(TZ)
    day_year = shown if (local.hour, local.minute) == (0, 0) else local.year
    assert text.startswith(f"{day_year}年") == (now.astimezone(TZ).year != day_year), text
    assert read_deadline(text, TZ, now.astimezone(TZ).year if "年" not in text else None) == (
        moment.replace(second=0, microsecond=0)
    )


@given(st.dates(min_value=datetime(2000, 1, 2).date(), max_value=datetime(2100, 12, 30).date()))
def test_a_deadline_at_midnight_is_the_previous_day_24时(day):
    midnight = datetime(day.year, day.month, day.day, tzinfo=TZ)
    before = day - timedelta(days=1)
    assert deadline_text(midnight, TZ) == f"{before.year}年{before.month}月{before.day}日24时"
    assert "00:00" not in deadline_text(midnight, TZ, midnight)


def test_deadline_examples():
    # DOMAIN.md: an appeal received 2026-09-25 is due at the end of 2026-10-29 (ISO 10-30 00:00)
    due = datetime(2026, 10, 30, tzinfo=TZ)
    assert deadline_text(due, TZ) == "2026年10月29日24时"
    assert deadline_text(due, TZ, datetime(2026, 10, 1, tzinfo=TZ)) == "10月29日24时"
    assert deadline_text(datetime(2026, 10, 29, 14, 30, tzinfo=TZ), TZ, due) == "10月29日 14:30"
    new_year = datetime(2027, 1, 1, tzinfo=TZ)  # the end of 12-31 is in the year it ends
    assert deadline_text(new_year, TZ, datetime(2026, 12, 30, tzinfo=TZ)) == "12月31日24时"


def test_a_shift_begins_at_08_00_or_at_the_last_handover():
    at = datetime(2026, 11, 22, 7, 0, tzinfo=TZ)
    assert shift_start(at, TZ) == datetime(2026, 11, 21, 8, 0, tzinfo=TZ)
    assert shift_start(at.replace(hour=9), TZ) == datetime(2026, 11, 22, 8, 0, tzinfo=TZ)
    handover = datetime(2026, 11, 22, 8, 30, tzinfo=TZ)
    assert shift_start(at.replace(hour=9), TZ, [handover]) == handover
    assert shift_start(at, TZ, [handover]) == datetime(2026, 11, 21, 8, 0, tzinfo=TZ)


# --- a log with every kind of clock the board meets ---------------------------------------------------


@pytest.fixture
def night(log, run):
    """A Shandong office at 12:00 on 2026-11-22 (a Sunday), items filed through the CLI."""
    sd = log("山东")
    ids = {}
    # 重大 emergency at 06:00: publish within 5 h → 11:00, overdue at 12:00; press within 24 h
    # (鲁政办发〔2018〕18号 三)
    ids["overdue"] = sd.file("某县国道山体滑坡", "2026-11-22 06:00", "2026-11-22 07:00",
                             "--level", "重大")  # fmt: skip
    # 较大 at 08:00 then regraded 重大 at 10:00: publish due 13:00, within 2 h of 12:00
    ids["soon"] = sd.file("某化工厂火灾", "2026-11-22 08:00", "2026-11-22 08:30",
                          "--level", "较大")  # fmt: skip
    sd.cont(ids["soon"], "2026-11-22 10:00", "--level", "重大", "--reason", "过火面积扩大")
    # a citizen's praise, handed over Friday 11-20 (Yunnan, 云政办发〔2016〕106号 四(三)): 5 working
    # days, the hand-over day not counted: 11-23…11-27 → the end of 11-27; extended once by 10
    # working days from there: 11-30…12-11 → the end of 12-11
    ids["message"] = sd.file("网民表扬某社区", "2026-11-20 09:00", "2026-11-20 10:00",
                             "--policy", "云南", "--kind", "message", "--class", "praise")  # fmt: skip
    sd.cont(ids["message"], "2026-11-22 10:30", "--extend", "reply", "--reason", "需多部门会商")
    # handed to a unit on Sunday 11-22 10:00 with 2 working days: 11-23, 11-24 → the end of 11-24
    assigned = run("assign", ids["overdue"], "--to", "某县人民政府", "--due-days", "2",
                   "--at", "2026-11-22 10:00")  # fmt: skip
    assert assigned.code == 0, assigned
    assert "某县人民政府：" in assigned.out and "时限 11月24日24时" in assigned.out, assigned
    # 较大 at 06:00, still 较大: respond within 48 h (→ 11-24 06:00); regraded in the watch test
    ids["quiet"] = sd.file("某河段水位上涨", "2026-11-22 06:00", "2026-11-22 06:30",
                           "--level", "较大")  # fmt: skip
    return ids


# --- driving the real command in a pseudo-terminal ----------------------------------------------


class Terminal:
    """`yaoqing ARGS` in a pseudo-terminal of the given size (its controlling terminal, so
    Ctrl-C typed is a SIGINT), read as a terminal would receive it."""

    def __init__(self, *args: str, columns: int = 80, lines: int = 30):
        env = {**os.environ, "COLUMNS": str(columns), "LINES": str(lines), "TERM": "xterm"}
        pid, fd = pty.fork()
        if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
            try:
                os.execvpe(sys.executable, [sys.executable, "-m", "yaoqing_cli", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.raw = b""
        self.code: int | None = None

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", "replace")

    def read_until(self, done, timeout: float = 60.0) -> str:
        """Read until done(text) holds or the program ends; fail on the timeout."""
        end = time.monotonic() + timeout
        while not done(self.text):
            left = end - time.monotonic()
            assert left > 0, f"timed out; the terminal showed:\n{screen(self.text)}"
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError as err:  # EIO: the child closed the terminal
                    if err.errno != errno.EIO:
                        raise
                    chunk = b""
                if not chunk:
                    break
                self.raw += chunk
        return self.text

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def wait(self, timeout: float = 60.0) -> int:
        self.read_until(lambda _: False, timeout) if self.code is None else None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
                return self.code
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"did not end; the terminal showed:\n{screen(self.text)}")

    def close(self) -> None:
        if self.code is None:
            with_suppress_kill(self.pid)
        os.close(self.fd)


def with_suppress_kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def screen(text: str) -> str:
    """What a person sees of a plain (not full-screen) output: escapes gone, CR LF as LF."""
    return ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "")


def last_frame(text: str) -> str:
    """The last full-screen frame rich Live drew whole (each starts by homing the cursor; the
    one after it may still be arriving)."""
    frames = [f for f in text.split("\x1b[H") if "值班大屏" in f]
    return screen(frames[-2] if len(frames) > 1 else "")


def watch_frame(columns: int, ticks: int = 2) -> str:
    """The board `watch` draws after `ticks` refreshes (one a second) at `columns` wide; it
    leaves on q with status 0."""
    term = Terminal("watch", "--interval", "1s", columns=columns, lines=24)
    try:
        text = term.read_until(lambda t: t.count("值班大屏") >= ticks)
        term.type(b"q")
        assert term.wait() == 0
    finally:
        term.close()
    return last_frame(text)


@pytest.fixture
def terminal():
    opened = []

    def start(*args, **size):
        term = Terminal(*args, **size)
        opened.append(term)
        return term

    yield start
    for term in opened:
        term.close()


def status_json(run) -> list:
    result = run("status", "--json")
    assert result.code == 0, result
    return result.json


def block_of(text: str, item_id: str, ids) -> list[str]:
    """The lines of one item's block on the board: from its ID to the next item's."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if item_id in line)
    end = next(
        (i for i in range(start + 1, len(lines)) if any(other in lines[i] for other in ids)),
        len(lines),
    )
    return lines[start:end]


@pytest.mark.parametrize("columns", [80, 200])
def test_the_status_board_reads_right_at_80_columns_and_wider(night, run, terminal, columns):
    term = terminal("status", columns=columns)
    assert term.wait() == 0, screen(term.text)
    text = screen(term.text)
    ids = list(night.values())
    for line in text.splitlines():
        assert cell_len(line.rstrip()) <= columns, line
        # an ID is never split: every run of its digits is a whole ID
        for found in re.findall(r"\d{6,}-?\d*", line):
            assert found in ids, f"split ID {found!r} in line {line!r}\n{text}"
    for entry in status_json(run):
        block = block_of(text, entry["id"], ids)
        assert entry["id"] in block[0], block
        for duty in entry["duties"]:
            # the clock's own first line carries its state
            mine = [line for line in block if line.strip().startswith(duty["name"])]
            assert len(mine) == 1, (duty["name"], block)
            assert STATE_LABELS[duty["state"]] in mine[0], (duty, "\n".join(block))
    handed = "\n".join(block_of(text, night["overdue"], ids))
    assert re.search(r"转办：某县人民政府\s+未到期\s+剩 2天12小时（时限 11月24日24时）", handed), (
        handed
    )
    message = "\n".join(block_of(text, night["message"], ids))
    assert "12月11日24时" in message and "00:00" not in message, message
    assert "时限11月27日24时→12月11日24时（延长10个工作日" in re.sub(r"\s+", "", message), message
    if columns == 200:
        assert "时限 11月27日24时 → 12月11日24时（延长10个工作日：需多部门会商）" in message


def test_the_piped_board_keeps_one_line_per_clock_with_its_moves(night, run):
    text = run("status").out
    lines = text.splitlines()
    assert "    办结并回复网民（reply）：未到期  剩 19天12小时（时限 12月11日24时）" in lines, text
    assert (
        "      变更 2026-11-22 10:30：时限 11月27日24时 → 12月11日24时"
        "（延长10个工作日：需多部门会商）"
    ) in lines, text
    assert "    发布权威信息（publish）：已逾期  逾期 1小时（时限 11月22日 11:00）" in lines, text
    # the regrade started the 5 h and 24 h clocks and ended the 48 h one, and says why
    soon = "\n".join(block_of(text, night["soon"], list(night.values())))
    assert "变更 2026-11-22 10:00：自此须计此时限（定级变更为重大（II级）：过火面积扩大）" in soon
    assert "变更 2026-11-22 10:00：自此不再适用（定级变更为重大（II级）：过火面积扩大）" in soon


def test_show_writes_deadlines_as_offices_do_and_the_move(night, run):
    text = run("show", night["message"]).out
    assert "办结并回复网民（reply）：未到期  剩 19天12小时（时限 12月11日24时）" in text, text
    assert "时限 11月27日24时 → 12月11日24时（延长10个工作日：需多部门会商）" in text, text
    assert "00:00" not in text.split("时限（按")[1], text


def test_confirmations_print_the_clocks_they_changed(night, run):
    # --done publish at 12:00 on the 重大 item: due 11:00, met an hour late
    done = run("continue", night["overdue"], "--done", "publish", "--text", "已发布通报")
    assert done.code == 0, done
    assert "  发布权威信息（publish）：已完成 2026-11-22 12:00（逾时发布，晚 1小时；时限 11月22日 11:00）" in done.out.splitlines(), done  # fmt: skip
    # --level 重大 on the 较大 item filed at 06:30: publish (→ 11:00, already overdue) and press
    # start, respond ends (鲁政办发〔2018〕18号 三)
    level = run("continue", night["quiet"], "--level", "重大", "--reason", "水位超警")
    assert level.code == 0, level
    lines = level.out.splitlines()
    assert "  发布权威信息（publish）：自此须计，时限 11月22日 11:00（已逾期）" in lines, level
    assert "  举行新闻发布会（press）：自此须计，时限 11月23日 06:00" in lines, level
    assert "  回应（respond）：不再适用，免于考核（原时限 11月24日 06:00）" in lines, level


def test_an_extension_confirmation_prints_the_new_deadline(log, run):
    yn = log("云南")
    # appeal handed over Friday 11-20: 20 working days → the end of 12-18 (11-23…12-18)
    item = yn.file("网民申诉", "2026-11-20 09:00", "2026-11-20 10:00", "--kind", "message",
                   "--class", "appeal")  # fmt: skip
    result = run("continue", item, "--extend", "reply", "--reason", "情况特别复杂")
    assert result.code == 0, result
    # +10 working days from the end of 12-18: 12-21…12-25, 12-28…12-31, then 2027-01-01, which
    # the holiday library may not cover yet (Monday–Friday guess) or names a holiday (→ 01-04)
    assert re.search(
        r"办结并回复网民（reply）：时限 12月18日24时 → 2027年1月[14]日24时", result.out
    )


def test_a_sensitive_item_shows_its_move_without_the_typed_reason(log, run):
    yn = log("云南")
    item = yn.file("涉密留言", "2026-11-20 09:00", "2026-11-20 10:00", "--kind", "message",
                   "--class", "praise", "--sensitive")  # fmt: skip
    assert run("continue", item, "--extend", "reply", "--reason", "内情不可外传").code == 0
    text = run("show", item).out
    assert "时限 11月27日24时 → 12月11日24时（延长10个工作日：〔" in text, text
    assert "内情不可外传" not in text
    assert "内情不可外传" not in run("status").out


# --- yaoqing watch -----------------------------------------------------------------------------------


def test_watch_refuses_a_pipe_in_one_line(night, run):
    result = run("watch")
    assert result.code == 2, result
    assert result.err.count("\n") == 1 and "yaoqing status --due-within" in result.err, result


def test_watch_refuses_a_bad_interval(night, run):
    result = run("watch", "--interval", "0s")
    assert result.code == 2 and "--interval" in result.err, result


def test_watch_in_a_terminal_ticks_rings_once_and_leaves_on_q(night, run, terminal):
    term = terminal("watch", "--interval", "1s", "--due-within", "2h", columns=80, lines=30)
    frames = lambda t: t.count("值班大屏")  # noqa: E731 - one per tick drawn
    text = term.read_until(lambda t: frames(t) >= 3)
    frame = last_frame(text)
    assert "\x1b[?1049h" in text  # the alternate screen: the shell's screen comes back after
    rows = [line for line in frame.splitlines() if re.match(r"\s*\d{8}-\d{3}\s", line)]
    assert any(night["overdue"] in r and "发布权威信息" in r and "逾期 1小时" in r for r in rows), (
        frame
    )
    assert any(night["soon"] in r and "剩 1小时" in r and "11月22日 13:00" in r for r in rows), (
        frame
    )
    assert any(night["message"] in r and "12月11日24时" in r for r in rows), frame
    # a unit's clock of the downward half (转办) counts down beside the duties
    assert any("转办→某县人民政府" in r and "剩 2天12小时  11月24日24时" in r for r in rows), frame
    assert "本班动态（2026-11-22 08:00 起）" in frame and "定级变更" in frame, frame
    for line in frame.splitlines():
        assert cell_len(line.rstrip()) <= 80, line
    # overdue in red, due soon in yellow
    assert "\x1b[1;31m" in text and "\x1b[33m" in text
    # the bell once for what it found (overdue and due-soon clocks), not again on later ticks
    assert text.count("\x07") == 1, text.count("\x07")
    # a regrade recorded meanwhile (another terminal) starts a clock already overdue: the next
    # tick reads it from the log, lists the event, and rings once more
    ticks = frames(text)
    regraded = run("continue", night["quiet"], "--level", "重大", "--reason", "水位超警")
    assert regraded.code == 0, regraded
    text = term.read_until(
        lambda t: frames(t) > ticks and "（水位超警）" in last_frame(t) and t.count("\x07") >= 2
    )
    frame = last_frame(text)
    assert any(
        night["quiet"] in line and "发布权威信息" in line and "逾期 1小时" in line
        for line in frame.splitlines()
    ), frame
    assert "较大（III级） → 重大（II级）（水位超警）" in frame, frame
    text = term.read_until(lambda t: frames(t) >= ticks + 5)
    assert text.count("\x07") == 2, text.count("\x07")
    mode = termios.tcgetattr(term.fd)[3]
    assert not mode & termios.ICANON  # keys are read one by one while the board is up
    term.type(b"q")
    assert term.wait() == 0, screen(term.text)
    assert term.text.rstrip().endswith("\x1b[?1049l"), term.text[-200:]  # the screen given back
    assert "错误" not in screen(term.text)


def test_watch_leaves_quietly_on_ctrl_c(night, terminal):
    term = terminal("watch", "--interval", "1s", columns=100, lines=24)
    term.read_until(lambda t: t.count("值班大屏") >= 2)
    term.type(b"\x03")
    assert term.wait() == 130, screen(term.text)
    after = term.text.split("\x1b[?1049l")[-1]
    assert screen(after).strip() == "", after  # quietly: nothing after the board left


def test_watch_shows_a_failed_refresh_and_recovers_at_the_next_tick(night, db_path, terminal):
    term = terminal("watch", "--interval", "1s", columns=100, lines=30)
    term.read_until(lambda t: "本班动态" in last_frame(t))
    moved = db_path.with_name("away.db")
    db_path.rename(moved)  # the log gone for a while (a disk unmounted, a restore under way)
    try:
        text = term.read_until(lambda t: "刷新失败" in last_frame(t))
        frame = last_frame(text)
        assert "日志不存在" in frame and "显示的是上次结果" in frame, frame
        assert "12月11日24时" in frame  # the last board stays up meanwhile
    finally:
        moved.rename(db_path)
    # back: whole frames keep coming after the last one that said the refresh failed
    term.read_until(lambda t: "本班动态" in last_frame(t.rsplit("刷新失败", 1)[-1]))
    term.type(b"q")
    assert term.wait() == 0, screen(term.text)


def test_the_report_writes_a_working_day_deadline_as_24时(log, run):
    yn = log("云南")
    # praise handed over Friday 11-20: 5 working days, 11-23…11-27 → the end of 11-27
    # (云政办发〔2016〕106号 四(三)); unanswered, it is overdue in the report of 11-28
    item = yn.file("网民表扬", "2026-11-20 09:00", "2026-11-20 10:00", "--kind", "message",
                   "--class", "praise")  # fmt: skip
    for form in ("text", "markdown"):
        result = run(
            "report", "--date", "2026-11-28", "--format", form, now=iso("2026-11-29 08:00")
        )
        assert result.code == 0, result
        shown = result.out.replace("\\", "")
        assert re.search(rf"{item} \S+ 办结并回复网民：时限 11月27日24时", shown), result
        assert "2026-11-28 00:00" not in result.out.split("统计时段")[1].split("\n", 1)[1]


def test_watch_gives_the_terminal_back_when_killed_with_sigterm(night, terminal):
    term = terminal("watch", "--interval", "1s", columns=100, lines=24)
    term.read_until(lambda t: t.count("值班大屏") >= 2)
    os.kill(term.pid, signal.SIGTERM)
    assert term.wait() == 128 + signal.SIGTERM, screen(term.text)
    assert "\x1b[?1049l" in term.text and "\x1b[?25h" in term.text  # screen and cursor back
