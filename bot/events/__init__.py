"""Dated events for the agents: holiday greetings on the festival calendar, and trainings with
RSVPs and reminders.
"""
