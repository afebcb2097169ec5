"""Small real files for tests of uploads (issue 15: uploads are judged by their content)."""

from __future__ import annotations

import io


def pdf_bytes(note: str = "scan") -> bytes:
    """A minimal, well-formed one-page PDF; ``note`` is kept in a comment so tests can tell files apart."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%" + note.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (4, 3)) -> bytes:
    """A tiny real image made with Pillow (``fmt`` "PNG" or "JPEG")."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=fmt)
    return out.getvalue()


def pdf_upload(name: str = "scan.pdf", note: str = "scan"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(note), content_type="application/pdf")


def docx_bytes(text: str = "Berita acara rembuk stunting", embed: bytes | None = None) -> bytes:
    """A real Word document made with python-docx; with ``embed``, that file is added as an
    embedded object (``word/embeddings/``), as Word keeps a chart's workbook."""
    import zipfile

    from docx import Document

    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    if embed is None:
        return out.getvalue()
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", embed)
    return out.getvalue()


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def odt_bytes(text: str = "Notulen rapat koordinasi") -> bytes:
    """A real OpenDocument text file as LibreOffice writes one: ``mimetype`` first and stored,
    the manifest, the content and the styles."""
    import zipfile
    from xml.sax.saxutils import escape  # nosec B406 - escapes text we write; parses nothing

    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:text>'
        f"<text:p>{escape(text)}</text:p></office:text></office:body></office:document-content>"
    )
    styles = f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ns}/>'
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path='
        '"content.xml" manifest:media-type="text/xml"/><manifest:file-entry manifest:full-path="styles.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("styles.xml", styles)
        archive.writestr("META-INF/manifest.xml", manifest)
    return out.getvalue()
