"""`regenerate_renditions [--id N ...] [--missing]`: remake image renditions in this process
(after changing widths or formats, or for images whose task never ran); then one
`renditions_ready` for all the images remade, so each body that shows them is rendered
again once, not once per image."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from media.models import Image
from media.renditions import renditions_make
from media.signals import renditions_ready


class Command(BaseCommand):
    help = "Remake renditions of every image (or of --id N, or only those with --missing)."

    def add_arguments(self, parser):
        parser.add_argument("--id", type=int, action="append", dest="ids", help="only this image (repeatable)")
        parser.add_argument("--missing", action="store_true", help="only images that have no renditions yet")

    def handle(self, *args, ids=None, missing=False, **options):
        images = Image.objects.order_by("pk")
        if ids:
            images = images.filter(pk__in=ids)
        if missing:
            images = images.filter(renditions__isnull=True)
        images = list(images)
        made, remade = 0, []
        for image in tqdm(images, desc="images", file=self.stderr._out, disable=not images):
            try:
                made += len(renditions_make(image=image))
            except OSError as exc:  # a missing or unreadable original: report it, carry on
                self.stderr.write(f"image {image.pk}: {exc}")
            else:
                remade.append(image)
        if remade:
            renditions_ready.send(sender=Image, images=remade)
        failed = len(images) - len(remade)
        self.stdout.write(self.style.SUCCESS(f"{made} renditions made, {failed} images failed."))
