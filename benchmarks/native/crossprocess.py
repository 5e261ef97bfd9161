#!/usr/bin/env python3
"""Cross-process benchmark: the native load generator (loadgen.c) against the native floor (floor.c), the conformance
sample's server, the typed echo server and, for reference, gRPC on Kestrel, each in its own process, interleaved in one
run.

    python3 benchmarks/native/crossprocess.py [--runs 3] [--duration 2] [--json results.json] [--no-build]
    python3 benchmarks/native/crossprocess.py --smoke [--no-build]

Builds floor.c and loadgen.c with gcc (into a temporary folder) and, unless --no-build, the two .NET programs
(Release). Starts every server once: the floor, `Conformance server` (the raw API, a task per request) and
`LoadGenerator serve-typed` (the generated server base, MessagePack bodies), over TCP and Unix seqpacket, and
`LoadGenerator serve-grpc` (Kestrel, HTTP/2 without TLS; the load generator makes unary calls) where comparable: the
64 B loads over TCP (a gRPC message in one HTTP/2 frame). Then, run
after run, every scenario against every server in turn (the order rotates from run to run), each a warm-up followed by
a measured phase of the same length for every server. Reports, per scenario and server, the medians over the runs:
requests/s, MB/s, p50/p99/p999, each as a ratio to the floor of the same scenario in the same run, and what the server
process spent per request (CPU time and context switches, from /proc).

--smoke: every scenario against every server once with a handful of requests, every response checked by the load
generator, plus one check that a damaged response is caught; prints "N passed, M failed" and never looks at a timing.

--compare BEFORE.json AFTER.json: two runs' medians side by side (ratios to their own floors, server CPU per request).

--baseline ROOT: also drives the conformance and typed servers as built (Release) in another checkout ROOT, as the
servers "conformance@base" and "typed@base", interleaved with the others in the same runs: a before/after under the
same conditions (e.g. a `git worktree` of the commit before a change, built with `dotnet build -c Release`).

--diagnostics-cost BEFORE_DLL: the cost of issue 13's metrics and traces, at 64 in flight unless --only says otherwise:
the floor, the typed server of another build (BEFORE_DLL: its LoadGenerator.dll, e.g. the commit before the change,
built separately), this build's typed server with nothing listening, and with a listener on every instrument of the
FizyrRpc meter (`serve-typed ... --metrics`), interleaved in one run as every other measurement.

--clients: the other way round: our clients in their own process (`LoadGenerator drive raw|typed`: the PeerHandle
client and the generated typed client, one task per request in flight, every response checked) against the native
floor, beside the native load generator driving the same floor, every scenario, interleaved in one run. Each ratio is
to the native load generator's requests/s in the same run; also the client's CPU time and context switches per request
and the floor's CPU per request, over the measured phase. "raw-inline", "typed-inline": the same clients with
PeerOptions.PreferInlineResponses. With --baseline ROOT also ROOT's clients ("raw@base", "typed@base"; ROOT must have
`drive`). With --smoke: each of our clients once per scenario, checked, and a damaged response caught; "N passed,
M failed", never a timing.

--syscalls: `strace -c -f -p` on each server over TCP (the floor, the conformance server, the typed server) during a
fixed number of requests after a warm-up, at 1 and at 64 in flight: system calls per request, by call.

--svg FILE, --markdown [FILE]: the report (report.py) of the run just made, or, with --from, of --json files instead of
a run: a bar chart of each server's ratio to the floor per scenario, and a Markdown table of medians with their ranges
over the runs (to standard output without FILE). Before and after stand side by side when the run had --baseline, or
when --from is given two files (BEFORE.json AFTER.json).

    python3 benchmarks/native/crossprocess.py --runs 3 --baseline /tmp/base --json after.json --svg after.svg --markdown
    python3 benchmarks/native/crossprocess.py --from before.json after.json --svg chart.svg --markdown table.md
"""

