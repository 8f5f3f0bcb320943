"""Images for the formatted texts (storage.record.images) on a real SQLite copy of the demo store: uploaded by the
committee only, in an open year, told by their content, re-encoded as PNG with nothing of the file but its pixels,
kept once per year, audited; anything else refused with a message and nothing stored."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageFile, PngImagePlugin

from analysis.audit_log import summary
from storage import audit
from storage.errors import AccessDenied, InputError, NotEditable
from storage.record import images

YEAR, CLOSED = 2570, 2569


@pytest.fixture
def committee(demo_user):
    return demo_user("committee")


def picture(width: int, height: int, kind: str = "PNG", mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), "red" if mode != "L" else 128).save(out, kind, **save)
    return out.getvalue()


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that says it is ``width`` by ``height`` and holds no pixels (a decompression bomb's header)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def stored(db) -> int:
    return db.execute("SELECT COUNT(*) FROM text_images").fetchone()[0]


def opened(png: bytes) -> Image.Image:
    found = Image.open(io.BytesIO(png))
    found.load()
    return found


def test_the_committee_uploads_an_image_and_every_text_of_the_year_may_cite_it(demo_db, committee):
    image_id = images.upload(demo_db, committee, YEAR, "C:\\fakepath\\แผนภูมิ องค์การ.png", picture(300, 200))
    assert isinstance(image_id, int)
    [(found_id, png)] = images.for_year(demo_db, YEAR).items()
    assert found_id == image_id and png.startswith(b"\x89PNG\r\n\x1a\n") and opened(png).size == (300, 200)
    assert images.for_year(demo_db, CLOSED) == {}
    [row] = images.listing(demo_db, YEAR)
    assert {k: row[k] for k in ("id", "filename", "width", "height", "uploaded_by")} == {
        "id": image_id, "filename": "แผนภูมิ องค์การ.png", "width": 300, "height": 200, "uploaded_by": "demo-committee"}
    assert row["uploaded_at"]
    entry = audit.entries(demo_db, action="upload_image").iloc[0]
    assert (entry["username"], entry["entity"], entry["entity_id"], entry["year"]) == (
        "demo-committee", "text_image", str(image_id), YEAR)
    words = summary(entry["action"], entry["entity"], entry["entity_id"], entry["detail"], "en")
    assert words == f"uploaded image:{image_id} for {YEAR} (แผนภูมิ องค์การ.png, 300×200 pixels)"


def test_the_same_picture_twice_in_a_year_is_kept_once(demo_db, committee):
    first = images.upload(demo_db, committee, YEAR, "a.png", picture(40, 30))
    again = images.upload(demo_db, committee, YEAR, "b.png", picture(40, 30))
    other = images.upload(demo_db, committee, YEAR, "c.png", picture(41, 30))
    assert again == first != other and stored(demo_db) == 2
    assert len(audit.entries(demo_db, action="upload_image")) == 2


def test_a_jpeg_is_stored_as_png_upright_without_its_metadata(demo_db, committee):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned; the picture is shown turned a quarter clockwise
    exif[0x010F] = "Camera maker"
    exif[0x8825] = {2: (13.0, 45.0, 0.0)}  # GPS latitude: where it was taken
    photo = picture(80, 40, "JPEG", exif=exif.tobytes(), comment=b"secret note")
    assert b"Camera maker" in photo and b"secret note" in photo
    image_id = images.upload(demo_db, committee, YEAR, "photo.JPG", photo)
    png = images.for_year(demo_db, YEAR)[image_id]
    found = opened(png)
    assert (found.format, found.size) == ("PNG", (40, 80))  # turned upright
    assert not found.getexif() and "exif" not in found.info and "comment" not in found.info
    assert b"Camera maker" not in png and b"secret note" not in png
    assert images.listing(demo_db, YEAR)[0]["width"] == 40


def test_a_pngs_text_chunks_and_profile_go_and_its_transparency_stays(demo_db, committee):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "somchai@example.org")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 0)).save(out, "PNG", pnginfo=info, icc_profile=b"\0" * 200)
    image_id = images.upload(demo_db, committee, YEAR, "x.png", out.getvalue())
    png = images.for_year(demo_db, YEAR)[image_id]
    found = opened(png)
    assert b"somchai" not in png and "icc_profile" not in found.info and not getattr(found, "text", {})
    assert found.mode == "RGBA" and found.getpixel((0, 0))[3] == 0
    palette = io.BytesIO()
    Image.new("P", (20, 10), 0).save(palette, "PNG", transparency=0)
    image_id = images.upload(demo_db, committee, YEAR, "p.png", palette.getvalue())
    found = opened(images.for_year(demo_db, YEAR)[image_id])
    assert found.mode == "RGBA" and found.getpixel((0, 0))[3] == 0  # a transparent colour stays transparent


def test_a_large_picture_is_stored_smaller(demo_db, committee):
    image_id = images.upload(demo_db, committee, YEAR, "wide.png", picture(images.MAX_SIDE * 2, 100, mode="L"))
    [row] = images.listing(demo_db, YEAR)
    assert (row["id"], row["width"], row["height"]) == (image_id, images.MAX_SIDE, 50)
    assert opened(images.for_year(demo_db, YEAR)[image_id]).size == (images.MAX_SIDE, 50)


@pytest.mark.parametrize(("name", "data", "key"), [
    ("empty.png", b"", "error_file_empty"),
    ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * images.MAX_BYTES, "error_file_size"),
    ("anim.gif", picture(10, 10, "GIF"), "error_image_type"),
    ("draw.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "error_image_type"),
    ("page.png", b"<html><script>alert(1)</script></html>", "error_image_type"),
    ("doc.pdf.png", b"%PDF-1.4\n", "error_image_type"),
    ("fake.png", b"\x89PNG\r\n\x1a\n" + b"not really", "error_image_content"),
    ("cut.png", picture(50, 50)[:60], "error_image_content"),
    ("cut.jpg", picture(50, 50, "JPEG")[:100], "error_image_content"),
    ("jpeg-named.png", b"\xff\xd8\xff" + picture(10, 10)[3:], "error_image_content"),  # a PNG with JPEG's start
    ("many.png", png_header_only(6_000, 5_000), "error_image_pixels"),
    ("bomb.png", png_header_only(30_000, 30_000), "error_image_pixels"),  # Pillow's own limit
    ("n" * 300 + ".png", picture(10, 10), "error_text_length"),
])
def test_anything_but_a_whole_png_or_jpeg_is_refused_with_a_message_and_nothing_is_stored(demo_db, committee, name,
                                                                                          data, key, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as importing WeasyPrint leaves it
    with pytest.raises(InputError) as refused:
        images.upload(demo_db, committee, YEAR, name, data)
    assert refused.value.key == key
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # as it was, for WeasyPrint
    assert stored(demo_db) == 0 and audit.entries(demo_db, action="upload_image").empty


@pytest.mark.parametrize("role", ["unit", "director", "admin"])
def test_only_the_committee_uploads(demo_db, demo_user, role):
    with pytest.raises(AccessDenied):
        images.upload(demo_db, demo_user(role), YEAR, "a.png", picture(10, 10))
    with pytest.raises(AccessDenied):  # refused before the file is even looked at
        images.upload(demo_db, demo_user(role), YEAR, "a.png", b"junk")
    assert stored(demo_db) == 0


def test_a_closed_or_unknown_year_takes_no_image(demo_db, committee):
    with pytest.raises(NotEditable):
        images.upload(demo_db, committee, CLOSED, "a.png", picture(10, 10))
    with pytest.raises(InputError, match="error_no_cycle"):
        images.upload(demo_db, committee, 2600, "a.png", picture(10, 10))
    assert stored(demo_db) == 0


def test_a_forged_user_is_refused(demo_db, committee):
    from dataclasses import replace

    with pytest.raises(AccessDenied):
        images.upload(demo_db, replace(committee, username="someone-else"), YEAR, "a.png", picture(10, 10))
    unit = replace(committee, role="committee", id=next(
        r[0] for r in demo_db.execute("SELECT id FROM users WHERE role = 'unit'")))
    with pytest.raises(AccessDenied):  # the role is the store's, not the object's
        images.upload(demo_db, unit, YEAR, "a.png", picture(10, 10))


def test_every_refusal_has_words_in_thai_and_english():
    from i18n import translate

    for key in ("error_image_type", "error_image_content"):
        assert "x.png" in translate(key, "th", name="x.png") and "x.png" in translate(key, "en", name="x.png")
    assert "25" in translate("error_image_pixels", "en", name="x", limit=images.MAX_PIXELS // 1_000_000)
