"""Pure helpers every feature shares: rendering, message splitting, time parsing, quiet hours,
input errors, the callback-data codec and throttles (once per key per window).
"""