import argparse
import json
import os
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import report

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CONFORMANCE = os.path.join(ROOT, "samples/Conformance/bin/Release/net10.0/Conformance.dll")
LOADGEN_DLL = os.path.join(ROOT, "benchmarks/LoadGenerator/bin/Release/net10.0/LoadGenerator.dll")
BEFORE_DLL = None  # --diagnostics-cost: another build's LoadGenerator.dll
MIB = 1024 * 1024
# Context switches are counted with `perf stat -e context-switches` (a software event: works in VMs without counters).
PERF = shutil.which("perf") is not None and subprocess.run(
    ["perf", "stat", "-e", "context-switches", "true"], capture_output=True).returncode == 0


@dataclass(frozen=True)
class Scenario:
    name: str
    transport: str  # tcp or seqpacket
    connections: int
    in_flight: int
    body: int
    smoke_requests: int


SCENARIOS = [
    Scenario("1 in flight, 64 B", "tcp", 1, 1, 64, 20),
    Scenario("64 in flight, 64 B", "tcp", 1, 64, 64, 256),
    Scenario("64 connections x 16 in flight, 64 B", "tcp", 64, 16, 64, 256),
    Scenario("1 MiB bodies, 4 in flight", "tcp", 1, 4, MIB, 8),
    Scenario("Unix seqpacket, 64 in flight, 64 B", "seqpacket", 1, 64, 64, 256),
]

# Each server: how to start it (given the tools and an address option), and what its echo looks like on the wire.
SERVERS = ["floor", "conformance", "typed", "grpc"]
REPLY = {
    # service ID asked for, service ID expected back, MessagePack bin body
    "floor": ("1", "0", False),
    "conformance": ("1", "0", False),  # samples/Conformance: service 1 is the echo, answered with service ID 0
    "typed": ("1", "1", True),  # ITypedEcho.EchoAsync is [Service(1)]; a typed server answers with the request's ID
    "typed-before": ("1", "1", True),  # --diagnostics-cost: the typed server of another build
    "typed-metrics": ("1", "1", True),  # --diagnostics-cost: the typed server with a listener on the FizyrRpc meter
}


# --baseline: the same servers from another checkout, "KIND@base".
BASELINE = {}


def base_kind(kind):
    return kind.split("@")[0]


def servers_of(scenario):
    """The servers a scenario runs against: gRPC only where comparable (TCP, bodies in one HTTP/2 frame)."""
    return [kind for kind in SERVERS if kind != "grpc" or (scenario.transport == "tcp" and scenario.body <= 16000)]


def log(text):
    print(text, file=sys.stderr, flush=True)


def build_native(work):
    tools = {}
    for program in ("floor", "loadgen"):
        output = os.path.join(work, program)
        command = ["gcc", "-O2", "-std=c11", "-Wall", "-Wextra", "-Werror", "-o", output, os.path.join(HERE, program + ".c")]
        subprocess.run(command, check=True)
        tools[program] = output
    return tools


def build_dotnet():
    for project in ("samples/Conformance/Conformance.csproj", "benchmarks/LoadGenerator/LoadGenerator.csproj"):
        log(f"building {project} (Release)")
        subprocess.run(["dotnet", "build", "-c", "Release", "--nologo", "-v", "quiet", os.path.join(ROOT, project)], check=True)


