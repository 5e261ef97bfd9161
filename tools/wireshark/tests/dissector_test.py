#!/usr/bin/env python3
"""Tests tools/wireshark/fizyr-rpc.lua on real loopback captures, dissected with tshark.

usage: dissector_test.py [--sample samples/Conformance/bin/Release/net10.0/Conformance.dll]

Each scenario captures its own port with dumpcap (root or the capture capability is needed), makes real traffic, stops
the capture, dissects it with `tshark -2 -X lua_script:fizyr-rpc.lua -T fields`, and compares every field of every
message with what the test sent. Prints `PASS name` or `FAIL name: why` per check, then `N passed, M failed`; exits 0
only when nothing failed.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import traceback

from capture import Capture, CaptureError, dissect
from checks import Mismatch, assign_frames, fact_checks, field_checks
import scenarios

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(os.path.dirname(HERE), 'fizyr-rpc.lua')


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, function):
        try:
            detail = function()
        except (Mismatch, CaptureError) as e:
            self.fail(name, str(e))
            return False
        except Exception as e:   # a broken test is a failure too, with what broke
            self.fail(name, f'{type(e).__name__}: {e}\n{traceback.format_exc()}')
            return False
        self.passed += 1
        print(f'PASS {name}' + (f' ({detail})' if isinstance(detail, str) else
                                f' ({detail} values)' if isinstance(detail, int) else ''), flush=True)
        return True

    def fail(self, name, why):
        self.failed += 1
        print(f'FAIL {name}: {why}', flush=True)


class SampleServer:
    """The conformance sample's server on a free port, stopped with SIGTERM as a user would."""

    def __init__(self, dll):
        self.process = subprocess.Popen(['dotnet', dll, 'server', '--tcp', '127.0.0.1:0'], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline().strip()   # the server's first line, or '' if it ended
        if not line.startswith('listening on '):
            self.stop()
            raise CaptureError(f'the sample server printed {line!r}, not "listening on ADDRESS"')
        self.port = int(line.rsplit(':', 1)[1])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


def scenario(report, name, endian, start, traffic, ports=lambda port: str(port)):
    """start() -> (port, stop); traffic(port) -> (client port, messages, facts)."""
    with tempfile.TemporaryDirectory(prefix='fizyr-wireshark-') as folder:
        state = {}

        def capture():
            port, stop = start()
            try:
                with Capture(folder, port, name.replace(' ', '-')) as cap:
                    state['client_port'], state['msgs'], state['facts'] = traffic(port)
                    cap.stop()
            finally:
                stop()
            state['port'] = port
            state['rows'] = dissect(LUA, cap.path, {'tcp_ports': ports(port), 'endianness': endian}, folder)
            count = len(state['msgs'])
            return f'{count} messages sent, {len(state["rows"])} frames dissected, ports preference {ports(port)!r}'

        def lengths():
            state['by_frame'] = assign_frames(state['rows'], state['msgs'], state['client_port'], state['port'])
            return len(state['msgs'])

        if not report.check(f'{name}: capture and dissection', capture):
            return
        if not report.check(f'{name}: length (every message found, in order, each way)', lengths):
            return
        for label, function in field_checks(state['rows'], state['by_frame'], state['msgs']):
            report.check(f'{name}: {label}', function)
        for label, function in fact_checks(state['rows'], state['facts']):
            report.check(f'{name}: {label}', function)


def python_listener():
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen()
    return listener


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sample', help='the conformance sample (Conformance.dll); without it that scenario is skipped')
    args = parser.parse_args()
    report = Report()

    if args.sample:
        def start_sample():
            server = SampleServer(args.sample)
            return server.port, server.stop
        scenario(report, 'sample server, little endian', 'little', start_sample, scenarios.sample)

    for endian, ports in (('little', lambda port: str(port)), ('big', lambda port: f'1-3,{port}')):
        listener = python_listener()

        def start(listener=listener):
            return listener.getsockname()[1], listener.close
        scenario(report, f'python peers, {endian} endian', endian, start,
                 lambda port, endian=endian, listener=listener: scenarios.crafted(listener, endian), ports)

    print(f'{report.passed} passed, {report.failed} failed')
    return 1 if report.failed else 0


if __name__ == '__main__':
    sys.exit(main())
