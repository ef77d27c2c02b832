from tierdesk.cli import main

main()
