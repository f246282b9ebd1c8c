"""Two sites on one machine: a test CA, one certificate for several host names, and host names on 127.0.0.1.

No /etc/hosts edit: the names resolve to 127.0.0.1 only where the test says so.

* In this process: ``loopback_names(["lms.test", "tandem.test"])`` (a context manager) makes
  ``socket.getaddrinfo`` answer 127.0.0.1 for exactly those names (requests, urllib3, the platform
  harness's own calls).
* In a child Python process (``tandem serve``, ``tandem worker``): ``child_env(names, ca)`` puts
  ``tests/harness/loopback_hosts`` first on ``PYTHONPATH``; its ``sitecustomize`` does the same from
  ``TANDEM_TEST_LOOPBACK_NAMES`` at start-up, and ``REQUESTS_CA_BUNDLE`` makes requests trust the CA.
* In Chromium: ``chromium_args(names)`` gives ``--host-resolver-rules``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.harness.loopback_hosts.sitecustomize import install, uninstall

HOOK_DIR = Path(__file__).resolve().parent / "loopback_hosts"
NAMES_VAR = "TANDEM_TEST_LOOPBACK_NAMES"


@dataclass(frozen=True)
class SiteCertificate:
    """PEM files: the CA (to trust) and the server certificate and key (for nginx)."""

    ca: str
    cert: str
    key: str


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    path.chmod(0o600)


def make_site_certificate(directory: str | os.PathLike[str], names: Sequence[str]) -> SiteCertificate:
    """A fresh CA and one server certificate it signed for every name in ``names`` (valid for a week)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, server_key = _key(), _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tandem test CA"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tandem test harness")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True, data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    # the chain nginx sends: the server certificate, then the CA
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM))
    _write_key(key_file, server_key)
    return SiteCertificate(str(ca_file.resolve()), str(cert_file.resolve()), str(key_file.resolve()))


install_names = install
uninstall_names = uninstall


@contextmanager
def loopback_names(names: Sequence[str]) -> Iterator[None]:
    """Resolve exactly ``names`` to 127.0.0.1 in this process while the block runs."""
    install(names)
    try:
        yield
    finally:
        uninstall(names)


def child_env(names: Sequence[str], ca: str | None = None) -> dict[str, str]:
    """Environment for a child Python process in which ``names`` resolve to 127.0.0.1 (and ``ca`` is trusted)."""
    path = os.environ.get("PYTHONPATH")
    env = {"PYTHONPATH": str(HOOK_DIR) + (os.pathsep + path if path else ""), NAMES_VAR: ",".join(names)}
    if ca:
        env["REQUESTS_CA_BUNDLE"] = ca
    return env


def chromium_args(names: Sequence[str]) -> list[str]:
    """Chromium flags that send ``names`` to 127.0.0.1."""
    return ["--host-resolver-rules=" + ", ".join(f"MAP {n} 127.0.0.1" for n in names)]


def cookie_blocking_profile(directory: str | os.PathLike[str], *, blocked: str, embedder: str) -> Path:
    """A Chromium user-data folder whose profile refuses every cookie of ``blocked`` (partitioned or not)
    while it is framed by ``embedder``, and allows it as a top-level site (Settings > Cookies > "Not allowed
    to use third-party cookies" for that pair). Pass it to ``launch_persistent_context``."""
    import json

    folder = Path(directory)
    (folder / "Default").mkdir(parents=True, exist_ok=True)
    preferences = {
        "profile": {
            "content_settings": {
                "exceptions": {
                    "cookies": {f"[*.]{blocked},[*.]{embedder}": {"setting": 2}},
                }
            }
        }
    }
    (folder / "Default" / "Preferences").write_text(json.dumps(preferences), encoding="utf-8")
    return folder
