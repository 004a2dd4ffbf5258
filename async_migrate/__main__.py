from async_migrate.cli import main

main()
