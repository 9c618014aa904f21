import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regiolab.settings")

app = Celery("regiolab")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
def worker_broker_options(conf, **kwargs):
    """A worker waits out a broker outage; only the web's requests must give up at once.

    The settings' transport options make a request fail after one attempt (max_retries=0) and
    a one-second timeout; in a worker those would turn a short outage into errors in its own
    reconnection. Here it keeps retrying (broker_connection_max_retries=None) with Kombu's
    defaults and a timeout long enough for any answer of a living Redis.
    """
    options = {k: v for k, v in conf.broker_transport_options.items() if k != "max_retries"}
    conf.broker_transport_options = {**options, "socket_timeout": 10}
    conf.broker_connection_timeout = 4
