"""Scale out: two web processes (gunicorn) and two Celery workers on one PostgreSQL (a private
cluster) and one Redis (a private redis-server: broker on db 0, cache on db 1). A session
started on one web process is valid on the other, a limit counted in the cache is shared,
and every mail goes exactly once although two workers race for duplicated tasks."""

import subprocess
import sys

import psycopg
import pytest
from celery import Celery

from tests.servers import ROOT, Commenter, RedisServer, WebServer

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

SETUP = """
from django.contrib.auth.models import Group
from tests.factories import CommentFactory, PostFactory, UserFactory
mod = UserFactory(username="moderator", email="mod@example.com", is_staff=True, password="correct horse battery")
mod.groups.add(Group.objects.get(name="Moderators"))
UserFactory(username="rita", email="rita@example.com", password="correct horse battery")
p = PostFactory()
print(p.pk, p.get_absolute_url())
"""


@pytest.fixture
def cluster(private_postgres, worker_env, tmp_path):
    """The shared services and the site's database, migrated, with a post and two users."""
    subprocess.run(["createdb", "-h", "127.0.0.1", "-p", str(private_postgres.port), "-U", "postgres", "scale"],
                   check=True)
    redis = RedisServer(tmp_path / "redis")
    env = {"DATABASE_URL": private_postgres.url("scale"), "CELERY_BROKER_URL": redis.url + "/0",
           "CACHE_URL": redis.url + "/1", "COMMENT_FLOOD_INTERVAL": "0"}
    full = {**worker_env, **env}
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], env=full, cwd=ROOT, check=True,
                   capture_output=True)
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP], env=full, cwd=ROOT, check=True,
                          capture_output=True, text=True)
    post_id, page = made.stdout.split()[-2:]
    try:
        yield env, private_postgres, redis, post_id, page
    finally:
        redis.kill()


def test_two_web_processes_and_two_workers_share_sessions_caches_and_send_each_mail_once(
        cluster, worker_env, start_worker, smtp, tmp_path):
    env, pg, redis, post_id, page = cluster
    sink, _ = smtp
    webs = [WebServer({**worker_env, **env}, tmp_path / f"web-{i}.log", workers=1) for i in range(2)]
    try:
        for _ in range(2):
            start_worker(**env)
        a, b = (w.url for w in webs)

        # A session made on one web process is valid on the other (sessions live in PostgreSQL).
        rita = Commenter(a)
        login = rita.session.get(a + "/accounts/login/", timeout=10)
        token = login.text.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        done = rita.session.post(a + "/accounts/login/", timeout=10, allow_redirects=False, data={
            "login": "rita", "password": "correct horse battery", "csrfmiddlewaretoken": token})
        assert done.status_code == 302, done.text[:500]
        assert rita.session.get(b + "/accounts/me/", timeout=10, allow_redirects=False).status_code == 200
        assert Commenter(b).session.get(b + "/accounts/me/", timeout=10, allow_redirects=False).status_code == 302

        # A limit counted in the cache is counted once for both (10 follow requests an hour per address).
        reader = Commenter(a)
        html = reader.session.get(a + page, timeout=10).text
        token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
        statuses = [reader.session.post((a, b)[i % 2] + "/comments/follow/", timeout=10, data={
            "csrfmiddlewaretoken": token, "post_id": post_id, "email": f"f{i}@example.com"}).status_code
            for i in range(12)]
        assert statuses[:10].count(429) == 0 and statuses[10:] == [429, 429], statuses

        # Comments through both web processes, screened by both workers; then every screening
        # is queued twice more, and both workers race for the duplicates.
        for i in range(6):
            response = Commenter((a, b)[i % 2], name=f"Newcomer {i}", email=f"new{i}@example.com").submit(
                page, f"A first comment about the garden, number {i}.", post_id=post_id)
            assert response.status_code == 302

        def rows(sql):
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/scale") as conn:
                return conn.execute(sql).fetchall()

        wait_for(lambda: rows("SELECT count(*) FROM comments_comment WHERE checked_at IS NULL") == [(0,)],
                 timeout=60, what="every comment decided")
        app = Celery("dup", broker=env["CELERY_BROKER_URL"], set_as_current=False)
        app.conf.broker_write_url = env["CELERY_BROKER_URL"]
        ids = [pk for (pk,) in rows("SELECT id FROM comments_comment")]
        with app.connection_for_write() as conn:
            for _ in range(2):
                for pk in ids:
                    app.send_task("blog.moderation.tasks.screen_comment", args=[pk], connection=conn)
        wait_for(lambda: rows("SELECT count(*) FROM comments_notification WHERE sent_at IS NULL") == [(0,)]
                 and len(sink.messages) >= rows("SELECT count(*) FROM comments_notification")[0][0],
                 timeout=60, what="every mail sent")
        wait_for(lambda: redis_idle(redis), timeout=30, what="the duplicates consumed")
        notifications = rows("SELECT count(*) FROM comments_notification")[0][0]
        assert notifications >= 6  # one to the moderator per held comment, at least
        assert len(sink.messages) == notifications
        assert rows("SELECT count(*) FROM moderation_moderationevent WHERE actor_id IS NULL") == [(6,)]
    finally:
        for web in webs:
            web.stop()


def redis_idle(redis: RedisServer) -> bool:
    out = subprocess.run(["redis-cli", "-p", str(redis.port), "-n", "0", "llen", "celery"],
                         capture_output=True, text=True).stdout.strip()
    return out == "0"
