"""Pure helpers every feature shares: rendering, message splitting, time parsing, quiet hours,
input errors and the callback-data codec.
"""
