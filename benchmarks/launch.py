"""Launch throughput and latency: Tandem (``tandem serve --workers 2``, PostgreSQL + Redis) against a
bare pylti1p3next Flask tool written the way its example is (launch, render the name, no database).

Every launch is a real two-step OIDC launch over HTTP on 127.0.0.1 with a fresh user: POST the
login initiation, read state and nonce from the redirect, sign an RS256 id_token as the platform,
POST it to the launch URL with the cookies the tool set, and (Tandem) GET the page it redirects
to, which renders the name. Clients are separate processes (1, 4, 16 at once); rounds interleave
the tools and each figure is the median over rounds. Bounded: every run stops after
``--seconds`` or ``--max-launches`` per client, whichever comes first.

The same Tandem is measured twice in the same run: directly (HTTP to gunicorn) and through the
production path, ``tandem-nginx-https``: Debian's nginx with the shipped
``deploy/nginx/tandem.conf.template`` (rendered by ``tests/harness/nginx.py``) terminating TLS for
``https://tandem.test`` in front of it. Those clients keep their HTTPS connection open between
requests, as a browser does (one TLS handshake per client, not per request).

    .venv/bin/python benchmarks/launch.py [--rounds 3] [--seconds 4]

Prints a table, then one JSON line per target and concurrency with the keys target, concurrency,
launches_per_s, p50_ms, p99_ms, rss_mb, errors (and p95_ms).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.harness.nginx import Nginx  # noqa: E402
from tests.harness.processes import TandemProcess, free_port, wait_for_port  # noqa: E402
from tests.harness.sites import make_site_certificate  # noqa: E402

PG_ADMIN = os.environ.get("TANDEM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TANDEM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ISSUER = "https://platform.bench.invalid"
CLIENT_ID = "bench-client"
DEPLOYMENT = "1"
KID = "bench-platform-key"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def _jwks(key) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}


# ---------------------------------------------------------------- the client side (one process each)

class SiteHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 for a host name (SNI and certificate check on the name; no resolver involved)."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as browsers do: no Nagle wait on a kept-alive connection
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class Client:
    """One user's browser plus the platform's signing, over raw http.client (cheap per request).

    Plain HTTP opens a connection per request (gunicorn's sync workers close them anyway); with ``tls``
    (``{"host": ..., "ca": ...}``) one HTTPS connection is kept open and reused, as a browser does.
    """

    def __init__(self, port: int, login_path: str, key_pem: str, tls: dict | None = None) -> None:
        self.port = port
        self.login_path = login_path
        self.key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        self.tls = tls
        self.host = tls["host"] if tls else "127.0.0.1"
        self._context = ssl.create_default_context(cafile=tls["ca"]) if tls else None
        self._conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._context is None:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        if self._conn is None:
            self._conn = SiteHTTPSConnection(self.host, self.port, context=self._context, timeout=10)
        return self._conn

    def _request(self, method: str, path: str, body: dict | None = None, cookies: dict | None = None) -> http.client.HTTPResponse:
        headers = {"Host": f"{self.host}:{self.port}", "User-Agent": "bench"}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn = self._connection()
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            resp.text = resp.read().decode("utf-8", "replace")  # type: ignore[attr-defined]
        except (OSError, http.client.HTTPException):
            conn.close()
            self._conn = None
            raise
        if self._context is None or resp.will_close:
            conn.close()
            self._conn = None
        return resp

    @staticmethod
    def _cookies(resp: http.client.HTTPResponse, jar: dict) -> None:
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            jar[name.strip()] = rest.split(";", 1)[0]

    def launch(self, base: str, launch_path: str) -> bool:
        """One launch; True when the page shows the user's name."""
        user = uuid.uuid4().hex[:12]
        name = f"Bench User {user}"
        jar: dict[str, str] = {}
        target = base + launch_path
        login = self._request(
            "POST",
            self.login_path,
            {"iss": ISSUER, "login_hint": user, "target_link_uri": target, "lti_message_hint": "m", "client_id": CLIENT_ID, "lti_deployment_id": DEPLOYMENT},
        )
        if login.status != 302:
            return False
        self._cookies(login, jar)
        query = {k: v[0] for k, v in parse_qs(urlsplit(login.headers["Location"]).query).items()}
        now = int(time.time())
        claims = {
            "iss": ISSUER, "aud": CLIENT_ID, "azp": CLIENT_ID, "sub": user, "nonce": query["nonce"], "iat": now, "exp": now + 60,
            "name": name, "given_name": "Bench", "family_name": user, "email": f"{user}@bench.invalid",
            LTI + "message_type": "LtiResourceLinkRequest", LTI + "version": "1.3.0", LTI + "deployment_id": DEPLOYMENT,
            LTI + "target_link_uri": target, LTI + "resource_link": {"id": "rl-1", "title": "Tandem"},
            LTI + "context": {"id": "course-1", "title": "Benchmark course", "label": "B1"},
            LTI + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            LTI + "launch_presentation": {"locale": "en", "document_target": "iframe"},
        }
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})
        redirect_path = urlsplit(query["redirect_uri"]).path
        launched = self._request("POST", redirect_path, {"id_token": token, "state": query["state"]}, jar)
        self._cookies(launched, jar)
        if launched.status == 303:
            page = self._request("GET", urlsplit(launched.headers["Location"]).path, cookies=jar)
            return page.status == 200 and name in page.text  # type: ignore[attr-defined]
        return launched.status == 200 and name in launched.text  # type: ignore[attr-defined]


