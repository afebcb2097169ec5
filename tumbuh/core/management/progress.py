"""Progress of a long command on stderr: a line per step, a byte bar under it (tqdm)."""

from __future__ import annotations

from typing import Self

from tqdm import tqdm


class Progress:
    """``say(text)`` prints a step; ``advance(done, total)`` moves the bar. ``-v 0`` is silent."""

    def __init__(self, stream, verbosity: int = 1):
        self.stream, self.quiet, self.bar = stream, verbosity < 1, None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def say(self, text: str) -> None:
        self._close()
        if not self.quiet:
            print(text, file=self.stream, flush=True)

    def advance(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self.bar = tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                file=self.stream,
                dynamic_ncols=True,
                mininterval=0.5,
                delay=0.5,
            )
        self.bar.update(done - self.bar.n)
