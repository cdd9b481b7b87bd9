"""The command line: each command parses its options into typed values, opens the log session
(`with open_log(...) as log`, session.py), calls one use case (service.py, or integrity.py for
the evidence commands) and renders what it returns (render.py, report.py). Errors are raised as
errors.YaoqingError and turned into one line on stderr and an exit code by `main`, once.

Heavy modules (sqlite, the policy engine, rich) are imported inside the commands that use them,
so `--help` and shell completion start as fast as Typer itself.
"""

# Annotations are read when a command is built, which is only the command run (typer reads
# them with get_type_hints): 175 Annotated options cost 3 ms at import otherwise.
from __future__ import annotations

import errno
import sys
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated

import typer

try:  # newer typer carries its own copy of click and raises that copy's exceptions
    from typer._click import exceptions as click_errors
except ImportError:  # older typer: plain click
    from click import exceptions as click_errors

from yaoqing_cli.errors import ExitCode, OperationError, UsageError, YaoqingError, os_reason

app = typer.Typer(
    name="yaoqing",
    help="要情：政府总值班室的要情报送日志与时限提醒。",
    no_args_is_help=True,
    add_completion=False,  # our own --install-completion/--show-completion, in Chinese (complete.py)
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
policy_app = typer.Typer(help="查看和检查时限政策（policies/）。", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
calendar_app = typer.Typer(
    help="本单位工作日历：录入日志、查看法定与录入的日子。", no_args_is_help=True
)
app.add_typer(calendar_app, name="calendar")
unit_app = typer.Typer(
    help="单位通讯录：登记承办单位的联系人和电话，转办时核对、催办时显示。", no_args_is_help=True
)
app.add_typer(unit_app, name="unit")


class Settings:
    """Global options, resolved once in the callback and handed to each command."""

    def __init__(self, db: Path | None, policies: list[Path], calendar: Path | None):
        self.db_option = db
        self.extra_policies = policies
        self.calendar = calendar

    @property
    def db_path(self) -> Path:
        from yaoqing_cli.store import default_path

        return self.db_option or default_path()

    def policy_dirs(self) -> list[Path]:
        from yaoqing_cli.policy import policy_dirs

        return policy_dirs(self.extra_policies)


def settings(ctx: typer.Context) -> Settings:
    return ctx.find_root().obj


@contextmanager
def open_log(ctx: typer.Context, **how):
    """The log session for this command (session.open_log: write=True for a write command).
    A write recorded without its unreadable --calendar file says so, on stderr."""
    from yaoqing_cli.session import open_log as open_session

    with open_session(settings(ctx), **how) as log:
        yield log
        if log.unread_calendar is not None:
            typer.echo(f"注意：已记录，但时限未按日历文件计算：{log.unread_calendar}", err=True)


def _install_completion(ctx: typer.Context, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from yaoqing_cli import complete

    shell = _completion_shell(complete)
    try:
        path = complete.install(shell)
    except OSError as err:
        raise OperationError(f"无法写入 {shell} 的补全脚本：{os_reason(err)}") from None
    typer.echo(f"已为 {shell} 安装命令补全：{path}")
    typer.echo("重新打开终端后生效；按 Tab 补全命令、选项、要情编号和各项取值")
    raise typer.Exit(0)


def _show_completion(ctx: typer.Context, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from yaoqing_cli import complete

    typer.echo(complete.script(_completion_shell(complete)))
    raise typer.Exit(0)


def _completion_shell(complete) -> str:
    shell = complete.shell_name()
    if shell not in complete.SHELLS:
        found = f"当前 shell（{shell}）" if shell else "无法识别当前 shell，"
        raise UsageError(
            f"{found}不支持命令补全；支持 bash、zsh、fish："
            "也可运行 _YAOQING_COMPLETE=source_bash yaoqing（或 source_zsh、source_fish）取得脚本"
        )
    return shell


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", envvar="YAOQING_DB", help="日志文件（默认在用户数据目录；环境变量 YAOQING_DB）"
        ),
    ] = None,
    policies: Annotated[
        list[Path] | None,
        typer.Option("--policies", help="额外的政策目录（可多次给出；环境变量 YAOQING_POLICIES）"),
    ] = None,
    calendar: Annotated[
        Path | None,
        typer.Option(
            "--calendar",
            envvar="YAOQING_CALENDAR",
            help="本单位工作日历文件（录入法定节假日安排库尚未收录的年份）",
        ),
    ] = None,
    install_completion: Annotated[
        bool,
        typer.Option(
            "--install-completion",
            callback=_install_completion,
            expose_value=False,
            is_eager=True,
            help="为当前 shell（bash、zsh、fish）安装命令补全：Tab 补全命令、选项、要情编号和取值",
        ),
    ] = False,
    show_completion: Annotated[
        bool,
        typer.Option(
            "--show-completion",
            callback=_show_completion,
            expose_value=False,
            is_eager=True,
            help="显示当前 shell 的补全脚本，供复制或自行安装",
        ),
    ] = False,
) -> None:
    from yaoqing_cli.clock import check_environment

    check_environment()
    ctx.obj = Settings(db, list(policies or []), calendar)


# --- options many commands share, declared once -------------------------------------------------

ItemId = Annotated[str, typer.Argument(metavar="ID", help="要情编号")]
OfficerOption = Annotated[str | None, typer.Option("--officer", help="记录的值班员")]
JsonOption = Annotated[bool, typer.Option("--json", help="输出 JSON")]


# --- shared parsing helpers ----------------------------------------------------------------------


def _key(table: dict, text: str | None, what: str) -> str | None:
    from yaoqing_cli import vocab

    return None if text is None else vocab.lookup(table, text, what)


def _minutes_of(text: str | None, what: str) -> int | None:
    """A duration option (24h, 30m, 2d) in whole minutes, within what a policy may hold."""
    if text is None:
        return None
    from yaoqing_cli.policy import LIMITS
    from yaoqing_cli.timeparse import parse_duration

    minutes = -(-int(parse_duration(text, what=what).total_seconds()) // 60)
    low, high = LIMITS["minutes"]
    if not low <= minutes <= high:
        raise UsageError(f"{what} 应在 {low} 分钟到 {high // 1440} 天之间")
    return minutes


def _sensitive(log, item_id: str) -> bool:
    """Is the item a command just wrote to marked sensitive? Its confirmation then echoes no
    words of it: outputs never show what a sensitive item contains."""
    from yaoqing_cli.service import find_item

    return find_item(log.store, item_id).sensitive


def _emit_json(value) -> None:
    import json

    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


# --- commands ------------------------------------------------------------------------------------


@app.command()
def init(
    ctx: typer.Context,
    office: Annotated[str, typer.Option("--office", help="单位全称，例如 济南市人民政府办公厅")],
    short: Annotated[str, typer.Option("--short", help="单位简称，用于“单位简称+要情专报”")],
    policy: Annotated[
        str,
        typer.Option(
            "--policy",
            help="默认时限政策：national、shandong、yunnan、inner-mongolia、jiangxi 或中文名",
        ),
    ],
    tz: Annotated[str, typer.Option("--tz", help="时区")] = "Asia/Shanghai",
    officer: Annotated[
        str | None, typer.Option("--officer", help="默认值班员（也可用环境变量 YAOQING_OFFICER）")
    ] = None,
    drill: Annotated[
        bool,
        typer.Option("--drill", help="建立演练日志：处处标明“演练”，可用 YAOQING_NOW 模拟时间"),
    ] = False,
) -> None:
    """建立日志并记录本单位名称、简称、默认政策和时区（可再次运行以更改，每次都记入日志）。"""
    from yaoqing_cli.service import init_office
    from yaoqing_cli.session import DRILL_LINE

    with open_log(ctx, write=True, create=True, drill=drill) as log:
        done = init_office(log, office, short, policy, tz, officer, drill)
    result = done.office
    if result.drill:
        typer.echo(DRILL_LINE)
    typer.echo(f"已初始化：{result.name}（{result.short}），政策 {result.policy}，时区 {result.tz}")
    if done.old_heading:
        typer.echo(
            f"报头自此改为“{done.new_heading}”（原为“{done.old_heading}”）；已报出的要情保留原报头"
        )
    typer.echo(f"日志：{settings(ctx).db_path}")


@app.command()
def path(ctx: typer.Context) -> None:
    """显示日志文件的位置。"""
    typer.echo(str(settings(ctx).db_path))


@app.command("file")
def file_(
    ctx: typer.Context,
    title: Annotated[str, typer.Option("--title", help="标题，例如 '某县国道山体滑坡'")],
    occurred: Annotated[
        str, typer.Option("--occurred", help="事发时间，例如 '今天 8:00'、'2小时前'")
    ],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="类型：emergency 突发事件 | opinion 政务舆情 | warning 预警 | message 网民留言",
        ),
    ] = "emergency",
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="级别：especially-major/I 特别重大 | major/II 重大 | large/III 较大 | general/IV 一般",
        ),
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", help="时限政策（默认取 init 时的设置）")
    ] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="报送单位")] = None,
    location: Annotated[str | None, typer.Option("--location", help="地点")] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="事态经过")] = None,
    consequences: Annotated[str | None, typer.Option("--consequences", help="已造成的后果")] = None,
    trend: Annotated[str | None, typer.Option("--trend", help="发展趋势")] = None,
    measures: Annotated[str | None, typer.Option("--measures", help="已采取的处置措施")] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="舆情类别（云南按类别确定报送部门）")
    ] = None,
    about: Annotated[
        str | None,
        typer.Option(
            "--about", help="政务舆情所涉的突发事件（本日志中的编号）：按其级别计发布、回应时限"
        ),
    ] = None,
    about_level: Annotated[
        str | None,
        typer.Option(
            "--about-level",
            help="政务舆情所涉突发事件的级别（该事件不在本日志中时）；都不注明则按“其他政务舆情”计 48 小时回应",
        ),
    ] = None,
    message_class: Annotated[
        str | None,
        typer.Option(
            "--class", help="网民留言类别：praise 表扬感谢 | advice 谏言咨询 | appeal 申诉求助"
        ),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(
            "--channel",
            help="报送方式或来源：phone 电话 | fax 传真 | network 网络 | paper 纸质 | mobile 手机 | "
            "wechat 微信 | weibo 微博 | app 移动客户端 | online-inquiry 网络问政 | hotline 热线电话 | "
            "mailbox 领导信箱",
        ),
    ] = None,
    sensitive: Annotated[
        bool, typer.Option("--sensitive", help="涉密或敏感：汇总中不显示内容")
    ] = False,
    coordination: Annotated[
        bool,
        typer.Option("--coordination", help="需要政府办公厅协调处置（鲁政办字〔2016〕86号第13条）"),
    ] = False,
    received: Annotated[
        str | None, typer.Option("--received", help="接报时间（默认同 --at）")
    ] = None,
    caller: Annotated[str | None, typer.Option("--caller", help="报告人：单位、姓名、电话")] = None,
    informed: Annotated[
        str | None, typer.Option("--informed", help="来电方已报告的领导或单位")
    ] = None,
    officer: Annotated[
        str | None, typer.Option("--officer", help="记录的值班员（默认 YAOQING_OFFICER）")
    ] = None,
    from_above: Annotated[
        str | None,
        typer.Option("--from-above", help="交办此件的上级机关，例如 省政府办公厅（上级转来的件）"),
    ] = None,
    supervised: Annotated[
        bool, typer.Option("--supervised", help="督办件：须向上级机关反馈办理情况（按政策时限）")
    ] = False,
    feedback: Annotated[
        str | None,
        typer.Option("--feedback", help="督办件的反馈时限，覆盖政策，例如 24h、2d"),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="首报报出时间（默认现在）")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录首报：一条新要情的标题、事发时间、类型、级别和报送单位等，给出编号；上级督办件加 --from-above 机关 --supervised。"""
    from yaoqing_cli import vocab
    from yaoqing_cli.service import FileRequest, file_item

    feedback_minutes = _minutes_of(feedback, "--feedback")

    kind_key = vocab.lookup(vocab.KINDS, kind, "类型")
    level_key = _key(vocab.LEVELS, level, "级别")
    about_level_key = _key(vocab.LEVELS, about_level, "所涉事件级别")
    class_key = _key(vocab.CLASSES, message_class, "留言类别")
    channel_key = _key(vocab.CHANNELS, channel, "报送方式")
    with open_log(ctx, write=True) as log:
        at_time = log.time(at, "首报时间", default=log.now)
        request = FileRequest(
            title=title,
            occurred=log.time(occurred, "事发时间"),
            received=log.time(received, "接报时间"),
            at=at_time,
            kind=kind_key,
            level=level_key,
            policy=policy,
            unit=unit,
            category=category,
            message_class=class_key,
            sensitive=sensitive,
            coordination=coordination,
            officer=officer,
            about=about,
            about_level=about_level_key,
            from_above=from_above,
            supervised=supervised,
            feedback_minutes=feedback_minutes,
            details={
                "location": location,
                "summary": summary,
                "consequences": consequences,
                "trend": trend,
                "measures": measures,
                "channel": vocab.label(vocab.CHANNELS, channel_key) if channel_key else None,
                "caller": caller,
                "informed": informed,
            },
        )
        filed = file_item(log, request)
    tz, mark = log.tz, log.mark
    if as_json:
        from yaoqing_cli.render import filed_json

        _emit_json(filed_json(filed, tz))
        return
    from yaoqing_cli.facts import MASK

    typer.echo(f"{mark}已记录首报 {filed.item.id}")
    typer.echo(f"{filed.heading}：{MASK if filed.item.sensitive else filed.item.title}")


@app.command("continue")
def continue_(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ID", help="要情编号，例如 20261122-003")],
    text: Annotated[
        str | None, typer.Option("--text", help="续报内容（有新情况即记为一次续报）")
    ] = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="定级变更或延期的理由（不含新情况时用它，不记为续报）"),
    ] = None,
    done: Annotated[
        list[str] | None,
        typer.Option(
            "--done",
            help="本次续报完成的时限：publish 发布权威信息 | press 新闻发布会 | respond 回应 | report 书面报告（内蒙古）（可多次）",
        ),
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="变更级别（单独记为定级变更）")
    ] = None,
    extend: Annotated[
        str | None, typer.Option("--extend", help="申请一次性延期的时限，例如 reply")
    ] = None,
    location: Annotated[str | None, typer.Option("--location", help="补报地点")] = None,
    consequences: Annotated[str | None, typer.Option("--consequences", help="补报后果")] = None,
    trend: Annotated[str | None, typer.Option("--trend", help="补报发展趋势")] = None,
    measures: Annotated[str | None, typer.Option("--measures", help="补报处置措施")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="补报单位")] = None,
    officer: OfficerOption = None,
    at: Annotated[str | None, typer.Option("--at", help="续报时间（默认现在）")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录续报；--level 另记定级变更，--extend 申请一次性延期（须在时限届满前）。"""
    from yaoqing_cli import vocab
    from yaoqing_cli.service import continue_item, moved_clocks

    done_keys = [vocab.lookup(vocab.DUTY_KEYS, d, "时限") for d in (done or [])]
    level_key = _key(vocab.LEVELS, level, "级别")
    extend_key = _key(vocab.DUTY_KEYS, extend, "时限")
    with open_log(ctx, write=True) as log:
        written = continue_item(
            log,
            item_id,
            log.time(at, "续报时间", default=log.now),
            text=text,
            done=done_keys,
            level=level_key,
            extend=extend_key,
            reason=reason,
            officer=officer,
            details={
                "location": location,
                "consequences": consequences,
                "trend": trend,
                "measures": measures,
                "unit": unit,
            },
        )
        moved = [] if as_json else moved_clocks(log, written)
        hidden = _sensitive(log, item_id)
    tz, mark = log.tz, log.mark
    from yaoqing_cli.render import event_json, event_line, moved_lines

    if as_json:
        _emit_json(
            {"id": written[0].item_id, "events": [event_json(e, tz, hidden) for e in written]}
        )
        return
    for event in written:
        typer.echo(f"{mark}已记录 {event.item_id} {event_line(event, tz, hidden)}")
    for line in moved_lines(moved, log.now, tz):
        typer.echo(line)


