"""The Redis broker transport, with the one fix a worker needs to survive a broker outage.

Celery 5.7 / kombu 5.7 (the newest releases): when the worker's connection to Redis breaks,
the consumer first `collect()`s the connection, which detaches the transport from it
(`transport.client = None`), and then `close()`s it; closing the channel tries to put the
unacknowledged messages back, which builds a new Redis client from `transport.client` and
dies with `AttributeError: 'NoneType' object has no attribute 'hostname'` in
`Channel._connparams`. An AttributeError is not a connection error, so the worker stopped
("Unrecoverable error") instead of reconnecting. Here the same situation raises Redis's
ConnectionError, which kombu ignores while closing a dead connection, and the worker goes
on to reconnect. Nothing is lost by skipping that restore: the messages stay in Redis's
unacked index (redelivered after `visibility_timeout`) if Redis survived, and the beat's
sweep re-queues every comment still unchecked either way.

Selected by `CELERY_BROKER_TRANSPORT` in config/settings.py for redis:// and rediss:// URLs.
"""

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
