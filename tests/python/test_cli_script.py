"""The ``logibridge`` command installed by the wheel (``[project.scripts]``) and
``python -m logibridge``: the Rust command line run inside Python, with the binary's
output and exit codes (0 done, 2 usage, 3 validation, …), and Ctrl-C stopping a command
that waits in Rust."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Dict, List, Optional

import pytest

import logibridge
from logibridge import sandbox

from conftest import SECRET_KEY

SCRIPT = Path(sysconfig.get_path("scripts")) / ("logibridge.exe" if os.name == "nt" else "logibridge")
"""Where pip put the console script: the bin directory of the environment running the tests."""

PYTHON_M = [sys.executable, "-m", "logibridge"]


def _env(home: Path, sb: Optional[sandbox.Sandbox] = None) -> Dict[str, str]:
    """This environment without the machine's LOGIBRIDGE_* settings, English, a HOME without
    a config file; pointed at ``sb``'s Carreta when given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOGIBRIDGE_")}
    env.update(HOME=str(home), LANG="C", LC_ALL="C")
    if sb is not None:
        env.update(LOGIBRIDGE_CARRETA_URL=sb.carreta.base_url, LOGIBRIDGE_CARRETA_API_KEY=SECRET_KEY)
    return env


def _run(command: List[str], env: Dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)


def _said(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"


def test_the_installed_script_gives_the_version(tmp_path: Path) -> None:
    assert SCRIPT.is_file() and os.access(SCRIPT, os.X_OK), f"no console script at {SCRIPT}"
    done = _run([str(SCRIPT), "--version"], _env(tmp_path))
    assert done.returncode == 0, _said(done)
    assert done.stdout.startswith(f"logibridge {logibridge.__version__} (git "), _said(done)


def test_python_m_lists_the_endpoint_ids(tmp_path: Path) -> None:
    done = _run([*PYTHON_M, "endpoints", "--service", "carreta", "-o", "json"], _env(tmp_path))
    assert done.returncode == 0, _said(done)
    (carreta,) = [s for s in logibridge.endpoints() if s["prefix"] == "carreta"]
    assert [row["id"] for row in json.loads(done.stdout)] == [row["id"] for row in carreta["endpoints"]]
    table = _run([*PYTHON_M, "endpoints", "--service", "carreta"], _env(tmp_path))
    assert table.returncode == 0, _said(table)
    firsts = {line.split()[0] for line in table.stdout.splitlines() if line.strip()}
    assert {row["id"] for row in carreta["endpoints"]} <= firsts, table.stdout


def test_a_call_against_the_sandbox_prints_its_json(tmp_path: Path, sb: sandbox.Sandbox, shop: logibridge.Carreta) -> None:
    done = _run([str(SCRIPT), "call", "carreta.search.query", "-p", "q=oc47", "-o", "json"], _env(tmp_path, sb))
    assert done.returncode == 0, _said(done)
    offers = json.loads(done.stdout)
    assert sorted((o["maker"], o["code"]) for o in offers) == sorted((o.maker, o.code) for o in shop.search.query("oc47"))
    assert offers and SECRET_KEY not in done.stdout + done.stderr


def test_verbose_shows_the_request_log_without_the_key(tmp_path: Path, sb: sandbox.Sandbox) -> None:
    """The package's own `tracing` subscriber (records to `logging`) is installed when the
    script imports it; -v still shows the core's request records on stderr."""
    done = _run([str(SCRIPT), "-v", "call", "carreta.search.query", "-p", "q=oc47", "-o", "json"], _env(tmp_path, sb))
    assert done.returncode == 0, _said(done)
    log = [line for line in done.stderr.splitlines() if "DEBUG" in line and "carreta.search.query" in line]
    assert log, done.stderr
    assert SECRET_KEY not in done.stdout + done.stderr


def test_a_validation_error_exits_3_and_sends_nothing(tmp_path: Path, fresh_sb: sandbox.Sandbox) -> None:
    fresh_sb.clear_requests()
    done = _run([*PYTHON_M, "call", "carreta.order.get", "-p", "id=abc"], _env(tmp_path, fresh_sb))
    assert done.returncode == 3, _said(done)
    assert '"id"' in done.stderr, _said(done)
    assert fresh_sb.requests() == []


def test_a_usage_error_exits_2(tmp_path: Path) -> None:
    done = _run([str(SCRIPT), "no-such-command"], _env(tmp_path))
    assert done.returncode == 2, _said(done)
    assert "no-such-command" in done.stderr and "Usage: logibridge" in done.stderr, _said(done)


@pytest.mark.skipif(os.name == "nt", reason="SIGINT cannot be sent to one process on Windows")
def test_ctrl_c_stops_a_command_waiting_in_rust(tmp_path: Path) -> None:
    """A call to a server that never answers, with an hour's timeout: Ctrl-C ends it, as it
    ends the binary (Python's own handler would wait for the call to come back)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(60)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/carreta/v1/"
        env = _env(tmp_path)
        env.update(LOGIBRIDGE_CARRETA_URL=url, LOGIBRIDGE_CARRETA_API_KEY=SECRET_KEY)
        options = ["--set", "timeout=3600", "--set", "max_retries=0"]
        command = subprocess.Popen([*PYTHON_M, *options, "call", "carreta.search.query", "-p", "q=oc47"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            connection, _ = server.accept()
            with connection:
                connection.settimeout(60)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(4096)
                    assert chunk, "the command closed the connection before sending its request"
                    request += chunk
                # The request is sent and unanswered: the command is waiting inside Rust.
                command.send_signal(signal.SIGINT)
                try:
                    command.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    pytest.fail("Ctrl-C did not stop the command")
        finally:
            command.kill()
            _, err = command.communicate()
    assert command.returncode == -signal.SIGINT, (command.returncode, err)


def test_parquet_is_left_out_and_the_message_gives_the_pyarrow_route(tmp_path: Path) -> None:
    """The wheel's command is built without the cli's `parquet` feature: `--to parquet`
    writes nothing and names the Python route, which works as written."""
    source = tmp_path / "price.csv"
    source.write_bytes("Производитель;Код;Наименование;Цена;Количество\nOC;47;Фильтр;12,5;3\n".encode("cp1251"))
    target = tmp_path / "price.parquet"
    done = _run([str(SCRIPT), "pricelist", "convert", str(source), "--to", "parquet", "--out", str(target)], _env(tmp_path))
    assert done.returncode == 2, _said(done)
    assert "pyarrow.parquet.write_table(logibridge.pricelist.to_arrow(" in done.stderr, _said(done)
    assert not target.exists() and list(tmp_path.iterdir()) == [source]
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    pyarrow_parquet.write_table(logibridge.pricelist.to_arrow(str(source)), str(target))
    assert pyarrow_parquet.read_table(str(target)).to_pylist()[0]["code"] == "47"
