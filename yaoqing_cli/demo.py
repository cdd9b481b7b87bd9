"""`yaoqing demo`: a scripted night shift on a throwaway log, printed as the commands a user types.

It runs the real command line (parsing, log, policies, engine) against a temporary file, with
times relative to now, so what a new user sees is exactly what their own log would show.
"""

import os
import shlex
import shutil
import tempfile
from pathlib import Path

import typer

SCRIPT = [
    [
        "init",
        "--office",
        "演示市人民政府办公厅",
        "--short",
        "演示市",
        "--policy",
        "inner-mongolia",
        "--officer",
        "李值班",
        "--drill",  # a demonstration is a drill: every heading and board says 演练
    ],
    # Inner Mongolia: written report within 2 h of the event, first follow-up within 1 h of it.
    [
        "file",
        "--title",
        "某旗煤矿井下透水，9人被困",
        "--kind",
        "emergency",
        "--level",
        "重大",
        "--occurred",
        "3小时前",
        "--received",
        "2小时45分钟前",
        "--at",
        "2小时30分钟前",
        "--unit",
        "某旗人民政府",
        "--location",
        "某旗某煤矿井下",
        "--consequences",
        "9人被困，暂无伤亡报告",
        "--measures",
        "启动应急预案，救援队已下井",
        "--caller",
        "某旗应急管理局 王科长 0471-0000000",
        "--channel",
        "电话",
    ],
    # The phone call is not the written report (内政办发〔2014〕109号 二(一)): the written
    # material follows, within 2 h of the event.
    [
        "continue",
        "{1}",
        "--done",
        "report",
        "--text",
        "已报送书面报告，救援队已联系上被困人员",
        "--at",
        "2小时前",
    ],
    # Who was told, and how (已报告): the policy's recipient, named without its gloss.
    ["notify", "{1}", "--who", "自治区人民政府办公厅", "--by", "电话", "--at", "2小时40分钟前"],
    # Shandong: an opinion about a major emergency: authoritative information within 5 h,
    # press conference within 24 h (鲁政办发〔2018〕18号 三).
    [
        "file",
        "--policy",
        "shandong",
        "--kind",
        "opinion",
        "--about-level",
        "II",
        "--title",
        "网传某小区自来水污染",
        "--occurred",
        "4小时前",
        "--at",
        "3小时前",
        "--unit",
        "某区人民政府",
        "--location",
        "某区某小区",
        "--summary",
        "多名居民在网上反映自来水发黄",
        "--trend",
        "转发量持续上升",
    ],
    [
        "continue",
        "{2}",
        "--done",
        "publish",
        "--text",
        "区政府网站发布水质检测结果",
        "--at",
        "30分钟前",
    ],
    # Yunnan: an appeal from a citizen is answered within 20 working days.
    [
        "file",
        "--policy",
        "云南",
        "--kind",
        "message",
        "--class",
        "appeal",
        "--title",
        "网民反映某路段路灯长期损坏",
        "--occurred",
        "2天前",
        "--at",
        "1天前",
        "--unit",
        "市住房城乡建设局",
        "--category",
        "民生热点",
        "--channel",
        "领导信箱",  # 云政办发〔2016〕106号 四(三): 各地各部门主要领导信箱
    ],
    # The message is handed to the unit that must answer it (转办), on its own clock.
    ["assign", "{3}", "--to", "市住房城乡建设局", "--task", "核实并修复路灯", "--at", "20小时前"],
    # A warning that did not come true is not a wrong report (鲁政办字〔2016〕86号 第18条).
    [
        "file",
        "--policy",
        "shandong",
        "--kind",
        "warning",
        "--title",
        "寒潮蓝色预警",
        "--occurred",
        "6小时前",
        "--at",
        "6小时前",
    ],
    ["close", "{4}", "--outcome", "did-not-occur", "--text", "寒潮未达预警标准", "--at", "1小时前"],
    ["status"],
    ["status", "--overdue"],
    ["show", "{1}"],
    # 08:00: the shift hands over; the board as it stands is frozen into the log.
    ["handover", "--to", "王值班", "--note", "透水事故救援进行中，每小时续报"],
    # The log is evidence: every event is chained by SHA-256; verify walks the chain.
    ["verify"],
]


def run_demo(app, keep: bool = False) -> None:
    """Run SCRIPT through `app` (the yaoqing command line as Click runs it, handed in by the demo
    command: cli.command_tree())."""
    folder = Path(tempfile.mkdtemp(prefix="yaoqing-demo-"))
    log = folder / "demo.db"
    saved = {name: os.environ.get(name) for name in ("YAOQING_DB", "YAOQING_OFFICER")}
    os.environ["YAOQING_DB"] = str(log)
    os.environ.pop("YAOQING_OFFICER", None)
    typer.echo(f"演示日志：{log}（临时文件{'，已保留' if keep else '，结束后删除'}）\n")
    ids: list[str] = []
    try:
        for step in SCRIPT:
            args = [a.format(*[None, *ids]) if "{" in a else a for a in step]
            if args[0] == "file":
                args.append("--json")
            typer.echo(f"$ yaoqing {shlex.join(a for a in args if a != '--json')}")
            if args[0] == "file":
                import contextlib
                import io
                import json

                buffer = io.StringIO()
                with contextlib.redirect_stdout(buffer):
                    app(args=args, prog_name="yaoqing", standalone_mode=False)
                filed = json.loads(buffer.getvalue())
                ids.append(filed["id"])
                typer.echo(
                    f"【演练】已记录首报 {filed['id']}\n{filed['heading']}：{filed['title']}"
                )
            else:
                app(args=args, prog_name="yaoqing", standalone_mode=False)
            typer.echo("")
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
