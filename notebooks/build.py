"""Build the workbench notebooks from this script: ``.venv/bin/python notebooks/build.py``.

The ``.ipynb`` files are generated (and committed) without outputs, so they stay small
and reviewable; edit the cells here, then rebuild. Each notebook has one cell tagged
``parameters`` (one annotated assignment per line, with a comment) that papermill
documents (``papermill --help-notebook notebooks/01-corpus.ipynb``) and ``corpus run``
checks. Notebooks only call the package and plot: the logic lives in ``corpus``.

Default paths are relative to this folder (the kernel's working folder in JupyterLab);
``corpus run`` passes absolute ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
KERNEL = {"name": "corpus", "display_name": "Python (corpus)", "language": "python"}

SETUP = """
import logging
from pathlib import Path

import plotly.io as pio

import corpus
from corpus.store import atomic_write_csv, atomic_write_parquet

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", force=True)
logging.getLogger("corpus").setLevel(logging.INFO)
# JupyterLab draws the Plotly mimetype; the HTML report uses the HTML alternative,
# which embeds plotly.js (the report works offline).
pio.renderers.default = "plotly_mimetype+notebook"

out = Path(out_dir)
out.mkdir(parents=True, exist_ok=True)
c = corpus.open(corpus_path, scheduler=scheduler or None)
c
"""


def notebook(name: str, cells: list[tuple[str, str]], *, hide_code: bool = False) -> None:
    """Write ``name.ipynb`` from ``(kind, source)`` pairs; kind ``params`` is tagged.

    With ``hide_code`` (a notebook for readers who will not open it), the notebook's
    metadata asks ``corpus run`` for an HTML render without any code, parameters cells
    included, and without log lines; its other code cells are also tagged
    ``hide-input``.
    """
    built = []
    for kind, source in cells:
        text = source.strip("\n")
        if kind == "md":
            built.append(new_markdown_cell(text))
        else:
            cell = new_code_cell(text)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            elif hide_code:
                cell.metadata["tags"] = ["hide-input"]
            built.append(cell)
    for i, cell in enumerate(built):
        cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids: rebuilding changes nothing
    metadata: dict[str, object] = {
        "kernelspec": KERNEL,
        "language_info": {"name": "python"},
    }
    if hide_code:
        metadata["corpus"] = {"hide_code": True}
    nb = new_notebook(cells=built, metadata=metadata)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / f"{name}.ipynb")


# --------------------------------------------------------------------------------------
NB01 = [
    (
        "md",
        """
# 01 — Le corpus : ce qui a été ingéré

Les documents du corpus, les fichiers rejetés (et pourquoi), les doublons repérés, puis
la répartition des documents par genre, région, année et langue.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/01-corpus"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
group_by: list[str] = ["genre", "region", "year", "language"]  # fields to count documents by
heatmap_rows: str = "genre"  # field in the rows of the heatmap
heatmap_columns: str = "region"  # field in the columns of the heatmap
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
from corpus.plots import corpus as corpus_plots

documents, passages = c.documents, c.passages
rejected, duplicates = c.rejected, c.duplicates
summary = corpus_plots.summary(documents, passages, rejected, duplicates)
atomic_write_csv(out / "summary.csv", summary)
summary
""",
    ),
    ("md", "## Documents"),
    (
        "code",
        """
doc_list = corpus_plots.document_list(documents)
atomic_write_csv(out / "documents.csv", doc_list)
atomic_write_parquet(out / "documents.parquet", doc_list)
doc_list
""",
    ),
    ("md", "## Fichiers rejetés\n\nChaque ligne dit ce qui ne va pas et quoi faire."),
    (
        "code",
        """
rejected_sorted = rejected.sort_values("path", kind="stable").reset_index(drop=True)
atomic_write_csv(out / "rejected.csv", rejected_sorted)
corpus_plots.table_figure(
    rejected_sorted,
    title=f"Fichiers rejetés ({len(rejected_sorted)})",
    labels={"path": "Fichier", "code": "Code", "reason": "Motif et solution"},
).show()
""",
    ),
    ("md", "## Doublons\n\nRien n'est supprimé : les paires sont signalées, à vous de décider."),
    (
        "code",
        """
dups = duplicates.sort_values(["path_a", "path_b"], kind="stable").reset_index(drop=True)
atomic_write_csv(out / "duplicates.csv", dups)
corpus_plots.table_figure(
    dups[["path_a", "path_b", "kind", "similarity"]].round({"similarity": 3}),
    title=f"Paires de doublons ({len(dups)})",
    labels={"path_a": "Document A", "path_b": "Document B", "kind": "Type",
            "similarity": "Similarité"},
).show()
""",
    ),
    ("md", "## Répartition des documents"),
    (
        "code",
        """
