"""The benchmark (issue #14): `scripts/bench.sh --trajects N` runs this against a throw-away
PostgreSQL. It loads the demo, generates N trajects, serves the product with gunicorn on
127.0.0.1 (production settings, DEBUG off) and prints one table: each page's p50/p95, its
ratio to an empty authenticated page measured in the same run, queries per page, HTML size,
and the peak memory of the web workers.

Every request goes to 127.0.0.1 only; the number of requests is bounded (`--requests`).
Tests never assert timings: CI runs this at a small size as a smoke test only.
"""

import argparse
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _settings_env(static_root: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "openarrangementen.conf.production",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret-" + "x" * 40),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        "AXES_ENABLED": "false",
        # The intake's notifications are stored; their e-mails go nowhere.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # The providers' folder links (bench.intake) write their retours here.
        "IWMO_FOLDER_ROOT": str(Path(static_root) / "iwmo-mappen"),
    }


PAGES = [
    # (label, user, path)
    ("empty page (notifications)", "almere.pa", "/berichten/"),
    ("start page", "almere.pa", "/"),
    ("PA work list", "almere.pa", "/trajecten/"),
    ("PA work list, page 20", "almere.pa", "/trajecten/?pagina=20"),
    ("PA work list: verlopen", "almere.pa", "/trajecten/?state=verlopen"),
    ("PA work list: dreigt", "almere.pa", "/trajecten/?state=dreigt"),
    ("PA work list: opgeschort", "almere.pa", "/trajecten/?state=opgeschort"),
    ("PA work list: status lopend", "almere.pa", "/trajecten/?status=lopend"),
    ("provider inbox", "kade.werkverdeler", "/aanbieder/"),
    ("provider inbox: nog te verdelen", "kade.werkverdeler", "/aanbieder/?verdeling=nee"),
    ("provider inbox: dreigt", "kade.werkverdeler", "/aanbieder/?termijn=dreigt"),
    ("iWmo message log (PA)", "almere.pa", "/iwmo-berichten/"),
    ("iWmo message log: WMO305", "almere.pa", "/iwmo-berichten/?code=305"),
    ("iWmo message log (provider)", "kade.werkverdeler", "/iwmo-berichten/"),
    ("inwoner search: name", "almere.pa", "/inwoners/?q=Jansen"),
    ("inwoner search: list", "almere.pa", "/inwoners/"),
    ("declaraties (municipality)", "almere.beheerder", "/declaraties/"),
    ("declaraties: te betalen", "almere.beheerder", "/declaraties/?status=te-betalen"),
    ("declareren (provider)", "kade.administratie", "/declareren/"),
    ("declareren, page 20", "kade.administratie", "/declareren/?pagina=20"),
    ("declareren: name, ended too", "kade.administratie", "/declareren/?eerder=on&naam=jan"),
    # Issues #21 and #23: the beheerder's start page (worker state, failed messages of the
    # region), the inwoner's start page (own file through the representation-aware
    # selector).
    ("start page (functioneel beheerder)", "almere.beheerder", "/"),
    ("start page (inwoner)", "almere.inwoner", "/"),
]


