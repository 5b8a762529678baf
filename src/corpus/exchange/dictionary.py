"""What each column of the exported tables means (the data dictionary's ``meaning``).

Meanings are looked up by ``(table, column)`` first, then by column name alone; the
columns of the ``dimensions`` table are the ten dimensions a definition is coded on.
"""

from __future__ import annotations

from collections.abc import Mapping

_OFFSETS = "in characters (code points) of the document's clean text, 0-based"

#: Meaning of a column wherever it appears (unless a table overrides it).
COLUMNS: dict[str, str] = {
    "doc_id": "document id: the first 16 hex digits of the SHA-256 of its clean text",
    "passage_id": "passage id: the document id and the passage's number",
    "path": "the file, relative to the corpus folder",
    "format": "the file's format (txt, md, html, pdf, docx, odt, iramuteq)",
    "title": "the document's title (metadata.csv, front matter or the file itself)",
    "genre": "document genre: declaration, report, project, call, news, academic, blog, other",
    "year": "year of publication",
    "date": "date of publication as given (ISO 8601 when known)",
    "author": "author (person or body) as given",
    "organisation": "organisation publishing the document",
    "region": "region the document is about or comes from",
    "language": "detected language code (fr, en...)",
    "is_french": "whether the document is in French (only French documents are extracted)",
    "extra": "other metadata columns of metadata.csv, as a JSON object",
    "text": "the clean text (boilerplate removed), which every offset points into",
    "n_words": "number of words",
    "n_passages": "number of passages",
    "source_sha256": "SHA-256 of the raw file's bytes",
    "boilerplate_removed": "web boilerplate removed from the page (JSON list of lines)",
    "index": "the passage's number in its document, from 0",
    "start": f"start of the span {_OFFSETS}",
    "end": f"end of the span (exclusive) {_OFFSETS}",
    "code": "error code (E-INGEST-...) of the rejection",
    "reason": "why, in words, with what to do",
    "doc_id_a": "first document of the pair",
    "doc_id_b": "second document of the pair",
    "path_a": "file of the first document",
    "path_b": "file of the second document",
    "kind": "kind of record (exact or near duplicate; org or person for actors)",
    "similarity": "similarity of the pair (Jaccard estimate; 1 for exact duplicates)",
    "definition_id": "definition id: the document id and the definition's number",
    "term": "the defined term, lower case",
    "cue": "the wording that triggered the extraction (a verb, a pattern, a lexicon entry)",
    "source": "who the text says the definition is by (empty if unstated)",
    "confidence": "confidence of the extraction, 0 to 1",
    "dimensions": "ids of the dimensions the definition mobilises",
    "name": "the actor's name (best full form)",
    "acronym": "the acronym given with the name, if any",
    "sector": "sector: public, entreprise, ess, recherche, citoyens, autre",
    "origin": "how the mention was found (ner, pattern, lexicon)",
    "roles": "roles in the process (porteur, bailleur, partenaire, preneur) with evidence",
    "byline": "whether the mention is the document's author line",
    "canonical": "the canonical name from the actor lexicon, if any",
    "heading": "whether the mention is in a heading",
    "weak": "whether the mention is weak evidence on its own (a heading, a list)",
    "actor_id": "actor id: the document id and the actor's number",
    "aliases": "other forms of the name (acronyms first)",
    "n_mentions": "number of mentions",
    "evidence": "the sentence that supports the extraction",
    "first_start": f"start of the first mention {_OFFSETS}",
    "category": "the unnamed actor category as written (les familles, les municipalités...)",
    "need": "social need: emploi, logement, sante, vieillissement, petite_enfance, "
    "education, alimentation, mobilite, pauvrete_exclusion, discriminations, "
    "environnement, lien_social, culture, numerique",
    "context": "where the mention sits (plain text, heading, list of sectors...)",
    "context_cue": "the wording that set the context, if any",
    "score": "strength of the evidence (summed over mentions for a document)",
    "weight": "weight of the mention in the document-level decision",
    "object": "what the text says there is a need for ('besoin de X')",
    "stage": "stage of the process: emergence, diagnostic, coconstruction, "
    "experimentation, mise_en_oeuvre, diffusion, evaluation",
    "topic": "topic id (-1: outlier passages that fit no topic)",
    "label": "the topic's label (its top terms)",
    "size": "number of passages in the topic",
    "terms": "the topic's top terms (c-TF-IDF)",
    "weights": "the c-TF-IDF weight of each top term",
    "representative_ids": "ids of the passages most representative of the topic",
    "representative_texts": "texts of those passages",
    "share": "share of the document's passages in the topic",
    "dominant": "whether it is the document's most frequent topic",
    "previous_topic": "the matching topic of the previous run (empty if new)",
    "kept": "whether the topic kept the previous run's id",
    "previous_label": "the label of the matching topic of the previous run",
    "probability": "probability of the passage's topic",
}

