"""The worker's side of the Tools page: run one import or export (blog.wxr.jobs). Loaded
by the worker through CELERY_IMPORTS (blog.wxr is a package, not an app)."""

from celery import shared_task

from blog.wxr import jobs
from config.celery import RELIABLE


# Within the broker's visibility_timeout (3600 s, config.settings): never redelivered while it runs.
@shared_task(soft_time_limit=3000, time_limit=3300, **RELIABLE)
def run_transfer(transfer_id: int) -> bool:
    return jobs.transfer_run(job_id=transfer_id)
