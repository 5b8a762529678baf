"""Regression: needs and stages scored on the development set (and the demo gold).

Documents are split into passages on line breaks, annotated by fr_core_news_md with our
two components, reduced to document level by the package's functions and scored with
the FORMAT.md scorer. Thresholds sit a little below the scores reached, so a change
that degrades extraction fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from corpus.extract.evaluate import evaluate
from corpus.extract.gold import Annotation, read_annotations
from corpus.extract.needs import document_needs
from corpus.extract.stages import document_stages

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nlp():
    from corpus.nlp.pipeline import build_pipeline

    return build_pipeline(components=["needs", "stages"])


def predict(nlp, docs: list[Path]) -> dict[str, Annotation]:
    needs, stages = [], []
    for path in docs:
        text = path.read_text(encoding="utf-8")
        passages = [m.group() for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
        for i, doc in enumerate(nlp.pipe(passages)):
            ids = {"doc_id": path.stem, "passage_id": f"{path.stem}-{i:04d}"}
            needs += [dict(r, **ids) for r in doc._.needs]
            stages += [dict(r, **ids) for r in doc._.stages]
    doc_needs = document_needs(pd.DataFrame(needs)) if needs else pd.DataFrame()
    doc_stages = document_stages(pd.DataFrame(stages)) if stages else pd.DataFrame()
    out = {}
    for path in docs:
        annotation = Annotation(document=path.name)
        if len(doc_needs):
            annotation.needs = sorted(doc_needs.loc[doc_needs.doc_id == path.stem, "need"])
        if len(doc_stages):
            annotation.stages = sorted(doc_stages.loc[doc_stages.doc_id == path.stem, "stage"])
        out[path.stem] = annotation
    return out


def test_development_set(nlp, eval_dir: Path) -> None:
    docs = sorted((eval_dir / "docs").glob("*.txt"))
    result = evaluate(predict(nlp, docs), read_annotations(eval_dir / "gold"))
    assert result.fields["needs"].f1 >= 0.93
    assert result.fields["stages"].f1 >= 0.9


def test_demo_gold(nlp, demo_path: Path) -> None:
    gold_dir = demo_path / "gold"
    golds = read_annotations(gold_dir) if gold_dir.is_dir() else {}
    docs = [p for p in sorted((demo_path / "raw").glob("*.txt")) if p.stem in golds]
    if not docs:
        pytest.skip("no demo gold for plain-text documents yet")
    result = evaluate(predict(nlp, docs), {p.stem: golds[p.stem] for p in docs})
    assert result.fields["needs"].f1 >= 0.85
    assert result.fields["stages"].f1 >= 0.75
