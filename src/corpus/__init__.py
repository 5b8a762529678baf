"""corpus: a research workbench for French texts on social innovation.

Open a corpus folder and read its tables::

    import corpus
    c = corpus.open("corpora/demo")
    c.documents, c.passages, c.definitions(), c.actors(), c.needs()
"""

from corpus.api import Corpus, open
from corpus.errors import CorpusError

__version__ = "0.1.0"

__all__ = ["Corpus", "CorpusError", "__version__", "open"]
