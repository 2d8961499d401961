"""Progress for long commands: a rich bar on a terminal, plain lines in logs and CI."""

from __future__ import annotations

import contextlib
import time


def row_progress(console):
    """A rich progress bar counting rows on a terminal; nothing in pipes and CI."""
    if not console.is_terminal:
        return contextlib.nullcontext()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@contextlib.contextmanager
def counted_progress(console, total: int, description: str):
    """Yield `advance()`, called once per unit of work: a rich bar with the time left on a terminal,
    a line at every tenth elsewhere (logs, CI), so a long run is never silent."""
    if console.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(
            *columns, TextColumn("left"), TimeRemainingColumn(), console=console, transient=True
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda: bar.advance(task)
        return
    start, done, step = time.monotonic(), 0, max(1, total // 10)

    def advance():
        nonlocal done
        done += 1
        if done % step == 0 or done == total:
            elapsed = time.monotonic() - start
            left = elapsed / done * (total - done)
            console.print(f"{description}: {done}/{total} after {elapsed:.0f} s, about {left:.0f} s left")

    yield advance
