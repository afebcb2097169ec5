from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from tumbuh.accounts import policy

from .models import UploadedDocument


@login_required
def download(request, pk: int):
    """An uploaded file, to those who may see its region (never from a public media URL)."""
    document = policy.get_object_or_404(request.user, UploadedDocument, pk=pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])