def _client_main(port, login_path, base, launch_path, key_pem, start_at, seconds, max_launches, out, tls=None) -> None:
    client = Client(port, login_path, key_pem, tls)
    while time.time() < start_at:
        time.sleep(0.001)
    deadline = start_at + seconds
    latencies, errors = [], 0
    while time.time() < deadline and len(latencies) + errors < max_launches:
        t0 = time.perf_counter()
        try:
            ok = client.launch(base, launch_path)
        except Exception:  # noqa: BLE001 - a failed launch is counted, not fatal
            ok = False
        if ok:
            latencies.append((time.perf_counter() - t0) * 1000)
        else:
            errors += 1
    out.put((latencies, errors, time.time() - start_at))


def run(target: dict, concurrency: int, seconds: float, max_launches: int, key_pem: str) -> dict:
    """Run ``concurrency`` clients against ``target``; launches/s and latency percentiles."""
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [
        ctx.Process(target=_client_main, args=(target["port"], target["login"], target["base"], target["launch"], key_pem, start_at, seconds, max_launches, out, target.get("tls")))
        for _ in range(concurrency)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r[0])
    elapsed = max(r[2] for r in results)
    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else float("nan")
    return {
        "launches_per_s": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": sum(r[1] for r in results),
        "launches": len(latencies),
    }


def worker_rss_mb(master_pid: int) -> float:
    """Peak resident memory (VmHWM) of the largest gunicorn worker under ``master_pid``."""
    children = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    peaks = []
    for pid in children:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except FileNotFoundError:
            continue
    return max(peaks) if peaks else float("nan")


# ---------------------------------------------------------------- servers

