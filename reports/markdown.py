"""Formatted text as people type it (a safe subset of Markdown) made into a document's blocks
(``reports.document``), for the Word file, the PDF and the page's preview (``ui.formatted_text``).

What it takes: paragraphs, whose single line breaks stay line breaks (the accounts typed before were plain
text with new lines); **bold** and *italic*; bullet and numbered lists, one level nested (deeper levels join
the nested one); pipe tables (a header row, then rows; cells as plain text); images uploaded into the store,
cited as ``![caption](image:12)``. A heading typed becomes a bold paragraph (the document owns the headings), code
is plain text, and a link is its text followed by its address in parentheses (the document links nowhere).

Nothing typed becomes markup: the parser takes no HTML (``<script>`` is text, and every writer escapes text),
and an image is only ever one of ``images`` (the year's uploads, by id). Any other image (an address on the web,
a data address, an id that is not there) is a muted paragraph with its caption: it is never fetched.
"""

from __future__ import annotations

import io
import re
import string
from collections.abc import Mapping
from itertools import groupby

from markdown_it import MarkdownIt
from markdown_it.token import Token
from PIL import Image as Picture

from reports.document import Bullets, Image, Item, Numbered, Para, Run, Table

PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")
IMAGE_SOURCE = re.compile(r"image:(\d{1,12})")
DPI = 96  # an image is shown at its size on a screen (a 600-pixel-wide one 15.9 cm), no wider than the page
MAX_WIDTH_CM = 16.0
Piece = tuple[Run, ...] | Image | Para  # a paragraph's inline content: runs of text, or an image (or its stand-in)


def to_blocks(text: str, images: Mapping[int, bytes] | None = None) -> list:
    """The blocks of a formatted ``text``; ``images``: the uploaded images it may cite, id -> PNG."""
    return _Reader(images or {}).blocks(PARSER.parse(text or ""))


def image_reference(image_id: int, caption: str = "") -> str:
    """What a text cites an uploaded image by: ``![caption](image:12)``, the caption on one line, read back as
    typed (every ASCII punctuation mark escaped)."""
    caption = re.sub(f"([{re.escape(string.punctuation)}])", r"\\\1", " ".join(str(caption).split()))
    return f"![{caption}](image:{int(image_id)})"


def missing_images(text: str, images: Mapping[int, bytes] | None = None) -> list[str]:
    """The image sources ``text`` cites that are not among ``images`` (an address, an id not uploaded), in order:
    each is shown as its caption only."""
    found = []
    for token in PARSER.parse(text or ""):
        for child in token.children or ():
            if child.type == "image" and _image_id(child, images or {}) is None:
                found.append(str(child.attrGet("src") or ""))
    return found


def plain(runs: tuple[Run, ...]) -> str:
    return "".join(run.text for run in runs)


def _image_id(token: Token, images: Mapping[int, bytes]) -> int | None:
    match = IMAGE_SOURCE.fullmatch(str(token.attrGet("src") or ""))
    return int(match.group(1)) if match and int(match.group(1)) in images else None


def _text_of(children: list[Token]) -> str:
    """Inline tokens' text without their marks (an image's caption as typed, its escapes undone)."""
    return "".join(_text_of(c.children or ()) if c.type == "image" else " " if c.type.endswith("break") else
                   c.content for c in children if c.type in ("text", "code_inline", "image", "softbreak", "hardbreak"))


def _closing(tokens: list[Token], start: int) -> int:
    """The index of the token that closes the one at ``start``."""
    opening = tokens[start]
    closing = opening.type.removesuffix("_open") + "_close"
    return next(i for i in range(start + 1, len(tokens))
                if tokens[i].type == closing and tokens[i].level == opening.level)


def _merged(runs: list[Run]) -> tuple[Run, ...]:
    """Runs with neighbours of one face joined, and none empty."""
    joined = (Run("".join(r.text for r in group), *face) for face, group in
              groupby((r for r in runs if r.text), key=lambda r: (r.bold, r.italic)))
    return tuple(joined)


def _trimmed(runs: list[Run]) -> tuple[Run, ...]:
    """Runs without white space (line breaks included) at their start and end."""
    runs = list(_merged(runs))
    if runs:
        runs[0] = Run(runs[0].text.lstrip(), runs[0].bold, runs[0].italic)
        runs[-1] = Run(runs[-1].text.rstrip(), runs[-1].bold, runs[-1].italic)
    return _merged(runs)


def _para(runs: tuple[Run, ...]) -> Para:
    """A paragraph: plain when nothing in it is bold or italic (as ``Para(text)`` always was)."""
    if any(run.bold or run.italic for run in runs):
        return Para(plain(runs), runs=runs)
    return Para(plain(runs))


