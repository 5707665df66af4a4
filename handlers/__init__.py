"""Telegram-facing code only: one module (or package) per feature, each turning updates into
calls of services and repositories and replies. No SQL here; handlers never import each other."""