@app.command()
def close(
    ctx: typer.Context,
    item_id: ItemId,
    text: Annotated[str | None, typer.Option("--text", help="终报内容")] = None,
    outcome: Annotated[
        str,
        typer.Option(
            "--outcome",
            help="结果：resolved 处置完毕 | did-not-occur 预警未发生（仅预警）| misreport 误报（须 --reason）| merged 已合并 | void 作废（误录，须 --reason；编号保留，不计时效）",
        ),
    ] = "resolved",
    reason: Annotated[str | None, typer.Option("--reason", help="理由（误报等须说明）")] = None,
    officer: OfficerOption = None,
    at: Annotated[str | None, typer.Option("--at", help="终报时间（默认现在）")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录终报（终报／办结）。"""
    from yaoqing_cli import vocab
    from yaoqing_cli.service import close_item, moved_clocks

    outcome_key = vocab.lookup(vocab.OUTCOMES, outcome, "结果")
    with open_log(ctx, write=True) as log:
        event = close_item(
            log,
            item_id,
            log.time(at, "终报时间", default=log.now),
            text=text,
            outcome=outcome_key,
            reason=reason,
            officer=officer,
        )
        moved = [] if as_json else moved_clocks(log, [event])
        hidden = _sensitive(log, item_id)
    tz, mark = log.tz, log.mark
    from yaoqing_cli.render import event_json, event_line, moved_lines

    if as_json:
        _emit_json({"id": event.item_id, "events": [event_json(event, tz, hidden)]})
        return
    typer.echo(f"{mark}已记录 {event.item_id} {event_line(event, tz, hidden)}")
    for line in moved_lines(moved, log.now, tz):
        typer.echo(line)


@app.command()
def notify(
    ctx: typer.Context,
    item_id: ItemId,
    who: Annotated[
        str,
        typer.Option(
            "--who",
            help="报告了谁：照 status 所列的报告对象名称；政策以外的人或单位也照录，但与政策所列名称相近时须加 --other",
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option("--by", help="报告方式：电话 | 短信 | 传真 | 当面 | 网络 | 纸质，或其他"),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="报告的内容或对方的答复")] = None,
    other: Annotated[
        bool,
        typer.Option("--other", help="--who 是政策以外的人或单位：照录，但不算完成任何报告要求"),
    ] = False,
    officer: OfficerOption = None,
    at: Annotated[str | None, typer.Option("--at", help="报告时间（默认现在）")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录已报告：某位领导或某个单位已于何时、以何种方式获报（此后不再列为须报告）。"""
    from yaoqing_cli.service import notify_item

    with open_log(ctx, write=True) as log:
        done = notify_item(
            log,
            item_id,
            log.time(at, "报告时间", default=log.now),
            who,
            by=by,
            text=text,
            other=other,
            officer=officer,
        )
        hidden = _sensitive(log, item_id)
    tz, mark = log.tz, log.mark
    from yaoqing_cli.render import event_json, event_line

    event = done.event
    if as_json:
        _emit_json({"id": event.item_id, "events": [event_json(event, tz, hidden)]})
        return
    typer.echo(f"{mark}已记录 {event.item_id} {event_line(event, tz, hidden)}")
    if done.told_before is not None:
        from yaoqing_cli.clock import local_text

        typer.echo(
            f"注意：此前已于 {local_text(done.told_before, tz)} 报告过“{event.data['who']}”；"
            "本次另记一次（如系重复录入，可用 yaoqing show 核对）"
        )
    if not (done.listed or done.known):
        typer.echo(
            f"注意：“{event.data['who']}”不是本要情政策列出的报告对象：已记录，但不算完成任何报告要求"
        )


@app.command()
def handover(
    ctx: typer.Context,
    to: Annotated[
        str | None,
        typer.Option("--to", help="接班的值班员（交班人取 --officer 或 YAOQING_OFFICER）"),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="交班留言")] = None,
    officer: Annotated[str | None, typer.Option("--officer", help="交班的值班员")] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="列出已记录的交接班（默认今天的），不记录新的")
    ] = False,
    day: Annotated[
        str | None, typer.Option("--date", help="与 --list 同用：某一天，YYYY-MM-DD（默认今天）")
    ] = None,
    include_sensitive: Annotated[
        bool, typer.Option("--include-sensitive", help="显示涉密/敏感要情的标题（默认隐去）")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON（记录时为交接单，--list 时为交接单数组）")
    ] = False,
) -> None:
    """交接班：记录谁交给谁，并把此刻全部未终报要情及其运行中的时限冻结在日志中；打印交接单。"""
    from yaoqing_cli.handover import sheet_json, sheet_lines

    if list_:
        if to is not None or note is not None:
            raise UsageError("--list 只列出已记录的交接班，不与 --to、--note 同用")
        from datetime import date, datetime, time, timedelta

        from yaoqing_cli import vocab
        from yaoqing_cli.service import handovers

        with open_log(ctx) as log:
            tz = log.tz
            if day is None:
                chosen = log.now.astimezone(tz).date()
            else:
                try:
                    chosen = date.fromisoformat(
                        vocab.plain(day)
                    )  # ２０２６－１１－２２ too, as report
                except ValueError:
                    raise UsageError(
                        f"无法识别的日期：{day!r}；应为 YYYY-MM-DD，例如 2026-11-22"
                    ) from None
                if not 2000 <= chosen.year <= 2100:
                    raise UsageError(f"日期的年份超出范围：{day!r}（2000–2100）")
            start = datetime.combine(chosen, time(0), tz)
            found = handovers(log, start, start + timedelta(days=1))
            titles = _sensitive_titles(log, found, include_sensitive)
            drill = log.drill
        if as_json:
            _emit_json([sheet_json(e.happened_at, e.data, tz, titles) for e in found])
            return
        if not found:
            typer.echo(f"{chosen.isoformat()} 没有交接班记录")
            return
        typer.echo(f"{chosen.isoformat()} 交接班 {len(found)} 次")
        for event in found:
            typer.echo("")
            typer.echo("\n".join(sheet_lines(event.happened_at, event.data, tz, drill, titles)))
        return
    if day is not None:
        raise UsageError("--date 只与 --list 同用")
    if to is None:
        raise UsageError("须说明接班人：yaoqing handover --to 姓名；查看已记录的：--list")
    from yaoqing_cli.service import handover as hand_over

    with open_log(ctx, write=True) as log:
        done = hand_over(log, to, note, officer)
        titles = _sensitive_titles(log, [done.event], include_sensitive)
    tz, drill = log.tz, log.drill
    if as_json:
        _emit_json(sheet_json(done.event.happened_at, done.data, tz, titles))
        return
    typer.echo(f"{log.mark}已记录交接班：{done.data['from']} → {done.data['to']}")
    typer.echo("\n".join(sheet_lines(done.event.happened_at, done.data, tz, drill, titles)))


