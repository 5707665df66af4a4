"""Command line: ``agentbot run`` (the bot), ``demo`` (the no-token sandbox story), ``backup``
and ``check`` (the database)."""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.logs import setup_logging


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the bot with long polling (or --webhook)")
    run.add_argument("--config", type=Path, help="config.toml (default: $AGENTBOT_CONFIG)")
    run.add_argument(
        "--webhook", action="store_true", help="receive updates by webhook ([webhook] in config)"
    )
    demo = commands.add_parser("demo", help="play the scripted story against the local sandbox")
    demo.add_argument("--verbose", action="store_true", help="also print the bot's log")
    demo.add_argument("--step", action="store_true", help="wait for Enter between scenes")
    backup = commands.add_parser(
        "backup", help="copy the database (safe while the bot runs) and verify the copy"
    )
    backup.add_argument("path", type=Path, help="the backup file, or a folder for a dated file")
    backup.add_argument("--config", type=Path, help="config.toml (default: $AGENTBOT_CONFIG)")
    check = commands.add_parser("check", help="integrity check and schema version of the database")
    check.add_argument("--config", type=Path, help="config.toml (default: $AGENTBOT_CONFIG)")
    return parser


def freeze_startup_objects() -> None:
    """Keep what start-up built (PTB, pydantic, matplotlib: ~140,000 objects) out of future
    garbage collections. Otherwise every full collection walks them all and stalls the event
    loop for 110-145 ms (measured), which a broadcast at the rate limit can never make up;
    after the freeze a full collection only looks at objects made since."""
    gc.collect()
    gc.freeze()


def _run(config: Path | None, webhook: bool = False) -> int:
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
    # Only now: a config mistake is reported without first loading PTB and every handler.
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.webhook import run_webhook, webhook_plan

    try:
        plan = webhook_plan(settings) if webhook else None
    except ConfigError as error:
        print(f"agentbot: {error}", file=sys.stderr)
        return 2
    setup_logging(
        settings.log_level,
        settings.token.get_secret_value(),
        json_lines=settings.log_json,
        secrets=(plan.secret_token,) if plan else (),
    )
    application = build_application(settings)
    freeze_startup_objects()
    if plan is not None:
        run_webhook(application, plan)
        return 0
    application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.command == "run":
        return _run(arguments.config, arguments.webhook)
    if arguments.command in ("backup", "check"):
        from bot.ops.cli import backup_command, check_command

        if arguments.command == "backup":
            return backup_command(arguments.config, arguments.path)
        return check_command(arguments.config)
    from bot.dev.demo.story import run_demo

    return asyncio.run(run_demo(verbose=arguments.verbose, step=arguments.step))


if __name__ == "__main__":
    sys.exit(main())
