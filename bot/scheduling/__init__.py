"""Everything that fires later: schedules in SQLite woken by APScheduler, and what each kind of
schedule sends.
"""
