"""Parametrises the checks over the inventory's hosts (VARDMOTE_VERIFY_INVENTORY, set by `vardmote verify`)."""

from __future__ import annotations

import functools

import pytest
from testinfra.host import Host

from vardmote.verify.connection import testinfra_host
from vardmote.verify.model import VerifyHost, inventory_from_environment, load_hosts


@functools.cache
def all_hosts() -> list[VerifyHost]:
    return load_hosts(inventory_from_environment())


@functools.cache
def connection(name: str) -> Host:
    return testinfra_host(next(host for host in all_hosts() if host.name == name))


def in_group(group: str) -> list[VerifyHost]:
    return [host for host in all_hosts() if group in host.groups]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    hosts = all_hosts()
    if "target" in metafunc.fixturenames:
        metafunc.parametrize("target", hosts, ids=[host.name for host in hosts])
    if "tls_endpoint" in metafunc.fixturenames:
        endpoints = [(host, port) for host in hosts for port in host.expect.tls]
        metafunc.parametrize("tls_endpoint", endpoints, ids=[f"{host.name}:{port}" for host, port in endpoints])


@pytest.fixture
def remote(target: VerifyHost) -> Host:
    """The target host, over SSH."""
    return connection(target.name)


@pytest.fixture
def prober(target: VerifyHost) -> tuple[VerifyHost, Host]:
    """Another lab host, in no group the target lets in specially: it probes the target's firewall."""
    privileged = {group for groups in target.expect.open_tcp_from.values() for group in groups}
    others = [host for host in all_hosts() if host.name != target.name and not privileged & set(host.groups)]
    if not others:
        pytest.skip("no other host to probe from")
    return others[0], connection(others[0].name)