class _Reader:
    def __init__(self, images: Mapping[int, bytes]):
        self.images = images

    # -- blocks --------------------------------------------------------------------------------------------

    def blocks(self, tokens: list[Token]) -> list:
        out, i = [], 0
        while i < len(tokens):
            token = tokens[i]
            if token.type in ("bullet_list_open", "ordered_list_open", "table_open"):
                end = _closing(tokens, i)
                out.extend(self._table(tokens[i + 1:end]) if token.type == "table_open"
                           else self._list(tokens[i:end + 1]))
                i = end + 1
                continue
            if token.type == "inline":
                heading = i > 0 and tokens[i - 1].type == "heading_open"
                for piece in self._pieces(token, bold=heading):
                    out.append(_para(piece) if isinstance(piece, tuple) else piece)
            elif token.type in ("fence", "code_block", "html_block") and token.content.strip():
                out.append(Para(token.content.strip("\n")))
            i += 1  # anything else (a quote's or a paragraph's edges, a rule) adds nothing of its own
        return out

    def _list(self, tokens: list[Token]) -> list:
        """A list block (its opening and closing tokens included), then the images and tables its items held."""
        after: list = []
        items = []
        for runs, sub, sub_numbered in self._items(tokens, after):
            plain_item = not sub and not any(run.bold or run.italic for run in runs)
            items.append(plain(runs) if plain_item else Item(runs, tuple(sub), sub_numbered))
        if tokens[0].type == "ordered_list_open":
            start = int(tokens[0].attrGet("start") or 1)
            return [Numbered(tuple(items), start), *after]
        return [Bullets(tuple(items)), *after]

    def _items(self, tokens: list[Token], after: list) -> list[tuple[tuple[Run, ...], list, bool]]:
        """Each item of a list (its tokens, opening and closing ones included): its runs (its paragraphs one per
        line), the runs of the items of the lists nested in it (deeper ones joined to them) and whether the first
        of those is numbered. What cannot be in a line (an image, a table) goes to ``after``."""
        found = []
        i = 1
        while i < len(tokens) - 1:
            end = _closing(tokens, i)  # a list_item_open
            found.append(self._item(tokens[i + 1:end], after))
            i = end + 1
        return found

    def _item(self, tokens: list[Token], after: list) -> tuple[tuple[Run, ...], list, bool]:
        lines: list[tuple[Run, ...]] = []
        sub: list[tuple[Run, ...]] = []
        sub_numbered = None
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type in ("bullet_list_open", "ordered_list_open", "table_open"):
                end = _closing(tokens, i)
                if token.type == "table_open":
                    after.extend(self._table(tokens[i + 1:end]))
                else:
                    if sub_numbered is None:
                        sub_numbered = token.type == "ordered_list_open"
                    for runs, deeper, _ in self._items(tokens[i:end + 1], after):
                        sub.extend([runs, *deeper])
                i = end + 1
                continue
            if token.type == "inline":
                heading = i > 0 and tokens[i - 1].type == "heading_open"
                for piece in self._pieces(token, bold=heading):
                    (lines.append if isinstance(piece, tuple) else after.append)(piece)
            elif token.type in ("fence", "code_block") and token.content.strip():
                lines.append((Run(token.content.strip("\n")),))
            i += 1
        runs = [run for n, line in enumerate(lines) for run in ([Run("\n")] if n else []) + list(line)]
        return _merged(runs), sub, bool(sub_numbered)

    def _table(self, tokens: list[Token]) -> list:
        """A pipe table (its tokens inside ``table``): the header row, then the rows, each as wide as the
        header; a cell's text plain. Images in cells come after the table."""
        rows: list[list[str]] = []
        after: list = []
        for token in tokens:
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline":
                cell = []
                for piece in self._pieces(token):
                    (cell.append if isinstance(piece, tuple) else after.append)(piece)
                rows[-1].append(" ".join(plain(runs) for runs in cell))
        if not rows:
            return after
        headers, *body = rows
        width = len(headers)
        body = [tuple((row + [""] * width)[:width]) for row in body]
        return [Table(tuple(headers), tuple(body)), *after]

    # -- inline --------------------------------------------------------------------------------------------

    def _pieces(self, token: Token, bold: bool = False) -> list[Piece]:
        """A paragraph's (or a cell's, an item's) content: runs of text, split where an image stands."""
        pieces: list[Piece] = []
        runs: list[Run] = []
        strong = emphasis = 0
        links: list[tuple[str, int]] = []  # (address, where the link's text starts in runs)

        def add(text: str) -> None:
            runs.append(Run(text, bold or strong > 0, emphasis > 0))

        for child in token.children or ():
            kind = child.type
            if kind in ("text", "code_inline", "html_inline"):
                add(child.content)
            elif kind in ("softbreak", "hardbreak"):
                add("\n")
            elif kind in ("strong_open", "strong_close"):
                strong += 1 if kind == "strong_open" else -1
            elif kind in ("em_open", "em_close"):
                emphasis += 1 if kind == "em_open" else -1
            elif kind == "link_open":
                links.append((PARSER.normalizeLinkText(str(child.attrGet("href") or "")), len(runs)))
            elif kind == "link_close" and links:
                address, start = links.pop()
                shown = plain(tuple(runs[start:]))
                if address and address not in (shown, f"mailto:{shown}"):
                    runs.append(Run(f" ({address})", bold or strong > 0, emphasis > 0))
            elif kind == "image":
                if trimmed := _trimmed(runs):
                    pieces.append(trimmed)
                runs = []
                pieces.append(self._image(child))
        if trimmed := _trimmed(runs):
            pieces.append(trimmed)
        return pieces

    def _image(self, token: Token) -> Image | Para:
        """An uploaded image the text cites, at its size on a screen; anything else its caption, muted."""
        caption = " ".join(_text_of(token.children or ()).split())
        image_id = _image_id(token, self.images)
        if image_id is not None:
            try:
                with Picture.open(io.BytesIO(self.images[image_id])) as picture:
                    width = picture.width
                    if picture.format == "PNG":
                        png = self.images[image_id]
                    else:  # the document's writers take PNG (the store keeps nothing else)
                        out = io.BytesIO()
                        picture.save(out, "PNG")
                        png = out.getvalue()
                return Image(png, caption, round(min(MAX_WIDTH_CM, width / DPI * 2.54), 2))
            except (OSError, ValueError, SyntaxError):  # bytes that are not an image: shown as if missing
                pass
        return Para(caption or str(token.attrGet("src") or ""), muted=True)
