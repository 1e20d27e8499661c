"""Demo content for `seed_demo`: a developing story with a local gallery and dated updates,
posts across categories and tags (one sticky, one scheduled, one draft), an About page, and
bulk threaded comments for benchmarks.

Everything is found by a natural key before it is created, so running it twice changes
nothing. Images are drawn with Pillow: nothing is downloaded."""

import io
import random
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from blog.comments import tree
from blog.comments.models import Comment
from blog.comments.services import comment_submit
from blog.models import Category, Post, PostUpdate, Tag
from blog.moderation import actions as moderation_actions
from media.models import Image
from media.renditions import renditions_make
from media.services import image_create

STORY_SLUG = "river-flooding-live-updates"


@dataclass(frozen=True)
class DemoImage:
    name: str
    alt: str
    caption: str
    top: tuple[int, int, int]
    bottom: tuple[int, int, int]


GALLERY = [
    DemoImage("flooded-quay", "Brown water covering the quay up to the benches",
              "The quay at 7 a.m., with the water over the footpath.", (122, 153, 181), (92, 74, 52)),
    DemoImage("closed-bridge", "A police barrier closing the stone bridge",
              "The west bridge was closed to traffic just before midnight.", (160, 170, 182), (70, 80, 92)),
    DemoImage("sandbags", "Volunteers passing sandbags along a line",
              "Volunteers filled more than two thousand sandbags overnight.", (235, 196, 140), (120, 98, 70)),
]


