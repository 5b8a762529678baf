"""Models loaded once per worker, and pipelines that travel without a shared filesystem.

:class:`ModelPlugin` is registered on every worker when the engine connects; the
partition functions ask it for the extraction pipeline, the lemmatiser or the embedder,
which it builds on first use and keeps for the worker's life (a worker runs many
partitions; loading ``fr_core_news_md`` per task would cost more than the work).

A pipeline with resource overrides (``defaults.resources`` in ``corpus.yaml``) names
folders on the client's disk: :func:`pipeline_spec` carries their bytes, and the worker
writes them once to a local folder named by their hash (:func:`materialise`).
"""

from __future__ import annotations

import hashlib
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin

from corpus.store import atomic_write_bytes

#: A resource override as it travels: component, whether it is one file, its files.
Resource = tuple[str, bool, tuple[tuple[str, bytes], ...]]


@dataclass(frozen=True)
class PipelineSpec:
    """What a worker needs to build the client's extraction pipeline.

    Attributes:
        components: Our components, in pipeline order.
        resources: The override files of each component that has one.
    """

    components: tuple[str, ...]
    resources: tuple[Resource, ...] = ()

    @property
    def digest(self) -> str:
        """Hash of the components and the override bytes (the worker cache key)."""
        digest = hashlib.sha256(repr(self.components).encode())
        for name, single, files in self.resources:
            digest.update(f"{name}\0{single}\0".encode())
            for rel, data in files:
                digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()[:16]


def pipeline_spec(nlp: Any) -> PipelineSpec:
    """The spec of a built pipeline (components and resource override bytes)."""
    from corpus.nlp.pipeline import ALL

    names = tuple(n for n in nlp.pipe_names if n in ALL)
    configs = nlp.config.get("components", {})
    resources: list[Resource] = []
    for name in names:
        value = configs.get(name, {}).get("resources")
        if not value:
            continue
        path = Path(str(value))
        if path.is_file():
            resources.append((name, True, ((path.name, path.read_bytes()),)))
        else:
            files = tuple(
                (f.relative_to(path).as_posix(), f.read_bytes())
                for f in sorted(path.rglob("*"))
                if f.is_file() and "__pycache__" not in f.parts
            )
            resources.append((name, False, files))
    return PipelineSpec(names, tuple(resources))


def materialise(spec: PipelineSpec, root: Path) -> dict[str, str]:
    """Write the spec's override files under ``root/<digest>``; their paths per component."""
    folder = root / spec.digest
    paths: dict[str, str] = {}
    for name, single, files in spec.resources:
        target = folder / name
        for rel, data in files:
            file = target / rel
            if not file.exists():
                atomic_write_bytes(file, data)
        paths[name] = str(target / files[0][0]) if single else str(target)
    return paths


class ModelPlugin(WorkerPlugin):
    """Builds each model on first use and keeps it for the worker's life."""

    name = "corpus-models"

    def __init__(self) -> None:
        self._models: dict[Any, Any] = {}
        self._guard = threading.Lock()
        self._root: Path | None = None

    def setup(self, worker: Any = None) -> None:
        """Called by the worker when the plugin is registered."""
        self._root = Path(tempfile.mkdtemp(prefix="corpus-resources-"))

    def teardown(self, worker: Any = None) -> None:
        """Called when the worker closes: drop the models."""
        self._models.clear()

    def __getstate__(self) -> dict[str, Any]:  # the plugin travels empty
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]

    def _get(self, key: Any, build: Any) -> Any:
        with self._guard:
            if key not in self._models:
                self._models[key] = build()
            return self._models[key]

    def pipeline(self, spec: PipelineSpec) -> Any:
        """The extraction pipeline of ``spec`` (built once per worker)."""
        from corpus.nlp.pipeline import build_pipeline

        def build() -> Any:
            root = self._root or Path(tempfile.mkdtemp(prefix="corpus-resources-"))
            resources = materialise(spec, root)
            return build_pipeline(resources=resources or None, components=spec.components)

        return self._get(("pipeline", spec.digest), build)

    def lemmatiser(self, model: str) -> Any:
        """The lemmatising spaCy pipeline of the topics stage."""
        from corpus.topics.vectorizer import _load_nlp

        return self._get(("lemmatiser", model), lambda: _load_nlp(model))

    def embedder(self, backend: str, model: str | None) -> Any:
        """The passage embedder of the topics stage."""
        from corpus.topics.embeddings import make_embedder

        return self._get(("embedder", backend, model), lambda: make_embedder(backend, model))


_LOCAL = ModelPlugin()


def models() -> ModelPlugin:
    """This worker's :class:`ModelPlugin` (a process-wide one outside a worker)."""
    try:
        from distributed import get_worker

        plugin = get_worker().plugins.get(ModelPlugin.name)
    except ValueError:  # not on a worker
        plugin = None
    return plugin if isinstance(plugin, ModelPlugin) else _LOCAL
