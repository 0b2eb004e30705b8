"""The Celery application.

With REDIS_URL set, tasks go to Redis and `celery -A pvd worker` runs them; without it, settings make
them eager. Tasks subclass DjangoTask, so services queue them with `task.delay_on_commit(...)`: a task
never starts before the transaction that created its data has committed.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pvd.settings")

app = Celery("pvd", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
