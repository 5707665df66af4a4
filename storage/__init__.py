"""SQLite through aiosqlite: the connection and its pragmas, numbered migrations, and one
repository module per aggregate returning typed models. The only place with SQL."""