for field in group_by:
    counts = corpus_plots.counts_by(documents, field)
    atomic_write_csv(out / f"documents_by_{field}.csv", counts)
    corpus_plots.documents_by(documents, field).show()
""",
    ),
    (
        "code",
        """
corpus_plots.heatmap_by(documents, heatmap_rows, heatmap_columns).show()
""",
    ),
]


NB02 = [
    (
        "md",
        """
# 02 — Définitions de l'innovation sociale

Les énoncés qui disent ce qu'est un terme (« X est… », « on entend par X… », « X
désigne… », définitions citées entre guillemets et leur auteur), qui les donne, et
comment chacune se situe sur les dimensions que la littérature compare (besoin social,
nouveauté, participation, bénéfice collectif, transformation systémique, pluralité des
acteurs, territoire, processus, impact, durabilité). Le paramètre `term` restreint
l'analyse à un terme (par exemple « innovation sociale »).
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/02-definitions"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
term: str = ""  # defined term to keep (lower case, e.g. innovation sociale); empty keeps all
min_confidence: float = 0.0  # hide definitions below this confidence (0 to 1)
top_sources: int = 15  # sources shown in the charts
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
from corpus.extract.definitions import compare_by_source, dimensions_table
from corpus.nlp.dimensions import default_coder
from corpus.plots import corpus as corpus_plots

documents = c.documents
definitions = corpus_plots.select_definitions(
    c.definitions(), term=term, min_confidence=min_confidence
)
dimension_labels = {d.id: d.label for d in default_coder().dimensions}
listing = corpus_plots.definition_list(definitions, documents)
atomic_write_csv(out / "definitions.csv", listing)
atomic_write_parquet(out / "definitions.parquet", definitions)
print(f"{len(definitions)} définition(s)" + (f" du terme « {term} »" if term else ""))
listing
""",
    ),
    ("md", "## Qui définit, et quoi"),
    (
        "code",
        """
sources = corpus_plots.value_counts(definitions, "source", missing="(sans source)")
atomic_write_csv(out / "definitions_by_source.csv", sources)
corpus_plots.bar(
    sources.head(top_sources), x="source", y="n", horizontal=True,
    title="Qui définit : définitions par source", x_title="Source", y_title="Définitions",
).show()
terms = corpus_plots.value_counts(definitions, "term")
atomic_write_csv(out / "definitions_by_term.csv", terms)
corpus_plots.bar(
    terms.head(top_sources), x="term", y="n", horizontal=True,
    title="Termes définis", x_title="Terme", y_title="Définitions",
).show()
""",
    ),
    (
        "md",
        "## Définitions × dimensions\n\n"
        "Une ligne par définition, une colonne par dimension : la case est pleine quand la "
        "définition mobilise la dimension.",
    ),
    (
        "code",
        """
coded = dimensions_table(definitions)
atomic_write_csv(out / "dimensions.csv", coded)
corpus_plots.dimensions_heatmap(
    coded.assign(_row=corpus_plots.definition_rows(definitions, documents)),
    dimensions=dimension_labels, row_label="Définition",
    title="Définitions × dimensions",
).show()
""",
    ),
    (
        "md",
        "## Les sources côte à côte\n\n"
        "Pour chaque source, la part de ses définitions qui mobilisent chaque dimension, "
        "et sa définition la plus nette.",
    ),
    (
        "code",
        """
compared = compare_by_source(definitions, term=term or None)
atomic_write_csv(out / "sources_compared.csv", compared)
corpus_plots.dimensions_heatmap(
    compared.head(top_sources), dimensions=dimension_labels, row_label="Source",
    title="Comparaison des sources", percent=True,
).show()
corpus_plots.table_figure(
    compared.head(top_sources)[["source", "n_definitions", "terms", "years", "text"]],
    title="Définition la plus nette de chaque source",
    labels={"source": "Source", "n_definitions": "Définitions", "terms": "Termes",
            "years": "Années", "text": "Définition"},
).show()
""",
    ),
]

NB03 = [
    (
        "md",
        """
# 03 — Acteurs

Les acteurs nommés (organisations et personnes), leur secteur (public, entreprise, ESS,
recherche, citoyens, autre) et leurs rôles dans le processus (porteur, bailleur,
partenaire, preneur) quand le texte les énonce, le réseau des acteurs cités dans un même
passage, et les passages qui fondent chaque rôle.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/03-actors"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
min_mentions: int = 1  # hide actors mentioned fewer times in the corpus
top_n: int = 25  # actors shown in the ranking
seed: int = 42  # seed of the network layout
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
from corpus.extract.actors import cooccurrence_network
from corpus.plots import actors as actor_plots
from corpus.plots import corpus as corpus_plots

