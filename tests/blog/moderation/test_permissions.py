"""The permission matrix: each role × each action on what belongs to another author's post
(or is site-wide). Authors act on their own posts only; only moderators (and superusers) act
site-wide; images are changed by their uploader, editors and superusers."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import CommenterFlag
from blog.comments.models import Comment
from media.models import Image
from media.services import image_create
from tests.factories import CommentFactory, PostFactory, UserFactory
from tests.media_files import image_bytes, upload

pytestmark = pytest.mark.django_db

ROLES = ["admin", "editor", "author", "moderator", "reader", "anonymous"]


@pytest.fixture
def world(author, moderator, admin_user, reader):
    other = UserFactory(username="other-author", is_staff=True)
    other.groups.add(Group.objects.get(name="Authors"))
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    theirs = PostFactory(author=other)
    mine = PostFactory(author=author)
    foreign = CommentFactory(post=theirs, status="pending", author_email="victim@example.com", ip="203.0.113.7")
    own = CommentFactory(post=mine, status="pending", author_email="guest@example.com")
    image = image_create(upload=upload(image_bytes((40, 30))), alt="Other's photo", uploaded_by=other)
    users = {"admin": admin_user, "editor": editor, "author": author, "moderator": moderator, "reader": reader,
             "anonymous": None}
    return {"users": users, "foreign": foreign, "own": own, "image": image}


def _client(world, role) -> Client:
    client = Client()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    return client


def see_foreign_in_queue(world, client) -> bool:
    response = client.get(reverse("moderation:queue"))
    return response.status_code == 200 and f'data-comment-id="{world["foreign"].pk}"' in response.content.decode()


def approve_foreign(world, client) -> bool:
    client.post(reverse("moderation:act", args=[world["foreign"].pk, "approve"]))
    return Comment.objects.get(pk=world["foreign"].pk).status == "approved"


def ban_commenter_of_own_post(world, client) -> bool:
    client.post(reverse("moderation:act", args=[world["own"].pk, "ban"]))
    return CommenterFlag.objects.filter(email="guest@example.com").exists()


def read_foreign_email_in_admin(world, client) -> bool:
    response = client.get(reverse("admin:comments_comment_changelist"))
    return response.status_code == 200 and "victim@example.com" in response.content.decode()


def read_foreign_on_author_page(world, client) -> bool:
    response = client.get(reverse("moderation:author"), {"email": "victim@example.com"})
    return response.status_code == 200 and f'data-comment-id="{world["foreign"].pk}"' in response.content.decode()


def change_others_image(world, client) -> bool:
    image = world["image"]
    client.post(reverse("admin:media_image_change", args=[image.pk]),
                {"alt": "Replaced", "caption": "", "credit": ""})
    return Image.objects.get(pk=image.pk).alt == "Replaced"


MATRIX = {
    #                              admin  editor author moderator reader anonymous
    see_foreign_in_queue:        (True, False, False, True, False, False),
    approve_foreign:             (True, False, False, True, False, False),
    ban_commenter_of_own_post:   (True, False, False, True, False, False),
    read_foreign_email_in_admin: (True, False, False, True, False, False),
    read_foreign_on_author_page: (True, False, False, True, False, False),
    change_others_image:         (True, True, False, False, False, False),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX), ids=lambda f: f.__name__)
def test_each_role_may_do_exactly_what_the_matrix_allows(world, role, action):
    expected = MATRIX[action][ROLES.index(role)]
    assert action(world, _client(world, role)) is expected


def test_an_author_sees_commenters_history_counted_on_their_own_posts_only(world):
    CommentFactory(post=world["foreign"].post, status="approved", author_email="guest@example.com")
    client = _client(world, "author")
    response = client.get(reverse("moderation:detail", args=[world["own"].pk]))
    moderator_view = _client(world, "moderator").get(reverse("moderation:detail", args=[world["own"].pk]))
    assert response.status_code == moderator_view.status_code == 200
    history = response.context["comment"].history
    assert history.get("approved", 0) == 0
    assert moderator_view.context["comment"].history["approved"] == 1


def test_an_authors_queue_offers_no_ban_or_trust(world):
    html = _client(world, "author").get(reverse("moderation:queue")).content.decode()
    assert f'data-comment-id="{world["own"].pk}"' in html and 'data-action="ban"' not in html
    assert 'data-action="ban"' in _client(world, "moderator").get(reverse("moderation:queue")).content.decode()
