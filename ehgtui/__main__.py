from ehgtui.cli.main import main

main()
