"""Run the sandbox standalone: ``python -m bot.dev.sandbox --port 8081 --token 123:ABC``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.dev.sandbox.faults import SandboxLimits
from bot.dev.sandbox.server import Sandbox


async def _serve(args: argparse.Namespace) -> None:
    limits = SandboxLimits() if args.limits else None
    async with Sandbox(
        token=args.token, bot_username=args.username, limits=limits, port=args.port
    ) as sb:
        print(f"base_url={sb.base_url}", flush=True)
        print(f"base_file_url={sb.base_file_url}", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.dev.sandbox", description=__doc__)
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:SANDBOX")
    parser.add_argument("--username", default="agentbot_demo_bot")
    parser.add_argument(
        "--limits", action="store_true", help="enforce Telegram's default flood limits"
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
