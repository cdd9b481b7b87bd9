from yaoqing_cli.cli import main

main()
