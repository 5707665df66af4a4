import sys

from bot.cli import main

if __name__ == "__main__":  # a spawned child (the XLSX reader) must not start the bot again
    sys.exit(main())
