"""Exchange with the researchers' own tools.

* REFI-QDA projects (``.qdpx``) and codebooks (``.qdc``) for NVivo, ATLAS.ti, MAXQDA and
  QualCoder, both ways (:mod:`.qdpx_export`, :mod:`.qdpx_import`, :mod:`.codebook`,
  :mod:`.positions`);
* IRaMuTeQ corpora (:mod:`.iramuteq_export`);
* spreadsheets and Parquet with a data dictionary (:mod:`.tables_export`).

These modules take tables and paths; ``corpus.api`` and the CLI compose them.
"""