#: Meanings that differ in one table.
TABLE_COLUMNS: dict[tuple[str, str], str] = {
    ("documents", "path"): "the raw file, relative to the corpus folder",
    ("passages", "text"): "the passage's text (= the document's text[start:end])",
    ("rejected", "path"): "the file that could not be ingested",
    ("definitions", "text"): "the definition, verbatim (= the document's text[start:end])",
    ("definitions", "year"): "year the text gives for the definition, if any",
    ("mentions", "text"): "the mention as written (= the document's text[start:end])",
    ("mentions", "name"): "the name the mention gives (cleaned of articles and titles)",
    ("mentions", "sector"): "sector of the mentioned actor",
    ("actors", "roles"): "role ids the document gives the actor",
    ("actors", "evidence"): "evidence of each role: role, cue, sentence and its offsets (JSON)",
    ("actors", "kind"): "org (organisation) or person",
    ("mentions", "features"): "the candidate's features for the trained scorers (JSON)",
    ("mentions", "filtered"): "a candidate the rules alone would drop (a scorer decides)",
    ("actors", "sector_confidence"): "probability of the actor's sector (trained scorer)",
    ("actors", "confidence_porteur"): "probability that the actor carries the project",
    ("actors", "confidence_bailleur"): "probability that the actor funds it",
    ("actors", "confidence_partenaire"): "probability that the actor supports it",
    ("actors", "confidence_preneur"): "probability that the actor takes it up",
    ("actor_types", "text"): "the category as written (= the document's text[start:end])",
    ("actor_types", "sector"): "sector the category belongs to",
    ("doc_actor_types", "sector"): "sector of unnamed actor categories the document discusses",
    ("needs", "text"): "the words naming the need (= the document's text[start:end])",
    ("free_needs", "text"): "the 'besoin de X' phrase (= the document's text[start:end])",
    ("free_needs", "need"): "the need id it maps to, if any",
    ("doc_needs", "n_passages"): "passages that mention the need",
    ("doc_needs", "score"): "summed evidence of the need in the document",
    ("stages", "text"): "the words naming the stage (= the document's text[start:end])",
    ("doc_stages", "n_passages"): "passages that describe the stage",
    ("goals", "term"): "what has the goal (le projet, l'initiative...)",
    ("goals", "text"): "the goal sentence (= the document's text[start:end])",
    ("skipped", "reason"): "why the document was not extracted (not French)",
    ("topics", "topic"): "topic id (-1: the outlier passages)",
    ("passage_topics", "topic"): "the passage's topic (-1: outlier)",
    ("document_topics", "n_passages"): "passages of the document in the topic",
    ("topic_alignment", "topic"): "topic id in this run",
    ("topic_alignment", "similarity"): "cosine similarity of the term weights of the two topics",
    ("dimensions", "source"): "who the text says the definition is by",
    ("dimensions", "term"): "the defined term",
}


def column_meaning(table: str, column: str, dimensions: Mapping[str, str]) -> str:
    """The meaning of ``column`` of ``table``.

    Args:
        table: The table's name.
        column: The column's name.
        dimensions: ``{dimension id: label}`` (the ``dimensions`` table's flag columns).
    """
    if (table, column) in TABLE_COLUMNS:
        return TABLE_COLUMNS[(table, column)]
    if table == "dimensions" and column in dimensions:
        return f"true if the definition mobilises the dimension « {dimensions[column]} »"
    if column in COLUMNS:
        return COLUMNS[column]
    if column.endswith("_start") or column.endswith("_end"):
        return f"{column.rsplit('_', 1)[1]} of the {column.rsplit('_', 1)[0]} {_OFFSETS}"
    return "a field added by an extraction component (see its documentation in the README)"