documents = c.documents
# List columns come back from Parquet as arrays; the actor functions want lists.
actors = corpus_plots.with_lists(c.actors(), ["aliases", "roles"])
mentions = c.mentions()
table = corpus_plots.actor_list(actors, documents)
atomic_write_csv(out / "actors.csv", table)
atomic_write_parquet(out / "actors.parquet", actors)
table
""",
    ),
    ("md", "## Acteurs par secteur et par rôle"),
    ("code", "actor_plots.sectors_figure(actors).show()"),
    (
        "code",
        """
graph = cooccurrence_network(mentions, actors)
nodes, edges = corpus_plots.network_tables(graph)
atomic_write_csv(out / "network_nodes.csv", nodes)
atomic_write_csv(out / "network_edges.csv", edges)
ranking = nodes[nodes["n_mentions"] >= min_mentions].head(top_n)
corpus_plots.bar(
    ranking, x="name", y="n_mentions", horizontal=True,
    title="Acteurs les plus cités", x_title="Acteur", y_title="Mentions",
).show()
""",
    ),
    (
        "md",
        "## Réseau des acteurs\n\n"
        "Deux acteurs sont reliés quand ils sont nommés dans un même passage ; l'épaisseur "
        "du lien compte ces passages, la taille du nœud les mentions.",
    ),
    (
        "code",
        """
keep = set(nodes.loc[nodes["n_mentions"] >= min_mentions, "node"])
actor_plots.network_figure(graph.subgraph(keep), seed=seed).show()
""",
    ),
    ("md", "## Ce qui fonde chaque rôle"),
    (
        "code",
        """
evidence = corpus_plots.role_evidence(actors, documents)
atomic_write_csv(out / "role_evidence.csv", evidence)
corpus_plots.table_figure(
    evidence.assign(role=evidence["role"].map(corpus_plots.label)),
    title="Rôles des acteurs et passages témoins",
    labels={"name": "Acteur", "role": "Rôle", "cue": "Indice", "evidence": "Extrait",
            "title": "Document"},
).show()
""",
    ),
    ("md", "## Catégories d'acteurs non nommés"),
    (
        "code",
        """
from corpus.extract.actors import document_actor_types

doc_types = document_actor_types(c.actor_types())
atomic_write_csv(out / "actor_types_by_document.csv", doc_types)
by_sector = corpus_plots.value_counts(doc_types, "sector")
corpus_plots.bar(
    by_sector, x="sector", y="n", title="Catégories d'acteurs évoquées : documents par secteur",
    x_title="Secteur", y_title="Documents",
).show()
""",
    ),
]


NB04 = [
    (
        "md",
        """
# 04 — Besoins sociaux et étapes du processus

Les besoins sociaux auxquels les documents disent répondre (taxonomie de
`shared/eval/FORMAT.md`), par document, genre, région et année, avec les passages qui
en témoignent ; puis les étapes du processus d'innovation sociale décrites.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/04-needs"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
group_by: list[str] = ["genre", "region", "year"]  # document fields of the heatmaps
evidence_per_need: int = 3  # evidence passages shown per need and per stage
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
from corpus.extract.needs import document_needs, needs_by
from corpus.extract.stages import document_stages, stages_by
from corpus.plots import corpus as corpus_plots
from corpus.plots import extraction as extraction_plots

documents = c.documents
needs = c.needs()
doc_needs = document_needs(needs)
atomic_write_csv(out / "needs_by_document.csv", doc_needs)
atomic_write_parquet(out / "needs.parquet", needs)
extraction_plots.needs_heatmap(doc_needs, documents).show()
""",
    ),
    (
        "md",
        "## Besoins par genre, région et année\n\n"
        "Part des documents du groupe qui traitent du besoin.",
    ),
    (
        "code",
        """
for field in group_by:
    table = needs_by(needs, documents, field)
    atomic_write_csv(out / f"needs_by_{field}.csv", table)
    extraction_plots.needs_by_heatmap(table, field).show()
""",
    ),
    ("md", "## Passages témoins des besoins"),
    (
        "code",
        """
evidence = corpus_plots.top_evidence(needs, documents, key="need", n=evidence_per_need)
atomic_write_csv(out / "needs_evidence.csv", evidence)
corpus_plots.table_figure(
    evidence.assign(need=evidence["need"].map(extraction_plots.need_labels()).fillna(evidence["need"])),
    title="Besoins : passages témoins",
    labels={"need": "Besoin", "title": "Document", "passage_id": "Passage",
            "evidence": "Extrait", "score": "Score"},
).show()
""",
    ),
    ("md", "## Étapes du processus d'innovation sociale"),
    (
        "code",
        """
stages = c.stages()
doc_stages = document_stages(stages)
atomic_write_csv(out / "stages_by_document.csv", doc_stages)
atomic_write_parquet(out / "stages.parquet", stages)
extraction_plots.stages_heatmap(doc_stages, documents).show()
for field in group_by:
    table = stages_by(stages, documents, field)
    atomic_write_csv(out / f"stages_by_{field}.csv", table)
    extraction_plots.stages_by_heatmap(table, field).show()