def _sensitive_titles(log, events, include_sensitive: bool) -> dict:
    """The items on these sheets sensitive now or when frozen: their current title with
    --include-sensitive, else None (masked: a sheet frozen before an item was marked sensitive
    holds its title, and outputs say what the item is now)."""
    entries = [entry for event in events for entry in event.data.get("items") or ()]
    frozen = {entry["id"] for entry in entries if entry.get("sensitive")}
    ids = list(dict.fromkeys(entry["id"] for entry in entries))
    return {
        item.id: item.title if include_sensitive else None
        for item in log.store.items_by_id(ids)
        if item.sensitive or item.id in frozen
    }


@app.command()
def correct(
    ctx: typer.Context,
    item_id: ItemId,
    reason: Annotated[
        str | None, typer.Option("--reason", help="更正理由（必填），例如 '事发时间记错'")
    ] = None,
    occurred: Annotated[str | None, typer.Option("--occurred", help="更正后的事发时间")] = None,
    received: Annotated[str | None, typer.Option("--received", help="更正后的接报时间")] = None,
    title: Annotated[str | None, typer.Option("--title", help="更正后的标题")] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="更正后的类型：emergency 突发事件 | opinion 政务舆情 | warning 预警 | message 网民留言",
        ),
    ] = None,
    message_class: Annotated[
        str | None,
        typer.Option(
            "--class", help="更正后的留言类别：praise 表扬感谢 | advice 谏言咨询 | appeal 申诉求助"
        ),
    ] = None,
    category: Annotated[str | None, typer.Option("--category", help="更正后的类别")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="更正后的报送单位")] = None,
    location: Annotated[str | None, typer.Option("--location", help="更正后的地点")] = None,
    sensitive: Annotated[
        bool | None,
        typer.Option("--sensitive/--not-sensitive", help="更正涉密/敏感标记"),
    ] = None,
    policy: Annotated[str | None, typer.Option("--policy", help="更正所依据的时限政策")] = None,
    officer: OfficerOption = None,
    as_json: JsonOption = False,
) -> None:
    """更正一条要情的记录（原记录保留，更正记入日志；时限按更正后的时间重算，已显示的逾期不撤销）。"""
    from yaoqing_cli import vocab
    from yaoqing_cli.service import CorrectRequest, correct_item

    kind_key = _key(vocab.KINDS, kind, "类型")
    class_key = _key(vocab.CLASSES, message_class, "留言类别")
    with open_log(ctx, write=True) as log:
        request = CorrectRequest(
            reason=reason,
            occurred=None if occurred is None else log.time(occurred, "事发时间"),
            received=None if received is None else log.time(received, "接报时间"),
            title=title,
            kind=kind_key,
            message_class=class_key,
            category=category,
            unit=unit,
            location=location,
            sensitive=sensitive,
            policy=policy,
            officer=officer,
        )
        done = correct_item(log, item_id, request)
    tz, mark = log.tz, log.mark
    from yaoqing_cli import render

    if as_json:
        _emit_json(render.corrected_json(done, tz))
        return
    for line in render.corrected_lines(done, tz, mark):
        typer.echo(line)


