"""Hostile users against the real bot: fuzzed commands and buttons, and the issue's scenarios."""
