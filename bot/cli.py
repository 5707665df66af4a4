"""Command line: ``agentbot run`` (the bot) and ``agentbot demo`` (the no-token sandbox story)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot with long polling")
    run.add_argument("--config", type=Path, help="config.toml (default: $AGENTBOT_CONFIG)")
    demo = commands.add_parser("demo", help="play the scripted story against the local sandbox")
    demo.add_argument("--verbose", action="store_true", help="also print the bot's log")
    return parser


def _run(config: Path | None) -> int:
    from bot.app import ALLOWED_UPDATES, build_application

    try:
        settings = load_settings(config)
    except ConfigError as error:
        print(f"agentbot: {error}", file=sys.stderr)
        return 2
    if settings.token is None:
        print(
            "agentbot: no bot token: set `token` in the config file or AGENTBOT_TOKEN "
            "(get one from @BotFather); `agentbot demo` runs without one",
            file=sys.stderr,
        )
        return 2
    setup_logging(settings.log_level, settings.token.get_secret_value())
    application = build_application(settings)
    application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "run":
        return _run(arguments.config)
    from bot.demo import run_demo

    return asyncio.run(run_demo(verbose=arguments.verbose))


if __name__ == "__main__":
    sys.exit(main())
