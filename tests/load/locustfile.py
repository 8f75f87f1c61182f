"""The flash-sale locustfile: `locust -f tests/load/locustfile.py`. Its users and options
live in the harness (harness/load/locustfile.py); `nox -s load` runs them and then checks
the invariants on every claim's answer."""

from harness.load.locustfile import *  # noqa: F403  (locust collects the User classes)