def _session_cookie(username: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from openarrangementen.accounts.models import User

    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    _second_factor_given(user, session)
    session.create()
    return session.session_key


def _second_factor_given(user, session) -> None:
    """Staff sign in with a second factor in production (issue #21): the benchmark's
    sessions have given it, as a signed-in person's have, so each page also pays for
    reading the device."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator-app", defaults={"confirmed": True}
    )
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report, not to follow: a page that sends the benchmark's
    user elsewhere (the login page, the second factor) would otherwise be measured as
    another page."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _get(base: str, path: str, cookie: str) -> tuple[float, int, int]:
    request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    try:
        with _opener.open(request, timeout=120) as response:  # 127.0.0.1 only
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:  # a redirect or an error page
        body, status = error.read(), error.code
    return time.perf_counter() - started, status, len(body)


def _queries(username: str, path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openarrangementen.accounts.models import User

    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    session = client.session
    _second_factor_given(user, session)
    session.save()
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    return len(captured)


def _peak_rss_mb(master_pid: int) -> float:
    """The largest peak RSS (VmHWM) of the gunicorn workers, in MB."""
    peaks = []
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        status = Path(f"/proc/{child}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def _load(base: str, users: int, seconds: int) -> str:
    """A bounded locust run (127.0.0.1 only) of loadtest/locustfile.py; its figures as a
    markdown table."""
    import csv
    import json

    usernames = ["almere.pa", "kade.werkverdeler", "kade.administratie"]
    sessions = {name: [_session_cookie(name) for _ in range(20)] for name in usernames}
    folder = Path(tempfile.mkdtemp(prefix="oa-load-"))
    locust = Path(sys.executable).with_name("locust")
    repo = Path(__file__).resolve().parents[3]
    subprocess.run(  # noqa: S603
        [str(locust), "-f", str(repo / "loadtest" / "locustfile.py"), "--headless",
         "-u", str(users), "-r", str(max(1, users // 20)), "-t", f"{seconds}s",
         "--host", base, "--csv", str(folder / "load"), "--only-summary",
         "--stop-timeout", "30", "--loglevel", "WARNING"],
        env={**os.environ, "OA_LOAD_SESSIONS": json.dumps(sessions)},
        check=False,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    with (folder / "load_stats.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    shutil.rmtree(folder, ignore_errors=True)
    rate = max(1, users // 20)
    lines = [
        f"\nLoad: {users} simulated staff (1–3 s between requests, {rate} started per "
        f"second), {seconds} s, locust on the same machine:\n",
        "\n| request | count | failures | p50 ms | p95 ms | per second |\n"
        "|---|---:|---:|---:|---:|---:|\n",
    ]
    for row in rows:
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['50%']} | {row['95%']} | {float(row['Requests/s']):.1f} |\n"
        )
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench.sh")
    parser.add_argument("--trajects", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--intake",
        type=int,
        default=200,
        help="WMO305s received one by one (five times as many as a batch)",
    )
    parser.add_argument(
        "--billing",
        type=int,
        default=100_000,
        help="toewijzingen in the monthly billing run (all there are when fewer)",
    )
    parser.add_argument(
        "--billing-at-once",
        type=int,
        default=2,
        help="processes sharing the billing runs of the provider-municipality pairs",
    )
    parser.add_argument(
        "--takeover",
        type=int,
        default=1000,
        help="rows of running beschikkingen taken over from a file (decisions.takeover)",
    )
    parser.add_argument(
        "--load",
        type=int,
        default=0,
        help="simulated staff for a bounded locust run at the end (loadtest/locustfile.py)",
    )
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="measure only the pages, on the data set already in the database the DB_* "
        "settings name (one generated before and kept): no data generated, no batches run",
    )
    args = parser.parse_args(argv)

    static_root = tempfile.mkdtemp(prefix="oa-bench-static-")
    os.environ.update(_settings_env(static_root))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from openarrangementen.bench.generate import generate

    out = sys.stdout
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if args.existing:
        from openarrangementen.cases.models import Traject

        out.write(
            f"== Open Arrangementen benchmark: the pages on the {Traject.objects.count():,} "
            f"trajecten already in {connection.settings_dict['NAME']} ({connection.vendor})\n"
        )
    else:
        out.write(
            f"== Open Arrangementen benchmark: {args.trajects:,} trajecten on {connection.vendor}\n"
        )
        # A throw-away database: the demo's known passwords never leave it.
        call_command("seed_demo", "--allow-production", verbosity=0, stdout=io.StringIO())
        counts = generate(args.trajects, out=out)
        out.write(
            f"  data: {counts['trajects']:,} trajecten, {counts['assignments']:,} toewijzingen, "
            f"{counts['messages']:,} berichten, {counts['access_log']:,} inzagelogregels "
            f"({time.perf_counter() - started:.0f} s)\n"
        )
    call_command("collectstatic", verbosity=0, interactive=False)
    from openarrangementen.bench.billing import billing_bench
    from openarrangementen.bench.intake import intake_rate

    if not args.existing:
        billing = billing_bench(args.billing, out=out, at_once=args.billing_at_once)
        intake = intake_rate(args.intake)
    connection.close()

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "openarrangementen.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "--log-level", "warning"],
        env=os.environ.copy(),
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/inloggen/", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        cookies = {user: _session_cookie(user) for _, user, _ in PAGES}
        rss_before = _peak_rss_mb(server.pid)
        # One warm-up round of every page first: what a worker loads once (templates,
        # code lists) is then counted apart from what the requests themselves hold.
        for _label, user, path in PAGES:
            for _ in range(3):
                _get(base, path, cookies[user])
        rss_warm = _peak_rss_mb(server.pid)
        rows = []
        for label, user, path in PAGES:
            timings, size = [], 0
            for _ in range(args.requests):
                seconds, status, size = _get(base, path, cookies[user])
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
                timings.append(seconds * 1000)
            timings.sort()
            p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
            rows.append((label, path, statistics.median(timings), p95, _queries(user, path), size))
        rss_after = _peak_rss_mb(server.pid)
        load = _load(base, args.load, args.load_seconds) if args.load else None
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)

    empty_p95 = rows[0][3]
    out.write(
        "\n| page | p50 ms | p95 ms | p95 ÷ empty | queries | HTML kB |\n"
        "|---|---:|---:|---:|---:|---:|\n"
    )
    for label, path, p50, p95, queries, size in rows:
        out.write(
            f"| {label} (`{path}`) | {p50:.1f} | {p95:.1f} | {p95 / empty_p95:.1f}× | "
            f"{queries} | {size / 1024:.0f} |\n"
        )
    out.write(
        f"\nweb worker peak RSS: {rss_before:.0f} MB after start-up, {rss_warm:.0f} MB after a "
        f"warm-up round of every page, {rss_after:.0f} MB after the timed requests "
        f"(+{rss_after - rss_warm:.0f} MB over the warm-up round, +{rss_after - rss_before:.0f} "
        f"MB over start-up); {args.requests} timed requests per page, "
        f"{args.workers} gunicorn workers, {os.cpu_count()} cores.\n"
    )
    if load:
        out.write(load)
    if args.existing:
        return 0
    count, rate, per_message = intake["single"]
    out.write(
        f"iWmo intake one by one (exchange.receive, WMO305 with every rule and its retour): "
        f"{count} messages, {rate:.1f} per second, {per_message:.0f} queries per message.\n"
    )
    count, rate, per_message = intake["batch"]
    out.write(
        f"iWmo intake as a batch (exchange.receive_batch, as the folder pickup): "
        f"{count} messages, {rate:.1f} per second, {per_message:.0f} queries per message.\n"
    )
    out.write(
        f"Monthly billing run (billing_run for last month, 323 to 325 in process): "
        f"{billing['assignments']:,} toewijzingen of {billing['pairs']} provider-municipality "
        f"pairs, {billing['at_once']} processes each running its share of the pairs one "
        f"after the other, {billing['seconds']:.1f} s; {billing['debits']:,} debits and "
        f"{billing['credits']:,} credits in {billing['declarations']} WMO323s, "
        f"{billing['approved']:,} lines approved for the month; peak RSS of a process "
        f"+{billing['rss_growth_mb']:.0f} MB.\n"
    )
    from openarrangementen.bench.takeover import takeover_bench

    taken = takeover_bench(args.takeover)
    out.write(
        f"Take-over of running beschikkingen (importeer_beschikkingen, CSV read, every row "
        f"checked, trajects, beschikkingen, toewijzingen, 301s and 305s written): "
        f"{taken['rows']:,} rows in {taken['seconds']:.1f} s ({taken['rate']:.0f} rows per "
        f"second); the same file again: {taken['repeat_skipped']:,} rows skipped in "
        f"{taken['repeat_seconds']:.1f} s.\n"
    )
    from openarrangementen.bench.retention import retention_bench

    kept = retention_bench()
    out.write(
        f"Retention run (cases.retention.run as the nightly job, 16 years ahead): "
        f"{kept['trajects']:,} trajecten and {kept['clients']:,} inwoners anonymised, "
        f"{kept['rows']:,} rows changed, {kept['kept']:,} trajecten kept (open money or "
        f"bezwaar); {kept['seconds']:.1f} s, {kept['rate']:.0f} trajecten per second.\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
