"""media.admin: an author uploads an image with alt text, gets a clear error for a bad file,
and copies the shortcode to paste; galleries keep their order."""

import pytest

from media.models import Gallery, Image
from media.renditions import renditions_make
from media.services import image_create
from tests.media_files import SVG_WITH_SCRIPT, huge_png, image_bytes, truncated_jpeg, upload

pytestmark = pytest.mark.django_db
ADD = "/admin/media/image/add/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr("config.helpers.enqueue", lambda task, *args: calls.append((task.name, args)))
    return calls


def _post(client, data: bytes, name="photo.jpg", alt="Harbour at night", **extra):
    return client.post(ADD, {"file": upload(data, name), "alt": alt, "caption": "", "credit": "", **extra})


def test_an_author_uploads_an_image_and_its_renditions_are_queued(admin_client, admin_user, queued,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(admin_client, image_bytes((900, 600)), caption="Lights", credit="Ana")
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height, image.caption, image.credit) == (900, 600, "Lights", "Ana")
    assert image.uploaded_by == admin_user
    assert queued == [("media.tasks.make_renditions", (image.pk,))]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (SVG_WITH_SCRIPT, "logo.svg", "SVG images are not accepted"),
        (truncated_jpeg(), "cut.jpg", "damaged or incomplete"),
        (huge_png(20_000, 20_000), "huge.png", "too many pixels"),
        (b"MZ\x90\x00 not an image at all", "virus.jpg", "not an image we accept"),
    ],
)
def test_a_bad_file_gets_a_clear_error_and_nothing_is_saved(admin_client, data, name, message):
    response = _post(admin_client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Harbour at night"' in response.content.decode()  # the typed alt text comes back
    assert not Image.objects.exists()


def test_alt_text_is_required(admin_client):
    response = _post(admin_client, image_bytes((50, 50)), alt="")
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not Image.objects.exists()


def test_the_change_form_shows_the_code_to_insert_the_image(admin_client):
    image = image_create(upload=upload(image_bytes((50, 50))), alt="Dot")
    content = admin_client.get(f"/admin/media/image/{image.pk}/change/").content.decode()
    assert f"[image id=&quot;{image.pk}&quot;]" in content or f'[image id="{image.pk}"]' in content


def test_editing_without_a_new_file_keeps_the_original(admin_client, queued):
    image = image_create(upload=upload(image_bytes((50, 50))), alt="Dot")
    response = admin_client.post(f"/admin/media/image/{image.pk}/change/", {"alt": "A dot", "caption": "", "credit": ""})
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt == "A dot" and image.file.storage.exists(image.file.name) and queued == []


def test_the_image_list_shows_thumbnails_in_a_constant_number_of_queries(admin_client, django_assert_max_num_queries):
    for i in range(3):
        renditions_make(image=image_create(upload=upload(image_bytes((700, 400))), alt=f"img {i}"))
    admin_client.get("/admin/media/image/")
    with django_assert_max_num_queries(12):
        small = admin_client.get("/admin/media/image/")
    for i in range(3, 8):
        renditions_make(image=image_create(upload=upload(image_bytes((700, 400))), alt=f"img {i}"))
    with django_assert_max_num_queries(12):
        big = admin_client.get("/admin/media/image/")
    assert small.content.decode().count("-320w.jpg") == 3 and big.content.decode().count("-320w.jpg") == 8


def test_deleting_in_the_admin_removes_the_files(admin_client, django_capture_on_commit_callbacks):
    image = image_create(upload=upload(image_bytes((700, 400))), alt="Gone")
    names = [image.file.name] + [r.file.name for r in renditions_make(image=image)]
    storage = image.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/media/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists() and not any(storage.exists(n) for n in names)


def test_the_featured_image_is_picked_by_autocomplete(admin_client):
    image_create(upload=upload(image_bytes((50, 50))), alt="Ferry at dawn")
    form = admin_client.get("/admin/blog/post/add/").content.decode()
    assert 'id="id_featured_image"' in form and "admin-autocomplete" in form
    found = admin_client.get("/admin/autocomplete/", {"term": "ferry", "app_label": "blog", "model_name": "post",
                                                      "field_name": "featured_image"}).json()
    assert [r["text"] for r in found["results"]] == ["Ferry at dawn"]


def test_a_gallery_keeps_its_items_in_order_and_offers_its_shortcode(admin_client):
    a = image_create(upload=upload(image_bytes((50, 50))), alt="A")
    b = image_create(upload=upload(image_bytes((50, 50))), alt="B")
    response = admin_client.post("/admin/media/gallery/add/", {
        "title": "Harbour",
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "1000",
        "items-0-position": "2", "items-0-image": str(a.pk),
        "items-1-position": "1", "items-1-image": str(b.pk),
    })
    assert response.status_code == 302
    gallery = Gallery.objects.get()
    assert [item.image_id for item in gallery.items.all()] == [b.pk, a.pk]
    page = admin_client.get(f"/admin/media/gallery/{gallery.pk}/change/").content.decode()
    assert f"[gallery ids=&quot;{b.pk},{a.pk}&quot;]" in page or f'[gallery ids="{b.pk},{a.pk}"]' in page
