"""Who reads in tests: a demo account of a role, as the store has it (storage functions that read take
the reader and re-read it), and what a formatted text prints."""

from __future__ import annotations

from reports.document import Bullets, Numbered, Para, Table
from reports.markdown import plain, to_blocks
from storage.engine import Store
from storage.organisation.accounts import User, get_user


def reader(db: Store, role: str = "committee") -> User:
    """The demo store's account of ``role`` (demo-unit, demo-committee, demo-director, demo-admin)."""
    row = db.execute("SELECT id FROM users WHERE username = ?", [f"demo-{role}"]).fetchone()
    return get_user(db, row[0])


def printed(text: str) -> list[str]:
    """What a formatted text prints, piece by piece: each line of a paragraph, each list item, each table cell."""
    pieces = []
    for block in to_blocks(text):
        if isinstance(block, Para):
            pieces += block.text.splitlines()
        elif isinstance(block, Bullets | Numbered):
            pieces += [item if isinstance(item, str) else plain(item.runs) for item in block.items]
        elif isinstance(block, Table):
            pieces += [str(cell) for row in (block.headers, *block.rows) for cell in row]
    return [piece.strip() for piece in pieces if piece.strip()]
