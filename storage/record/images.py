"""Images for the formatted texts (the department's accounts, the organisation profile): uploaded by the committee
into a year, kept in the store as PNG, and cited in a text as ``![caption](image:12)`` (``reports.markdown``).

An upload is told by its content, never its name: a PNG or a JPEG that Pillow reads whole, of at most ``MAX_BYTES``
and ``MAX_PIXELS``. It is stored re-encoded as PNG, with nothing of the file but its pixels (no metadata: a
camera's place and time, comments, colour profiles), turned as the camera held it and no larger than
``MAX_SIDE`` pixels on its longer side (a page is 16 cm wide: that is some 300 dots per inch). The same picture
uploaded twice into a year is kept once. Every upload is audited."""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
import warnings
from collections.abc import Iterable, Iterator

from PIL import Image, ImageFile, ImageOps

from storage import audit
from storage.assessment import years
from storage.db import now, transaction
from storage.engine import Store, marks
from storage.errors import InputError
from storage.files.evidence import MAX_NAME, clean_filename
from storage.organisation.accounts import User

WRITERS = ("committee",)
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # a 6,000 by 4,000 photograph; more is refused before it is decoded
MAX_SIDE = 2400  # the longer side of what is stored
# what an accepted file starts with, and the format Pillow must then find in it
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
COLUMNS = ("id", "filename", "width", "height", "uploaded_by", "uploaded_at")
_DECODING = threading.Lock()


def _writer(db: Store, actor: User, year: int) -> User:
    return years.writer_in_open_year(db, actor, WRITERS, year)


@contextlib.contextmanager
def _whole_files_only() -> Iterator[None]:
    """Pillow refuses a cut-off file, unless ``ImageFile.LOAD_TRUNCATED_IMAGES``, which WeasyPrint sets for the
    whole process when it is imported (to draw what it can of a web page's broken images): off while an upload
    is decoded, one at a time."""
    with _DECODING:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def to_png(filename: str, data: bytes) -> tuple[bytes, int, int]:
    """An uploaded image as it is stored: (PNG, width, height); ``InputError`` naming the file when it is empty,
    too large, not a PNG or JPEG, damaged, or of too many pixels."""
    name = clean_filename(filename, "image")
    if not data:
        raise InputError("error_file_empty", name=name)
    if len(data) > MAX_BYTES:
        raise InputError("error_file_size", name=name, limit=MAX_BYTES // (1024 * 1024))
    kind = next((kind for signature, kind in SIGNATURES.items() if data.startswith(signature)), None)
    if kind is None:
        raise InputError("error_image_type", name=name)
    try:
        with _whole_files_only(), warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as picture:
                if picture.width * picture.height > MAX_PIXELS:
                    raise InputError("error_image_pixels", name=name, limit=MAX_PIXELS // 1_000_000)
                if kind == "JPEG":  # decoded at the smallest scale still as large as what is stored
                    picture.draft(picture.mode, (MAX_SIDE, MAX_SIDE))
                picture.load()
                upright = ImageOps.exif_transpose(picture)
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # past Pillow's own limit
        raise InputError("error_image_pixels", name=name, limit=MAX_PIXELS // 1_000_000) from exc
    except Exception as exc:  # Pillow raises many kinds on a damaged or forged file: not a whole image of its kind
        raise InputError("error_image_content", name=name) from exc
    if "transparency" in upright.info or upright.mode not in ("1", "L", "LA", "RGB", "RGBA", "P"):
        # a transparent colour (kept in the file's details, which go) as an alpha channel; CMYK, 16-bit and
        # other modes as RGB
        upright = upright.convert("RGBA" if "transparency" in upright.info or "A" in upright.getbands() else "RGB")
    if max(upright.size) > MAX_SIDE:
        upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    upright.info = {}  # nothing of the file but its pixels
    out = io.BytesIO()
    upright.save(out, "PNG", optimize=True)
    return out.getvalue(), upright.width, upright.height


def upload(db: Store, actor: User, year: int, filename: str, data: bytes) -> int:
    """Store an image for the year's formatted texts (the committee, in an open year); its id, which a text cites
    as ``image:<id>``. The same picture uploaded again into the year is the one stored already (its id)."""
    _writer(db, actor, year)  # refused before the file is decoded
    name = clean_filename(filename, "image")
    if len(name) > MAX_NAME:
        raise InputError("error_text_length", limit=MAX_NAME)
    png, width, height = to_png(filename, data)
    digest = hashlib.sha256(png).hexdigest()
    with transaction(db):
        actor = _writer(db, actor, year)
        row = db.execute("SELECT id FROM text_images WHERE year = ? AND sha256 = ?", [year, digest]).fetchone()
        if row:
            return row[0]
        image_id = db["text_images"].insert({
            "year": year, "filename": name, "png": png, "width": width, "height": height, "sha256": digest,
            "uploaded_by": actor.username, "uploaded_at": now()}).last_pk
        audit.record(db, actor.username, "upload_image", "text_image", image_id, year=year, file=name, width=width,
                     height=height, sha256=digest)
    return image_id


def for_year(db: Store, year: int, ids: Iterable[int] | None = None) -> dict[int, bytes]:
    """The year's images, id -> PNG: what its formatted texts may cite (only those of ``ids`` when given: what a
    text cites, for its preview)."""
    if ids is None:
        return dict(db.execute("SELECT id, png FROM text_images WHERE year = ? ORDER BY id", [year]).fetchall())
    ids = sorted(set(ids))
    return dict(db.execute(f"SELECT id, png FROM text_images WHERE year = ? AND id IN ({marks(ids)})",
                           [year, *ids]).fetchall()) if ids else {}


def listing(db: Store, year: int) -> list[dict]:
    """The year's images, oldest first: id, filename, width, height, uploaded_by, uploaded_at."""
    rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM text_images WHERE year = ? ORDER BY id", [year]).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]
