#!/usr/bin/env python3
"""Tests of the cross-process benchmark's report (report.py, and crossprocess.py --from/--svg/--markdown).

    python3 benchmarks/native/report_test.py

Every figure is checked against one worked out by hand from made-up runs; the chart is parsed as XML and each bar's
height and whisker are measured against the drawn axis. No server runs and nothing is timed. Prints "ok name" or
"FAIL name: why" per check, then "N passed, M failed"; exits 0 only when nothing failed.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import traceback
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
S1, S2 = "64 in flight, 64 B", "1 MiB bodies, 4 in flight"


def sample(run, scenario, server, rps, p50=10.0, cpu=1.0):
    return {"run": run, "scenario": scenario, "server": server, "requests_per_s": rps, "p50_us": p50,
            "server_cpu_us_per_request": cpu}


def baseline_document():
    """Three runs of two scenarios: the floor, typed and typed@base, gRPC in one of them only."""
    samples = []
    floors = {1: 1000.0, 2: 2000.0, 3: 500.0}
    for run, floor in floors.items():
        samples.append(sample(run, S1, "floor", floor, p50=20.0, cpu=0.25))
        samples.append(sample(run, S2, "floor", floor / 10, p50=100.0, cpu=400.0))
    # typed: ratios 0.40, 0.45, 0.50 (median 0.45); typed@base: 0.30, 0.20, 0.40 (median 0.30).
    for run, ratio, base in ((1, 0.40, 0.30), (2, 0.45, 0.20), (3, 0.50, 0.40)):
        samples.append(sample(run, S1, "typed", floors[run] * ratio, p50=40.0 + run, cpu=1.0 + run))
        samples.append(sample(run, S1, "typed@base", floors[run] * base, p50=60.0, cpu=2.0))
        samples.append(sample(run, S2, "typed", floors[run] / 10 * 0.9, p50=100.0, cpu=500.0))
        samples.append(sample(run, S2, "typed@base", floors[run] / 10 * 0.1, p50=900.0, cpu=4000.0))
        samples.append(sample(run, S1, "grpc", floors[run] * 0.05, p50=400.0, cpu=15.0))
    return {"date": "2026-12-06T00:00:00Z", "commit": "after1", "baseline_commit": "base1", "runs": 3,
            "duration": 2.0, "cores": 2, "samples": samples}


def split(document, server_suffix):
    """The servers of one side of a --baseline document, as a run of their own would have written them."""
    samples = []
    for s in document["samples"]:
        if s["server"] == "floor":
            samples.append(dict(s))
        elif s["server"].endswith(server_suffix) if server_suffix else "@" not in s["server"]:
            samples.append(dict(s, server=s["server"].split("@")[0]))
    return dict(document, samples=samples, commit="base1" if server_suffix else "after1")


def rows(markdown):
    """The table's rows as lists of cells, keyed by (scenario, server)."""
    table = {}
    for line in markdown.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) > 2 and not line.startswith("| Scenario"):
            table[(cells[0], cells[1])] = cells[2:]
    return table


def bars(svg_text):
    """{title: (height, top y, whisker (top, bottom) or None)} and the y of the axis labels 0 and 1."""
    root = ET.fromstring(svg_text)
    labels = {t.text: float(t.get("y")) - 4 for t in root.iter(SVG + "text") if t.get("text-anchor") == "end"}
    whiskers = [(float(l.get("x1")), float(l.get("y1")), float(l.get("y2"))) for l in root.iter(SVG + "line")
                if l.get("class") == "range"]
    found = {}
    for rect in root.iter(SVG + "rect"):
        if rect.get("class") != "bar":
            continue
        x, width = float(rect.get("x")), float(rect.get("width"))
        mine = [w for w in whiskers if abs(w[0] - (x + width / 2)) < 0.2]
        found[rect.find(SVG + "title").text] = (float(rect.get("height")), float(rect.get("y")),
                                                (mine[0][2], mine[0][1]) if mine else None, rect.get("fill-opacity"))
    return found, labels


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, function):
        try:
            function()
        except Exception as error:  # a broken check is a failure too, with what broke
            self.failed += 1
            detail = str(error) if isinstance(error, AssertionError) else traceback.format_exc()
            print(f"FAIL {name}: {detail}", flush=True)
            return
        self.passed += 1
        print(f"ok   {name}", flush=True)


def expect(actual, expected, what=""):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}" if what else f"expected {expected!r}, got {actual!r}")


def near(actual, expected, what, tolerance=0.3):
    if abs(actual - expected) > tolerance:
        raise AssertionError(f"{what}: expected {expected:.2f}, got {actual:.2f}")


