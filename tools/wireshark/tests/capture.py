"""A real loopback capture with dumpcap, and its dissection with tshark and the Lua dissector."""
import os
import re
import signal
import socket
import subprocess
import time

FIELDS = ['frame.number', 'frame.time_epoch', 'tcp.srcport', 'tcp.segment.count', '_ws.col.Info',
          'fizyr_rpc.length', 'fizyr_rpc.type', 'fizyr_rpc.request_id', 'fizyr_rpc.service_id', 'fizyr_rpc.body',
          'fizyr_rpc.error', 'fizyr_rpc.response_in', 'fizyr_rpc.request_in', 'fizyr_rpc.time',
          'fizyr_rpc.short_length', 'fizyr_rpc.unknown_type', 'fizyr_rpc.duplicate_request',
          'fizyr_rpc.unknown_request']
AGGREGATOR = '\x1e'   # between the values of one field in one frame; no text a test sends contains it
WAIT = 20             # seconds: a capture that does not start or stop by then fails the check


class CaptureError(Exception):
    pass


class Capture:
    """dumpcap on `lo`, filtered on one port, started before the traffic and stopped after all of it is written.

    Synchronisation without guessing: a UDP datagram to the same port carrying a random token is sent (again, until
    seen) and the capture counts as running once the token is in the file; at the end the same is done with a new
    token, and since a capture writes packets in order, every TCP packet sent before it is then in the file too.
    The filter is `port P`, so the tokens are captured but never reach the TCP dissector."""

    def __init__(self, folder, port, name):
        self.port = port
        self.path = os.path.join(folder, f'{name}.pcapng')
        self.log = os.path.join(folder, f'{name}.dumpcap.log')
        self.process = None
        self.dropped = None

    def __enter__(self):
        with open(self.log, 'wb') as log:
            self.process = subprocess.Popen(
                ['dumpcap', '-i', 'lo', '-f', f'port {self.port}', '-B', '64', '-w', self.path],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        try:
            self._wait_until(lambda: re.search(rb'^File: ', self._log(), re.M), 'dumpcap to open its file')
            self._mark()
        except BaseException:
            self._kill()
            raise
        return self

    def stop(self):
        """Waits until everything sent so far is written, stops dumpcap cleanly, and checks that it dropped nothing."""
        self._mark()
        self.process.send_signal(signal.SIGTERM)
        try:
            rc = self.process.wait(WAIT)
        except subprocess.TimeoutExpired:
            raise CaptureError('dumpcap did not stop within 20 s of SIGTERM')
        stats = re.search(rb'received/dropped on interface .*: (\d+)/(\d+)', self._log())
        if rc != 0 or not stats:
            raise CaptureError(f'dumpcap exited with {rc}: {self._log().decode(errors="replace")}')
        self.dropped = int(stats.group(2))
        if self.dropped:
            raise CaptureError(f'dumpcap dropped {self.dropped} packets')

    def __exit__(self, *exc):
        self._kill()

    def _kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _log(self):
        with open(self.log, 'rb') as f:
            return f.read()

    def _mark(self):
        token = os.urandom(16).hex().encode()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            def seen():
                udp.sendto(token, ('127.0.0.1', self.port))
                return os.path.exists(self.path) and token in _read(self.path)
            self._wait_until(seen, 'the capture to show a marker datagram')

    def _wait_until(self, condition, what):
        deadline = time.monotonic() + WAIT
        while not condition():
            if self.process.poll() is not None:
                raise CaptureError(f'dumpcap ended (exit {self.process.returncode}) while waiting for {what}: '
                                   f'{self._log().decode(errors="replace")}')
            if time.monotonic() > deadline:
                raise CaptureError(f'timed out after {WAIT} s waiting for {what}')
            time.sleep(0.05)   # polling interval only: the condition above is what is waited for


def _read(path):
    with open(path, 'rb') as f:
        return f.read()


def dissect(lua, pcap, prefs, config_dir):
    """Runs tshark (two passes, so requests show their response) on `pcap`; returns one dict per Fizyr RPC frame,
    field name -> list of values, in frame order."""
    command = ['tshark', '-2', '-n', '-r', pcap, '-X', f'lua_script:{lua}']
    for name, value in prefs.items():
        command += ['-o', f'fizyr_rpc.{name}:{value}']
    command += ['-Y', 'fizyr_rpc', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a',
                '-E', f'aggregator={AGGREGATOR}']
    for name in FIELDS:
        command += ['-e', name]
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=config_dir)   # no personal preferences of whoever runs it
    result = subprocess.run(command, capture_output=True, env=env, timeout=120)
    if result.returncode != 0:
        raise CaptureError(f'tshark exited with {result.returncode}: {result.stderr.decode(errors="replace")}')
    rows = []
    for line in result.stdout.decode().split('\n'):  # not splitlines(): it splits at the aggregator too
        if not line:
            continue
        columns = line.split('\t')
        if len(columns) != len(FIELDS):
            raise CaptureError(f'tshark printed {len(columns)} columns, not {len(FIELDS)}: {line[:200]!r}')
        rows.append({name: (value.split(AGGREGATOR) if value else []) for name, value in zip(FIELDS, columns)})
    return rows
