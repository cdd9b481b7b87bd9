"""Every exit code in errors.ExitCode, as README's table documents it, met through the CLI."""

from conftest import dump_log

from yaoqing_cli.errors import ExitCode


def test_the_documented_exit_codes(office, db_path):
    run = office
    assert run("path").code == ExitCode.OK == 0
    assert run("show", "20991231-999").code == ExitCode.FAILED == 1  # no such item
    assert run("status", "--no-such-option").code == ExitCode.USAGE == 2


def test_ctrl_c_exits_130_with_the_log_unchanged(office, db_path, monkeypatch):
    from yaoqing_cli import service

    run = office
    before = dump_log(db_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(service, "file_item", interrupted)
    result = run("file", "--title", "某县国道山体滑坡", "--occurred", "今天 8:00")
    assert result.code == ExitCode.INTERRUPTED == 130, result
    assert result.err == "错误：已中断（Ctrl-C）；日志未改动\n", repr(result.out + "|" + result.err)
    assert dump_log(db_path) == before
