#!/usr/bin/env python3
"""Where a server's time goes, per request: `perf record` of each server in its own process while the native load
generator drives it, every sample sorted into a few categories by its call stack, reported as CPU microseconds per
request beside the native floor's.

    python3 benchmarks/native/profile.py [--only "64 in flight, 64 B"] [--servers floor,conformance,typed]
                                         [--duration 4] [--no-build] [--markdown FILE] [--baseline ROOT]

Uses crossprocess.py's scenarios and servers (the same programs, started the same way), with the .NET servers' perf
map on (DOTNET_PerfMapEnabled=1, and DOTNET_EnableWriteXorExecute=0 so JIT code is not double-mapped out of its
reach). Each server is warmed up, then recorded for exactly the measured phase (`perf record -F 1999 -g -p PID`), and
the requests of that phase divide the samples. A sample goes to the first category its stack matches:

- spinning: a thread-pool worker yielding the CPU while it looks for work (`sched_yield`);
- sleeping and waking: futex waits and wakes, the runtime's semaphores;
- socket sends / socket receives / epoll: the system calls, kernel time included;
- other kernel: interrupts, page faults, scheduling that no system call above accounts for;
- then by the innermost managed frame: the engine (FizyrRpc.*), the libraries it reads and writes through
  (System.IO.Pipelines, System.Threading.Channels), the application (the sample or generated server, MessagePack, or
  floor.c), the runtime's managed code (thread pool, tasks, sockets); native runtime code (allocation, GC, locks,
  stubs: libcoreclr has no symbols here) goes to the category of the managed frame that called it, marked "(runtime
  helpers)"; native code with no managed frame under it is mostly thread-pool workers spin-waiting
  (`Thread.SpinWait` is native), the tiering JIT and the GC.

Needs `perf` with a working cpu-clock event (it works in this VM; hardware counters do not).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import crossprocess  # noqa: E402  (the scenarios, servers and load generator command)

FREQUENCY = 1999

CATEGORIES = [
    "spinning (idle workers yielding)",
    "sleeping and waking (futex)",
    "socket sends",
    "socket receives",
    "epoll",
    "other kernel",
    "engine",
    "engine (runtime helpers)",
    "Pipelines and Channels",
    "application",
    "application (runtime helpers)",
    "runtime: thread pool, tasks, sockets",
    "runtime native, no managed caller (spin-waits, JIT, GC)",
]

STACK_RULES = [
    ("spinning (idle workers yielding)", re.compile(r"sched_yield")),
    ("sleeping and waking (futex)", re.compile(r"futex|LowLevelLifoSemaphore|LowLevelMonitor|WaitHandle|SemaphoreSlim::Wait")),
    ("socket sends", re.compile(r"__send\b|__libc_send|sendmsg|sendto|sendmmsg")),
    ("socket receives", re.compile(r"__libc_recv|recvfrom|recvmsg|recvmmsg|__libc_read\b")),
    ("epoll", re.compile(r"epoll_wait|epoll_pwait")),
]


# A JIT frame reads "instance void [Assembly] Namespace.Type::Method(...)": the assembly is the first bracket followed by
# a space (a return type's reads "[System.Runtime]System...", and generic arguments follow the type).
ASSEMBLY = re.compile(r"\[([\w.]+)\] ")


def owner(symbol, dso):
    """Which part of the program a frame belongs to, or None for native code that says nothing by itself."""
    if dso.endswith("/floor"):
        return "application"
    match = ASSEMBLY.search(symbol)
    if match is None:
        return None
    assembly = match.group(1)
    if assembly.startswith("FizyrRpc."):
        return "engine"
    if assembly in ("System.IO.Pipelines", "System.Threading.Channels"):
        return "Pipelines and Channels"
    if assembly.startswith("System.") or assembly == "System":
        return "runtime: thread pool, tasks, sockets"
    return "application"  # the sample, the generated server, MessagePack


def classify(frames):
    """frames: (symbol, dso) from the innermost out."""
    text = "\n".join(symbol for symbol, _ in frames)
    for category, rule in STACK_RULES:
        if rule.search(text):
            return category
    leaf_symbol, leaf_dso = frames[0]
    if "kernel" in leaf_dso:
        return "other kernel"
    leaf_owner = owner(leaf_symbol, leaf_dso)
    if leaf_owner is not None:
        return leaf_owner
    for symbol, dso in frames[1:]:
        caller = owner(symbol, dso)
        if caller in ("engine", "application"):
            return caller + " (runtime helpers)"
        if caller is not None:
            return caller
    return "runtime native, no managed caller (spin-waits, JIT, GC)"


def read_samples(data):
    """Yields each sample's frames from `perf script`."""
    script = subprocess.run(["perf", "script", "-i", data, "-F", "comm,tid,ip,sym,dso"],
                            capture_output=True, text=True, errors="replace").stdout
    frames = []
    for line in script.splitlines():
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        if not line[0].isspace():
            continue  # the sample's header
        match = re.match(r"\s*[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$", line)
        if match:
            frames.append((re.sub(r"\+0x[0-9a-f]+$", "", match.group(1)), match.group(2)))
    if frames:
        yield frames