@app.command()
def assign(
    ctx: typer.Context,
    item_id: ItemId,
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="承办单位（可多次；通讯录中的单位可只写开头几个字）"),
    ] = None,
    task: Annotated[
        str | None, typer.Option("--task", help="交办任务，例如 '核实并答复网民'")
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="办结时限（时长），覆盖政策，例如 24h、2d")
    ] = None,
    due_days: Annotated[
        int | None, typer.Option("--due-days", help="办结时限（工作日数），覆盖政策，例如 5")
    ] = None,
    extend: Annotated[
        bool,
        typer.Option(
            "--extend", help="为 --to 所列单位申请一次性延期（须在时限届满前，须 --reason）"
        ),
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="延期理由")] = None,
    officer: OfficerOption = None,
    at: Annotated[str | None, typer.Option("--at", help="转办时间（默认现在）")] = None,
    as_json: JsonOption = False,
) -> None:
    """转办／交办：把要情交承办单位办理，每个单位各计时限；--extend 为其申请一次延期。"""
    from yaoqing_cli import handing, render_chuan
    from yaoqing_cli.render import event_json, event_line

    units = list(to or [])
    if extend:
        if len(units) != 1 or task or due or due_days:
            raise UsageError(
                "--extend 只与一个 --to 单位和 --reason 同用，例如 assign ID --extend --to 某县人民政府 --reason 理由"
            )
    elif reason:
        raise UsageError("--reason 只与 --extend 同用；交办内容请用 --task")
    span = None
    if due is not None:
        from yaoqing_cli.timeparse import parse_duration

        span = parse_duration(due, what="--due")
    with open_log(ctx, write=True) as log:
        when = log.time(at, "转办时间", default=log.now)
        if extend:
            event = handing.extend_assignment(log, item_id, units[0], when, reason, officer)
        else:
            result = handing.assign(
                log, item_id, units, when, task=task, due=span, due_days=due_days, officer=officer
            )
        hidden = _sensitive(log, item_id)
    from yaoqing_cli.facts import MASK

    tz, mark = log.tz, log.mark
    if extend:
        if as_json:
            _emit_json({"id": event.item_id, "events": [event_json(event, tz, hidden)]})
        else:
            typer.echo(f"{mark}已记录 {event.item_id} {event_line(event, tz, hidden)}")
        return
    if as_json:
        _emit_json(
            {
                "id": result.event.item_id,
                "events": [event_json(result.event, tz, hidden)],
                "assignments": [render_chuan.tracked_json(c, tz, hidden) for c in result.clocks],
                "unregistered": [MASK if hidden else u for u in result.unregistered],
            }
        )
        return
    for line in render_chuan.assigned_text(result, tz, mark, hidden):
        typer.echo(line)


@app.command()
def reopen(
    ctx: typer.Context,
    item_id: ItemId,
    reason: Annotated[
        str | None, typer.Option("--reason", help="重新打开的理由（必填），例如 '终报编号填错'")
    ] = None,
    officer: OfficerOption = None,
    as_json: JsonOption = False,
) -> None:
    """重新打开已终报的要情（终报后撤回，继续办理；关闭期间到期的时限不追溯为逾期）。"""
    from yaoqing_cli.service import reopen_item

    with open_log(ctx, write=True) as log:
        event = reopen_item(log, item_id, reason, officer)
        hidden = _sensitive(log, item_id)
    tz, mark = log.tz, log.mark
    from yaoqing_cli.render import event_json, event_line

    if as_json:
        _emit_json({"id": event.item_id, "events": [event_json(event, tz, hidden)]})
        return
    typer.echo(f"{mark}已记录 {event.item_id} {event_line(event, tz, hidden)}")


