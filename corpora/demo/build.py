"""Build the binary documents of the demo corpus (PDF, DOCX, ODT) from their text sources.

Each ``sources/<stem>.md`` holds a small YAML front matter (``format``: pdf, docx or odt;
``title``; ``author``; ``date``; optional ``header`` for the PDF running header) and a body in
a tiny Markdown subset: ``#``/``##`` headings, paragraphs separated by blank lines, and list
items starting with ``- `` or ``1. ``. The script writes ``raw/<stem>.<format>``.

The output is deterministic: fixed creation dates taken from the front matter, reportlab's
invariant mode, and ZIP members (DOCX, ODT) rewritten with a fixed timestamp, so a rebuild
gives byte-identical files on the same library versions. PDF paragraphs are never split across
pages, so that a definition always stays within one extracted paragraph. Usage::

    .venv/bin/python corpora/demo/build.py            # writes corpora/demo/raw/
    .venv/bin/python corpora/demo/build.py --out DIR  # writes elsewhere (used by the tests)
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
RAW = HERE / "raw"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
FORMATS = ("pdf", "docx", "odt")


@dataclass
class Block:
    """One structural unit of a source: a heading (level 1-2), a paragraph or a list item."""

    kind: str  # "heading" | "paragraph" | "item"
    text: str
    level: int = 0


@dataclass
class Source:
    """A parsed source file: its front matter and its blocks."""

    stem: str
    meta: dict[str, str]
    blocks: list[Block] = field(default_factory=list)

    @property
    def format(self) -> str:
        return str(self.meta["format"])

    @property
    def date(self) -> dt.datetime:
        day = self.meta["date"]
        if isinstance(day, dt.date):
            return dt.datetime(day.year, day.month, day.day, 9, 0, 0)
        return dt.datetime.fromisoformat(str(day)).replace(hour=9)


_ITEM = re.compile(r"^(?:-|\d+\.)\s+")


def parse_source(path: Path) -> Source:
    """Read a source file: YAML front matter, then headings, paragraphs and list items."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    if meta.get("format") not in FORMATS:
        raise ValueError(f"{path}: front matter 'format' must be one of {FORMATS}")
    source = Source(path.stem, meta)
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("#"):
            hashes, _, title = lines[0].partition(" ")
            source.blocks.append(Block("heading", title.strip(), len(hashes)))
            lines = lines[1:]
            if lines:
                source.blocks.append(Block("paragraph", " ".join(lines)))
        elif all(_ITEM.match(line) for line in lines):
            source.blocks.extend(Block("item", line) for line in lines)
        else:
            source.blocks.append(Block("paragraph", " ".join(lines)))
    return source


def source_text(source: Source) -> str:
    """The plain text of a source, one block per paragraph (what a reader should extract)."""
    return "\n\n".join(b.text for b in source.blocks)


# --------------------------------------------------------------------------- PDF (reportlab)


def build_pdf(source: Source) -> bytes:
    """Multi-page PDF with a real text layer and a running header and footer on every page."""
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    rl_config.invariant = 1
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "body",
        parent=styles["BodyText"],
        fontName="Helvetica",
        fontSize=11,
        leading=15,
        spaceAfter=8,
    )
    item = ParagraphStyle("item", parent=body, leftIndent=14, bulletIndent=4)
    heads = {1: styles["Heading1"], 2: styles["Heading2"]}
    header = source.meta.get("header") or source.meta["title"]

    def decorate(canvas, doc) -> None:  # reportlab page callback
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, A4[1] - 1.2 * cm, header)
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, f"Page {doc.page}")
        canvas.restoreState()

    story = []
    for block in source.blocks:
        text = escape(block.text)
        if block.kind == "heading":
            story.append(Paragraph(text, heads[min(block.level, 2)]))
        elif block.kind == "item":
            story.append(Paragraph(_ITEM.sub("", text), item, bulletText="•"))
        else:
            story.append(Paragraph(text, body))
    story.append(Spacer(1, 0))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=2.2 * cm,
        bottomMargin=2.2 * cm,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        title=source.meta["title"],
        author=source.meta.get("author", ""),
        subject="Corpus de démonstration corpus",
        creator="corpora/demo/build.py",
        producer="reportlab",
        invariant=1,
        allowSplitting=0,  # paragraphs never straddle a page break
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


# --------------------------------------------------------------------------- DOCX


def build_docx(source: Source) -> bytes:
    """DOCX with real Heading 1/2 styles, paragraphs and bulleted list items."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = source.meta["title"]
    props.author = source.meta.get("author", "")
    props.last_modified_by = "corpora/demo/build.py"
    props.created = source.date
    props.modified = source.date
    props.revision = 1
    for block in source.blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=block.level)
        elif block.kind == "item":
            document.add_paragraph(_ITEM.sub("", block.text), style="List Bullet")
        else:
            document.add_paragraph(block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue())


# --------------------------------------------------------------------------- ODT


def build_odt(source: Source) -> bytes:
    """ODT with outline headings (text:h), paragraphs and list items."""
    from odf import dc, meta, text
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TextProperties

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text=source.meta["title"]))
    document.meta.addElement(dc.Creator(text=source.meta.get("author", "")))
    document.meta.addElement(dc.Date(text=source.date.isoformat()))
    document.meta.addElement(meta.CreationDate(text=source.date.isoformat()))
    heading_styles = {}
    for level, size in ((1, "18pt"), (2, "14pt")):
        style = Style(
            name=f"Heading_20_{level}",
            displayname=f"Heading {level}",
            family="paragraph",
            defaultoutlinelevel=str(level),
        )
        style.addElement(TextProperties(fontsize=size, fontweight="bold"))
        style.addElement(ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm"))
        document.styles.addElement(style)
        heading_styles[level] = style
    body_style = Style(name="Text_20_body", displayname="Text body", family="paragraph")
    body_style.addElement(ParagraphProperties(marginbottom="0.25cm"))
    document.styles.addElement(body_style)
    pending_list = None
    for block in source.blocks:
        if block.kind == "item":
            if pending_list is None:
                pending_list = text.List()
                document.text.addElement(pending_list)
            entry = text.ListItem()
            entry.addElement(text.P(stylename=body_style, text=_ITEM.sub("", block.text)))
            pending_list.addElement(entry)
            continue
        pending_list = None
        if block.kind == "heading":
            document.text.addElement(
                text.H(
                    outlinelevel=block.level,
                    stylename=heading_styles[min(block.level, 2)],
                    text=block.text,
                )
            )
        else:
            document.text.addElement(text.P(stylename=body_style, text=block.text))
    buffer = io.BytesIO()
    document.write(buffer)
    return _fixed_zip(buffer.getvalue())


# --------------------------------------------------------------------------- helpers


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with the same members, order and compression but a fixed timestamp."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = info.compress_type
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 3
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


BUILDERS = {"pdf": build_pdf, "docx": build_docx, "odt": build_odt}


def build(out_dir: Path = RAW, sources_dir: Path = SOURCES) -> list[Path]:
    """Build every source of ``sources_dir`` into ``out_dir``; return the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(sources_dir.glob("*.md")):
        source = parse_source(path)
        target = out_dir / f"{source.stem}.{source.format}"
        target.write_bytes(BUILDERS[source.format](source))
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RAW, help="output folder (default: raw/)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
