"""Redis, the worker (with its pool) and beat are children of `make run` that end with it, also when it is
killed outright (SIGKILL runs no clean-up of its own: the kernel's parent-death signal stops them)."""

import time

from .demo_process import alive, children_of, descendants

GONE_SECONDS = 30


def test_the_children_end_with_the_demo_when_it_is_killed(demo):
    children = children_of(demo.process.pid)
    family = descendants(demo.process.pid)
    assert len(children) == 3, family  # Redis, the worker, beat
    assert len(family) > len(children)  # the worker's pool processes

    demo.process.kill()
    demo.process.wait()
    deadline = time.monotonic() + GONE_SECONDS
    while any(alive(pid) for pid in family):
        assert time.monotonic() < deadline, [pid for pid in family if alive(pid)]
        time.sleep(0.2)

    # The other demo tests go on with the same state: a restart keeps the data, the port and the var dir.
    demo.start()
    assert len(children_of(demo.process.pid)) == 3


def test_the_children_end_with_the_demo_on_sigterm(demo):
    family = descendants(demo.process.pid)
    assert demo.stop() and demo.process.returncode == 0
    assert not [pid for pid in family if alive(pid)]
    demo.start()
