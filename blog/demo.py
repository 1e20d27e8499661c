"""Bulk demo comments for `seed_demo --comments N` and the benchmarks."""

import random

from django.utils import timezone

from blog.models import Comment, Post


def add_demo_comments(post: Post, count: int, *, stdout=None, seed: int = 1) -> None:
    """Add `count` approved comments to `post`: about a third top-level, the rest replies
    nested up to five deep. Paths and threads are computed here so that bulk_create works."""
    from tqdm import tqdm

    rng = random.Random(seed)
    last = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    made: list[Comment] = []
    start = timezone.now() - timezone.timedelta(days=1)
    for i in tqdm(range(count), desc="comments", disable=stdout is None, file=getattr(stdout, "_out", None)):
        pk = last + i + 1
        parent = None
        if made and rng.random() > 0.35:
            parent = rng.choice(made[-50:])
            if parent.depth >= 5:
                parent = None
        c = Comment(
            pk=pk, post=post, parent=parent, status=Comment.Status.APPROVED,
            checked_at=timezone.now(), body=f"Demo comment {pk}: the water is rising on my street too.",
            body_html=f"<p>Demo comment {pk}: the water is rising on my street too.</p>",
            author_name=f"Reader {pk % 97}", author_email=f"reader{pk % 97}@example.com",
            created_at=start + timezone.timedelta(seconds=i),
        )
        c.depth = parent.depth + 1 if parent else 1
        c.thread_id = parent.thread_id if parent else pk
        c.path = (parent.path if parent else "") + f"{pk:010d}/"
        made.append(c)
    Comment.objects.bulk_create(made, batch_size=1000)
    Post.objects.filter(pk=post.pk).update(
        comment_count=Comment.objects.approved().filter(post=post).count()
    )
