"""Where a comment sits in its thread: the one place the tree fields are computed.

Every comment stores `path` (its ancestors' ids and its own, each zero-padded to ten
digits and ended by "/"), `thread_id` (the top-level comment's id) and `depth` (1 for a
top-level comment), so one ordered query (`ORDER BY thread_id, path`) fetches whole
threads. Submit, the moderator's reply, the WordPress import, the demo and the test
factories all call `place`, so they agree on the format and on the one depth limit:
what `path` can hold (MAX_DEPTH levels). A reply deeper than that hangs from the deepest
ancestor that still fits; threads are *shown* only `thread_depth` deep anyway.
"""

from __future__ import annotations

from blog.comments.models import Comment

SEGMENT = 11  # ten digits and "/"
PATH_MAX = Comment._meta.get_field("path").max_length
MAX_DEPTH = PATH_MAX // SEGMENT  # 23 levels


def segment(pk: int) -> str:
    """One comment's part of a path."""
    return f"{pk:010d}/"


def attach_point(parent: Comment | None) -> Comment | None:
    """`parent`, or its deepest ancestor with room for one more level below it."""
    while parent is not None and parent.depth >= MAX_DEPTH:
        parent = parent.parent
    return parent


def place(comment: Comment, parent: Comment | None) -> Comment:
    """Set `comment`'s parent (within the depth limit), depth, thread_id and path, in
    memory; `comment.pk` must be known. The caller saves (one UPDATE, or a bulk insert)."""
    parent = attach_point(parent)
    comment.parent = parent
    if parent is None:
        comment.depth, comment.thread_id, comment.path = 1, comment.pk, segment(comment.pk)
    else:
        # A parent saved without tree fields (an old import) is treated as a top-level comment.
        comment.depth = parent.depth + 1
        comment.thread_id = parent.thread_id or parent.pk
        comment.path = (parent.path or segment(parent.pk)) + segment(comment.pk)
    return comment
