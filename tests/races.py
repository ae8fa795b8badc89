"""Races at named points, the way Saleor's race_condition.py runs them: a rival runs at an exact point inside
the first request, marked by a django signal in the services, so the overlap happens on every run.

`rival_at` runs the rival in line, on the first one's thread and connection (inside its transaction when the
point is in one): it tests the rules. `rival_beside` runs it on a thread of its own with its own connection and
lets the first go on only once the rival waits for a row lock the first holds (or has finished): it tests the
locks as MariaDB takes them.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection

# Generous: the rival reaches its lock in milliseconds; this only bounds a test whose rival never gets there.
LOCK_WAIT_TIMEOUT = 20
POLL_INTERVAL = 0.02


@contextmanager
def rival_at(signal, rival):
    """Runs `rival()` once, at the next `signal`; yields the list its result goes into."""
    results = []

    def run_rival(sender, **kwargs):
        # The rival may pass the same point itself; it must not start a third party.
        if not results:
            results.append(None)
            results[0] = rival()

    signal.connect(run_rival, weak=False)
    try:
        yield results
    finally:
        signal.disconnect(run_rival)


def statements_in_flight():
    """(connection, query id) of the statements other connections to this database are running right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ID, QUERY_ID FROM information_schema.PROCESSLIST"
            " WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query'"
        )
        return set(cursor.fetchall())


@dataclass
class RivalRun:
    results: list = field(default_factory=list)
    waited_for_a_lock: bool = False


@contextmanager
def rival_beside(signal, rival):
    """At the next `signal`, starts `rival()` on its own thread and returns to the first once the rival waits
    for a lock (or is done); after the block, waits for the rival and yields a RivalRun.

    The rival waits for a lock when one of its statements is still running after a poll interval: every
    statement of these tests takes well under a millisecond unless it waits for a row the first one holds.
    (MariaDB's INNODB_TRX does not list a transaction whose first statement is waiting.)
    """
    run = RivalRun()
    threads = []

    def in_its_thread():
        try:
            run.results.append(rival())
        except Exception as exc:  # handed to the test, which asserts on the result
            run.results.append(exc)
        finally:
            connection.close()

    def start_rival(sender, **kwargs):
        # The rival passes the same point itself, on its own thread; it must not start a third party.
        if threads:
            return
        thread = threading.Thread(target=in_its_thread)
        threads.append(thread)
        thread.start()
        deadline = time.monotonic() + LOCK_WAIT_TIMEOUT
        seen = set()
        while thread.is_alive():
            now = statements_in_flight()
            if now & seen:
                run.waited_for_a_lock = True
                return
            seen = now
            if time.monotonic() > deadline:
                raise AssertionError("the rival neither finished nor waited for a lock")
            time.sleep(POLL_INTERVAL)

    signal.connect(start_rival, weak=False)
    try:
        yield run
    finally:
        signal.disconnect(start_rival)
        for thread in threads:
            thread.join(LOCK_WAIT_TIMEOUT)


def all_at_once(jobs, timeout=60):
    """Every job on its own thread and database connection, released by one barrier; their results in order
    (an exception a job raised stands in its place)."""
    start = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            start.wait()
            results[i] = job()
        except Exception as exc:  # handed to the test, which asserts on every result
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results
