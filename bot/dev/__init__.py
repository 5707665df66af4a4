"""Tools for developing without Telegram: the local Bot API sandbox, the in-process test bed and
the scripted demo.
"""
