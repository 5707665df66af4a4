"""Progress lines for long command-line work (backups, imports)."""

from __future__ import annotations

from typing import TextIO


class ProgressPrinter:
    """Prints ``label: done/total unit (NN%)`` as work advances.

    On a terminal the line is rewritten in place; otherwise (a log file, CI) a new line is
    printed only when the percentage has moved by ``step_percent`` since the last one, so a
    large job prints a handful of lines, not thousands. Jobs finished in a single step print
    nothing.
    """

    def __init__(self, label: str, unit: str, stream: TextIO, *, step_percent: int = 10) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream
        self.step_percent = step_percent
        self.tty = stream.isatty()
        self._last_percent = -1
        self._printed = False

    def __call__(self, done: int, total: int) -> None:
        if total <= 0 or (done >= total and not self._printed):
            return
        percent = min(100, done * 100 // total)
        line = f"{self.label}: {done}/{total} {self.unit} ({percent}%)"
        if self.tty:
            self.stream.write("\r" + line)
        elif (
            self._last_percent < 0
            or percent - self._last_percent >= self.step_percent
            or (done >= total and percent != self._last_percent)
        ):
            self.stream.write(line + "\n")
        else:
            return
        self._last_percent = percent
        self._printed = True
        self.stream.flush()

    def finish(self) -> None:
        """End the in-place line on a terminal."""
        if self.tty and self._printed:
            self.stream.write("\n")
            self.stream.flush()