""",
    ),
    (
        "code",
        """
stage_evidence = corpus_plots.top_evidence(stages, documents, key="stage", n=evidence_per_need)
atomic_write_csv(out / "stages_evidence.csv", stage_evidence)
corpus_plots.table_figure(
    stage_evidence.assign(
        stage=stage_evidence["stage"].map(extraction_plots.stage_labels()).fillna(stage_evidence["stage"])
    ),
    title="Étapes : passages témoins",
    labels={"stage": "Étape", "title": "Document", "passage_id": "Passage",
            "evidence": "Extrait", "score": "Score"},
).show()
""",
    ),
]

NB05 = [
    (
        "md",
        """
# 05 — Thèmes (BERTopic)

Les thèmes des passages du corpus : étiquettes, termes, passages représentatifs, thèmes
par genre (ou tout autre champ) et dans le temps, hiérarchie. Les plongements viennent
des vecteurs de `fr_core_news_md` (hors ligne) sauf si `embedding_model` nomme un modèle
sentence-transformers installé. Même corpus et même `seed` : mêmes thèmes.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/05-topics"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
seed: int = 42  # random seed (UMAP, k-means, LDA baseline)
n_topics: int = 0  # number of topics wanted; 0 lets the data decide
min_topic_size: int = 0  # smallest topic (HDBSCAN min_cluster_size); 0 adapts it to the corpus
class_field: str = "genre"  # metadata field for the topics-per-class chart
embedding_model: str = ""  # sentence-transformers name or path; empty uses spaCy vectors
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
from corpus.plots import topics as topic_plots

backend = {"embedding_backend": "sentence-transformers", "embedding_model": embedding_model}
result = c.topics(
    seed=seed,
    n_topics=n_topics or None,
    min_topic_size=min_topic_size or None,
    **(backend if embedding_model else {}),
)
table = result.topics[["topic", "label", "size", "terms"]].copy()
table["terms"] = ["; ".join(t) for t in table["terms"]]
atomic_write_csv(out / "topics.csv", table)
atomic_write_parquet(out / "topics.parquet", result.topics)
atomic_write_csv(out / "passage_topics.csv", result.passage_topics)
atomic_write_csv(out / "document_topics.csv", result.document_topics)
table
""",
    ),
    ("md", "## Taille et termes des thèmes"),
    ("code", "topic_plots.topic_sizes(result.topics).show()"),
    ("code", "topic_plots.topic_terms(result.topics).show()"),
    ("md", "## Passages représentatifs"),
    (
        "code",
        """
from corpus.plots import corpus as corpus_plots

representative = result.topics[["topic", "label", "representative_texts"]].explode(
    "representative_texts"
)
corpus_plots.table_figure(
    representative,
    title="Passages représentatifs de chaque thème",
    labels={"topic": "Thème", "label": "Étiquette", "representative_texts": "Passage"},
).show()
""",
    ),
    ("md", "## Thèmes par classe et dans le temps"),
    (
        "code",
        """
per_class = result.per_class(class_field)
atomic_write_csv(out / f"topics_by_{class_field}.csv", per_class)
topic_plots.topics_by_class(per_class, field_label=corpus_plots.field_label(class_field)).show()
""",
    ),
    (
        "code",
        """
over_time = result.over_time()
atomic_write_csv(out / "topics_over_time.csv", over_time)
if len(over_time):
    topic_plots.topics_over_time(over_time).show()
else:
    print("Aucun document daté : pas d'évolution dans le temps.")
""",
    ),
    ("md", "## Hiérarchie des thèmes"),
    (
        "code",
        """
hierarchy = topic_plots.topic_hierarchy(result)
if hierarchy is not None:
    hierarchy.show()
else:
    print("Moins de trois thèmes : pas de hiérarchie.")
""",
    ),
    (
        "md",
        "## Correspondance avec la série précédente\n\n"
        "Quand un modèle a déjà été ajusté sur ce corpus, chaque thème garde l'identifiant "
        "et l'étiquette du thème le plus proche de la série précédente.",
    ),
    ("code", "result.alignment"),
]


NB06 = [
    (
        "md",
        """
# 06 — Synthèse du corpus

Une vue d'ensemble pour qui n'ouvrira pas les autres carnets : ce que contient le
corpus, comment on y définit l'innovation sociale, qui en sont les acteurs, à quels
besoins elle répond, à quelles étapes du processus, et les grands thèmes. Chaque section
renvoie au carnet qui la détaille.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/06-report"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
seed: int = 42  # random seed of the topic model (same as 05-topics for the same themes)
top_n: int = 10  # rows shown in the top-N tables and charts
group_field: str = "genre"  # document field the needs and topics are compared across
term: str = ""  # defined term the sources are compared on; empty compares all definitions
""",
    ),
    # The report writes CSV only, and shows readers no corpus handle.
    ("code", SETUP.replace(", atomic_write_parquet", "").replace("\nc\n", "\n")),
    ("md", "## Le corpus en bref\n\nDétails : carnet `01-corpus`."),
    (
        "code",
        """
