"""The admin's image upload form: every check of media.validation.validate_image_file, as form
errors. The file field is a plain FileField so that our messages, not Django's generic
"Upload a valid image", reach the author."""

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from media.models import Image
from media.validation import ACCEPTED_FORMATS, validate_image_file


def _formats() -> str:
    names = [{"WEBP": "WebP"}.get(f, f) for f in ACCEPTED_FORMATS]
    return ", ".join(names[:-1]) + " or " + names[-1]


class ImageAdminForm(forms.ModelForm):
    file = forms.FileField(
        label="Image file",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp,image/avif"}),
    )

    class Meta:
        model = Image
        fields = ["file", "alt", "caption", "credit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"{_formats()}; at most {settings.IMAGE_MAX_BYTES // (1024 * 1024)} MB and "
            f"{settings.IMAGE_MAX_PIXELS // 1_000_000} megapixels. Location data (EXIF) is removed "
            "and the photo is turned upright."
        )
        self.fields["alt"].help_text = (
            "Required. Describe the image for readers who cannot see it (what matters in it, not \"photo of\")."
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not isinstance(upload, UploadedFile):  # editing without a new upload
            return upload
        return validate_image_file(upload, name=upload.name).content