@app.command()
def feedback(
    ctx: typer.Context,
    item_id: ItemId,
    unit: Annotated[str, typer.Option("--from", help="反馈的承办单位（须已转办）")],
    text: Annotated[str, typer.Option("--text", help="反馈内容（办理情况）")],
    done: Annotated[
        bool, typer.Option("--done", help="已办结：完成该单位的转办时限（不加则记为续报）")
    ] = False,
    officer: OfficerOption = None,
    at: Annotated[str | None, typer.Option("--at", help="反馈时间（默认现在）")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录承办单位的反馈；--done 表示办结，完成其转办时限。"""
    from yaoqing_cli import handing, render_chuan, vocab
    from yaoqing_cli.render import event_json

    with open_log(ctx, write=True) as log:
        event, clock = handing.feedback(
            log, item_id, unit, log.time(at, "反馈时间", default=log.now), text, done, officer
        )
        hidden = _sensitive(log, item_id)
    tz, mark = log.tz, log.mark
    if as_json:
        _emit_json(
            {
                "id": event.item_id,
                "events": [event_json(event, tz, hidden)],
                "assignment": render_chuan.tracked_json(clock, tz, hidden) if clock else None,
            }
        )
        return
    what = "办结" if done else "反馈"
    from yaoqing_cli.facts import MASK

    unit = MASK if hidden else event.data["from"]
    typer.echo(f"{mark}已记录 {event.item_id} {unit} {what} {local_time(event, tz)}")
    if clock is not None:
        state = vocab.state_label(clock.state, clock.role)
        typer.echo(
            f"  转办时限：{state}  {render_chuan.when(clock, max(log.now, event.happened_at), tz)}"
        )


def local_time(event, tz) -> str:
    from yaoqing_cli.clock import local_text

    return local_text(event.happened_at, tz)


@app.command()
def instruct(
    ctx: typer.Context,
    item_id: ItemId,
    leader: Annotated[str, typer.Option("--from", help="作出批示的领导，例如 王副市长")],
    text: Annotated[str, typer.Option("--text", help="批示内容")],
    to: Annotated[
        list[str] | None,
        typer.Option("--to", help="批示要求转办的单位（可多次）：各计转批示件时限"),
    ] = None,
    feedback_within: Annotated[
        str | None,
        typer.Option("--feedback", help="各单位反馈时限，覆盖政策，例如 2h、1d"),
    ] = None,
    officer: OfficerOption = None,
    at: Annotated[str | None, typer.Option("--at", help="批示时间（默认现在）")] = None,
    as_json: JsonOption = False,
) -> None:
    """记录领导批示：第一时间转有关单位（转批示件时限），并跟踪其反馈。"""
    from yaoqing_cli import handing, render_chuan
    from yaoqing_cli.render import event_json

    span = None
    if feedback_within is not None:
        from yaoqing_cli.timeparse import parse_duration

        span = parse_duration(feedback_within, what="--feedback")
    with open_log(ctx, write=True) as log:
        when = log.time(at, "批示时间", default=log.now)
        event, chase = handing.instruct(
            log, item_id, leader, when, text, list(to or []), span, officer
        )
        hidden = _sensitive(log, item_id)
    tz, mark = log.tz, log.mark
    mine = [
        c for c in chase.clocks if c.role in ("relay", "instruct") and c.start == event.happened_at
    ]
    if as_json:
        _emit_json(
            {
                "id": event.item_id,
                "events": [event_json(event, tz, hidden)],
                "clocks": [render_chuan.tracked_json(c, tz, hidden) for c in mine],
            }
        )
        return
    from yaoqing_cli.facts import MASK

    said = MASK if hidden else leader
    typer.echo(f"{mark}已记录 {event.item_id} 领导批示 {local_time(event, tz)}（{said}）")
    from yaoqing_cli.clock import deadline_text

    for c in mine:
        due = deadline_text(c.deadline, tz, event.happened_at)
        typer.echo(f"  {c.name}→{MASK if hidden else c.unit}：时限 {due}  出处：{c.source}")
    if not mine:
        typer.echo("  政策未设转批示件时限，也未给出 --feedback：本条批示只记录，不计时限")


@unit_app.command("add")
def unit_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="单位全称，例如 某县人民政府")],
    phone: Annotated[str | None, typer.Option("--phone", help="值班电话")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="联系人")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注，例如 夜间请打值班室")] = None,
) -> None:
    """登记或更新一个单位（最新一次登记为准）。"""
    from yaoqing_cli import handing

    with open_log(ctx, write=True) as log:
        event, updated = handing.add_unit(log, name, phone, contact, note)
    typer.echo(f"{log.mark}已{'更新' if updated else '登记'} {event.data['name']}")


@unit_app.command("list")
def unit_list(
    ctx: typer.Context,
    as_json: JsonOption = False,
) -> None:
    """列出单位通讯录。"""
    from yaoqing_cli import handing, render_chuan

    with open_log(ctx) as log:
        entries = handing.directory(log)
    if as_json:
        _emit_json(
            [
                {"name": e.name, "contact": e.contact, "phone": e.phone, "note": e.note}
                for e in sorted(entries.values(), key=lambda e: e.name)
            ]
        )
        return
    for line in render_chuan.unit_lines(entries):
        typer.echo(line)


@app.command()
def show(
    ctx: typer.Context,
    item_id: ItemId,
    at: Annotated[str | None, typer.Option("--at", help="按某一时刻计算时限（默认现在）")] = None,
    as_json: JsonOption = False,
    include_sensitive: Annotated[
        bool, typer.Option("--include-sensitive", help="显示涉密/敏感要情的标题和内容（默认隐去）")
    ] = False,
) -> None:
    """显示一条要情的完整时间线和各项时限。"""
    from yaoqing_cli import render
    from yaoqing_cli.service import timeline

    with open_log(ctx) as log:
        moment = log.time(at, "计算时刻", default=log.now)
        line, status = timeline(log, item_id, moment)
    tz = log.tz
    if as_json:
        _emit_json(render.timeline_json(line, status, tz, moment, include_sensitive))
    else:
        typer.echo(render.timeline_text(line, status, tz, moment, include_sensitive))


@app.command()
def status(
    ctx: typer.Context,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="只看有逾期时限的要情（交接班用）")
    ] = False,
    due_within: Annotated[
        str | None,
        typer.Option("--due-within", help="只看在此时长内到期或已逾期的，例如 2h、30m、1d"),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="按另一时刻计算，例如 '昨天 8:00'")] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="包括已终报的要情")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="输出 JSON 数组（字段见 README）")
    ] = False,
    brief: Annotated[
        bool,
        typer.Option(
            "--brief",
            help="与 --overdue 或 --due-within 同用：每个时限一行（多于 20 条时默认如此）",
        ),
    ] = False,
    full: Annotated[bool, typer.Option("--full", help="逐条详列，不论多少条")] = False,
    untold: Annotated[
        bool,
        typer.Option("--untold", help="只看尚有须报告（或须抄送）对象未报告的要情（交接班用）"),
    ] = False,
    include_sensitive: Annotated[
        bool, typer.Option("--include-sensitive", help="显示涉密/敏感要情的标题和单位（默认隐去）")
    ] = False,
    chase: Annotated[
        bool,
        typer.Option(
            "--chase", help="催办清单：到期或逾期的转办、批示、督办时限，每项一行，附单位联系方式"
        ),
    ] = False,
) -> None:
    """未办结要情的各项时限：最紧急的在前，逾期多久，现在须报告谁，首报还缺什么。"""
    from yaoqing_cli import render
    from yaoqing_cli.views import board as board_of

    if chase:
        if overdue or due_within or include_closed or brief or full:
            raise UsageError("--chase 不与 --overdue、--due-within、--all、--brief、--full 同用")
        from yaoqing_cli import handing, render_chuan

        with open_log(ctx) as log:
            result = handing.chase_list(log, log.time(at, "计算时刻", default=log.now))
        if as_json:
            _emit_json(render_chuan.chase_list_json(result, log.tz, include_sensitive))
        else:
            typer.echo(render_chuan.chase_list_text(result, log.tz, include_sensitive))
        return
    if brief and full:
        raise UsageError("--brief 与 --full 只能选一个")
    if brief and (include_closed or untold or not (overdue or due_within)):
        raise UsageError(
            "--brief 只用于未终报要情的 --overdue 或 --due-within（不与 --all、--untold 同用）"
        )
    if untold and include_closed:
        raise UsageError("--untold 只看未终报的要情，不与 --all 同用")
    within = None
    if due_within is not None:
        from yaoqing_cli.timeparse import parse_duration

        within = parse_duration(due_within, what="--due-within")
    with open_log(ctx) as log:
        moment = log.time(at, "计算时刻", default=log.now)
        board = board_of(
            log,
            moment,
            overdue_only=overdue,
            due_within=within,
            include_closed=include_closed,
            brief=False if (as_json or full) else (True if brief else None),
            untold=untold,
        )
    tz = log.tz
    if as_json:
        _emit_json(render.board_json(board, tz, include_sensitive))
    else:
        render.board_out(board, tz, moment, include_sensitive)


def _interval(text: str):
    """30s | 30秒 | 1m | 2分钟 …: seconds as well as parse_duration's units; at least 1 s."""
    import re
    from datetime import timedelta

    from yaoqing_cli.timeparse import parse_duration

    match = re.fullmatch(r"\s*(\d{1,6})\s*(s|秒|秒钟)?\s*", text)
    span = (
        timedelta(seconds=int(match.group(1))) if match else parse_duration(text, what="--interval")
    )
    if span < timedelta(seconds=1):
        raise UsageError(f"--interval 至少 1 秒：{text!r}；例如 30s、1m")
    return span


@app.command()
def watch(
    ctx: typer.Context,
    interval: Annotated[
        str, typer.Option("--interval", help="刷新间隔，例如 30s、1m（默认 30s）")
    ] = "30s",
    due_within: Annotated[
        str, typer.Option("--due-within", help="此时长内到期的时限标黄并响铃，例如 2h、30m")
    ] = "2h",
    include_sensitive: Annotated[
        bool, typer.Option("--include-sensitive", help="显示涉密/敏感要情的标题（默认隐去）")
    ] = False,
) -> None:
    """值班大屏：全屏显示各项时限的倒计时，逾期标红、将到期标黄并响铃一次，底部是本班动态；按 q 或 Ctrl-C 退出。"""
    from yaoqing_cli.timeparse import parse_duration

    period = _interval(interval)
    within = parse_duration(due_within, what="--due-within")
    if not sys.stdout.isatty():
        raise UsageError(
            "watch 是全屏大屏，只在终端中运行；脚本、管道和定时任务请用 yaoqing status --due-within 2h"
        )
    from yaoqing_cli import watch as screen
    from yaoqing_cli.views import watched

    def read():
        with open_log(ctx) as log:  # read-only, afresh each tick
            moment = log.now
            return watched(log, moment), moment, log.tz

    code = screen.run(read, period, within, include_sensitive)
    if code:
        raise SystemExit(code)  # Ctrl-C: 130, quietly (the board already said how to leave)


@app.command()
def report(
    ctx: typer.Context,
    day: Annotated[
        str | None, typer.Option("--date", help="某一天，YYYY-MM-DD（默认昨天）")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="时段起点（与 --until 同用）")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="时段终点（不含）")] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="月、季度、半年或全年：2026-11、2026Q4、2026H2、2026，或 本月、上月、本季度、上季度、今年、去年（含各单位时效）",
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="格式：text | markdown | json | csv | txt（每行28字，供传真、短信）| docx（公文版式）",
        ),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入文件（先写临时文件再改名）")
    ] = None,
    include_sensitive: Annotated[
        bool, typer.Option("--include-sensitive", help="包括涉密/敏感要情的标题和内容（默认隐去）")
    ] = False,
    keys: Annotated[
        bool,
        typer.Option("--keys", help="CSV 用英文表头和英文键（默认中文表头和中文取值）"),
    ] = False,
) -> None:
    """值班日报与时效统计：默认为昨天（本单位时区），供 cron 在零点后运行。"""
    from yaoqing_cli.report import parse_period
    from yaoqing_cli.service import duty_report

    if fmt not in ("text", "markdown", "md", "json", "csv", "txt", "docx"):
        raise UsageError(f"不支持的格式：{fmt!r}；可用：text、markdown、json、csv、txt、docx")
    _refuse_binary_to_terminal(fmt, output)
    with open_log(ctx) as log:
        chosen = parse_period(
            period, day, log.time(since, "--since"), log.time(until, "--until"), log.now, log.tz
        )
        result = duty_report(log, chosen)
    if fmt in ("txt", "docx"):
        from yaoqing_cli.report_doc import build_report_doc

        anchor = None
        if result.anchor is not None:
            from yaoqing_cli.integrity import Anchor

            anchor = Anchor(*result.anchor).line()
        content = _render_doc(build_report_doc(result, include_sensitive, anchor), fmt)
    else:
        from yaoqing_cli.render_report import render

        content = render(result, fmt, include_sensitive, keys)
    _deliver(ctx, content, output)


DOC_FORMATS = ("docx", "txt", "md")


def _refuse_binary_to_terminal(fmt: str, output: Path | None) -> None:
    if fmt == "docx" and output is None and sys.stdout.isatty():
        raise UsageError("docx 是二进制文件，不能输出到终端；请用 -o 文件名.docx，或重定向到文件")


def _render_doc(document, fmt: str) -> str | bytes:
    """A doc.Document as .docx bytes (python-docx loaded only here), 28-character text or Markdown."""
    if fmt == "docx":
        from yaoqing_cli.render_docx import to_docx

        return to_docx(document)
    from yaoqing_cli.render_doc import to_md, to_txt

    return to_md(document) if fmt == "md" else to_txt(document)


