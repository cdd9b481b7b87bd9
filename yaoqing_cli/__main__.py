from yaoqing_cli.entry import run

run()
