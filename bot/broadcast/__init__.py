"""Sending one piece of content to many chats: the outbox, the quiet-hours send gate, progress and
reports.
"""
