"""Settings of the gunicorn that bench_side_by_side starts: the site's, plus /bench/hello/."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.urls"