def _deliver(ctx: typer.Context, content: str | bytes, output: Path | None) -> None:
    """To the file (temporary file, then rename) or to standard output."""
    if output is None:
        if isinstance(content, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return
    from yaoqing_cli.files import write_atomic

    write_atomic(output, content, log=settings(ctx).db_path)
    typer.echo(f"已写入 {output}")


@app.command()
def doc(
    ctx: typer.Context,
    item_id: Annotated[str, typer.Argument(metavar="ID", help="要情编号，例如 20261122-003")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="格式：docx（公文版式，报送用）| txt（每行28字，供传真、短信）| md；默认按 -o 的扩展名，否则 txt",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="写入文件（先写临时文件再改名）；默认标准输出"),
    ] = None,
    stage: Annotated[
        str,
        typer.Option(
            "--stage", help="first 仅首报 | latest 截至目前的首报、续报、终报和批示（默认）"
        ),
    ] = "latest",
    include_sensitive: Annotated[
        bool,
        typer.Option(
            "--include-sensitive", help="生成涉密/敏感要情的专报（默认拒绝；每页标明“敏感/内部”）"
        ),
    ] = False,
) -> None:
    """生成一条要情的要情专报（单位简称+要情专报，第N期）：公文版式 docx、28字一行的 txt 或 md。"""
    from yaoqing_cli.service import zhuanbao

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = suffix if suffix in DOC_FORMATS else "txt"
    fmt = {"markdown": "md", "text": "txt"}.get(fmt.strip().lower(), fmt.strip().lower())
    if fmt not in DOC_FORMATS:
        raise UsageError(f"不支持的格式：{fmt!r}；可用：docx、txt、md")
    stage_key = {"首报": "first", "最新": "latest"}.get(stage.strip(), stage.strip().lower())
    if stage_key not in ("first", "latest"):
        raise UsageError(
            f"无法识别的 --stage：{stage!r}；可用：first（仅首报）、latest（截至目前）"
        )
    _refuse_binary_to_terminal(fmt, output)
    with open_log(ctx) as log:
        document = zhuanbao(log, item_id, stage_key, include_sensitive)
    _deliver(ctx, _render_doc(document, fmt), output)


@app.command()
def search(
    ctx: typer.Context,
    text: Annotated[
        str,
        typer.Argument(metavar="TEXT", help="要找的文字，例如 山体滑坡（少于三个字时逐条比对）"),
    ],
    since: Annotated[
        str | None, typer.Option("--since", help="只找此时刻及以后的记录，例如 '2026-11-01'")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="只找此时刻以前的记录（不含）")
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="类型：emergency 突发事件 | opinion 政务舆情 | warning 预警 | message 网民留言",
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="报送单位（按最近一次报告的单位，须完全相同）")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="最多列出几条要情（默认 50；0 为全部）")
    ] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（字段见 README）")] = False,
    include_sensitive: Annotated[
        bool,
        typer.Option("--include-sensitive", help="列出匹配的涉密/敏感要情（默认只计数，不列出）"),
    ] = False,
) -> None:
    """全文搜索：在每条要情的标题、续报、终报、理由和各项内容中找一段文字，最近提及的在前。"""
    from yaoqing_cli import search as finder
    from yaoqing_cli import vocab

    kind_key = _key(vocab.KINDS, kind, "类型")
    with open_log(ctx) as log:
        result = finder.search(
            log,
            text,
            since=log.time(since, "--since"),
            until=log.time(until, "--until"),
            kind=kind_key,
            unit=unit,
            include_sensitive=include_sensitive,
            limit=limit,
        )
    tz = log.tz
    if as_json:
        _emit_json(finder.to_json(result, tz))
    else:
        typer.echo(finder.to_text(result, tz))


# --- evidence: verify, backup, export, import -----------------------------------------------------


@app.command()
def verify(
    ctx: typer.Context,
    expect: Annotated[
        str | None,
        typer.Option(
            "--expect",
            help="核对锚点：末哈希，或 事件数:末哈希（取自值班日报或此前 verify 的“日志锚点”）",
        ),
    ] = None,
    expect_file: Annotated[
        Path | None,
        typer.Option("--expect-file", help="从此前的值班日报或 verify 输出中读取日志锚点并核对"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（字段见 README）")] = False,
) -> None:
    """核验日志的哈希链和要情表：报告第一处问题（退出码 1），或已核验的事件数；最后一行是日志锚点。"""
    from yaoqing_cli.integrity import PROGRESS_OVER, expect_from_text, parse_expect
    from yaoqing_cli.integrity import verify as verify_log

    if expect is not None and expect_file is not None:
        raise UsageError("--expect 与 --expect-file 只能选一个")
    wanted = parse_expect(expect) if expect is not None else None
    if expect_file is not None:
        from yaoqing_cli.files import read_text

        wanted = expect_from_text(read_text(expect_file), str(expect_file))
    with open_log(ctx, snapshot=False) as log:  # verify takes its own snapshot
        total = log.store.event_count()
        if sys.stderr.isatty() and total > PROGRESS_OVER and not as_json:
            from rich.progress import Progress

            with Progress(transient=True) as progress:
                task = progress.add_task("核验中", total=total)
                result = verify_log(log, lambda n: progress.update(task, completed=n), wanted)
        else:
            result = verify_log(log, expect=wanted)
    mark = log.mark
    failure = _verify_failure(result, wanted)
    if as_json:
        from yaoqing_cli.render import verified_json

        _emit_json(verified_json(result, wanted, failure))
    elif result.differences:
        # every difference on stdout (the record of the check), the first in the one-line error
        shown = 50
        for difference in result.differences[:shown]:
            typer.echo(f"不符：{difference.text()}")
        if len(result.differences) > shown:
            typer.echo(f"……另有 {len(result.differences) - shown} 处不符")
    if failure is not None:
        raise OperationError(failure)
    if not as_json:
        typer.echo(f"{mark}核验通过：{result.events} 个事件、{result.items} 条要情，哈希链完整")
        if wanted is not None:
            typer.echo(f"与锚点 {wanted.text()} 相符：日志仍含有该锚点及其之前的全部历史")
        typer.echo(result.anchor.line())


def _verify_failure(result, wanted) -> str | None:
    """The one line a failed verify prints, or None."""
    if result.broken:
        b = result.broken
        where = f"事件 #{b.seq}，" if b.seq else ""
        return (
            f"核验失败：{where}要情 {b.item_id}，{b.happened_at}：{b.reason}"
            f"（此前 {result.events} 个事件完好）"
        )
    if result.differences:
        clocks = (
            "；时限索引已停用（status 将逐条重算，下次写入时重建）" if result.stale_clock else ""
        )
        if any(d.table == "search_text" for d in result.differences):
            clocks += "；搜索索引已按事件重建"
        return (
            f"核验失败：{result.differences[0].text()}；共 {len(result.differences)} 处不符"
            f"{clocks}；哈希链完整：{result.events} 个事件。请把此情况报告给值班室负责人"
        )
    if result.unmet:
        return f"核验失败：与锚点 {wanted.text()} 不符：{result.unmet}"
    return None


@app.command()
def backup(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(metavar="DEST", help="备份文件（不得已存在）")],
) -> None:
    """在线备份日志（SQLite 在线备份，其他进程写入时也安全）。"""
    from yaoqing_cli.integrity import backup as backup_log

    with open_log(ctx, snapshot=False) as log:  # SQLite's online backup is consistent itself
        written = backup_log(log.store, dest)
    typer.echo(f"已备份到 {written}")


@app.command("export")
def export_(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="只导出此时刻及以后首报的要情")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="格式：jsonl")] = "jsonl",
    include_sensitive: Annotated[
        bool, typer.Option("--include-sensitive", help="包括涉密/敏感要情的内容（默认隐去）")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="写入文件（默认标准输出）")
    ] = None,
) -> None:
    """导出日志为 JSON Lines，供迁移或向上级报送；yaoqing import 可原样导入。"""
    from yaoqing_cli.integrity import export_lines

    if fmt != "jsonl":
        raise UsageError(f"不支持的导出格式：{fmt!r}；可用：jsonl")
    with open_log(ctx) as log:
        lines = export_lines(log.store, log.time(since, "--since"), include_sensitive)
    text = "\n".join(lines) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        from yaoqing_cli.files import write_atomic

        write_atomic(output, text, log=settings(ctx).db_path)
        typer.echo(f"已导出 {len(lines)} 行到 {output}")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="yaoqing export 的输出（- 为标准输入）")
    ],
    allow_masked: Annotated[
        bool,
        typer.Option(
            "--allow-masked",
            help="接受隐去了涉密/敏感内容的导出文件（导入的事件注明内容已隐去，且不能再补全）",
        ),
    ] = False,
) -> None:
    """导入 yaoqing export 的文件：先核对文件的哈希链，再逐条按命令行的规则检查；
    另一单位的要情作为转报保留其编号和期数。重复导入不会增加任何记录。"""
    from yaoqing_cli.integrity import import_lines

    if str(file) == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with suppress(OSError):  # (a name too long is told by the read below)
            if file.exists() and not file.is_file():  # a FIFO waits for ever, /dev/zero too
                raise UsageError(f"{file} 不是普通文件；应为 yaoqing export 的输出文件")
        try:
            lines = file.read_bytes().decode("utf-8").splitlines()
        except OSError as err:
            raise OperationError(f"无法读取 {file}：{os_reason(err)}") from None
        except UnicodeDecodeError:
            raise OperationError(f"{file} 不是 UTF-8 文本；应为 yaoqing export 的输出") from None
    with open_log(ctx, write=True, create=True) as log:
        result = import_lines(log, lines, str(file), allow_masked=allow_masked)
        mark = log.mark
    notes = []
    if result.forwarded_from:
        notes.append(f"来自 {result.forwarded_from} 的要情作为转报保留其编号和期数")
    if result.masked:
        notes.append(f"其中 {result.masked} 个事件的涉密/敏感内容已隐去")
    if result.not_applied:
        notes.append(
            f"{result.not_applied} 个单位级事件（单位设置、他单位的工作日历）经核对，未采用"
        )
    more = f"；{'；'.join(notes)}" if notes else ""
    typer.echo(f"{mark}已导入 {result.added} 个事件，跳过已有的 {result.skipped} 个{more}")


