from soulmark.cli import main

main()
