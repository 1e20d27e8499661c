#!/usr/bin/env bash
# django-comments-xtd on the newest Django this Python allows, in its own venv and project
# under var/bench-peers/xtd/ (SQLite, gunicorn with 2 workers, DEBUG off), at
# http://127.0.0.1:8082/, with the posts of tests/benchmarks/shapes.py. Writes urls.json
# for tests/benchmarks/bench_side_by_side.py.
set -euo pipefail
ROOT=$1
DIR=$ROOT/var/bench-peers/xtd
PORT=8082
PYTHON=${PYTHON:-python3}
mkdir -p "$DIR/project/bench/templates/bench" "$DIR/run"
[ -x "$DIR/venv/bin/python" ] || "$PYTHON" -m venv "$DIR/venv"
"$DIR/venv/bin/python" -m pip install --quiet --upgrade "django-comments-xtd" "django" gunicorn

cd "$DIR/project"
cat > settings.py <<'PY'
import os
BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "bench-only-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.sites", "django.contrib.messages", "django_comments_xtd", "django_comments", "bench"]
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.contrib.sessions.middleware.SessionMiddleware",
              "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE_DIR, "db.sqlite3")}}
SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
COMMENTS_XTD_MAX_THREAD_LEVEL = 3  # a top-level comment and replies three levels below it
COMMENTS_XTD_CONFIRM_EMAIL = False
STATIC_URL = "/static/"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PY
cat > urls.py <<'PY'
from django.http import HttpResponse
from django.urls import include, path

from bench import views

urlpatterns = [
    path("hello/", lambda request: HttpResponse("Hello, world", content_type="text/plain")),
    path("post/<int:pk>/", views.post_detail, name="post"),
    path("comments/", include("django_comments_xtd.urls")),
]
PY
touch bench/__init__.py
cat > bench/models.py <<'PY'
from django.db import models
from django.urls import reverse


class Post(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField()
    allow_comments = models.BooleanField(default=True)

    def get_absolute_url(self):
        return reverse("post", args=[self.pk])
PY
cat > bench/views.py <<'PY'
from django.shortcuts import get_object_or_404, render

from bench.models import Post


def post_detail(request, pk):
    return render(request, "bench/post.html", {"post": get_object_or_404(Post, pk=pk)})
PY
cat > bench/templates/bench/post.html <<'HTML'
{% load comments comments_xtd %}<!doctype html><html><head><title>{{ post.title }}</title></head><body>
<article><h1>{{ post.title }}</h1>{{ post.body|safe }}</article>
{% get_comment_count for post as comment_count %}<h2>{{ comment_count }} comments</h2>
{% render_xtdcomment_tree for post allow_feedback show_feedback allow_flagging %}
{% render_comment_form for post %}
</body></html>
HTML
cat > seed.py <<'PY'
import datetime, json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import django
django.setup()
from django.utils import timezone
from django_comments_xtd.models import XtdComment
from bench.models import Post

urls = {}
for n in (100, 1000):
    post = Post.objects.create(title=f"A post with {n} comments",
                               body="<p>The river rose above its banks overnight.</p>" * 5)
    ids, start = {}, timezone.now() - datetime.timedelta(days=1)
    for line in open(sys.argv[1] + f"/shapes-{n}.jsonl"):
        c = json.loads(line)
        made = XtdComment.objects.create(
            content_object=post, site_id=1, user_name=c["name"], user_email=c["email"], comment=c["body"],
            submit_date=start + datetime.timedelta(seconds=c["i"]), is_public=True,
            parent_id=ids[c["parent"]] if c["parent"] is not None else 0)
        ids[c["i"]] = made.pk
    urls[str(n)] = post.get_absolute_url()
print(json.dumps({"base": "http://127.0.0.1:8082", **urls, "trivial": "/hello/",
                  "version": f"django-comments-xtd {__import__('django_comments_xtd').get_version()} "
                             f"(Django {django.get_version()}, SQLite, gunicorn 2 workers)"}))
PY
if [ ! -f "$DIR/seeded" ]; then
    for n in 100 1000; do (cd "$ROOT" && .venv/bin/python -m tests.benchmarks.shapes $n > "$DIR/shapes-$n.jsonl"); done
    rm -f db.sqlite3
    DJANGO_SETTINGS_MODULE=settings "$DIR/venv/bin/python" -m django makemigrations bench -v0
    DJANGO_SETTINGS_MODULE=settings PYTHONPATH=. "$DIR/venv/bin/python" -m django migrate -v0
    "$DIR/venv/bin/python" seed.py "$DIR" > "$DIR/urls.json.tmp"
    mv "$DIR/urls.json.tmp" "$DIR/urls.json"
    touch "$DIR/seeded"
fi
cat > wsgi_app.py <<'PY'
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
application = get_wsgi_application()
PY
if [ -f "$DIR/run/gunicorn.pid" ] && kill -0 "$(cat "$DIR/run/gunicorn.pid")" 2>/dev/null; then
    kill "$(cat "$DIR/run/gunicorn.pid")"; sleep 2
fi
"$DIR/venv/bin/gunicorn" --chdir "$DIR/project" -w 2 -b "127.0.0.1:$PORT" --daemon \
    --pid "$DIR/run/gunicorn.pid" --error-logfile "$DIR/run/gunicorn.log" wsgi_app:application
sleep 3
curl -fsS "http://127.0.0.1:$PORT/hello/" >/dev/null && echo "django-comments-xtd ready at http://127.0.0.1:$PORT/ ($DIR/urls.json)"
