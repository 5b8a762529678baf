"""An executor for the engine tests: partitions run here, pickled as they would travel."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Pickled:
    """Runs each partition here, inputs and results pickled as they travel to workers."""

    def __init__(self) -> None:
        self.partitions = 0

    def map(
        self,
        func: Callable[[Any, Any], Any],
        items: Iterable[Any],
        *,
        shared: Any = None,
        label: str,
        describe: Any = None,
        total: int | None = None,
        progress: bool = True,
    ) -> Iterator[Any]:
        for item in items:
            self.partitions += 1
            result = func(pickle.loads(pickle.dumps(shared)), pickle.loads(pickle.dumps(item)))
            yield pickle.loads(pickle.dumps(result))
