"""spaCy factories of our components, all registered here.

``import corpus.nlp.factories`` (done by :mod:`corpus.nlp.pipeline`, or by spaCy's entry
points) makes ``nlp.add_pipe("corpus_definitions")`` and friends available. Each factory
takes ``resources``: a path to a resource file or folder that replaces the packaged one,
so a researcher can extend a lexicon without touching code.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language

from corpus.nlp.extensions import register_extensions

register_extensions()


@Language.factory("corpus_definitions", default_config={"resources": None})
def make_definitions(nlp: Language, name: str, resources: str | None) -> Any:
    """Definitions of terms (and goal statements kept apart)."""
    from corpus.nlp.definitions import DefinitionFinder

    return DefinitionFinder(nlp, name, resources=resources)


@Language.factory("corpus_actors", default_config={"resources": None})
def make_actors(nlp: Language, name: str, resources: str | None) -> Any:
    """Named actors with sector and roles, and unnamed actor categories."""
    from corpus.nlp.actors import ActorFinder

    return ActorFinder(nlp, name, resources=resources)


@Language.factory("corpus_needs", default_config={"resources": None})
def make_needs(nlp: Language, name: str, resources: str | None) -> Any:
    """Social needs from the taxonomy, plus free 'besoin de X' phrases."""
    from corpus.nlp.needs import NeedFinder

    return NeedFinder(nlp, name, resources=resources)


@Language.factory("corpus_stages", default_config={"resources": None})
def make_stages(nlp: Language, name: str, resources: str | None) -> Any:
    """Stages of the social-innovation process."""
    from corpus.nlp.stages import StageFinder

    return StageFinder(nlp, name, resources=resources)