def ratios_are_taken_per_run_then_the_median():
    stats = report.summarize(baseline_document())
    typed = stats[(S1, "typed")]
    expect(typed.x_floor, report.Figure(0.45, 0.40, 0.50), "typed x floor")
    expect(typed.p50_x_floor, report.Figure(42.0 / 20.0, 41.0 / 20.0, 43.0 / 20.0), "typed p50 x floor")
    expect(typed.cpu_us, report.Figure(3.0, 2.0, 4.0), "typed CPU")
    expect(stats[(S1, "typed@base")].x_floor, report.Figure(0.30, 0.20, 0.40), "typed@base x floor")
    expect(stats[(S1, "floor")].x_floor, report.Figure(1.0, 1.0, 1.0), "floor")


def one_baseline_run_gives_before_and_after():
    comparison = report.compare([baseline_document()])
    expect(comparison.servers, ["typed", "grpc"], "servers (the floor left out, @base folded in)")
    expect(comparison.scenarios, [S1, S2], "scenarios in the run's order")
    expect((comparison.before_label, comparison.after_label), ("before (base1)", "after (after1)"), "labels")
    table = rows(report.markdown(comparison))
    expect(table[(S1, "typed")], ["0.30 (0.20–0.40)", "0.45 (0.40–0.50)", "+50%", "3.00 (3.00–3.00)",
                                  "2.10 (2.05–2.15)", "2.00 (2.00–2.00)", "3.00 (2.00–4.00)"], "typed row")
    expect(table[(S2, "typed")][:3], ["0.10 (0.10–0.10)", "0.90 (0.90–0.90)", "+800%"], "large bodies row")
    expect(table[(S1, "grpc")][:3], ["–", "0.05 (0.05–0.05)", "–"], "a server without a before")
    if (S2, "grpc") in table:
        raise AssertionError("a row for a server that did not run the scenario")


def two_files_give_the_same_table_as_one_baseline_run():
    document = baseline_document()
    from_one = report.markdown(report.compare([document]))
    from_two = report.markdown(report.compare([split(document, "@base"), split(document, "")]))
    expect(rows(from_two), rows(from_one), "rows")


def a_run_without_baseline_has_one_column_per_figure():
    document = split(baseline_document(), "")
    markdown = report.markdown(report.compare([document]))
    expect(markdown.splitlines()[0],
           "| Scenario | Server | × floor (range) | p50 × floor (range) | Server CPU µs / request (range) |", "header")
    expect(rows(markdown)[(S1, "typed")], ["0.45 (0.40–0.50)", "2.10 (2.05–2.15)", "3.00 (2.00–4.00)"], "typed row")
    if "Floor (same run;" not in markdown or "1,000 requests/s, p50 20.0 µs, 0.25 (0.25–0.25) µs CPU" not in markdown:
        raise AssertionError(f"the floor's own figures are missing:\n{markdown}")


def the_chart_draws_every_median_and_range_to_scale():
    svg_text = report.svg(report.compare([baseline_document()]))
    found, labels = bars(svg_text)
    expect(len(found), 5, "bars (typed before and after in two scenarios, gRPC after in one)")
    zero, one = labels["0"], labels["1"]
    unit = zero - one  # pixels per 1.0 of ratio
    expected = {("typed", S1, "before"): (0.30, 0.20, 0.40), ("typed", S1, "after"): (0.45, 0.40, 0.50),
                ("typed", S2, "before"): (0.10, 0.10, 0.10), ("typed", S2, "after"): (0.90, 0.90, 0.90),
                ("grpc", S1, "after"): (0.05, 0.05, 0.05)}
    for (server, scenario, side), (median, low, high) in expected.items():
        title = next((t for t in found if t.startswith(f"{server}, {scenario}, {side}")), None)
        if title is None:
            raise AssertionError(f"no bar for {server}, {scenario}, {side} among {list(found)}")
        height, top, whisker, opacity = found[title]
        near(height / unit, median, f"{title}: height")
        near(top + height, zero, f"{title}: stands on 0", 0.2)
        if whisker is None:
            raise AssertionError(f"{title}: no whisker")
        near((zero - whisker[0]) / unit, high, f"{title}: whisker top", 0.01)
        near((zero - whisker[1]) / unit, low, f"{title}: whisker bottom", 0.01)
        expect(opacity is not None, side == "before", f"{title}: pale before, solid after")


def the_chart_escapes_what_it_is_given():
    document = split(baseline_document(), "")
    for s in document["samples"]:
        if s["server"] == "typed":
            s["server"] = "typed <&> \"x\""
    svg_text = report.svg(report.compare([document]), title="a < b & c")
    ET.fromstring(svg_text)  # well-formed
    if "typed &lt;&amp;&gt;" not in svg_text or "a &lt; b &amp; c" not in svg_text:
        raise AssertionError("names and the title are not escaped")


