"""Lexicometry beside the extraction: IRaMuTeQ/TXM's methods on the corpus store.

Plain functions and estimators (each in its own module):

* :func:`specificities` (Lafon's hypergeometric specificities, as textometry/TXM);
* :class:`Reinert` and :class:`ReinertDouble` (Reinert's descending hierarchical
  classification, as IRaMuTeQ or rainette run it; scikit-learn contract);
* :func:`~corpus.lexico.segments.segment` (IRaMuTeQ's text segments with offsets),
  :func:`~corpus.lexico.matrix.segment_matrix` (binary segments × active lemmas),
  :func:`~corpus.lexico.kwic.concordance`, :func:`~corpus.lexico.cooccurrents.cooccurrents`,
  :func:`~corpus.lexico.correspondence.correspondence_analysis`.

On a corpus, use the :class:`corpus.api.Corpus` methods (``reinert``, ``kwic``,
``frequencies``, ``cooccurrents``, ``correspondence``, ``specificities``), which call
:mod:`corpus.lexico.stage` and :mod:`corpus.lexico.classes`.
"""

from corpus.lexico.double import ReinertDouble
from corpus.lexico.reinert import Reinert
from corpus.lexico.specificities import specificities

__all__ = ["Reinert", "ReinertDouble", "specificities"]