def _draw_image(spec: DemoImage, size=(1200, 800)) -> bytes:
    """A gradient "photo" with its caption written on it: a real JPEG, made locally."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

    width, height = size
    img = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(img)
    for y in range(height):
        t = y / (height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(spec.top, spec.bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    rng = random.Random(spec.name)
    for _ in range(12):  # a few soft shapes so the images differ
        x, y, r = rng.randrange(width), rng.randrange(height // 2, height), rng.randrange(20, 120)
        shade = tuple(max(0, c - 25) for c in spec.bottom)
        draw.ellipse([x - r, y - r // 3, x + r, y + r // 3], fill=shade)
    font = ImageFont.load_default(size=48)
    draw.rectangle([0, height - 110, width, height], fill=(0, 0, 0))
    draw.text((40, height - 85), spec.alt, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def demo_images(uploader) -> list[Image]:
    images = []
    for spec in GALLERY:
        image = Image.objects.filter(alt=spec.alt).first()
        if image is None:
            # Through the same validation and rendition code as an admin upload; renditions
            # are made here because the worker may not be running yet.
            upload = SimpleUploadedFile(f"{spec.name}.jpg", _draw_image(spec), content_type="image/jpeg")
            image = image_create(upload=upload, alt=spec.alt, caption=spec.caption, credit="Dispatch demo",
                                 uploaded_by=uploader)
            renditions_make(image=image)
        images.append(image)
    return images


def story_body(images: list[Image]) -> str:
    ids = ",".join(str(image.pk) for image in images)
    return (
        "The river rose above its banks overnight, closing two bridges and the road along the "
        "quay. By dawn the water stood knee-deep outside the market hall, and the fire service "
        "had moved forty residents from the lowest streets to the sports centre.\n\n"
        "The rain gauge at the lock recorded 68 mm in twelve hours, more than the whole of an "
        "average March. The council has opened an emergency line and asks people not to drive "
        "through flood water.\n\n"
        "> “We have never seen the water this high in March. The last time it came over the "
        "quay wall was the winter of 1998.”\n>\n> — Anna Berg, lock keeper\n\n"
        "What we know so far:\n\n"
        "- Both the east and the west bridge are closed to traffic\n"
        "- Schools are open, but buses on routes 4 and 7 are diverted\n"
        "- Sandbags are available at the fire station on Mill Lane\n"
        "- The water is expected to peak around noon\n\n"
        "Our video from the quay at first light:\n\n"
        "https://www.youtube.com/watch?v=aqz-KE-bpKQ\n\n"
        "Photos from the night:\n\n"
        f'[gallery ids="{ids}"]\n\n'
        "We will keep this post updated as the situation develops.\n"
    )


@dataclass
class DemoPost:
    slug: str
    title: str
    body: str
    days_ago: float
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    status: str = Post.Status.PUBLISHED
    sticky: bool = False
    excerpt: str = ""


CATEGORIES = {"news": "News", "environment": "Environment", "culture": "Culture"}
TAGS = {
    "flooding": "Flooding", "weather": "Weather", "transport": "Transport", "city-council": "City council",
    "music": "Music", "elections": "Elections", "libraries": "Libraries",
}

OTHER_POSTS = [
    DemoPost("welcome-to-dispatch", "Welcome to Dispatch, our new newsroom blog",
             "This is where our reporters post the news as it happens: short updates, longer stories "
             "and the occasional opinion.\n\nTell us what you think in the comments below each post, "
             "or follow us by **RSS** at [/feed/](/feed/).\n",
             days_ago=20, categories=["news"], tags=[], sticky=True,
             excerpt="Why we started this blog, and how to follow it."),
    DemoPost("council-approves-cycle-lanes", "City council approves three new cycle lanes",
             "After two hours of debate the council voted 23 to 14 for protected cycle lanes on "
             "Station Road, the Ring and Harbour Street.\n\n## What changes\n\n1. Parking moves to one "
             "side of Station Road\n2. The Ring gets a 30 km/h limit\n3. Work starts in June\n\n"
             "> “This is the biggest change to our streets in a generation,” said the transport councillor.\n",
             days_ago=3, categories=["news"], tags=["city-council", "transport"]),
    DemoPost("jazz-festival-returns", "Jazz festival returns to the old harbour",
             "Three days, twenty-two bands and, for the first time, a free stage for school bands. "
             "The festival runs from Friday evening to Sunday night.\n\n"
             "- Friday: the opening parade from the station\n- Saturday: the late-night jam in the warehouse\n"
             "- Sunday: the big-band finale on the pier\n",
             days_ago=5, categories=["culture"], tags=["music"]),
    DemoPost("heatwave-what-you-need-to-know", "Heatwave warning: what you need to know",
             "The weather service has issued an amber warning for temperatures above 32 °C from "
             "Wednesday.\n\n### Look after each other\n\n- Check on older neighbours\n"
             "- Keep curtains closed in the afternoon\n- Never leave a child or a pet in a car\n",
             days_ago=8, categories=["environment"], tags=["weather"]),
    DemoPost("opinion-the-library-deserves-better", "Opinion: the central library deserves better",
             "The central library lends more books than any other in the region, yet its roof has "
             "leaked for six winters.\n\n> A city that cannot keep its library dry is telling its "
             "children what it thinks of reading.\n\nThe council should fund the repair this year.\n",
             days_ago=12, categories=["culture", "news"], tags=["libraries", "city-council"]),
    DemoPost("election-night-live-results", "Election night: live results",
             "Polls close at 10 p.m. We will post results ward by ward as they are declared.\n",
             days_ago=-2, categories=["news"], tags=["elections"], status=Post.Status.SCHEDULED),
    DemoPost("bridge-repair-costs", "What the bridge repairs will cost (draft)",
             "Notes for a follow-up: ask the engineer for the survey, and the council for last "
             "year's maintenance budget.\n",
             days_ago=0, categories=["news"], tags=["flooding", "transport"], status=Post.Status.DRAFT),
]


def _terms(model, names: dict[str, str]) -> dict[str, Category | Tag]:
    return {slug: model.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in names.items()}


@transaction.atomic
def seed_content(users: dict) -> Post:
    """Create the demo posts if missing; return the developing story."""
    now = timezone.now()
    categories = _terms(Category, CATEGORIES)
    tags = _terms(Tag, TAGS)
    images = demo_images(users["author"])

    story, created = Post.objects.get_or_create(
        slug=STORY_SLUG,
        defaults={
            "title": "River flooding: live updates",
            "author": users["author"],
            "status": Post.Status.PUBLISHED,
            "published_at": now - timedelta(days=1),
            "modified_at": now - timedelta(days=1),
            "excerpt": "The river rose above its banks overnight. We are following the story.",
            "body": story_body(images),
            "featured_image": images[0],
        },
    )
    if created:
        story.categories.add(categories["news"], categories["environment"])
        story.tags.add(tags["flooding"], tags["weather"], tags["transport"])
        PostUpdate.objects.create(
            post=story, published_at=now - timedelta(hours=20),
            body="The east bridge has reopened to pedestrians. Cars still cannot cross.\n",
        )
        PostUpdate.objects.create(
            post=story, published_at=now - timedelta(hours=2),
            body="The water peaked at 4.2 m just after noon and is now **falling slowly**. "
                 "The council says the quay road will stay closed until Monday.\n",
        )

    for spec in OTHER_POSTS:
        post, created = Post.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title, "author": users["author"], "status": spec.status, "sticky": spec.sticky,
                "published_at": now - timedelta(days=spec.days_ago),
                "modified_at": now - timedelta(days=max(spec.days_ago, 0)), "body": spec.body, "excerpt": spec.excerpt,
            },
        )
        if created:
            post.categories.add(*(categories[slug] for slug in spec.categories))
            post.tags.add(*(tags[slug] for slug in spec.tags))

    Post.objects.get_or_create(
        slug="about",
        defaults={
            "title": "About", "kind": Post.Kind.PAGE, "author": users["admin"], "status": Post.Status.PUBLISHED,
            "published_at": now - timedelta(days=30),
            "body": "Dispatch is a small newsroom blog about our city: its river, its streets and its people.\n\n"
                    "Write to the newsroom at news@example.com.\n",
        },
    )
    return story


def add_demo_comments(post: Post, count: int, *, stdout=None, seed: int = 1) -> None:
    """Add `count` approved comments to `post`: about a third top-level, the rest replies
    nested up to five deep. Paths and threads are computed here so that bulk_create works
    (one INSERT per 1,000 rows: 10,000 comments take seconds, not minutes)."""
    from tqdm import tqdm

    rng = random.Random(seed)
    last = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    made: list[Comment] = []
    start = timezone.now() - timedelta(days=1)
    checked = timezone.now()
    out = getattr(stdout, "_out", stdout)
    for i in tqdm(range(count), desc="comments", unit="comment", disable=stdout is None, file=out):
        pk = last + i + 1
        parent = None
        if made and rng.random() > 0.35:
            parent = rng.choice(made[-50:])
            if parent.depth >= 5:
                parent = None
        text = f"Demo comment {pk}: the water is rising on my street too."
        c = Comment(
            pk=pk, post=post, parent=parent, status=Comment.Status.APPROVED, checked_at=checked,
            body=text, body_html=f"<p>{text}</p>",
            author_name=f"Reader {pk % 97}", author_email=f"reader{pk % 97}@example.com",
            created_at=start + timedelta(seconds=i),
        )
        tree.place(c, parent)
        made.append(c)
    with transaction.atomic():
        Comment.objects.bulk_create(made, batch_size=1000)
        # Explicit ids leave PostgreSQL's sequence behind: move it past them, or the next
        # real comment would collide.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
                cursor.execute(sql)
        Post.objects.filter(pk=post.pk).update(
            comment_count=Comment.objects.approved().filter(post=post).count(),
            comments_version=F("comments_version") + 1,
        )


DEMO_READERS = [
    # (name, e-mail, ip, text): a regular whose first comment a moderator approved, her next
    # comment, a first-time commenter, and a spammer — so the pipeline has something to decide.
    ("Maria Lopez", "maria@example.org", "198.51.100.7",
     "The footbridge by the mill is under water too. Stay safe everyone."),
    ("Maria Lopez", "maria@example.org", "198.51.100.7",
     "Update from the mill: the water has dropped about a hand's width since noon."),
    ("Tom Becker", "tom@example.net", "203.0.113.20",
     "Does anyone know if the number 7 bus is running to the station today?"),
    ("Best Deals", "deals@casino-bonus.example", "192.0.2.66",
     "CHEAP CASINO BONUS!!! Click http://casino-bonus.example http://free-spins.example "
     "http://win-big.example now!!!"),
]


def demo_conversation(story: Post, moderator) -> None:
    """A few readers' comments on the story, submitted as readers do (pending, unchecked,
    screened by the worker once it runs). Added once: only while the story has none."""
    if story.comments.exclude(author_email__endswith="@example.com").exists():
        return
    first = None
    for name, email, ip, text in DEMO_READERS:
        comment = comment_submit(post=story, body=text, author_name=name, author_email=email, ip=ip,
                                 user_agent="Mozilla/5.0 (demo)", form_age=40.0,
                                 now=timezone.now() - timedelta(minutes=10 if first is None else 0))
        if first is None:  # Maria's first comment: approved by the moderator
            first = comment
            moderation_actions.comment_moderate(comment_id=comment.pk, actor=moderator, action="approve")
