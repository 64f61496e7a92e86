"""Fixtures for the data.police.uk fetch tests: a fake server on loopback and fast clients."""

from __future__ import annotations

import pytest

from tests.conftest import need_shared_data
from tests.sources.fake_police_uk import FakePoliceUk


@pytest.fixture
def samples():
    return need_shared_data("police-uk", "api")


@pytest.fixture
def make_fake(samples):
    """``make_fake(**options)`` -> a started FakePoliceUk; all are stopped after the test."""
    started = []

    def make(**options) -> FakePoliceUk:
        fake = FakePoliceUk(samples, **options)
        fake.start()
        started.append(fake)
        return fake

    yield make
    for fake in started:
        fake.stop()


@pytest.fixture
def fake(make_fake):
    return make_fake()


@pytest.fixture
def make_client():
    """A client with test-sized rates and back-offs (the defaults are data.police.uk's)."""
    from clearhold.sources.police_uk_api import PoliceUkClient, RetryPolicy

    clients = []

    def make(fake, **options):
        retry = options.pop(
            "retry", RetryPolicy(max_retries=3, backoff_base_s=0.01, backoff_max_s=0.05)
        )
        options.setdefault("rate_per_s", 500.0)
        options.setdefault("burst", 50)
        options.setdefault("timeout_s", 5.0)
        options.setdefault("seed", 7)
        client = PoliceUkClient(fake.base_url, retry=retry, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