from corpus.plots import corpus as corpus_plots

documents = c.documents
summary = corpus_plots.summary(documents, c.passages, c.rejected, c.duplicates)
atomic_write_csv(out / "summary.csv", summary)
corpus_plots.table_figure(
    summary, title=f"Corpus « {c.name} »", labels={"indicateur": "Indicateur", "valeur": "Valeur"}
).show()
corpus_plots.documents_by(documents, group_field).show()
corpus_plots.documents_by(documents, "year").show()
""",
    ),
    (
        "md",
        "## Comment on définit l'innovation sociale\n\n"
        "Les sources qui définissent, et la part de leurs définitions qui mobilisent chaque "
        "dimension. Détails, définitions in extenso : carnet `02-definitions`.",
    ),
    (
        "code",
        """
from corpus.extract.definitions import compare_by_source
from corpus.nlp.dimensions import default_coder

definitions = corpus_plots.select_definitions(c.definitions(), term=term)
compared = compare_by_source(definitions, term=term or None)
atomic_write_csv(out / "sources_compared.csv", compared)
print(f"{len(definitions)} définition(s) de {compared['source'].nunique()} source(s).")
corpus_plots.dimensions_heatmap(
    compared.head(top_n),
    dimensions={d.id: d.label for d in default_coder().dimensions},
    row_label="Source", title="Les sources et les dimensions de leurs définitions",
    percent=True,
).show()
""",
    ),
    (
        "md",
        "## Qui agit\n\n"
        "Les acteurs nommés par secteur et par rôle, et les plus cités. Réseau et passages "
        "témoins des rôles : carnet `03-actors`.",
    ),
    (
        "code",
        """
from corpus.extract.actors import cooccurrence_network
from corpus.plots import actors as actor_plots

actors = corpus_plots.with_lists(c.actors(), ["aliases", "roles"])
actor_plots.sectors_figure(actors).show()
nodes, _ = corpus_plots.network_tables(cooccurrence_network(c.mentions(), actors))
atomic_write_csv(out / "top_actors.csv", nodes.head(top_n))
corpus_plots.bar(
    nodes.head(top_n), x="name", y="n_mentions", horizontal=True,
    title="Acteurs les plus cités", x_title="Acteur", y_title="Mentions",
).show()
""",
    ),
    (
        "md",
        "## Besoins sociaux et étapes\n\n"
        "Part des documents de chaque groupe qui traitent de chaque besoin, puis les étapes "
        "du processus décrites. Détails et passages témoins : carnet `04-needs`.",
    ),
    (
        "code",
        """
from corpus.extract.needs import needs_by
from corpus.extract.stages import document_stages
from corpus.plots import extraction as extraction_plots

needs_table = needs_by(c.needs(), documents, group_field)
atomic_write_csv(out / f"needs_by_{group_field}.csv", needs_table)
extraction_plots.needs_by_heatmap(needs_table, group_field).show()
doc_stages = document_stages(c.stages())
atomic_write_csv(out / "stages_by_document.csv", doc_stages)
extraction_plots.stages_heatmap(doc_stages, documents).show()
""",
    ),
    (
        "md",
        "## Thèmes\n\n"
        "Les thèmes des passages (BERTopic, même graine que le carnet `05-topics`, qui "
        "montre aussi leur hiérarchie et leurs passages représentatifs).",
    ),
    (
        "code",
        """
from corpus.plots import topics as topic_plots
from corpus.runs.synthesis import report_topics

# The topics 05-topics stored for this seed (fitted again only if there are none).
topics = report_topics(c, seed=seed)
topic_table = topics.topics[["topic", "label", "size", "terms"]].head(top_n).copy()
topic_table["terms"] = ["; ".join(t) for t in topic_table["terms"]]
atomic_write_csv(out / "topics.csv", topic_table)
topic_plots.topic_sizes(topics.topics).show()
topic_plots.topics_by_class(
    topics.per_class(group_field), field_label=corpus_plots.field_label(group_field)
).show()
""",
    ),
    ("md", "## Méthode et reproductibilité"),
    (
        "code",
        """
from corpus.runs.manifest import versions

method = corpus_plots.method_table(
    corpus_name=c.name, fingerprint=c.fingerprint, versions=versions(), seed=seed
)
corpus_plots.table_figure(
    method, title="Méthode", labels={"element": "Élément", "valeur": "Valeur"}
).show()
""",
    ),
]


# -- 07-review: the correction loop -------------------------------------------------------
NB07 = [
    (
        "md",
        """
