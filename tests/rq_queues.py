"""RQ queues of a test's own on the shared Redis, and clearing them afterwards: the two test
passes (and other projects' tests) use the same Redis at once, so a test deletes only what
names its own queues or their jobs, and reads only workers' hashes under "rq:worker:"
(a worker's executions there are a sorted set)."""

import redis
from rq import Queue


def workers_on(connection: redis.Redis, queue_name: str) -> list[bytes]:
    """The keys of the RQ workers that listen on ``queue_name``."""
    workers = []
    for key in connection.scan_iter(match="rq:worker:*", count=1000):
        if connection.type(key) != b"hash":
            continue
        if queue_name in (connection.hget(key, "queues") or b"").decode().split(","):
            workers.append(key)
    return workers


def clear(connection: redis.Redis, *names: str) -> list:
    """Delete the queues ``names``, their jobs, every key naming either, and their (dead)
    workers; returns what is left of them (nothing, unless something else wrote)."""
    job_ids = set()
    for name in names:
        queue = Queue(name, connection=connection)
        job_ids.update(queue.job_ids)
        for registry in (queue.started_job_registry, queue.finished_job_registry,
                         queue.failed_job_registry, queue.deferred_job_registry,
                         queue.scheduled_job_registry, queue.canceled_job_registry):
            job_ids.update(registry.get_job_ids(cleanup=False))
        for job in queue.job_class.fetch_many(list(job_ids), connection=connection):
            if job is not None:
                job.delete()
        connection.srem("rq:queues", queue.key)  # RQ's set of every queue
    patterns = [f"*{name}*" for name in names] + [f"*{job_id}*" for job_id in job_ids]
    for pattern in patterns:
        for key in connection.scan_iter(match=pattern, count=1000):
            connection.delete(key)
    for name in names:
        for key in workers_on(connection, name):
            connection.delete(key, key + b":executions")
    left = [key for pattern in patterns for key in connection.scan_iter(match=pattern)]
    left += [m for m in connection.smembers("rq:queues")
             if any(name in m.decode() for name in names)]
    for name in names:
        left += workers_on(connection, name)
    return left
