"""Attaching files to objects: validated, scoped and audited like every other change."""

from __future__ import annotations

from django.db import models

from tumbuh.audit.actions import do_save

from .models import UploadedDocument


def do_attach(
    actor, owner: models.Model, *, file, kind: str, title: str, wilayah_code: str, reason: str = ""
) -> UploadedDocument:
    """Store ``file`` as a document of ``owner`` in region ``wilayah_code`` (the owner's node).

    Raises ``PermissionDenied`` when ``actor`` may not attach files there and
    ``ValidationError`` for a file of the wrong kind or size."""
    from django.contrib.contenttypes.models import ContentType

    document = UploadedDocument(
        wilayah_id=wilayah_code,
        content_type=ContentType.objects.get_for_model(owner),
        object_id=str(owner.pk),
        kind=kind,
        title=title,
        file=file,
        uploaded_by=actor,
    )
    return do_save(actor, document, reason=reason)