# Relecture des extractions

Les extractions sont proposées par des règles et décidées par des modèles entraînés
(*scorers*), chacune avec une confiance calibrée. Ce carnet montre quels modèles décident
pour ce corpus (livrés avec `corpus` ou adaptés à vos corrections), la distribution des
confiances, et les extractions qui valent le plus d'être vérifiées : la moitié les moins
sûres, la moitié tirées au hasard. La feuille `review.xlsx` se remplit (colonnes
`verdict` et `correction`) puis se rend au corpus :
`corpus learn CORPUS --corrections review.xlsx`.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/07-review"  # output folder for the review sheet and tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
n_rows: int = 40  # rows of the review sheet (half least certain, half random)
seed: int = 0  # seed of the random half
""",
    ),
    ("code", SETUP),
    ("md", "## Qui décide ?"),
    (
        "code",
        """
import pandas as pd

from corpus.plots import corpus as corpus_plots

in_force = pd.DataFrame(
    [{"champ": name, **info} for name, info in c.scorers.items()]
).fillna("")
atomic_write_csv(out / "scorers.csv", in_force)
corpus_plots.table_figure(in_force, title="Modèles en vigueur pour ce corpus").show()
""",
    ),
    ("md", "## Extractions à relire"),
    (
        "code",
        """
import plotly.express as px

rows = c.review(out / "review.xlsx", n=n_rows, seed=seed)
atomic_write_csv(out / "review.csv", rows)
px.histogram(
    rows, x="confidence", color="field", nbins=20,
    labels={"confidence": "Confiance", "field": "Champ"},
    title="Confiance des extractions retenues pour la relecture",
).show()
corpus_plots.table_figure(
    rows[["document", "field", "prediction", "detail", "confidence", "evidence"]],
    title="Extractions à relire (le candidat est entre [[ ]])",
    labels={"document": "Document", "field": "Champ", "prediction": "Prédiction",
            "detail": "Détail", "confidence": "Confiance", "evidence": "Phrase témoin"},
).show()
print(f"Feuille à remplir : {out / 'review.xlsx'}")
""",
    ),
]


# -- 09-codes: a coder's codes (REFI-QDA import) by metadata and by topic -----------------
NB09 = [
    (
        "md",
        """
# 09 — Les codes d'un projet QDA : par métadonnées et par thème

Un projet codé à la main dans NVivo, ATLAS.ti, MAXQDA ou QualCoder, importé avec
`corpus import PROJET.qdpx --out DOSSIER`, garde tous ses codes (`codes.csv`), les nôtres
comme ceux du chercheur. Ce carnet les croise avec les métadonnées des documents et avec
les thèmes (BERTopic) des passages qui les contiennent.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder made by `corpus import FILE.qdpx --out DIR`
out_dir: str = "../runs/lab/09-codes"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
field: str = "genre"  # document field the codes are crossed with
level: int = 0  # code path levels kept (0: whole paths; 1: top-level branches)
count: str = "selections"  # what is counted: "selections" (coded) or "documents" (coded)
seed: int = 42  # random seed of the topic model (same as 05-topics for the same themes)
""",
    ),
    ("code", SETUP),
    (
        "code",
        """
from corpus.exchange.crosstab import codes_by, codes_by_topic

codes = c.codes
documents = c.documents
print(f"{len(codes)} sélection(s) codée(s), {codes['code'].nunique()} code(s), "
      f"{codes['document'].nunique()} document(s).")
atomic_write_csv(out / "codes.csv", codes)
codes.head(20)
""",
    ),
    ("md", "## Codes × métadonnées"),
    (
        "code",
        """
import plotly.express as px

by_field = codes_by(codes, documents, field, level=level or None, count=count)
atomic_write_csv(out / f"codes_by_{field}.csv", by_field.reset_index())
if len(by_field):
    px.imshow(
        by_field, text_auto=True, aspect="auto", color_continuous_scale="Blues",
        labels={"x": field, "y": "Code", "color": count},
        title=f"Codes par {field}",
    ).show()
else:
    print("Ce corpus n'a pas de codes : importez un projet avec `corpus import`.")
by_field
""",
    ),
    ("md", "## Codes × thèmes\n\nLe thème du passage qui contient chaque sélection codée."),
    (
        "code",
        """
from corpus.runs.synthesis import report_topics

by_topic = None
if len(codes):
    topics = report_topics(c, seed=seed)
    by_topic = codes_by_topic(
        codes, documents, c.passages, topics.passage_topics, topics.topics,
        level=level or None,
    )
    atomic_write_csv(out / "codes_by_topic.csv", by_topic.reset_index())
    px.imshow(
        by_topic, text_auto=True, aspect="auto", color_continuous_scale="Greens",
        labels={"x": "Thème", "y": "Code", "color": "sélections"},
        title="Codes par thème",
    ).show()
else:
    print("Pas de codes, pas de croisement avec les thèmes.")
by_topic
""",
    ),
]


# --------------------------------------------------------------------------------------
# 08-lexicometry (issue 13), and its section of the synthesis report.
NB08 = [
    (
        "md",
        """
# 08 — Lexicométrie

Les méthodes d'IRaMuTeQ et de TXM sur le même magasin : segments de texte d'environ
40 mots (découpés comme IRaMuTeQ), concordances, cooccurrents (score hypergéométrique de
TXM), spécificités de Lafon d'une variable, analyse des correspondances, et la
classification descendante hiérarchique de Reinert (méthode ALCESTE). Enfin les classes
de Reinert sont mises à côté des thèmes de BERTopic ajustés **sur les mêmes segments** :
cohérence (NPMI), diversité, tableau croisé et indice de Rand ajusté.
""",
    ),
    (
        "params",
        """
corpus_path: str = "../corpora/demo"  # corpus folder (corpus.yaml + raw/) or a plain folder
out_dir: str = "../runs/lab/08-lexicometry"  # output folder for this notebook's tables
scheduler: str = ""  # Dask scheduler address (corpus run --workers/--scheduler); "" runs here
seed: int = 42  # random seed (Reinert's first axis on large tables, BERTopic)
k: int = 8  # classes asked of Reinert's classification
method: str = "iramuteq"  # Reinert's variant: iramuteq or rainette
variable: str = "genre"  # metadata variable for specificities and the CA
query: str = "innovation sociale"  # concordance query (words, or lemma:x / pos:NOUN items)
pivot: str = "besoin"  # lemma whose cooccurrents are listed
compare_topics: bool = True  # also fit BERTopic on the segments and compare
""",
    ),
    ("code", SETUP),
    ("md", "## Segments et fréquences"),
    (
        "code",
        """
from corpus.plots import corpus as corpus_plots
from corpus.plots import lexico as lexico_plots

tables = c.lexico()
segments = tables.segments
atomic_write_csv(out / "segments.csv", segments.drop(columns=["text"]))
frequencies = c.frequencies()
atomic_write_csv(out / "frequencies.csv", frequencies)
print(f"{len(segments)} segments ({segments['n_words'].mean():.1f} mots en moyenne), "
      f"{int(frequencies['active'].sum())} lemmes actifs.")
corpus_plots.bar(
    frequencies[frequencies["active"]].head(20), x="lemma", y="frequency", horizontal=True,
    title="Lemmes actifs les plus fréquents", x_title="Lemme", y_title="Occurrences",
).show()
""",
    ),
    ("md", "## Concordance"),
    (
        "code",
        """
lines = c.kwic(query, window=8)
atomic_write_csv(out / "kwic.csv", lines)
print(f"{len(lines)} occurrence(s) de « {query} ».")
corpus_plots.table_figure(
    lines[["title", "left", "pivot", "right"]].head(30),
    title=f"Concordance de « {query} »",
    labels={"title": "Document", "left": "Contexte gauche", "pivot": "Pivot",
            "right": "Contexte droit"},
).show()
""",
    ),
    ("md", "## Cooccurrents"),
    (
        "code",
        """
from corpus.lexico.errors import LexicoDataError

try:
    cooc = c.cooccurrents(pivot, window=10)
except LexicoDataError as exc:
    cooc = None
    print(exc)
if cooc is not None:
    atomic_write_csv(out / "cooccurrents.csv", cooc)
    corpus_plots.bar(
        cooc.head(20), x="cooccurrent", y="score", horizontal=True,
        title=f"Cooccurrents de « {pivot} » (indice de spécificité)", x_title="Cooccurrent",
        y_title="Score",
    ).show()
""",
    ),
    ("md", "## Spécificités et analyse des correspondances"),
    (
        "code",
        """
try:
    scores = c.specificities(variable)
    ca = c.correspondence(variable, random_state=seed)
except LexicoDataError as exc:
    scores = ca = None
    print(exc)
if scores is not None:
    atomic_write_csv(
        out / f"specificities_{variable}.csv", scores.round(6).reset_index(names="lemma")
    )
    lexico_plots.specificities_heatmap(scores).show()
    atomic_write_csv(out / f"ca_{variable}_lemmas.csv", ca.rows.round(6).reset_index(names="lemma"))
    atomic_write_csv(out / f"ca_{variable}_modalities.csv",
                     ca.columns.round(6).reset_index(names="modality"))
    lexico_plots.ca_map(ca).show()
""",
    ),
    ("md", "## Classification de Reinert"),
    (
        "code",
        """
result = c.reinert(k, method=method, random_state=seed)
atomic_write_csv(out / "classes.csv", result.classes)
atomic_write_csv(out / "segment_classes.csv",
                 result.segments[["segment_id", "doc_id", "start", "end", "class"]])
atomic_write_csv(out / "profiles.csv", result.profiles)
atomic_write_csv(out / "typical_segments.csv", result.typical)
atomic_write_csv(out / "modalities.csv", result.modalities)
atomic_write_csv(out / "splits.csv", result.splits)
lexico_plots.reinert_dendrogram(result).show()
corpus_plots.table_figure(
    result.classes, title="Classes : taille et lemmes caractéristiques",
    labels={"class": "Classe", "size": "Segments", "percent": "%", "lemmas": "Lemmes"},
).show()
corpus_plots.table_figure(
    result.typical[result.typical["rank"] <= 2][["class", "score", "text"]],
    title="Segments typiques de chaque classe",
    labels={"class": "Classe", "score": "Score", "text": "Segment"},
).show()
""",
    ),
    ("md", "## Reinert et BERTopic sur les mêmes segments"),
    (
        "code",
        """
import pandas as pd

from corpus.lexico.compare import SUMMARY_NAME, compare, fit_topics_on_segments

if compare_topics:
    topic_model = fit_topics_on_segments(tables, c.store, seed=seed)
    summary, contingency = compare(tables, result, topic_model)
    summary |= {"k": k, "method": method, "seed": seed, "fingerprint": c.fingerprint}
    c.store.write_json(SUMMARY_NAME, summary)
    atomic_write_csv(out / "classes_by_topic.csv", contingency.reset_index())
    scores_table = pd.DataFrame(
        {
            "modèle": ["Reinert", "BERTopic"],
            "classes": [summary["reinert"]["n_classes"], summary["bertopic"]["n_classes"]],
            "NPMI": [round(summary["reinert"]["npmi"], 3), round(summary["bertopic"]["npmi"], 3)],
            "diversité": [round(summary["reinert"]["diversity"], 3),
                          round(summary["bertopic"]["diversity"], 3)],
        }
    )
    atomic_write_csv(out / "comparison.csv", scores_table)
    print(f"Indice de Rand ajusté classes × thèmes : {summary['ari']:.3f} "
          f"({summary['n_segments']} segments classés par les deux).")
    corpus_plots.table_figure(scores_table, title="Cohérence et diversité").show()
    lexico_plots.contingency_heatmap(contingency).show()
""",
    ),
]


def with_lexicometry_section(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The report's cells with the lexicometry summary before its method section."""
    section = [
        (
            "md",
            "## Lexicométrie\n\n"
            "Les classes de Reinert des segments de texte, et leur comparaison avec les "
            "thèmes BERTopic ajustés sur les mêmes segments. Détails : carnet "
            "`08-lexicometry`.",
        ),
        (
            "code",
            """
import pandas as pd

from corpus.lexico.compare import comparison_summary

lexico = comparison_summary(c.store)
if not lexico or lexico.get("fingerprint") != c.fingerprint:
    print("Le carnet 08-lexicometry n'a pas encore été exécuté sur ce corpus.")
else:
    rows = []
    for key, name in (("reinert", "Reinert"), ("bertopic", "BERTopic")):
        block = lexico[key]
        rows.extend(
            {"modèle": name, "classe": cl, "lemmes": ", ".join(terms),
             "NPMI": round(block["npmi_per_class"].get(cl, float("nan")), 3)}
            for cl, terms in block["top_terms"].items()
        )
    lexico_table = pd.DataFrame(rows)
    atomic_write_csv(out / "lexicometry.csv", lexico_table)
    print(
        f"Reinert ({lexico['method']}, {lexico['reinert']['n_classes']} classes) : NPMI "
        f"{lexico['reinert']['npmi']:+.3f}, diversité {lexico['reinert']['diversity']:.2f} ; "
        f"BERTopic ({lexico['bertopic']['n_classes']} thèmes) : NPMI "
        f"{lexico['bertopic']['npmi']:+.3f}, diversité {lexico['bertopic']['diversity']:.2f} ; "
        f"indice de Rand ajusté {lexico['ari']:.3f}."
    )
    corpus_plots.table_figure(
        lexico_table, title="Classes de Reinert et thèmes BERTopic (mêmes segments)"
    ).show()
""",
        ),
    ]
    at = next(i for i, (_, text) in enumerate(cells) if "Méthode et reproductibilité" in text)
    return cells[:at] + section + cells[at:]


def main() -> int:
    notebook("01-corpus", NB01)
    notebook("02-definitions", NB02)
    notebook("03-actors", NB03)
    notebook("04-needs", NB04)
    notebook("05-topics", NB05)
    notebook("06-report", with_lexicometry_section(NB06), hide_code=True)
    notebook("07-review", NB07)
    notebook("08-lexicometry", NB08)
    notebook("09-codes", NB09)
    return 0


if __name__ == "__main__":
    sys.exit(main())