# --- policy group ----------------------------------------------------------------------------------


@policy_app.command("list")
def policy_list(ctx: typer.Context) -> None:
    """列出可用的时限政策；有误的文件列为“有误”并说明原因。"""
    from yaoqing_cli.policy import survey_policies

    for entry in survey_policies(settings(ctx).policy_dirs()):
        p = entry.policy
        if p is None:
            line = f"{entry.path.stem:<16} 有误：{entry.error}"
        else:
            aliases = f"（{'、'.join(p.aliases)}）" if p.aliases else ""
            line = f"{p.name:<16} {p.title}{aliases}  时限 {len(p.duties)} 项"
        if entry.shadows:
            line += f"  〔{entry.path} 取代内置政策 {'、'.join(entry.shadows)}〕"
        typer.echo(line)


@policy_app.command("show")
def policy_show(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="POLICY", help="政策名或中文名，例如 yunnan、云南")
    ],
) -> None:
    """用中文逐条说明一项政策的时限及其依据。"""
    from yaoqing_cli.policy import explain, load_policy

    for line in explain(load_policy(name, settings(ctx).policy_dirs())):
        typer.echo(line)


@policy_app.command("check")
def policy_check(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="要检查的政策文件（.toml）")],
) -> None:
    """检查本单位的政策文件（含继承的上级政策）是否有效。"""
    from yaoqing_cli.policy import check_policy_file, explain, shadowed

    policy = check_policy_file(file, settings(ctx).policy_dirs())
    typer.echo(f"有效：{file} → {policy.name}（{policy.title}），时限 {len(policy.duties)} 项")
    shadows = shadowed(file)
    if shadows:
        typer.echo(
            f"注意：此文件与内置政策 {'、'.join(shadows)} 同名；放入 --policies 或 YAOQING_POLICIES "
            "目录后，按该名称查找时将取代内置政策"
        )
    for line in explain(policy):
        typer.echo(line)


# --- calendar group ------------------------------------------------------------------------------


@calendar_app.command("add")
def calendar_add(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(metavar="FILE", help="日历文件（.toml，[years.YYYY] holidays/workdays）"),
    ],
) -> None:
    """把本单位日历文件记入日志（一个事件）：此后每个命令都按它计算工作日，无需 --calendar。"""
    from yaoqing_cli.service import add_calendar, added_text

    with open_log(ctx, write=True) as log:
        done = add_calendar(log, file)
    mark = log.mark
    typer.echo(f"{mark}已录入日历 {done.source}（sha256 {done.sha256[:12]}…）")
    for year, (rest, work) in done.added.items():
        typer.echo(added_text(year, rest, work, year in done.unknown_years))


@calendar_app.command("show")
def calendar_show(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Argument(metavar="YEAR", help="年份（默认今年）")] = None,
) -> None:
    """列出某年的法定节假日、调休上班日和本单位录入的日子（注明来源）。"""
    from yaoqing_cli.render import calendar_lines
    from yaoqing_cli.session import DRILL_LINE
    from yaoqing_cli.workdays import FIRST_YEAR, LAST_YEAR

    with open_log(ctx) as log:
        chosen = year if year is not None else log.now.astimezone(log.tz).year
        if not FIRST_YEAR <= chosen <= LAST_YEAR:
            raise UsageError(f"年份 {chosen} 超出范围；可用 {FIRST_YEAR}–{LAST_YEAR}")
        calendar = log.calendar
    mark = log.mark
    if mark:
        typer.echo(DRILL_LINE)
    for line in calendar_lines(calendar, chosen):
        typer.echo(line)


@app.command()
def demo(
    keep: Annotated[bool, typer.Option("--keep", help="保留演示日志（默认用完即删）")] = False,
) -> None:
    """在临时日志中录入几条示例要情并显示状态（不触碰真实日志）。"""
    from yaoqing_cli.demo import run_demo

    run_demo(command_tree(), keep=keep)


# --- entry point ------------------------------------------------------------------------------------


def command_tree():
    """The Click command tree of `app`, as a user meets it: Chinese help and usage lines on every
    command (clitext.py) and completion of the log's IDs, units and every controlled value
    (complete.py), however and by whomever a command was added."""
    from yaoqing_cli import clitext, complete

    complete.prepare_if_completing()
    root = typer.main.get_command(app)
    clitext.localise(root)
    complete.attach(root)
    return root


# SQLite's messages (English whatever the locale) for the failures a log can meet.
_SQLITE_FAILURES = {
    "disk is full": "磁盘已满",
    "database or disk is full": "磁盘已满",
    "database is locked": "日志正被其他程序占用（锁定），请稍后再试",
    "database disk image is malformed": "日志文件已损坏；请运行 yaoqing verify，必要时从备份恢复",
    "file is not a database": "日志文件不是 SQLite 数据库；请检查 --db 或 YAOQING_DB",
    "attempt to write a readonly database": "日志文件是只读的；请检查文件权限",
    "unable to open database file": "无法打开日志文件；请检查路径和权限",
    "disk I/O error": "读写日志时发生输入输出错误（磁盘故障？）",
}


def _sqlite_failure(text: str) -> str:
    for english, chinese in _SQLITE_FAILURES.items():
        if english in text:
            return chinese
    return f"日志出错：{text}"


def _say(line: str) -> None:
    """One line on stderr. A stderr that cannot take it (closed, full) leaves nowhere to say
    anything; the exit code still tells."""
    with suppress(OSError, ValueError):
        typer.echo(line, err=True)


def _fail(message: str, code: int) -> int:
    first_line = " ".join(str(message).split("\n")).strip()
    _say(f"错误：{first_line}")
    return code


def _commits() -> list:
    """Evidence committed by this command (store.COMMITS), without importing the store."""
    store = sys.modules.get("yaoqing_cli.store")
    return store.COMMITS if store is not None else []


def _recorded(commits: list, failure: str) -> int:
    """A failure after the record was made: say that it WAS made, so nobody files it twice."""
    from yaoqing_cli import vocab

    events = [event for commit in commits for event in commit.events]
    item_events = [(item_id, t) for item_id, t in events if item_id]  # not office-level ones
    items = list(dict.fromkeys(item_id for item_id, _ in item_events))
    if len(items) == 1:
        kinds = "、".join(dict.fromkeys(vocab.EVENT_LABELS.get(t, t) for _, t in item_events))
        what = f"{items[0]} 的{kinds}"
        hint = f"；请勿重复录入，用 yaoqing show {items[0]} 查看"
    elif items:
        what = f"{len(item_events)} 个事件（{len(items)} 条要情）"
        hint = "；请勿重复录入，用 yaoqing status --all 查看"
    else:  # office-level events only: init's settings, a calendar entry
        names = {"office": "单位设置", "calendar": "工作日历条目", "handover": "交接班"}
        what = "、".join(dict.fromkeys(names.get(t, t) for _, t in events)) or "记录"
        hint = "；请勿重复录入"
    first_line = " ".join(failure.split("\n")).strip()
    _say(f"已记录：{what}已写入日志，但随后{first_line}{hint}")
    return ExitCode.RECORDED


def _hold_interrupts() -> None:
    """From here on Ctrl-C changes nothing: the outcome is decided and about to be told."""
    import signal

    while True:
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            return
        except KeyboardInterrupt:  # pressed just before the line above took effect
            continue


def _tolerant_output() -> None:
    """A terminal or pipe whose encoding cannot show Chinese (ascii, gb2312 for some marks)
    gets escapes (\\u8981) instead of a crash."""
    for stream in (sys.stdout, sys.stderr):
        with suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")


_OUTPUT_FAILED = {
    errno.EPIPE: "结果未能输出（输出管道已关闭）",
    errno.ENOSPC: "结果未能输出（磁盘已满）",
    errno.EDQUOT: "结果未能输出（磁盘配额已满）",
    errno.EFBIG: "结果未能输出（文件过大）",
    errno.EIO: "结果未能输出（输入输出错误）",
}


def _caused_by_interrupt(err: BaseException) -> bool:
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, KeyboardInterrupt):
            return True
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return False


def _stdout_failed() -> bool:
    """Is standard output the thing that failed (closed pipe, full disk)? What it could not
    take is still in its buffer, so flushing again fails again."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        return True
    return False


def _drop_stdout() -> None:
    """Point a failed stdout at /dev/null so the interpreter's last flush cannot fail again."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


_ROOT_OPTIONS_WITH_VALUE = ("--db", "--policies", "--calendar")


