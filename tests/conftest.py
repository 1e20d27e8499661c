"""Shared fixtures: personas, media in a temp dir, Chromium for Playwright, the committed test
data, and the CI rule that a browser or service test may not skip."""

import os
from pathlib import Path

import pytest

# Sync Playwright runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Public data the tests read (sources and licences: tests/data/README.md). Inside the
# repository: no test or benchmark reads a path outside it (a user's clone has no ../shared).
DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped browser/service test is a failure: a skip would hide a broken feature."""
    outcome = yield
    report = outcome.get_result()
    if CI and report.skipped and (item.get_closest_marker("browser") or item.get_closest_marker("service")):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true (not allowed for browser/service tests): {report.longrepr}"


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in item.nodeid.split("/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _staff_groups(request):
    """A transactional test's flush (browser and worker tests) drops the staff groups
    (accounts.roles); put them back, with their permissions, before the test runs."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")) and "live_server" not in request.fixturenames:
        return
    from accounts.roles import ensure_staff_groups

    ensure_staff_groups()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """tests/data/: the committed copies of the public data sets (tests/data/README.md)."""
    return DATA_DIR


@pytest.fixture
def password():
    return "correct horse battery staple"


@pytest.fixture
def admin_user(db, password):
    from tests.factories import UserFactory

    return UserFactory(username="admin", is_staff=True, is_superuser=True, password=password)


@pytest.fixture
def author(db, password):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="author", is_staff=True, password=password)
    user.groups.add(Group.objects.get(name="Authors"))
    return user


@pytest.fixture
def moderator(db, password):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    user = UserFactory(username="moderator", is_staff=True, password=password)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def reader(db, password):
    from tests.factories import UserFactory

    return UserFactory(username="reader", display_name="Rita Reader", password=password)


@pytest.fixture
def post(db, author):
    from tests.factories import PostFactory

    return PostFactory(author=author)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s per user on this machine, and every factory post makes a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
