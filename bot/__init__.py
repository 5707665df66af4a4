"""The application: settings, the wiring of the PTB ``Application`` and its per-update context,
the command line, and one subpackage per feature (see docs/ARCHITECTURE.md for the map)."""
