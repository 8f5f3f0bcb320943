"""Debian's nginx in front of the tests' app servers, run as the test's own user in a folder of its own: the
site file the project ships (deploy/nginx/pmqa.conf) with only its ports and certificate put in for the test,
inside the smallest main configuration nginx needs (its pid, logs and temporary files in the folder).

    with nginx_proxy(folder, [port_a, port_b]) as proxy:   # https://127.0.0.1:PORT, a self-signed certificate
        ...

Run as root, the worker processes stay root (``user root;``): nginx would otherwise run them as www-data, which
cannot write the test's private folder.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import re
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from e2e import healthy
from ports import reserved_port

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "deploy" / "nginx" / "pmqa.conf"
NGINX = Path("/usr/sbin/nginx")
STARTUP_S = 30


class Proxy(str):
    """The proxy's HTTPS base URL, with its plain-HTTP address (which redirects) and its folder."""

    http: str
    folder: Path


def site(replicas: list[int], http_port: int, https_port: int, certificate: Path, key: Path) -> str:
    """The shipped site file with the test's ports and certificate: the upstream lists ``replicas``; the
    servers listen on 127.0.0.1 (IPv4 only); every other line is as shipped. Each substitution must find its
    line, so a site file that changes shape fails here rather than being tested in part."""
    text = SITE.read_text(encoding="utf-8")
    servers = re.findall(r"^( *)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n", text, flags=re.MULTILINE)
    assert servers, f"{SITE} lists no replica (server 127.0.0.1:PORT ...;)"
    indent, options = servers[0]
    listed = "".join(f"{indent}server 127.0.0.1:{port}{options};\n" for port in replicas)
    text = re.sub(r"(?:^ *server 127\.0\.0\.1:\d+(?: [^;\n]*)?;\n)+", lambda _: listed, text, count=1,
                  flags=re.MULTILINE)
    substitutions = [
        (r"^( *)listen \[::\]:(80|443)( ssl)?;\n", ""),  # a test machine may have no IPv6
        (r"^( *)listen 80;", rf"\1listen 127.0.0.1:{http_port};"),
        (r"^( *)listen 443 ssl;", rf"\1listen 127.0.0.1:{https_port} ssl;"),
        (r"^( *)ssl_certificate [^;]+;", rf"\1ssl_certificate {certificate};"),
        (r"^( *)ssl_certificate_key [^;]+;", rf"\1ssl_certificate_key {key};"),
    ]
    for pattern, replacement in substitutions:
        text, found = re.subn(pattern, replacement, text, flags=re.MULTILINE)
        assert found, f"{SITE} has no line matching {pattern!r}"
    return text


def _temp_paths(folder: Path) -> str:
    """nginx's temporary folders (built in under /var/lib/nginx, which only root may write) in ``folder``."""
    built = subprocess.run([str(NGINX), "-V"], capture_output=True, text=True, check=True).stderr
    kinds = re.findall(r"--http-([a-z-]+)-temp-path=", built)
    return "\n".join(f"    {kind.replace('-', '_')}_temp_path {folder / kind};" for kind in kinds)