def process_cpu_seconds(pid):
    """CPU seconds (user + system) process pid spent so far, every thread (ended ones too)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_switches(pid, path):
    """Starts `perf stat` counting process pid's context switches (every thread, new ones too) into path; or None."""
    if not PERF:
        return None
    counter = subprocess.Popen(["perf", "stat", "-e", "context-switches", "-x,", "-o", path, "-p", str(pid)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)  # attached
    return counter


def counted_switches(counter, path, interrupt):
    """The count of a count_switches counter (None without one), once it ended: interrupted, or with its process."""
    if counter is None:
        return None
    if interrupt:
        counter.send_signal(signal.SIGINT)
    counter.wait(30)
    for line in open(path):
        if "context-switches" in line and line.split(",")[0].isdigit():
            return int(line.split(",")[0])
    return None


class Server:
    """One server process: started, its "listening on" line read, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, kind, transport, tools, work, corrupt=None):
        self.kind, self.transport = kind, transport
        option = "--tcp" if transport == "tcp" else "--unix-seqpacket"
        value = "127.0.0.1:0" if transport == "tcp" else os.path.join(work, f"{kind}-{transport}{'-corrupt' if corrupt else ''}.sock")
        if kind == "floor":
            command = [tools["floor"], option, value] + (["--corrupt", str(corrupt)] if corrupt else [])
        elif base_kind(kind) == "conformance":
            command = ["dotnet", BASELINE.get("conformance", CONFORMANCE) if "@" in kind else CONFORMANCE, "server", option, value]
        elif base_kind(kind) == "typed":
            command = ["dotnet", BASELINE.get("typed", LOADGEN_DLL) if "@" in kind else LOADGEN_DLL, "serve-typed", option, value]
        elif kind == "typed-before":
            command = ["dotnet", BEFORE_DLL, "serve-typed", option, value]
        elif kind == "typed-metrics":
            command = ["dotnet", LOADGEN_DLL, "serve-typed", option, value, "--metrics"]
        else:
            command = ["dotnet", LOADGEN_DLL, "serve-grpc", option, value]
        self.log_path = os.path.join(work, f"{kind}-{transport}.log")
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(self.log_path, "w"), text=True)
        self.address = self._wait_listening(60)

    def _wait_listening(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                line = self.process.stdout.readline()
                if line.startswith("listening on "):
                    address = line[len("listening on "):].strip()
                    return address[len("unix:"):] if address.startswith("unix:") else address
                if line == "":
                    break
            if self.process.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"{self.kind} server ({self.transport}) did not start: {open(self.log_path).read()[-2000:]}")

    def cpu_seconds(self):
        """CPU seconds (user + system) the process spent so far, every thread (ended ones too)."""
        return process_cpu_seconds(self.process.pid)

    def count_switches(self, path):
        """Starts `perf stat` counting the process's context switches (every thread, new ones too) into path; or None."""
        return count_switches(self.process.pid, path)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                stream.close()


def loadgen_command(tools, server, scenario, smoke, duration, warmup):
    command = [
        tools["loadgen"], "--tcp" if scenario.transport == "tcp" else "--unix-seqpacket", server.address,
        "--connections", str(scenario.connections), "--in-flight", str(scenario.in_flight), "--body", str(scenario.body),
        "--timeout", "300" if not smoke else "120",
    ]
    if server.kind == "grpc":
        return command + ["--grpc"] + (["--requests", str(scenario.smoke_requests), "--warmup", "0"] if smoke else
                                       ["--duration", str(duration), "--warmup-duration", str(warmup)])
    service, reply, msgpack = REPLY[base_kind(server.kind)]
    command += ["--service", service, "--reply-service", reply]
    if smoke:
        command += ["--requests", str(scenario.smoke_requests), "--warmup", "0"]
    else:
        command += ["--duration", str(duration), "--warmup-duration", str(warmup)]
    return command + (["--msgpack"] if msgpack else [])


def run_one(tools, server, scenario, smoke=False, duration=2.0, warmup=1.0):
    """Runs the load generator once; returns (result dict or None, error text). The server's CPU time and context
    switches are counted over the measured phase alone (the load generator waits for the go after its warm-up)."""
    if smoke:
        done = subprocess.run(loadgen_command(tools, server, scenario, smoke, duration, warmup), capture_output=True, text=True)
        if done.returncode != 0:
            return None, done.stderr.strip() or f"exit code {done.returncode}"
        return json.loads(done.stdout), ""
    load = subprocess.Popen(loadgen_command(tools, server, scenario, smoke, duration, warmup) + ["--sync"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    warm = load.stdout.readline()
    counter = server.count_switches(server.log_path + ".perf") if warm == "warm\n" else None
    cpu = server.cpu_seconds()
    output, errors = load.communicate("go\n")
    cpu = server.cpu_seconds() - cpu
    switches = counted_switches(counter, server.log_path + ".perf", interrupt=True)
    if load.returncode != 0:
        return None, errors.strip() or f"exit code {load.returncode}"
    result = json.loads(output)
    requests = result["requests"]
    result["server_cpu_us_per_request"] = cpu * 1e6 / requests
    result["server_switches_per_request"] = float("nan") if switches is None else switches / requests
    return result, ""


def start_servers(tools, work):
    servers = {}
    for transport in ("tcp", "seqpacket"):
        for kind in SERVERS:
            if any(s.transport == transport and kind in servers_of(s) for s in SCENARIOS):
                servers[(kind, transport)] = Server(kind, transport, tools, work)
    return servers


def smoke(tools, work):
    passed = failed = 0
    servers = start_servers(tools, work)
    try:
        for scenario in SCENARIOS:
            for kind in servers_of(scenario):
                server = servers[(kind, scenario.transport)]
                result, error = run_one(tools, server, scenario, smoke=True)
                if result is not None and result["checked"] == scenario.smoke_requests:
                    passed += 1
                    print(f"ok   {scenario.name}: {kind}, {result['checked']} responses checked")
                else:
                    failed += 1
                    print(f"FAIL {scenario.name}: {kind}: {error or result}")
        # The checks themselves: a floor that damages every 5th response must make the load generator fail.
        for transport in ("tcp", "seqpacket"):
            corrupt = Server("floor", transport, tools, work, corrupt=5)
            try:
                scenario = next(s for s in SCENARIOS if s.transport == transport)
                _, error = run_one(tools, corrupt, scenario, smoke=True)
            finally:
                corrupt.stop()
            if error:
                passed += 1
                print(f"ok   a damaged response over {transport} is caught: {error.splitlines()[-1]}")
            else:
                failed += 1
                print(f"FAIL a floor that damages every 5th response over {transport} passed the load generator's checks")
    finally:
        for server in servers.values():
            server.stop()
    # Every server stopped cleanly and logged nothing: no connection of the load generator ended in an error.
    for server in servers.values():
        errors = open(server.log_path).read().strip()
        if server.process.returncode not in (0, -signal.SIGTERM) or errors:
            failed += 1
            print(f"FAIL the {server.kind} server ({server.transport}) exited with {server.process.returncode}; its log: {errors[-2000:]}")
        else:
            passed += 1
            print(f"ok   the {server.kind} server ({server.transport}) stopped cleanly, nothing logged")
    print(f"{passed} passed, {failed} failed")
    return failed


def strace_counts(server, command, requests):
    """Runs `command` (a load generator run of `requests` requests) with strace counting the server's system calls."""
    out = server.log_path + ".strace"
    tracer = subprocess.Popen(["strace", "-c", "-f", "-p", str(server.process.pid), "-o", out],
                              stderr=subprocess.PIPE, text=True)
    tracer.stderr.readline()  # "strace: Process N attached": the first thread is traced
    time.sleep(1)  # and the others
    done = subprocess.run(command, capture_output=True, text=True)
    tracer.send_signal(signal.SIGINT)
    tracer.communicate(timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{server.kind}: {done.stderr.strip()}")
    calls = {}
    for line in open(out):
        fields = line.split()
        if len(fields) in (5, 6) and fields[0][0].isdigit() and fields[-1] != "total":
            calls[fields[-1]] = int(fields[3])
    return {name: count / requests for name, count in sorted(calls.items(), key=lambda item: -item[1])}


def syscalls(tools, work):
    if shutil.which("strace") is None:
        raise RuntimeError("strace is not installed (apt-get install -y strace)")
    rows = []
    servers = {kind: Server(kind, "tcp", tools, work) for kind in SERVERS if base_kind(kind) != "grpc"}
    try:
        for scenario, requests in ((SCENARIOS[0], 5000), (SCENARIOS[1], 100000)):
            for kind, server in servers.items():
                run_one(tools, server, scenario, duration=1.0, warmup=1.0)  # warm, untraced
                command = loadgen_command(tools, server, scenario, True, 0, 0)
                command[command.index("--requests") + 1] = str(requests)
                per_request = strace_counts(server, command, requests)
                rows.append({"scenario": scenario.name, "server": kind, "requests": requests, "per_request": per_request})
                top = ", ".join(f"{name} {count:.2f}" for name, count in list(per_request.items())[:6])
                print(f"| {scenario.name} | {kind} | {sum(per_request.values()):.2f} | {top} |", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    return rows


# --- --clients: our clients in their own process against the native floor, beside the native load generator ----------

# The clients: the native load generator, and `LoadGenerator drive raw|typed` (our PeerHandle client and the generated
# typed client, one task per request in flight), each also with PeerOptions.PreferInlineResponses ("-inline"); with
# --baseline also those of the other checkout ("raw@base", "typed@base").
CLIENTS = ["native", "raw", "raw-inline", "typed", "typed-inline"]


def client_command(tools, client, server, scenario, smoke, duration, warmup):
    """The command of one client run against the floor `server`: the native load generator's options for every client."""
    native = loadgen_command(tools, server, scenario, smoke, duration, warmup)
    if client == "native":
        return native
    dll = BASELINE.get("typed", LOADGEN_DLL) if "@" in client else LOADGEN_DLL
    kind = base_kind(client)
    return ["dotnet", dll, "drive", kind.split("-")[0]] + native[1:] + (["--inline-responses"] if kind.endswith("-inline") else [])


def run_client(tools, client, server, scenario, smoke=False, duration=2.0, warmup=1.0):
    """Runs one client against the floor; returns (result dict or None, error text). Over the measured phase alone: the
    client's CPU time (from /proc at the go, and its rusage once it exited) and context switches (perf stat, attached at
    the go, ends with it), and the floor's CPU time."""
    command = client_command(tools, client, server, scenario, smoke, duration, warmup)
    if smoke:
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            return None, done.stderr.strip() or f"exit code {done.returncode}"
        return json.loads(done.stdout), ""
    load = subprocess.Popen(command + ["--sync"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    warm = load.stdout.readline()
    counter = count_switches(load.pid, server.log_path + ".client.perf") if warm == "warm\n" else None
    client_cpu = process_cpu_seconds(load.pid) if warm == "warm\n" else 0.0
    floor_cpu = server.cpu_seconds()
    try:
        load.stdin.write("go\n")
        load.stdin.close()
    except BrokenPipeError:
        pass
    output = load.stdout.read()
    floor_cpu = server.cpu_seconds() - floor_cpu
    errors = load.stderr.read()
    _, status, usage = os.wait4(load.pid, 0)
    load.returncode = os.waitstatus_to_exitcode(status)
    load.stdout.close()
    load.stderr.close()
    client_cpu = usage.ru_utime + usage.ru_stime - client_cpu
    switches = counted_switches(counter, server.log_path + ".client.perf", interrupt=False)
    if load.returncode != 0:
        return None, errors.strip() or f"exit code {load.returncode}"
    result = json.loads(output)
    requests = result["requests"]
    result["client_cpu_us_per_request"] = client_cpu * 1e6 / requests
    result["client_switches_per_request"] = float("nan") if switches is None else switches / requests
    result["floor_cpu_us_per_request"] = floor_cpu * 1e6 / requests
    return result, ""


def start_floors(tools, work):
    return {transport: Server("floor", transport, tools, work) for transport in sorted({s.transport for s in SCENARIOS})}


def clients_smoke(tools, work):
    """Every scenario, each of our clients against the floor once, every response checked; and a floor that damages
    every 5th response must make each of them fail."""
    passed = failed = 0
    floors = start_floors(tools, work)
    try:
        for scenario in SCENARIOS:
            for client in CLIENTS[1:]:
                result, error = run_client(tools, client, floors[scenario.transport], scenario, smoke=True)
                if result is not None and result["checked"] == scenario.smoke_requests:
                    passed += 1
                    print(f"ok   {scenario.name}: the {client} client against the floor, {result['checked']} responses checked")
                else:
                    failed += 1
                    print(f"FAIL {scenario.name}: the {client} client against the floor: {error or result}")
        for transport in sorted({s.transport for s in SCENARIOS}):
            corrupt = Server("floor", transport, tools, work, corrupt=5)
            try:
                scenario = next(s for s in SCENARIOS if s.transport == transport)
                for client in CLIENTS[1:]:
                    _, error = run_client(tools, client, corrupt, scenario, smoke=True)
                    if "is not" in error or "service ID" in error:  # a check failed, not something else
                        passed += 1
                        print(f"ok   the {client} client catches a damaged response over {transport}: {error.splitlines()[-1]}")
                    else:
                        failed += 1
                        print(f"FAIL the {client} client passed a floor that damages every 5th response over {transport}")
            finally:
                corrupt.stop()
    finally:
        for floor in floors.values():
            floor.stop()
    print(f"{passed} passed, {failed} failed")
    return failed


def measure_clients(tools, work, runs, duration, warmup):
    """Run after run, every scenario driven by every client in turn (the order rotates), against the floor."""
    floors = start_floors(tools, work)
    try:
        samples = interleaved(runs, lambda scenario: CLIENTS, lambda scenario, client: run_client(
            tools, client, floors[scenario.transport], scenario, duration=duration, warmup=warmup), "client")
    finally:
        for floor in floors.values():
            floor.stop()
    rows = medians(samples, lambda scenario: CLIENTS, "client", "native", (
        "requests_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us", "client_cpu_us_per_request",
        "client_switches_per_request", "floor_cpu_us_per_request", "allocated_per_request"))
    return rows, samples


def clients_table(rows):
    lines = [
        "| Scenario | Client | Requests/s | × native (range) | p50 µs | p50 × native | p99 µs | Client CPU µs / request | "
        "Client context switches / request | Floor CPU µs / request | Client allocated B / request |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        low, high = r["x_native_range"]
        lines.append(
            f"| {r['scenario']} | {r['client']} | {r['requests_per_s']:,.0f} | {r['x_native']:.2f} ({low:.2f}–{high:.2f}) | "
            f"{r['p50_us']:,.1f} | {r['p50_x_native']:.2f} | {r['p99_us']:,.1f} | {r['client_cpu_us_per_request']:.2f} | "
            f"{r['client_switches_per_request']:.3f} | {r['floor_cpu_us_per_request']:.2f} | {r['allocated_per_request']:,.0f} |")
    return "\n".join(lines)


def median(values):
    return statistics.median(values) if values else float("nan")


def interleaved(runs, kinds_of, run_kind, role):
    """Run after run, every scenario with each of its kinds (servers or clients) in turn, the order rotating from run to
    run; run_kind(scenario, kind) returns (result or None, error). Returns every run's result, tagged."""
    samples = []
    for run in range(runs):
        for scenario in SCENARIOS:
            kinds = kinds_of(scenario)
            for kind in kinds[run % len(kinds):] + kinds[:run % len(kinds)]:
                result, error = run_kind(scenario, kind)
                if result is None:
                    raise RuntimeError(f"run {run + 1}, {scenario.name}, {kind}: {error}")
                result.update({"run": run + 1, "scenario": scenario.name, role: kind})
                samples.append(result)
                extra = f"  {role} CPU {result[role + '_cpu_us_per_request']:.2f} us/request" if role + "_cpu_us_per_request" in result else ""
                log(f"run {run + 1}/{runs}  {scenario.name:40} {kind:12} {result['requests_per_s']:>12,.0f} requests/s  "
                    f"p50 {result['p50_us']:.1f} us{extra}")
    return samples


def medians(samples, kinds_of, role, reference, keys):
    """Per scenario and kind: the medians over the runs of keys, and the ratios to the reference kind of the same run
    ("x_REFERENCE" with its range, "p50_x_REFERENCE")."""
    base = {(s["run"], s["scenario"]): s for s in samples if s[role] == reference}
    rows = []
    for scenario in SCENARIOS:
        for kind in kinds_of(scenario):
            mine = [s for s in samples if s["scenario"] == scenario.name and s[role] == kind]
            ratios = [s["requests_per_s"] / base[(s["run"], s["scenario"])]["requests_per_s"] for s in mine]
            row = {"scenario": scenario.name, role: kind, "transport": scenario.transport, "connections": scenario.connections,
                   "in_flight": scenario.in_flight, "body": scenario.body, "runs": len(mine)}
            for key in keys:
                row[key] = median([s[key] for s in mine if key in s])
            row[f"x_{reference}"] = median(ratios)
            row[f"p50_x_{reference}"] = median([s["p50_us"] / base[(s["run"], s["scenario"])]["p50_us"] for s in mine])
            row[f"x_{reference}_range"] = [min(ratios), max(ratios)]
            rows.append(row)
    return rows


def measure(tools, work, runs, duration, warmup):
    servers = start_servers(tools, work)
    try:
        samples = interleaved(runs, servers_of, lambda scenario, kind: run_one(
            tools, servers[(kind, scenario.transport)], scenario, duration=duration, warmup=warmup), "server")
    finally:
        for server in servers.values():
            server.stop()
    # Ratios to the floor of the same scenario in the same run, then medians over the runs.
    rows = medians(samples, servers_of, "server", "floor", ("requests_per_s", "mb_per_s", "p50_us", "p99_us", "p999_us",
                                                           "server_cpu_us_per_request", "server_switches_per_request"))
    return rows, samples


def table(rows):
    lines = [
        "| Scenario | Server | Requests/s | × floor (range) | MB/s | p50 µs | p50 × floor | p99 µs | p999 µs | Server CPU µs / request | Server context switches / request |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        low, high = r["x_floor_range"]
        lines.append(
            f"| {r['scenario']} | {r['server']} | {r['requests_per_s']:,.0f} | {r['x_floor']:.2f} ({low:.2f}–{high:.2f}) | "
            f"{r['mb_per_s']:,.1f} | {r['p50_us']:,.1f} | {r['p50_x_floor']:.2f} | {r['p99_us']:,.1f} | {r['p999_us']:,.1f} | "
            f"{r['server_cpu_us_per_request']:.2f} | {r['server_switches_per_request']:.3f} |")
    return "\n".join(lines)


def compare(before_path, after_path):
    before = {(r["scenario"], r["server"]): r for r in json.load(open(before_path))["medians"]}
    after = json.load(open(after_path))["medians"]
    print("| Scenario | Server | Before × floor | After × floor | Before p50 × floor | After p50 × floor | "
          "Before server CPU µs / request | After server CPU µs / request |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    missing = float("nan")
    for r in after:
        b = before.get((r["scenario"], r["server"]), {})
        print(f"| {r['scenario']} | {r['server']} | {b.get('x_floor', missing):.2f} | {r['x_floor']:.2f} | "
              f"{b.get('p50_x_floor', missing):.2f} | {r['p50_x_floor']:.2f} | "
              f"{b.get('server_cpu_us_per_request', missing):.2f} | {r['server_cpu_us_per_request']:.2f} |")


def commit_of(root):
    """The short commit of a checkout, or "" when it is not a git checkout."""
    done = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def write_report(documents, svg_path, markdown_path):
    """The chart and/or the table of one run (with or without --baseline) or of two (before, after)."""
    comparison = report.compare(documents)
    if svg_path:
        with open(svg_path, "w") as out:
            out.write(report.svg(comparison))
        print(f"Chart written to {svg_path}")
    if markdown_path == "-":
        print(report.markdown(comparison), end="")
    elif markdown_path:
        with open(markdown_path, "w") as out:
            out.write(report.markdown(comparison))
        print(f"Table written to {markdown_path}")


def print_results(args, started, title, text, rows, samples, **extra):
    """Prints a measurement's table under its title; with --json writes the medians and every run's figures; with
    --svg/--markdown draws the chart and the before/after table of a servers' run."""
    print(f"{title + 'medians' if title else 'Medians'} of {args.runs} runs, {args.duration:g} s measured after {args.warmup:g} s of warm-up each, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}:\n")
    print(text)
    document = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)), "commit": commit_of(ROOT),
                "runs": args.runs, "duration": args.duration, "warmup": args.warmup, "cores": os.cpu_count(), **extra,
                "medians": rows, "samples": samples}
    if args.baseline:
        document["baseline_commit"] = commit_of(args.baseline)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(document, out, indent=1)
        print(f"\nResults written to {args.json}")
    if (args.svg or args.markdown) and not extra.get("clients"):
        print()
        write_report([document], args.svg, args.markdown)


def clients_main(tools, work, args):
    if args.smoke:
        return 1 if clients_smoke(tools, work) else 0
    started = time.time()
    rows, samples = measure_clients(tools, work, args.runs, args.duration, args.warmup)
    print_results(args, started, "Our clients against the native floor: ", clients_table(rows), rows, samples, clients=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of every scenario against every server (default 3)")
    parser.add_argument("--duration", type=float, default=2.0, help="seconds measured per scenario and server (default 2)")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up before each measurement (default 1)")
    parser.add_argument("--json", help="write the medians and every run's figures here")
    parser.add_argument("--smoke", action="store_true", help="every scenario against every server once, checked, no timing")
    parser.add_argument("--syscalls", action="store_true", help="strace -c of each server over TCP: system calls per request")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="two --json files side by side")
    parser.add_argument("--only", help="only the scenarios whose name contains this text (e.g. seqpacket)")
    parser.add_argument("--diagnostics-cost", metavar="BEFORE_DLL",
                        help="floor, typed of another build, typed, typed with a metrics listener (64 in flight)")
    parser.add_argument("--no-build", action="store_true", help="use the .NET programs as built (Release) already")
    parser.add_argument("--baseline", metavar="ROOT", help="also drive the conformance and typed servers built in checkout ROOT")
    parser.add_argument("--svg", metavar="FILE", help="draw each server's ratio to the floor per scenario (before and after)")
    parser.add_argument("--markdown", metavar="FILE", nargs="?", const="-",
                        help="the before/after table of medians with ranges, to FILE or standard output")
    parser.add_argument("--from", dest="sources", nargs="+", metavar="JSON",
                        help="with --svg/--markdown: report one --json file (with or without --baseline) or two (BEFORE AFTER) instead of running")
    parser.add_argument("--clients", action="store_true",
                        help="our raw and typed clients against the floor, beside the native load generator (with --smoke: checked)")
    args = parser.parse_args()
    if args.sources:
        if len(args.sources) > 2:
            parser.error("--from takes one --json file, or two: BEFORE AFTER")
        if not (args.svg or args.markdown):
            parser.error("--from needs --svg FILE and/or --markdown")
        try:
            documents = [json.load(open(path)) for path in args.sources]
            write_report(documents, args.svg, args.markdown)
        except (OSError, ValueError, KeyError) as error:
            print(f"crossprocess.py: cannot report {' '.join(args.sources)}: {error}", file=sys.stderr)
            return 1
        return 0
    if args.diagnostics_cost:
        global BEFORE_DLL
        BEFORE_DLL = os.path.abspath(args.diagnostics_cost)
        SERVERS[:] = ["floor", "typed-before", "typed", "typed-metrics"]
        if not args.only:
            SCENARIOS[:] = [s for s in SCENARIOS if s.name == "64 in flight, 64 B"]

    if args.baseline:
        BASELINE["conformance"] = os.path.join(args.baseline, os.path.relpath(CONFORMANCE, ROOT))
        BASELINE["typed"] = os.path.join(args.baseline, os.path.relpath(LOADGEN_DLL, ROOT))
        SERVERS[:] = ["floor", "conformance", "conformance@base", "typed", "typed@base", "grpc"]
        CLIENTS[:] = ["native", "raw", "raw-inline", "raw@base", "typed", "typed-inline", "typed@base"]

    if args.compare:
        compare(*args.compare)
        return 0
    if args.only:
        SCENARIOS[:] = [s for s in SCENARIOS if args.only in s.name]
    work = tempfile.mkdtemp(prefix="fizyrrpc-native-")
    try:
        tools = build_native(work)
        if not args.no_build:
            build_dotnet()
        if args.clients:
            return clients_main(tools, work, args)
        if args.smoke:
            return 1 if smoke(tools, work) else 0
        if args.syscalls:
            print("| Scenario | Server | System calls / request | The most frequent, per request |\n|---|---|---:|---|")
            rows = syscalls(tools, work)
            if args.json:
                with open(args.json, "w") as out:
                    json.dump(rows, out, indent=1)
            return 0
        started = time.time()
        rows, samples = measure(tools, work, args.runs, args.duration, args.warmup)
        print_results(args, started, "", table(rows), rows, samples)
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
