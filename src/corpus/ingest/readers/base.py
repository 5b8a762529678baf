"""The shape every reader returns: :class:`RawDocument` made of :class:`Block` s."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph"]


@dataclass
class Block:
    """One structural unit of a document.

    Attributes:
        text: The block's text (one paragraph or heading; may hold single newlines).
        kind: ``"heading"`` or ``"paragraph"``.
        level: Heading level (1 = top), 0 for paragraphs.
    """

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0


@dataclass
class RawDocument:
    """What a reader extracts from one file, before cleaning.

    Attributes:
        blocks: Headings and paragraphs, in reading order.
        metadata: Fields found in the file itself (``title``, ``date``, ``author``,
            front matter keys, IRaMuTeQ star variables...).
        format: The reader's format name (``txt``, ``md``, ``html``, ``pdf``, ``docx``,
            ``odt``, ``iramuteq``).
        parts: For a file holding several documents (an IRaMuTeQ corpus), one
            :class:`RawDocument` per text; ``blocks`` is then empty.
    """

    blocks: list[Block] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    format: str = ""
    parts: list[RawDocument] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The blocks joined by blank lines."""
        return "\n\n".join(block.text for block in self.blocks)