def profile_one(tools, server, scenario, duration, warmup, work):
    """Records one measured phase; returns ({category: microseconds per request}, requests/s)."""
    command = crossprocess.loadgen_command(tools, server, scenario, False, duration, warmup) + ["--sync"]
    load = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if load.stdout.readline() != "warm\n":
        load.kill()
        raise RuntimeError(f"{server.kind}: the load generator did not warm up: {load.stderr.read()[-2000:]}")
    data = os.path.join(work, f"{server.kind}-{scenario.transport}.perf.data")
    recorder = subprocess.Popen(
        ["perf", "record", "-F", str(FREQUENCY), "-g", "-p", str(server.process.pid), "-o", data, "--", "sleep", str(duration)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    output, errors = load.communicate("go\n")
    recorder.wait(60)
    if load.returncode != 0:
        raise RuntimeError(f"{server.kind}: {errors.strip()}")
    result = crossprocess.json.loads(output)
    counts = dict.fromkeys(CATEGORIES, 0)
    for frames in read_samples(data):
        counts[classify(frames)] += 1
    requests = result["requests"]
    return {category: count * 1e6 / FREQUENCY / requests for category, count in counts.items()}, result["requests_per_s"]


def markdown(scenario, rows):
    kinds = list(rows)
    lines = [f"**{scenario.name}**: server CPU µs per request, by where the samples fall", "",
             "| Category | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for category in CATEGORIES:
        if all(rows[kind][0][category] < 0.005 for kind in kinds):
            continue
        lines.append(f"| {category} | " + " | ".join(f"{rows[kind][0][category]:.2f}" for kind in kinds) + " |")
    lines.append("| **total** | " + " | ".join(f"**{sum(rows[kind][0].values()):.2f}**" for kind in kinds) + " |")
    lines.append("| requests/s while recorded | " + " | ".join(f"{rows[kind][1]:,.0f}" for kind in kinds) + " |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help="only the scenarios whose name contains this text")
    parser.add_argument("--servers", default="floor,conformance,typed", help="comma-separated (floor, conformance, typed)")
    parser.add_argument("--duration", type=float, default=4, help="seconds recorded per scenario and server")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up before recording")
    parser.add_argument("--no-build", action="store_true", help="use the .NET programs as built (Release) already")
    parser.add_argument("--markdown", help="also write the tables here")
    parser.add_argument("--baseline", metavar="ROOT",
                        help="also profile conformance@base and typed@base, as built (Release) in checkout ROOT")
    args = parser.parse_args()
    os.environ["DOTNET_PerfMapEnabled"] = "1"
    os.environ["DOTNET_EnableWriteXorExecute"] = "0"
    kinds = args.servers.split(",")
    if args.baseline:
        crossprocess.BASELINE["conformance"] = os.path.join(args.baseline, os.path.relpath(crossprocess.CONFORMANCE, crossprocess.ROOT))
        crossprocess.BASELINE["typed"] = os.path.join(args.baseline, os.path.relpath(crossprocess.LOADGEN_DLL, crossprocess.ROOT))
        kinds += [kind + "@base" for kind in kinds if kind in ("conformance", "typed")]
    with tempfile.TemporaryDirectory(prefix="fizyr-profile-") as work:
        tools = crossprocess.build_native(work)
        if not args.no_build:
            crossprocess.build_dotnet()
        tables = []
        for scenario in crossprocess.SCENARIOS:
            if args.only not in scenario.name:
                continue
            rows = {}
            for kind in kinds:
                if crossprocess.base_kind(kind) not in crossprocess.servers_of(scenario):
                    continue
                server = crossprocess.Server(kind, scenario.transport, tools, work)
                try:
                    rows[kind] = profile_one(tools, server, scenario, args.duration, args.warmup, work)
                finally:
                    server.stop()
                crossprocess.log(f"{scenario.name:40s} {kind:12s} {sum(rows[kind][0].values()):6.2f} µs/request")
            tables.append(markdown(scenario, rows))
        text = "\n\n".join(tables)
        print(text)
        if args.markdown:
            with open(args.markdown, "w") as out:
                out.write(text + "\n")


if __name__ == "__main__":
    main()
