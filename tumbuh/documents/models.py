"""The district's letterhead and the files people upload (signed scans, decrees, evidence).

Uploaded files are personal or official records, so they are never served from a public
media URL: :class:`UploadedDocument` is scoped like everything else and downloaded through a
view that asks the policy (``documents:download``).
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tumbuh.wilayah.models import Level, Wilayah

from .official import Kop
from .validators import validate_upload

#: What may be uploaded: documents and scans, nothing executable.
ALLOWED_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".odt"}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class Letterhead(models.Model):
    """The kop surat of a district office (one per kabupaten and office)."""

    kabupaten = models.ForeignKey(
        Wilayah,
        on_delete=models.PROTECT,
        related_name="letterheads",
        limit_choices_to={"level": Level.KABUPATEN},
        verbose_name=_("regency / city"),
    )
    government = models.CharField(
        _("government line"), max_length=150, help_text=_("e.g. PEMERINTAH KABUPATEN LUWU TIMUR")
    )
    office = models.CharField(
        _("office"), max_length=150, blank=True, help_text=_("e.g. BADAN PERENCANAAN PEMBANGUNAN DAERAH")
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    contact = models.CharField(_("telephone, e-mail, website"), max_length=250, blank=True)
    is_default = models.BooleanField(_("default for this district"), default=True)

    scope_path = "kabupaten"
    personal_data = False
    personal_data_reason = "an office's address and contact, printed on its letters"
    scope_reaches_up = True

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")
        ordering = ["kabupaten_id", "-is_default", "office"]

    def __str__(self) -> str:
        return f"{self.government} — {self.office}" if self.office else self.government

    def as_kop(self) -> Kop:
        return Kop(government=self.government, office=self.office, address=self.address, contact=self.contact)

    @classmethod
    def kop_for(cls, kabupaten: Wilayah | str) -> Kop:
        """The district's default letterhead, or one made from its name until an admin sets one."""
        code = kabupaten if isinstance(kabupaten, str) else kabupaten.code
        head = cls.objects.filter(kabupaten_id=code).order_by("-is_default", "pk").first()
        if head:
            return head.as_kop()
        wilayah = kabupaten if isinstance(kabupaten, Wilayah) else Wilayah.objects.get(pk=code)
        name = wilayah.name.upper()
        if not name.startswith(("KABUPATEN", "KOTA")):
            name = f"KABUPATEN {name}"
        return Kop(government=f"PEMERINTAH {name}", office="TIM PERCEPATAN PENURUNAN STUNTING")


def _upload_to(instance: UploadedDocument, filename: str) -> str:
    return f"documents/{instance.wilayah_id}/{PurePath(filename).name}"


class UploadedDocument(models.Model):
    """A file attached to any object (a signed berita acara, an SK, evidence of help given)."""

    wilayah = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("attached to (kind of record)")
    )
    object_id = models.CharField(_("attached to (record id)"), max_length=64)
    owner = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=40, help_text=_("e.g. signed berita acara, decree, evidence"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_upload_to, max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    scope_path = "wilayah"
    personal_data = "attachment"  # as personal as the record it is attached to
    #: A file filed at a node is seen inside that node and by the users below it: the district's
    #: Perbup or the TPPS decree reaches every desa operator, while a desa's evidence stays in
    #: that desa (a neighbouring desa is not below it). File personal evidence at the desa.
    scope_reaches_up = True

    class Meta:
        verbose_name = _("uploaded document")
        verbose_name_plural = _("uploaded documents")
        ordering = ["-uploaded_at"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.file:
            ext = PurePath(self.file.name).suffix.lower()
            if ext not in ALLOWED_EXTENSIONS:
                raise ValidationError({"file": _("Only PDF, image, Word, Excel or ODT files can be uploaded.")})
            if self.file.size and self.file.size > MAX_UPLOAD_BYTES:
                raise ValidationError({"file": _("The file is larger than 20 MB.")})
            if not self.file._committed:  # a new upload: judge its content, not its name
                try:
                    validate_upload(self.file)
                except ValidationError as e:
                    raise ValidationError({"file": e.error_list}) from None

    @classmethod
    def for_object(cls, obj: models.Model) -> models.QuerySet:
        return cls.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
