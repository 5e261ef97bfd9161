"""The Fizyr RPC byte-stream framing, written independently of the dissector, and the messages a test sends."""
import socket
import struct
from dataclasses import dataclass
from typing import Optional

REQUEST, RESPONSE, REQUESTER_UPDATE, RESPONDER_UPDATE, STREAM = 0, 1, 2, 3, 4
ERROR_SERVICE_ID = -1
HEADER = 12
TYPE_NAMES = {REQUEST: 'Request', RESPONSE: 'Response', REQUESTER_UPDATE: 'Requester update',
              RESPONDER_UPDATE: 'Responder update', STREAM: 'Stream'}


@dataclass(eq=False)
class Msg:
    """One message as a peer wrote it; `request` is the request an update or response belongs to (None: none open)."""
    sender: str                      # 'client' (connected) or 'server' (accepted)
    type: int
    request_id: int
    service_id: int
    body: bytes = b''
    request: Optional['Msg'] = None
    length: Optional[int] = None     # the length field; None: 12 + body length
    experts: tuple = ()              # the dissector's expert fields this message must carry, e.g. 'unknown_request'
    frame: Optional[int] = None      # the frame the dissector showed it in (filled by the checks)

    @property
    def wire_length(self):
        return HEADER + len(self.body) if self.length is None else self.length

    @property
    def malformed(self):
        return self.wire_length < HEADER

    @property
    def is_error(self):
        return self.type == RESPONSE and self.service_id == ERROR_SERVICE_ID

    def describe(self):
        """The info column text the dissector should show for this message."""
        if self.malformed:
            return f'Malformed length {self.wire_length}'
        if self.type == STREAM:
            return f'Stream service {self.service_id}'
        if self.is_error:
            text = self.body.decode()
            return f'Error response {self.request_id}: {text}' if text else f'Error response {self.request_id}'
        if self.type not in TYPE_NAMES:
            return f'Unknown message type {self.type}'
        return f'{TYPE_NAMES[self.type]} {self.request_id} service {self.service_id}'


def encode(msg, endian):
    e = '<' if endian == 'little' else '>'
    if msg.malformed:   # only the length and what it announces
        return struct.pack(e + 'I', msg.wire_length) + msg.body[:msg.wire_length]
    return struct.pack(e + 'IIIi', msg.wire_length, msg.type, msg.request_id, msg.service_id) + msg.body


def recv_exact(sock, n):
    chunks, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError(f'connection closed with {left} of {n} bytes still to read')
        chunks.append(chunk)
        left -= len(chunk)
    return b''.join(chunks)


def read_message(sock, sender, endian):
    e = '<' if endian == 'little' else '>'
    (length,) = struct.unpack(e + 'I', recv_exact(sock, 4))
    if length < HEADER:
        raise ValueError(f'length {length} below the header')
    type_, request_id, service_id = struct.unpack(e + 'IIi', recv_exact(sock, HEADER))
    return Msg(sender, type_, request_id, service_id, recv_exact(sock, length - HEADER))


def connect(port):
    sock = socket.create_connection(('127.0.0.1', port), timeout=20)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock
