"""The extraction stage: annotate passages, build tables, read/write gold, evaluate.

Modules: :mod:`~corpus.extract.annotate` (spaCy + DocBin cache),
:mod:`~corpus.extract.tables` (records -> DataFrames), :mod:`~corpus.extract.run`
(:func:`~corpus.extract.run.extract_corpus`, the store tables),
:mod:`~corpus.extract.gold` (FORMAT.md YAML), :mod:`~corpus.extract.evaluate` (scores),
and one module of document-level functions per extractor (``definitions``, ``actors``,
``needs``, ``stages``). Importing this package loads nothing heavy.
"""
