"""Fixtures for the signing tests: one dev PKI per session, a loopback TSA, pdfsig with an
NSS database that trusts the test root, and ``require_tool`` for Debian tools."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from signing_tools import PdfsigReport, pdfsig_runner

from core.signing.backends import Pkcs12SealBackend
from core.signing.devpki import (
    DevPki,
    PersonSubject,
    SealSubject,
    load_asn1_certificate,
    make_dev_pki,
)
from core.signing.stamp import StampInfo
from core.signing.tsa import TsaClient, TsaServer

# Demo-only identifiers: valid check letters, not real entities or people.
SEAL_NIF = "P4299999E"
PERSON_NIF = "12345678Z"


@pytest.fixture(scope="session")
def seal_nif() -> str:
    return SEAL_NIF


@pytest.fixture(scope="session")
def person_nif() -> str:
    return PERSON_NIF


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return make_dev_pki(
        tmp_path_factory.mktemp("pki"),
        seals=[SealSubject(entity_name="Ayuntamiento de Demo (solo pruebas)", nif=SEAL_NIF)],
        people=[PersonSubject(given_name="María", surnames="Pérez Núñez", nif=PERSON_NIF)],
    )


@pytest.fixture(scope="session")
def seal(pki: DevPki) -> Pkcs12SealBackend:
    return Pkcs12SealBackend(pki.seals[SEAL_NIF].pkcs12.read_bytes(), pki.password)


@pytest.fixture(scope="session")
def person(pki: DevPki) -> Pkcs12SealBackend:
    return Pkcs12SealBackend(pki.people[PERSON_NIF].pkcs12.read_bytes(), pki.password)


@pytest.fixture(scope="session")
def trust_roots(pki: DevPki) -> list:
    return [load_asn1_certificate(pki.root_cert)]


@pytest.fixture(scope="session")
def tsa_server(pki: DevPki) -> Iterator[TsaServer]:
    with TsaServer.from_dev_pki(pki) as server:
        yield server


@pytest.fixture
def tsa(tsa_server: TsaServer) -> Iterator[TsaClient]:
    client = TsaClient(tsa_server.url)
    yield client
    client.close()


@pytest.fixture
def stamp() -> StampInfo:
    csv = "CJ7K2M9QX4T8WZ3B5N6P"
    return StampInfo(csv=csv, verify_url=f"https://sede.example.org/demo/verificar?csv={csv}")


@pytest.fixture(scope="session")
def pdfsig(
    pki: DevPki, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[bytes], PdfsigReport]:
    """Run poppler's pdfsig (an independent validator) on PDF bytes."""
    return pdfsig_runner(pki.root_cert, tmp_path_factory.mktemp("pdfsig"))
