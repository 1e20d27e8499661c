"""Settings of the load test's web server: the site's own, plus one trivial view (the
baseline a submission is compared with). Used only by tests/benchmarks/load.py."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.load_urls"
