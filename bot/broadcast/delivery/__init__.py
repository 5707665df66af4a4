"""The delivery engine that drains the outbox into the Bot API within Telegram's limits, over its
own HTTP transport.
"""
