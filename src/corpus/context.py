"""What a stage is given about a corpus: its paths, its settings and its store.

The stages (``corpus.ingest``, ``corpus.extract``, ``corpus.topics``...) take a
:class:`CorpusContext` and never import :mod:`corpus.api`, the face that composes them:
data flows one way, from the raw files through the stages to the API. A
:class:`corpus.api.Corpus` handle carries its context (``handle.context``), and every stage
function accepts the handle too (:func:`as_context`), so notebooks and tests may pass
either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from corpus.config import CorpusConfig, CorpusLocation
from corpus.store import Store


class Located:
    """The paths and settings of anything with a ``location`` (contexts and handles)."""

    location: CorpusLocation

    @property
    def path(self) -> Path:
        """The corpus folder."""
        return self.location.path

    @property
    def raw_dir(self) -> Path:
        """The folder of raw files (never modified)."""
        return self.location.raw_dir

    @property
    def config(self) -> CorpusConfig:
        """Settings from ``corpus.yaml`` (defaults for a plain folder)."""
        return self.location.config


@dataclass(frozen=True)
class CorpusContext(Located):
    """A corpus as the stages see it.

    Attributes:
        location: Where the raw files, settings and store are.
        store: The derived-data store.
    """

    location: CorpusLocation
    store: Store


@runtime_checkable
class HasContext(Protocol):
    """Anything that carries a :class:`CorpusContext` (a :class:`corpus.api.Corpus`)."""

    @property
    def context(self) -> CorpusContext:
        """The corpus's context."""
        ...


def as_context(corpus: CorpusContext | HasContext) -> CorpusContext:
    """The context of ``corpus``: itself if it is one, else its ``context``.

    Args:
        corpus: A context or a handle carrying one.
    """
    return corpus if isinstance(corpus, CorpusContext) else corpus.context