def start_servers(tmp: Path, key, nginx_workers: int = 1) -> tuple[list, dict, dict]:
    """The platform's JWKS, Tandem on PostgreSQL + Redis (direct, and behind nginx with HTTPS), and the bare tool; all on 127.0.0.1."""
    stack = []
    jwks_dir = tmp / "jwks"
    jwks_dir.mkdir()
    (jwks_dir / "jwks.json").write_text(json.dumps(_jwks(key)))
    jwks_port = free_port()
    jwks_proc = subprocess.Popen([sys.executable, "-m", "http.server", str(jwks_port), "--bind", "127.0.0.1", "--directory", str(jwks_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stack.append(jwks_proc)
    wait_for_port(jwks_port)
    jwks_url = f"http://127.0.0.1:{jwks_port}/jwks.json"

    db_name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
    db_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + db_name
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    port = free_port()
    # No TANDEM_BASE_URL: Tandem takes its URL from the request, so the same processes answer
    # http://127.0.0.1:<port> directly and https://tandem.test:<nginx port> behind nginx (X-Forwarded-*).
    env = {
        "TANDEM_DATABASE_URL": db_url,
        "TANDEM_REDIS_URL": REDIS_URL,
        "TANDEM_INSTANCE_PATH": str(tmp / "instance"),
        "TANDEM_SECRET_KEY": "benchmark-secret-key-0123456789",
        "TANDEM_TRUST_PROXY": "1",
    }
    cli = [sys.executable, "-c", "from plugin.cli import main; main()"]
    subprocess.run([*cli, "db", "upgrade"], env={**os.environ, **env}, check=True, capture_output=True)
    subprocess.run(
        [*cli, "platform", "add", "--issuer", ISSUER, "--client-id", CLIENT_ID, "--deployment-id", DEPLOYMENT,
         "--auth-url", ISSUER + "/auth", "--token-url", ISSUER + "/token", "--jwks-url", jwks_url, "--organisation", "Bench"],
        env={**os.environ, **env}, check=True, capture_output=True,
    )
    tandem = TandemProcess(env=env, workers=2, port=port, log=tmp / "tandem.log").__enter__()
    stack.append(tandem)
    cert = make_site_certificate(tmp / "tls", ["tandem.test"])
    nginx = Nginx(tmp / "nginx", server_name="tandem.test", upstreams=[f"127.0.0.1:{port}"], cert=cert.cert, key=cert.key, workers=nginx_workers).__enter__()
    stack.append(nginx)

    tool_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (tmp / "tool.key").write_text(_pem(tool_key))
    (tmp / "tool.pub").write_text(tool_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode())
    bare_targets = {}
    # "bare-pylti1p3next": the example's Moodle configuration (key_set_url, key_set null), so
    # pylti1p3 fetches the platform JWKS on every launch as the example does.
    # "bare-inline-keys": the strongest form the example's config allows (the platform keys
    # inline in "key_set", no fetch); printed for reference.
    for label, inline in (("bare-pylti1p3next", False), ("bare-inline-keys", True)):
        conf = tmp / f"{label}.json"
        conf.write_text(json.dumps({ISSUER: [{
            "default": True, "client_id": CLIENT_ID, "auth_login_url": ISSUER + "/auth", "auth_token_url": ISSUER + "/token",
            "key_set_url": jwks_url, "key_set": _jwks(key) if inline else None, "private_key_file": "tool.key",
            "public_key_file": "tool.pub", "deployment_ids": [DEPLOYMENT],
        }]}))
        bare_port = free_port()
        # Flask-Caching on Redis: the shared store pylti1p3's docs require for several workers.
        bare_env = {**os.environ, "BARE_TOOL_CONF": str(conf), "BARE_TOOL_REDIS_URL": REDIS_URL.rsplit("/", 1)[0] + "/13", "PYTHONPATH": str(ROOT)}
        bare = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{bare_port}", "--log-level", "warning", "tests.harness.bare_tool:create_from_env()"],
            env=bare_env, cwd=ROOT, stdout=open(tmp / f"{label}.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        stack.append(bare)
        wait_for_port(bare_port)
        bare_targets[label] = {"port": bare_port, "base": f"http://127.0.0.1:{bare_port}", "login": "/login", "launch": "/launch", "pid": (lambda p=bare: p.pid)}
    targets = {
        "tandem": {"port": port, "base": f"http://127.0.0.1:{port}", "login": "/lti/login", "launch": "/lti/launch", "pid": lambda: tandem.proc.pid},
        "tandem-nginx-https": {
            "port": nginx.https_port, "base": f"https://tandem.test:{nginx.https_port}", "login": "/lti/login", "launch": "/lti/launch",
            "pid": lambda: tandem.proc.pid, "tls": {"host": "tandem.test", "ca": cert.ca},
        },
        **bare_targets,
    }
    cleanup = {"db_name": db_name, "admin": admin, "db_url": db_url}
    return stack, targets, cleanup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--max-launches", type=int, default=5000, help="per client and run")
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--nginx-workers", type=int, default=1, help="nginx worker processes in front of Tandem")
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_pem = _pem(key)
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmpdir:
        tmp = Path(tmpdir)
        stack, targets, cleanup = start_servers(tmp, key, args.nginx_workers)
        try:
            for name, target in targets.items():  # warm-up: JWKS caches, pools, imports
                warm = run(target, 2, 1.0, 20, key_pem)
                if warm["launches"] == 0:
                    raise SystemExit(f"{name} does not launch; see {tmp}/*.log: {warm}")
            samples: dict[tuple[str, int], list[dict]] = {}
            names = list(targets)
            for r in range(args.rounds):
                for c in levels:
                    order = names[(r + c) % len(names):] + names[: (r + c) % len(names)]
                    for name in order:
                        samples.setdefault((name, c), []).append(run(targets[name], c, args.seconds, args.max_launches, key_pem))
            rss = {name: worker_rss_mb(t["pid"]()) for name, t in targets.items()}
        finally:
            for item in reversed(stack):
                if isinstance(item, (TandemProcess, Nginx)):
                    item.__exit__()
                else:
                    try:
                        os.killpg(item.pid, 15)
                    except (ProcessLookupError, PermissionError):
                        item.terminate()
                    item.wait(10)
            sa.create_engine(cleanup["db_url"]).dispose()
            with cleanup["admin"].connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{cleanup["db_name"]}" WITH (FORCE)'))

    rows = []
    for (name, c), runs in samples.items():
        rows.append({
            "target": name,
            "concurrency": c,
            "launches_per_s": round(statistics.median(x["launches_per_s"] for x in runs), 1),
            "p50_ms": round(statistics.median(x["p50_ms"] for x in runs), 1),
            "p95_ms": round(statistics.median(x["p95_ms"] for x in runs), 1),
            "p99_ms": round(statistics.median(x["p99_ms"] for x in runs), 1),
            "rss_mb": round(rss[name], 1),
            "errors": sum(x["errors"] for x in runs),
        })
    rows.sort(key=lambda r: (r["concurrency"], r["target"]))
    load = os.getloadavg()
    print(f"{args.rounds} interleaved rounds x {args.seconds:.0f} s per run; medians over rounds; rss = peak RSS of the largest worker")
    print(f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; nginx workers: {args.nginx_workers}")
    print(f"{'target':<20}{'conc':>5}{'launch/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'rss MB':>9}{'errors':>8}")
    for r in rows:
        print(f"{r['target']:<20}{r['concurrency']:>5}{r['launches_per_s']:>10}{r['p50_ms']:>9}{r['p95_ms']:>9}{r['p99_ms']:>9}{r['rss_mb']:>9}{r['errors']:>8}")
    by = {(r["target"], r["concurrency"]): r for r in rows}
    for c in levels:
        tandem = by[("tandem", c)]["launches_per_s"]
        ratio = tandem / max(by[("bare-pylti1p3next", c)]["launches_per_s"], 1e-9)
        inline = tandem / max(by[("bare-inline-keys", c)]["launches_per_s"], 1e-9)
        print(f"tandem / bare-pylti1p3next at {c} concurrent: {ratio:.2f}x   (tandem / bare-inline-keys: {inline:.2f}x)")
    for c in levels:
        direct, proxied = by[("tandem", c)], by[("tandem-nginx-https", c)]
        print(
            f"direct      at {c:>2} concurrent: {direct['launches_per_s']:>7} launch/s  p50 {direct['p50_ms']:>6} ms  p99 {direct['p99_ms']:>6} ms\n"
            f"nginx+HTTPS at {c:>2} concurrent: {proxied['launches_per_s']:>7} launch/s  p50 {proxied['p50_ms']:>6} ms  p99 {proxied['p99_ms']:>6} ms"
            f"   ({proxied['launches_per_s'] / max(direct['launches_per_s'], 1e-9):.2f}x of direct)"
        )
    for r in rows:
        print(json.dumps(r, sort_keys=True))


if __name__ == "__main__":
    main()
