"""The files an IT person installs to run several app servers (deploy/): nginx's site file as shipped takes the
test's ports and certificate and nothing else (the browser test, test_e2e_replicas.py, runs it so) and nginx finds
it valid; it takes the app's largest upload; the systemd unit starts the app as the tests do, with settings the app
reads."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path

import pytest
from conftest import _unavailable
from nginx_server import NGINX, SITE, check, site, write_config

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "systemd" / "pmqa@.service"
ENVIRONMENT = ROOT / "deploy" / "systemd" / "pmqa.env"
# the lines the test's copy of the site may change: the replicas, where it listens, its certificate
PUT_IN = re.compile(r"^ *(server 127\.0\.0\.1:\d+|listen |ssl_certificate(_key)? )")


def test_the_site_file_with_the_tests_ports_passes_nginx_t(tmp_path):
    if not NGINX.exists():
        _unavailable(f"{NGINX} is not installed (scripts/install-system-deps.sh nginx)")
    checked = check(tmp_path, write_config(tmp_path, [8501, 8502, 8503], 20080, 20443))
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_the_tests_copy_of_the_site_differs_only_in_ports_and_certificate(tmp_path):
    tested = site([8601, 8602, 8603], 20080, 20443, tmp_path / "test.pem", tmp_path / "test.key").splitlines()
    shipped = SITE.read_text().splitlines()
    changed = [line[1:] for line in difflib.unified_diff(shipped, tested, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(PUT_IN.match(line) for line in changed), changed
    assert sum(line.strip().startswith("server 127.0.0.1:86") for line in tested) == 3


def test_nginx_takes_the_apps_largest_upload_with_its_envelope():
    largest_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    body_mb = int(re.search(r"^\s*client_max_body_size (\d+)m;", SITE.read_text(), re.MULTILINE).group(1))
    assert body_mb >= largest_mb + 1  # Streamlit itself takes a multipart body up to 1 MB over the file


def test_the_unit_runs_the_app_as_the_tests_do_with_settings_the_app_reads():
    unit = UNIT.read_text()
    start = re.search(r"^ExecStart=(.*)$", unit, re.MULTILINE).group(1)
    assert "-m streamlit run streamlit_app.py --server.port %i --server.address 127.0.0.1" in start
    assert re.search(r"^EnvironmentFile=/etc/pmqa/pmqa.env$", unit, re.MULTILINE)
    read = set()
    for package in ("ui", "storage", "reports", "analysis", "intake", "pages"):
        for source in (ROOT / package).rglob("*.py"):
            read |= set(re.findall(r"environ\.get\(\"(PMQA_[A-Z_]+)\"", source.read_text(encoding="utf-8")))
    named = set(re.findall(r"^#?(PMQA_[A-Z_]+)=", ENVIRONMENT.read_text(), re.MULTILINE))
    assert {"PMQA_DB", "PMQA_FILES"} <= named <= read, (named, read)


def test_the_worker_unit_runs_the_worker_beside_the_replicas_with_their_settings():
    """The documents' worker (``python -m jobs worker``, as test_jobs_worker.py starts it) in the app's folder, with
    the replicas' settings file (its PMQA_DB), restarted when it stops, given time to finish a build on SIGTERM."""
    worker = (ROOT / "deploy" / "systemd" / "pmqa-worker.service").read_text()
    app = UNIT.read_text()
    start = re.search(r"^ExecStart=(.*)$", worker, re.MULTILINE).group(1)
    assert start.startswith("/opt/pmqa/.venv/bin/python -m jobs worker")
    for setting in ("WorkingDirectory", "EnvironmentFile", "User", "Group", "UMask"):
        line = re.compile(rf"^{setting}=.*$", re.MULTILINE)
        assert line.search(worker).group() == line.search(app).group()
    assert re.search(r"^Restart=always$", worker, re.MULTILINE)
    assert int(re.search(r"^TimeoutStopSec=(\d+)$", worker, re.MULTILINE).group(1)) >= 60
