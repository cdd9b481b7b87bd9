"""main() builds only the command the arguments name (cli._only_the_invoked_command): the same
answers as with every command built, wherever the root options stand, and the full set again
for the root help, a mistyped name, completion and the demo."""

import pytest

from yaoqing_cli.cli import app


@pytest.fixture
def initialised(office, tmp_path):
    return tmp_path / "log.db"


def every_command():
    return [info.name or info.callback.__name__ for info in app.registered_commands] + [
        info.name for info in app.registered_groups
    ]


def test_root_options_before_the_command_in_every_spelling(run, initialised, tmp_path):
    other = tmp_path / "other.db"
    made = run("--db", other, "init", "--office", "另一县办公室", "--short", "另一县",
               "--policy", "national", "--drill")  # fmt: skip
    assert made.code == 0, made
    for args in (
        ("--db", other, "status", "--json"),
        (f"--db={other}", "status", "--json"),
        ("--policies", tmp_path, "--db", other, "status", "--json"),
    ):
        result = run(*args)
        assert result.code == 0, result
        assert result.json == []
    assert run("path").out.strip() == str(initialised)


def test_groups_and_their_commands_still_parse(run, initialised):
    result = run("policy", "show", "shandong")
    assert result.code == 0, result
    assert "山东" in result.out
    assert run("calendar", "show", "--year", "2026").code in (0, 2)


def test_the_full_set_is_back_after_each_run(run, initialised):
    before = every_command()
    run("status", "--json")
    run("policy", "list")
    assert every_command() == before
    assert len(before) > 10


def test_root_help_and_a_mistyped_name_see_every_command(run, initialised):
    result = run("--help")
    assert result.code == 0
    for name in ("file", "continue", "close", "status", "report", "verify"):
        assert name in result.out
    typo = run("stauts")
    assert typo.code == 2
    assert "status" in typo.err, typo


def test_the_demo_runs_the_other_commands(run):
    result = run("demo")
    assert result.code == 0, result
    assert "已记录首报" in result.out
