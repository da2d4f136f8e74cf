from clipora_core.cli.shell import main

main()
