"""What a stage needs from an engine: an ordered map of a function over partitions.

Kept free of Dask imports, so the stage modules can name the type without loading the
distributed machinery when they run in one process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs ``func(shared, item)`` for each partition ``item``, somewhere.

    Implementations yield the results in the order of ``items`` (so what the client
    builds from them does not depend on which worker finished first), hold only a
    bounded number of partitions in flight, and raise
    :class:`~corpus.errors.EngineError` naming the partition (``describe(index, item)``)
    when it cannot be computed.
    """

    def map(
        self,
        func: Callable[[Any, T], R],
        items: Iterable[T],
        *,
        shared: Any = None,
        label: str,
        describe: Callable[[int, T], str] | None = None,
        total: int | None = None,
        progress: bool = True,
    ) -> Iterator[R]:
        """Yield ``func(shared, item)`` for each item, in order."""
        ...


def describe_items(names: Sequence[str], *, limit: int = 5) -> str:
    """A short human list of the documents of a partition (``a.txt, b.txt and 3 more``)."""
    shown = ", ".join(names[:limit])
    more = len(names) - limit
    return f"{shown} and {more} more" if more > 0 else shown