def _first_phrase(text: str, width: int = 24) -> str:
    """The help's first phrase, for a completion menu: click would cut a Chinese sentence, which
    has no spaces, down to "..." (zsh showed `correct:...`)."""
    import re

    phrase = re.split(r"[。；（(]", text.strip().splitlines()[0] if text.strip() else "")[0]
    return phrase if len(phrase) <= width else phrase[: width - 1] + "…"


def _named_only(info, name: str, menu: bool):
    """A command as the root's help or a Tab on its name sees it: its name and help, no
    parameters to inspect; `menu`: described by its first phrase (a completion menu)."""
    import inspect

    from typer.models import CommandInfo

    def no_parameters() -> None:
        pass

    text = info.help or inspect.getdoc(info.callback) or ""
    return CommandInfo(
        name,
        callback=no_parameters,
        help=text,
        short_help=info.short_help or (_first_phrase(text) if menu else None),
        hidden=info.hidden,
        deprecated=info.deprecated,
    )


def _resolve_annotations(func) -> None:
    """Typer reads a command's annotations twice (inspect.signature with eval_str, then
    get_type_hints), compiling each text annotation both times: 4 ms of building `file`.
    Evaluated once here, as one tuple (one compile, not one per option: 0.65 -> 0.47 ms for
    `file`), they are objects when typer reads them."""
    texts = {k: a for k, a in func.__annotations__.items() if isinstance(a, str)}
    if texts:
        tuple_text = "(" + "),(".join(texts.values()) + "),"
        values = eval(compile(tuple_text, func.__code__.co_filename, "eval"), func.__globals__)
        func.__annotations__ = {**func.__annotations__, **dict(zip(texts, values, strict=True))}


@contextmanager
def _only_the_invoked_command(args: list[str]):
    """Typer turns every registered command into a click command on each run (0.2 ms per
    command, and a command's whole parameter list is inspected); one run needs one. When the
    arguments name a known command, only it is built, the root options and callback staying
    as they are; the root help and a mistyped name see every command, and so does a Tab that
    completes a command's name (a Tab after it gets the words typed in full: complete.py)."""
    from os import environ

    from typer.main import get_command_name

    name = None
    rest = iter(args)
    for arg in rest:
        if arg in _ROOT_OPTIONS_WITH_VALUE:
            next(rest, None)
        elif not arg.startswith("-"):
            name = arg
            break
        elif not arg.startswith(tuple(f"{o}=" for o in _ROOT_OPTIONS_WITH_VALUE)):
            break  # --help, --install-completion, …: the root's own business
    commands, groups = app.registered_commands, app.registered_groups
    named = lambda info, fallback: info.name or get_command_name(fallback)  # noqa: E731
    keep_commands = [c for c in commands if named(c, c.callback.__name__) == name]
    keep_groups = [g for g in groups if g.name == name]
    if name == "demo":  # it runs the other commands
        yield
        return
    for info in keep_commands:
        _resolve_annotations(info.callback)
    for group in keep_groups:
        for info in group.typer_instance.registered_commands:
            _resolve_annotations(info.callback)
    _resolve_annotations(root)
    if not (keep_commands or keep_groups):
        # no command named (the root's help, a Tab on a command's name) or an unknown one (the
        # nearest is suggested): names and help are needed, not any command's parameters
        menu = environ.get("_YAOQING_COMPLETE", "").startswith("complete_")
        keep_commands = [_named_only(c, named(c, c.callback.__name__), menu) for c in commands]
        keep_groups = groups
    app.registered_commands, app.registered_groups = keep_commands, keep_groups
    try:
        yield
    finally:
        app.registered_commands, app.registered_groups = commands, groups


def main(argv: list[str] | None = None) -> None:
    """Run the CLI: every error becomes one line on stderr and a documented exit code.

    Once a write has committed (store.COMMITS), any later failure (stdout closed or full,
    Ctrl-C, anything) is told as "已记录：… 已写入日志，但随后…" with exit code 3 (RECORDED);
    before it, the log is unchanged and the message says so. `argv` given means called in
    process (tests): the caller's Ctrl-C handler is put back at the end."""
    import gc
    import os
    import signal

    previous_sigint = signal.getsignal(signal.SIGINT)
    _tolerant_output()
    _commits().clear()
    debug = bool(os.environ.get("YAOQING_DEBUG"))
    from yaoqing_cli.garbled import garbled_input

    garbled = garbled_input(sys.argv[1:] if argv is None else argv)
    if garbled:
        raise SystemExit(
            _fail(f"{garbled} 含有空字符或无效的 UTF-8 字节；请使用 UTF-8 文字", ExitCode.USAGE)
        )
    # A command lives for well under a second and makes little cyclic garbage; the cyclic
    # collector would keep re-walking every object it built (3-5 ms on a 14 000-line board).
    collecting = gc.isenabled()
    gc.disable()
    code: int = ExitCode.OK
    failure: str | None = None  # what went wrong, for the one line on stderr
    # Ctrl-C as KeyboardInterrupt only from here, where it is caught: before, the handler the
    # program started with (entry.py) ends it quietly, the log unchanged
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        try:
            words = sys.argv[1:] if argv is None else argv
            if os.environ.get("_YAOQING_COMPLETE"):  # a Tab: the words already typed in full
                from yaoqing_cli.complete import words_typed

                words = words_typed()
            with _only_the_invoked_command(words):
                result = command_tree()(args=argv, prog_name="yaoqing", standalone_mode=False)
            code = result if isinstance(result, int) else ExitCode.OK
            if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into Exit(130), silently
                failure = "已中断（Ctrl-C）；日志未改动"
            sys.stdout.flush()  # a full disk or closed pipe under stdout shows here, not later
        finally:
            _hold_interrupts()
    except YaoqingError as err:
        failure, code = str(err), err.exit_code
    except click_errors.NoArgsIsHelpError as err:
        try:
            typer.echo(err.ctx.get_help() if err.ctx else str(err))
            code = ExitCode.OK
        except (OSError, ValueError):  # the help could not be printed (stdout full or closed)
            _drop_stdout()
            failure, code = "结果未能输出", ExitCode.FAILED
    except click_errors.UsageError as err:
        from yaoqing_cli.clitext import usage_message

        hint = f"（{err.ctx.command_path} --help 查看用法）" if err.ctx else ""
        failure, code = f"用法错误：{usage_message(err)}{hint}", ExitCode.USAGE
    except click_errors.ClickException as err:
        failure, code = err.format_message(), err.exit_code
    except typer.Abort:
        failure, code = "已取消", ExitCode.FAILED
    except KeyboardInterrupt:
        failure, code = "已中断（Ctrl-C）；日志未改动", ExitCode.INTERRUPTED
    except SystemExit as done:  # click's own answer to a closed stdout pipe: exit 1
        code = done.code if isinstance(done.code, int) else ExitCode.FAILED
        if code != ExitCode.OK and _commits():
            failure = _OUTPUT_FAILED[errno.EPIPE]
    except Exception as err:  # the last net: a traceback must never reach an officer
        if _caused_by_interrupt(err):  # e.g. RuntimeError around a Ctrl-C inside class creation
            failure, code = "已中断（Ctrl-C）；日志未改动", ExitCode.INTERRUPTED
        elif (isinstance(err, OSError) and err.errno in _OUTPUT_FAILED) or _stdout_failed():
            # What the command printed could not be delivered (files it writes itself are
            # checked where it writes them): stdout is a closed pipe or on a full disk.
            _drop_stdout()
            code = ExitCode.FAILED
            failure = _OUTPUT_FAILED.get(getattr(err, "errno", None), f"结果未能输出（{err}）")
            if isinstance(err, BrokenPipeError) and not _commits():
                failure = None  # the reader closed the pipe on purpose (| head): nothing to say
        elif debug:
            raise
        else:
            import sqlite3

            if isinstance(err, sqlite3.Error):
                failure = _sqlite_failure(str(err))
            else:
                failure = f"内部错误：{type(err).__name__}: {err}（设 YAOQING_DEBUG=1 查看详情）"
            code = ExitCode.FAILED
    finally:
        if collecting:  # tests run many commands in one process
            gc.enable()
    commits = _commits()
    interrupted = code == ExitCode.INTERRUPTED
    if code != ExitCode.OK and commits:
        if interrupted:
            failure = "被中断（Ctrl-C）"
        code = _recorded(commits, failure or "出错")
    elif failure is not None:
        if code == ExitCode.FAILED and failure.startswith(("内部错误", "结果未能输出")):
            failure += "；日志未改动"
        code = _fail(failure, code)
    if argv is not None:
        signal.signal(signal.SIGINT, previous_sigint)
    elif interrupted:
        # CPython 3.11 remembers a KeyboardInterrupt that passed through code run by exec()
        # (dataclasses, imported mid-command) and, at exit, kills the process with SIGINT
        # instead of exiting with our code; leave without that epilogue.
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        os._exit(int(code))
    raise SystemExit(int(code))


__all__ = ["UsageError", "app", "main"]
