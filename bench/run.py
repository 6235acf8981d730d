"""Drive the bench (issue 13) against a loaded database: serve the project with gunicorn as production
does, load every path of the bar table with wrk, run the export, the 200-visitor burst and the cost-growth
check, count SQL queries per request, then print one table and write bench/results.json.

Run by bench/run.sh (through `make bench`), which provides a throwaway PostgreSQL and the dataset.
"""

import hashlib
import http.client
import json
import os
import re
import shlex
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import django

# The Django test client (SQL counts) talks to `testserver`; the gunicorn server gets ALLOWED_HOSTS=127.0.0.1.
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import BENCH_DIR, WORK_DIR  # noqa: E402
from conversations.models import Conversation  # noqa: E402
from messages.models import Message  # noqa: E402
from users.models import User  # noqa: E402
from users.tokens import token_pair  # noqa: E402

ROOT = BENCH_DIR.parent
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = 16
CALLBACK_CONNECTIONS = 32
WRK_THREADS = 2
SDKAPPID = os.environ["TIM_SDKAPPID"]
CALLBACK_QUERY = (
    f"SdkAppid={SDKAPPID}&CallbackCommand=C2C.CallbackAfterSendMsg&contenttype=json"
    "&ClientIP=127.0.0.1&OptPlatform=RESTAPI"
)
EXPORT_RUNS = 3
SIGNS_FILE = WORK_DIR / "signs.lua"


def callback_sign(request_time):
    """CONTRACT §7: Sign = hex sha256(token + RequestTime)."""
    token = os.environ["TIM_CALLBACK_TOKEN"]
    return hashlib.sha256(f"{token}{request_time}".encode()).hexdigest()


def write_signs(seconds=3600):
    """wrk's Lua has no sha256: the Sign of every second of the next hour (and the last minute), as a
    table callback.lua reads. A key's second delivery is signed one second earlier, as a provider
    redelivery carries its own RequestTime (the same Sign and body again would be a refused replay)."""
    now = int(time.time())
    entries = ",\n".join(f'  [{t}] = "{callback_sign(t)}"' for t in range(now - 60, now + seconds))
    SIGNS_FILE.write_text("SIGNS = {\n" + entries + "\n}\n")


def signed_callback_query():
    now = int(time.time())
    return f"{CALLBACK_QUERY}&RequestTime={now}&Sign={callback_sign(now)}"