def a_document_without_its_runs_uses_its_medians():
    medians = [{"scenario": S1, "server": "floor", "x_floor": 1.0, "p50_x_floor": 1.0, "x_floor_range": [1.0, 1.0],
                "requests_per_s": 1000.0, "p50_us": 20.0, "server_cpu_us_per_request": 0.3, "runs": 3},
               {"scenario": S1, "server": "typed", "x_floor": 0.41, "p50_x_floor": 3.5, "x_floor_range": [0.40, 0.46],
                "requests_per_s": 410.0, "p50_us": 70.0, "server_cpu_us_per_request": 1.48, "runs": 3}]
    comparison = report.compare([{"commit": "c", "medians": medians}])
    expect(rows(report.markdown(comparison))[(S1, "typed")], ["0.41 (0.40–0.46)", "3.50", "1.48"], "typed row")
    found, _ = bars(report.svg(comparison))
    expect(len(found), 1, "bars")


def a_run_without_its_floor_is_refused():
    document = baseline_document()
    document["samples"] = [s for s in document["samples"] if not (s["server"] == "floor" and s["run"] == 2)]
    try:
        report.compare([document])
    except ValueError as error:
        expect("run 2 has no floor" in str(error), True, f"the message: {error}")
        return
    raise AssertionError("a run without a floor was reported")


def the_committed_run_reports_as_its_table_says():
    # docs/crossprocess.json is a real run; PERFORMANCE.md's table quotes its ratios and ranges.
    document = json.load(open(os.path.join(HERE, "..", "..", "docs", "crossprocess.json")))
    comparison = report.compare([document])
    table = rows(report.markdown(comparison))
    # A run made with --baseline reports its KIND@base servers as the before column of KIND's row, the others as after.
    with_baseline = any("@" in r["server"] for r in document["medians"])
    for r in document["medians"]:
        if r["server"] == "floor":
            continue
        low, high = r["x_floor_range"]
        server, before = r["server"].split("@")[0], "@" in r["server"]
        column = 0 if before or not with_baseline else 1
        expect(table[(r["scenario"], server)][column], f"{r['x_floor']:.2f} ({low:.2f}–{high:.2f})", f"{r['scenario']}, {r['server']}")
    found, _ = bars(report.svg(comparison))
    expect(len(found), sum(1 for r in document["medians"] if r["server"] != "floor"), "bars")


def the_command_line_reports_json_files():
    with tempfile.TemporaryDirectory(prefix="fizyr-report-") as folder:
        document = baseline_document()
        paths = []
        for name, part in (("before", split(document, "@base")), ("after", split(document, ""))):
            paths.append(os.path.join(folder, name + ".json"))
            with open(paths[-1], "w") as out:
                json.dump(part, out)
        chart, table = os.path.join(folder, "chart.svg"), os.path.join(folder, "table.md")
        script = os.path.join(HERE, "crossprocess.py")
        done = subprocess.run([sys.executable, script, "--from", *paths, "--svg", chart, "--markdown", table],
                              capture_output=True, text=True, timeout=60)
        expect(done.returncode, 0, f"exit code ({done.stderr.strip()})")
        expect(rows(open(table).read()), rows(report.markdown(report.compare([document]))), "the table written")
        expect(len(bars(open(chart).read())[0]), 5, "the chart's bars")
        printed = subprocess.run([sys.executable, script, "--from", paths[1], "--markdown"], capture_output=True, text=True,
                                 timeout=60)
        expect(printed.returncode, 0, "exit code of --markdown to standard output")
        expect(rows(printed.stdout)[(S1, "typed")][0], "0.45 (0.40–0.50)", "printed row")
        broken = os.path.join(folder, "broken.json")
        with open(broken, "w") as out:
            json.dump({"commit": "x"}, out)
        refused = subprocess.run([sys.executable, script, "--from", broken, "--markdown"], capture_output=True, text=True,
                                 timeout=60)
        expect(refused.returncode, 1, "exit code for a file that is not a run")
        if not re.search(r"cannot report .*broken\.json: the document holds neither samples nor medians", refused.stderr):
            raise AssertionError(f"unclear error: {refused.stderr!r}")
        usage = subprocess.run([sys.executable, script, "--from", *paths, paths[0], "--markdown"], capture_output=True,
                               text=True, timeout=60)
        expect(usage.returncode, 2, "exit code for three files")


def main():
    checks = Checks()
    for test in (ratios_are_taken_per_run_then_the_median, one_baseline_run_gives_before_and_after,
                 two_files_give_the_same_table_as_one_baseline_run, a_run_without_baseline_has_one_column_per_figure,
                 the_chart_draws_every_median_and_range_to_scale, the_chart_escapes_what_it_is_given,
                 a_document_without_its_runs_uses_its_medians, a_run_without_its_floor_is_refused,
                 the_committed_run_reports_as_its_table_says, the_command_line_reports_json_files):
        checks.check(test.__name__.replace("_", " "), test)
    print(f"{checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