def main_config(folder: Path, site_file: Path) -> str:
    """The main configuration around ``site_file``, as Debian's /etc/nginx/nginx.conf holds a site, with every
    file nginx writes in ``folder``."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'};
events {{
    worker_connections 256;
}}
http {{
    log_format replicas '$request_uri $status $upstream_addr';   # which replica each request went to
    access_log {folder / 'access.log'} replicas;
{_temp_paths(folder)}
    include {site_file};
}}
"""


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made for this test (the browser is told to accept it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(start)
                   .not_valid_after(start + datetime.timedelta(days=2))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    certificate_file, key_file = folder / "test.pem", folder / "test.key"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return certificate_file, key_file


def write_config(folder: Path, replicas: list[int], http_port: int, https_port: int) -> Path:
    """The test's configuration in ``folder`` (site, main file, certificate); the main file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    site_file, main_file = folder / "pmqa.conf", folder / "nginx.conf"
    site_file.write_text(site(replicas, http_port, https_port, *self_signed(folder)), encoding="utf-8")
    main_file.write_text(main_config(folder, site_file), encoding="utf-8")
    return main_file


def command(folder: Path, main_file: Path, *extra: str) -> list[str]:
    """nginx on ``main_file``, its prefix and start-up error log in ``folder`` (never /var/log/nginx)."""
    return [str(NGINX), "-p", str(folder), "-c", str(main_file), "-e", str(folder / "error.log"), *extra]


def check(folder: Path, main_file: Path) -> subprocess.CompletedProcess:
    """``nginx -t`` on the configuration: its exit code and what it said."""
    return subprocess.run(command(folder, main_file, "-t"), capture_output=True, text=True)


def streams(proxy: Proxy) -> list[str]:
    """The replica (its last address) of each Streamlit session's WebSocket that has ended, in the order they
    ended: nginx logs a request when it is over, and a WebSocket is over when either side closes it."""
    log = (proxy.folder / "access.log").read_text()
    return [line.split(" ", 2)[2].split(",")[-1].strip() for line in log.splitlines()
            if line.startswith("/_stcore/stream ")]


def _unverified() -> ssl.SSLContext:
    """TLS that accepts the proxy's self-signed certificate."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def route_to(proxy: Proxy, port: int) -> str:
    """A value of the sticky cookie (``pmqa_route``) with which nginx sends a browser to the replica on ``port``:
    the upstream is chosen by a consistent hash of the cookie, so a value found once holds while the replicas do."""
    for n in range(200):
        value = f"route-{n}"
        asked = urllib.request.Request(f"{proxy}/_stcore/health", headers={"Cookie": f"pmqa_route={value}"})
        with urllib.request.urlopen(asked, timeout=10, context=_unverified()) as response:
            if response.headers["X-Upstream"].rsplit(":", 1)[1] == str(port):
                return value
    raise AssertionError(f"no route of 200 tried reaches the replica on port {port}")


@contextmanager
def nginx_proxy(folder: Path, replicas: list[int]) -> Iterator[Proxy]:
    """nginx in the foreground on two ports of its own (HTTPS, and HTTP that redirects), in front of the
    replicas' ports; its HTTPS base URL once a replica answers through it. Stopped afterwards."""
    with ExitStack() as stack:
        http_port, https_port = stack.enter_context(reserved_port()), stack.enter_context(reserved_port())
        main_file = write_config(folder, replicas, http_port, https_port)
        process = subprocess.Popen(command(folder, main_file, "-g", "daemon off;"), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.STDOUT)
        try:
            proxy = Proxy(f"https://127.0.0.1:{https_port}")
            proxy.http, proxy.folder = f"http://127.0.0.1:{http_port}", folder
            deadline = time.monotonic() + STARTUP_S
            while not healthy(proxy, _unverified()):  # a replica answering through nginx
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not come up: {(folder / 'error.log').read_text(errors='replace')}")
                time.sleep(0.1)  # polling a process that is starting
            yield proxy
        finally:
            process.terminate()  # a fast stop: a graceful one would wait for the browser's WebSocket to close
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def behind_nginx(store, folder: Path, count: int = 2) -> Iterator[tuple[Proxy, list]]:
    """``count`` app servers (``e2e.streamlit_server``) on ``store``, each on a port of its own, behind nginx:
    the proxy's HTTPS base URL and the replicas (``.port``, ``.process``, ``.stop()``). All stopped afterwards."""
    from e2e import streamlit_server

    with ExitStack() as stack:
        replicas = [stack.enter_context(streamlit_server(store, folder / f"replica-{n}.log"))
                    for n in range(1, count + 1)]
        (folder / "nginx").mkdir()
        yield stack.enter_context(nginx_proxy(folder / "nginx", [r.port for r in replicas])), replicas
