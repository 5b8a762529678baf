"""Run the work that grows with the corpus on Dask distributed, with the same results.

The stages (ingest, extract, topics) take an optional :class:`Executor`: without one they
run in this process exactly as before; with one (an :class:`~corpus.engine.cluster.Engine`
over a ``dask.distributed`` client) they send partitions of their work to the cluster's
workers and get compact results back, in input order, so the tables they write are
byte-identical. The client stays the one writer of the store.

* :mod:`corpus.engine.base`: the :class:`Executor` protocol the stages see (no Dask import);
* :mod:`corpus.engine.cluster`: options -> client (``LocalCluster`` or a scheduler address),
  connection timeout, version check of the workers, ordered partition map with retries
  counted, what the manifest records;
* :mod:`corpus.engine.tasks`: the partition functions the workers run;
* :mod:`corpus.engine.plugin`: the worker plugin that loads models once per worker.
"""

from __future__ import annotations

from corpus.engine.base import Executor, describe_items

__all__ = ["Executor", "describe_items"]