def log(text):
    print(text, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- server


def compose_gunicorn_args(port):
    """The gunicorn command of docker-compose.yml's web service, bound to loopback only."""
    compose = (ROOT / "docker-compose.yml").read_text()
    match = re.search(r"(gunicorn hotline\.wsgi[^\"\n]*)\"", compose)
    if not match:
        sys.exit("no gunicorn command found in docker-compose.yml")
    args = shlex.split(match.group(1))
    if "--bind" in args:
        args[args.index("--bind") + 1] = f"127.0.0.1:{port}"
    else:
        args += ["--bind", f"127.0.0.1:{port}"]
    return args


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self):
        self.port = free_port()
        args = compose_gunicorn_args(self.port)
        args[0] = str(Path(sys.executable).with_name("gunicorn"))
        self.command = args
        env = {
            **os.environ,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        }
        self.log_file = open(WORK_DIR / "gunicorn.log", "w")  # noqa: SIM115
        log(f"starting: {' '.join(args)}")
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT
        )
        self.wait_ready()

    def wait_ready(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited ({self.process.returncode}); see {WORK_DIR / 'gunicorn.log'}")
            try:
                status, _, _ = self.request("GET", "/health")
                if status == 200 and len(self.worker_pids()) >= 1:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        sys.exit("gunicorn did not answer /health within 60 s")

    def request(self, method, path, token=None, body=None, timeout=120):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read(), response.getheader("Content-Type", "")
        finally:
            conn.close()

    def worker_pids(self):
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def drain(self):
        """Let requests abandoned by the last wrk run finish before the next one starts."""
        for _ in range(4):
            self.request("GET", "/bench/ceiling/read")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log_file.close()


def rss_kb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---------------------------------------------------------------- wrk


def wrk(
    server, path, *, token=None, script="report.lua", args=(), connections=CONNECTIONS, duration=DURATION
):
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        f"bench/lua/{script}",
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    if args:
        command += ["--", *args]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next((item for item in output.splitlines() if item.startswith("BENCH_RESULT ")), None)
    if line is None:
        sys.exit(f"wrk printed no result for {path}:\n{output}")
    return json.loads(line[len("BENCH_RESULT ") :])


def load(server, name, path, *, token=None, script="report.lua", args=(), warm_args=(), **options):
    log(f"  {name:<46} warm-up {WARMUP}s, then {options.get('duration', DURATION)}s")
    wrk(server, path, token=token, script=script, args=warm_args or args, duration=WARMUP, **options)
    server.drain()
    raw = wrk(server, path, token=token, script=script, args=args, **options)
    server.drain()
    seconds = raw["durationUs"] / 1e6
    errors = raw["statusErrors"] + raw["connectErrors"] + raw["readErrors"] + raw["writeErrors"]
    errors += raw["timeouts"]
    result = {
        "path": name,
        "url": path,
        "connections": options.get("connections", CONNECTIONS),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50Ms": round(raw["p50Us"] / 1000, 1),
        "p99Ms": round(raw["p99Us"] / 1000, 1),
        "maxMs": round(raw["maxUs"] / 1000, 1),
        "errors": errors,
        "raw": raw,
    }
    log(f"    {result['rps']} req/s, p50 {result['p50Ms']} ms, p99 {result['p99Ms']} ms, {errors} errors")
    return result


# ---------------------------------------------------------------- scenario pieces


def small_list_name(dataset):
    return f"consultlist inst admin page 1, {dataset['counts']['smallConversations']:,} conversations"


def tokens_for(dataset):
    users = {user.pk: user for user in User.objects.filter(pk__in=_token_user_ids(dataset))}
    return {pk: token_pair(user)["access"] for pk, user in users.items()}


def _token_user_ids(dataset):
    ids = [dataset[name] for name in ("sysadmin", "instAdmin", "smallAdmin", "visitor", "spareVisitor")]
    return ids + dataset["burstVisitors"]


def name_filters(dataset):
    """1- and 2-character filters that match: the surname and first two characters of real names."""
    visitor = User.objects.get(pk=dataset["visitor"]).name
    counselor = User.objects.get(pk=dataset["spareCounselor"]).name
    return {
        "visitorName": (visitor[:1], visitor[:2]),
        "counselorName": (counselor[:1], counselor[:2]),
    }


def consultlist_url(page, **filters):
    query = {"page": page, "size": 10, **filters}
    return "/conversation/consultlist?" + urllib.parse.urlencode(query, quote_via=urllib.parse.quote)


def read_paths(dataset, tokens, filters):
    sysadmin, inst_admin = tokens[dataset["sysadmin"]], tokens[dataset["instAdmin"]]
    big = dataset["bigConversation"]
    last_page = -(-dataset["bigConversationMessages"] // 100)
    now_ms = int(time.time() * 1000)
    paths = []
    for role, token in (("admin", sysadmin), ("inst admin", inst_admin)):
        for page in (1, 500):
            paths.append((f"consultlist {role} page {page}", consultlist_url(page), token, "read"))
        for param, values in filters.items():
            for value in values:
                name = f"consultlist {role} {param}={value}"
                paths.append((name, consultlist_url(1, **{param: value}), token, "filter"))
    paths.append(
        (
            "arrange/theday visitor size 20",
            f"/arrange/theday?timestamp={now_ms}&type=COUNSELOR&page=1&size=20",
            tokens[dataset["visitor"]],
            "read",
        )
    )
    for label, page in (("first", 1), ("last", last_page)):
        paths.append(
            (
                f"message/conversation/web {label} page",
                f"/message/conversation/web?conversationId={big}&page={page}&size=100",
                sysadmin,
                "read",
            )
        )
    for name in ("7statistics", "todaychange", "numberranking", "ratedranking"):
        paths.append((f"conversation/{name}", f"/conversation/{name}", inst_admin, "stats"))
    return paths


def run_callback(server, dataset):
    """Callback at c=32 with each key sent twice, then the rows: acknowledged vs stored, lost, doubled."""
    tag = f"benchcb{int(time.time())}"
    conversation = dataset["callbackConversation"]
    write_signs()
    result = load(
        server,
        "POST /message/callback",
        f"/message/callback?{CALLBACK_QUERY}",
        script="callback.lua",
        args=(tag, conversation),
        warm_args=(f"{tag}warm", conversation),
        connections=CALLBACK_CONNECTIONS,
    )
    raw = result["raw"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(DISTINCT msg_key) FROM {Message._meta.db_table} WHERE msg_key LIKE %s",
            [f"{tag}-%"],
        )
        rows, distinct = cursor.fetchone()
    result["callback"] = {
        "requestsSent": raw["generated"],
        "acknowledged": raw["acknowledged"],
        "refused": raw["refused"],
        "distinctKeysSent": raw["keys"],
        "rowsStored": rows,
        "distinctKeysStored": distinct,
        # Keys sent but not stored (a request cut by wrk's stop never reached the view, at most c of them).
        "lost": raw["keys"] - distinct,
        "doubled": rows - distinct,
    }
    log(f"    callback: {result['callback']}")
    return result


def run_write_ceiling(server, dataset):
    return load(
        server,
        "ceiling: bare view, one INSERT",
        "/bench/ceiling/write",
        script="callback.lua",
        args=("ceiling", dataset["callbackConversation"]),
        connections=CALLBACK_CONNECTIONS,
    )


def run_export(server, dataset, token):
    """Time of the export of the 10 000-message conversation and the serving worker's RSS growth."""
    path = f"/conversation/export/{dataset['bigConversation']}"
    log(f"  export of {dataset['bigConversationMessages']} messages: {EXPORT_RUNS + 1} runs")
    runs = []
    # The first run is timed apart (it pays the worker's first import of openpyxl) but its memory counts:
    # a worker keeps the memory it grew to, so only a worker's first export shows the growth.
    for _ in range(EXPORT_RUNS + 1):
        pids = server.worker_pids()
        before = {pid: rss_kb(pid) for pid in pids}
        peak = dict(before)
        stop = threading.Event()

        def sample(pids=pids, peak=peak, stop=stop):
            while not stop.is_set():
                for pid in pids:
                    peak[pid] = max(peak[pid], rss_kb(pid))
                time.sleep(0.005)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.monotonic()
        status, body, content_type = server.request("POST", path, token=token)
        seconds = time.monotonic() - started
        stop.set()
        sampler.join()
        after = {pid: rss_kb(pid) for pid in pids}
        runs.append(
            {
                "status": status,
                "bytes": len(body),
                "seconds": round(seconds, 3),
                "peakGrowthMb": round(max(peak[pid] - before[pid] for pid in pids) / 1024, 1),
                "retainedGrowthMb": round(max(after[pid] - before[pid] for pid in pids) / 1024, 1),
            }
        )
    timed = runs[1:]
    result = {
        "path": "POST /conversation/export/{id}",
        "url": path,
        "runs": runs,
        "seconds": statistics.median(run["seconds"] for run in timed),
        "firstRunSeconds": runs[0]["seconds"],
        # In the table: the median and the slowest run after the first, in ms.
        "p50Ms": round(statistics.median(run["seconds"] for run in timed) * 1000, 1),
        "p99Ms": round(max(run["seconds"] for run in timed) * 1000, 1),
        "peakGrowthMb": max(run["peakGrowthMb"] for run in runs),
        "retainedGrowthMb": max(run["retainedGrowthMb"] for run in runs),
        "errors": sum(1 for run in runs if run["status"] != 200),
    }
    log(f"    {result['seconds']} s, worker RSS +{result['peakGrowthMb']} MB at peak")
    return result


def run_burst(server, dataset, tokens):
    """200 visitors PUT /conversation at once against 20 counsellors with maxConsults 5 each."""
    visitors, counselors = dataset["burstVisitors"], dataset["burstCounselors"]
    log(f"  burst: {len(visitors)} visitors at once against {len(counselors)} counsellors")
    barrier = threading.Barrier(len(visitors))

    def one(index):
        body = json.dumps({"counselor": counselors[index % len(counselors)]})
        barrier.wait()
        started = time.monotonic()
        status, _, _ = server.request("PUT", "/conversation", token=tokens[visitors[index]], body=body)
        return status, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=len(visitors)) as pool:
        outcomes = list(pool.map(one, range(len(visitors))))
    latencies = sorted(seconds for _, seconds in outcomes)
    statuses = {}
    for conversation in Conversation.objects.filter(
        counselor_id__in=counselors, user_id__in=visitors, deleted_at__isnull=True
    ).values_list("status", flat=True):
        statuses[conversation] = statuses.get(conversation, 0) + 1
    result = {
        "path": "burst PUT /conversation (200 visitors, 20 x 5)",
        "requests": len(outcomes),
        "errors": sum(1 for status, _ in outcomes if status != 200),
        "p50Ms": round(statistics.median(latencies) * 1000, 1),
        "p99Ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
        "maxMs": round(latencies[-1] * 1000, 1),
        "inProgress": statuses.get("IN_PROGRESS", 0),
        "waiting": statuses.get("WAITING", 0),
        "exact": statuses.get("IN_PROGRESS", 0) == 100 and statuses.get("WAITING", 0) == 100,
    }
    log(f"    {result['inProgress']} IN_PROGRESS / {result['waiting']} WAITING, p99 {result['p99Ms']} ms")
    return result


def count_queries(dataset, tokens, paths):
    """SQL statements of one request of each path, through Django's test client on the bench database."""
    client = Client()
    # Whitenoise warns once that collectstatic never ran; the bench serves no static files.
    warnings.filterwarnings("ignore", message="No directory at")
    counts = {}

    def measure(method, url, token, body=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data=body, content_type="application/json", **headers)
        return len(queries), response.status_code

    for name, url, token, _ in paths:
        counts[name] = measure("get", url, token)
    message = {
        "CallbackCommand": "C2C.CallbackAfterSendMsg",
        "MsgKey": f"benchcount-{time.time()}",
        "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "计数"}}],
        "CloudCustomData": dataset["callbackConversation"],
    }
    counts["POST /message/callback"] = measure(
        "post", f"/message/callback?{signed_callback_query()}", None, json.dumps(message)
    )
    counts["POST /conversation/export/{id}"] = measure(
        "post", f"/conversation/export/{dataset['bigConversation']}", tokens[dataset["instAdmin"]]
    )
    counts["burst PUT /conversation (200 visitors, 20 x 5)"] = measure(
        "put",
        "/conversation",
        tokens[dataset["spareVisitor"]],
        json.dumps({"counselor": dataset["spareCounselor"]}),
    )
    counts[small_list_name(dataset)] = measure("get", consultlist_url(1), tokens[dataset["smallAdmin"]])
    for name, (_count, status) in counts.items():
        if status >= 400:
            log(f"  warning: {name} answered {status} through the test client")
    return {name: count for name, (count, _) in counts.items()}


# ---------------------------------------------------------------- report


def print_table(results):
    header = f"{'path':<52} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6} {'ratio':>7} {'SQL':>4}"
    lines = [header, "-" * len(header)]
    for row in results["paths"]:
        ratio = "" if row.get("ratio") is None else f"{row['ratio']:.3f}"
        rps = "" if row.get("rps") is None else f"{row['rps']:.1f}"
        sql = "" if row.get("sql") is None else str(row["sql"])
        lines.append(
            f"{row['path'][:52]:<52} {rps:>8} {row.get('p50Ms', ''):>8} {row.get('p99Ms', ''):>8} "
            f"{row['errors']:>6} {ratio:>7} {sql:>4}"
        )
    cb = results["callback"]
    ex = results["export"]
    burst = results["burst"]
    growth = results["costGrowth"]
    lines += [
        "",
        f"callback: {cb['requestsSent']} requests sent for {cb['distinctKeysSent']} keys (each twice), "
        f"{cb['acknowledged']} acknowledged, {cb['refused']} refused; {cb['distinctKeysStored']} keys stored, "
        f"{cb['lost']} lost, {cb['doubled']} doubled",
        f"export: {ex['seconds']} s (median of {len(ex['runs']) - 1} after a first of {ex['firstRunSeconds']} s), worker RSS +{ex['peakGrowthMb']} MB at peak, "
        f"+{ex['retainedGrowthMb']} MB retained",
        f"burst: {burst['inProgress']} IN_PROGRESS / {burst['waiting']} WAITING "
        f"({'exact' if burst['exact'] else 'NOT exact'}), p50 {burst['p50Ms']} ms, p99 {burst['p99Ms']} ms",
        f"cost growth: consultlist page 1 p50 {growth['p50MsLarge']} ms at {growth['large']} conversations vs "
        f"{growth['p50MsSmall']} ms at {growth['small']}: x{growth['factor']}",
    ]
    print("\n".join(lines))


def main():
    # Signs of an earlier run would make callback.lua sign the write ceiling's requests too (its URL has
    # no query string, so they 404): the Signs are written just before the callback runs.
    SIGNS_FILE.unlink(missing_ok=True)
    dataset = json.loads((WORK_DIR / "dataset.json").read_text())
    tokens = tokens_for(dataset)
    filters = name_filters(dataset)
    paths = read_paths(dataset, tokens, filters)
    started = time.monotonic()
    server = Server()
    workers = server.worker_pids()
    log(f"gunicorn up on 127.0.0.1:{server.port}, {len(workers)} workers")
    results = {"paths": []}
    try:
        read_ceiling = load(server, "ceiling: bare view, constant JSON", "/bench/ceiling/read")
        results["paths"].append(read_ceiling)
        for name, url, token, _ in paths:
            row = load(server, name, url, token=token)
            row["ratio"] = round(row["rps"] / read_ceiling["rps"], 4)
            results["paths"].append(row)
        write_ceiling = run_write_ceiling(server, dataset)
        results["paths"].append(write_ceiling)
        callback = run_callback(server, dataset)
        callback["ratio"] = round(callback["rps"] / write_ceiling["rps"], 4)
        results["paths"].append(callback)
        results["callback"] = callback["callback"]
        export = run_export(server, dataset, tokens[dataset["instAdmin"]])
        results["paths"].append(export)
        results["export"] = {
            key: export[key]
            for key in ("seconds", "firstRunSeconds", "peakGrowthMb", "retainedGrowthMb", "runs")
        }
        burst = run_burst(server, dataset, tokens)
        results["paths"].append(burst)
        results["burst"] = burst
        small = load(
            server,
            small_list_name(dataset),
            consultlist_url(1),
            token=tokens[dataset["smallAdmin"]],
        )
        small["ratio"] = round(small["rps"] / read_ceiling["rps"], 4)
        results["paths"].append(small)
        large = next(row for row in results["paths"] if row["path"] == "consultlist inst admin page 1")
        results["costGrowth"] = {
            "large": dataset["counts"]["conversations"],
            "small": dataset["counts"]["smallConversations"],
            "p50MsLarge": large["p50Ms"],
            "p50MsSmall": small["p50Ms"],
            "factor": round(large["p50Ms"] / small["p50Ms"], 2) if small["p50Ms"] else None,
        }
    finally:
        server.stop()
    log("counting SQL queries per request")
    sql = count_queries(dataset, tokens, paths)
    for row in results["paths"]:
        row["sql"] = sql.get(row["path"])
        row.pop("raw", None)
    results.update(
        {
            "measuredAt": timezone.now().isoformat(),
            "machine": {"cpus": os.cpu_count(), "loadAverage": os.getloadavg()},
            "server": " ".join(server.command[1:]),
            "workers": len(workers),
            "dataset": dataset["counts"],
            "datasetSeconds": dataset["seconds"],
            "durationSeconds": DURATION,
            "warmupSeconds": WARMUP,
            "loadSeconds": round(time.monotonic() - started, 1),
            "filters": filters,
        }
    )
    (BENCH_DIR / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print_table(results)
    log(f"wrote {BENCH_DIR / 'results.json'}")


if __name__ == "__main__":
    main()
