"""`python -m bot.cli`: the same as the `setback` command."""

from bot.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
