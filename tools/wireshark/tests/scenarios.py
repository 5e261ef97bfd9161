"""The traffic the dissector tests capture. Each scenario returns the messages in the order each side wrote them,
every update and response linked to the request it belongs to as the test itself knows it."""
import socket
import struct
import threading

from wire import (REQUEST, RESPONSE, REQUESTER_UPDATE, RESPONDER_UPDATE, STREAM, ERROR_SERVICE_ID, Msg, connect,
                  encode, read_message, recv_exact)

MIB = 1 << 20


class Pair:
    """Both ends of one TCP connection in this process: whatever one side writes, the other reads and checks."""

    def __init__(self, listener, endian):
        self.endian = endian
        self.sockets = {'client': connect(listener.getsockname()[1])}
        server, _ = listener.accept()
        server.settimeout(20)
        server.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sockets['server'] = server
        self.sent = []

    @property
    def client_port(self):
        return self.sockets['client'].getsockname()[1]

    def send(self, *msgs, cuts=()):
        """Writes `msgs` from their sender in one write, or in pieces cut at the byte offsets `cuts`."""
        sender = msgs[0].sender
        data = b''.join(encode(m, self.endian) for m in msgs)
        bounds = [0, *cuts, len(data)]
        pieces = [data[a:b] for a, b in zip(bounds, bounds[1:])]
        errors = []

        def write():   # in a thread: a 1 MiB write needs the other side reading at the same time
            try:
                for piece in pieces:
                    self.sockets[sender].sendall(piece)
            except OSError as e:
                errors.append(e)
        writer = threading.Thread(target=write)
        writer.start()
        received = recv_exact(self.sockets['server' if sender == 'client' else 'client'], len(data))
        writer.join()
        if errors or received != data:
            raise RuntimeError(f'the {sender} could not pass {len(data)} bytes to its peer: {errors}')
        self.sent.extend(msgs)
        return msgs if len(msgs) > 1 else msgs[0]

    def close(self):
        for sock in self.sockets.values():
            sock.close()


def pattern(length, seed):
    return bytes((i * 7 + seed) % 256 for i in range(256)) * (length // 256) + bytes(length % 256)


def crafted(listener, endian):
    """Hand-made traffic between two Python ends: both sides with request 0 open at once, several messages in one
    write, a message boundary in the middle of a segment, request ID reuse, 1 MiB messages, and protocol violations
    the dissector must flag. Returns (client port, messages, facts to check)."""
    pair = Pair(listener, endian)
    try:
        c = lambda *a, **k: Msg('client', *a, **k)
        s = lambda *a, **k: Msg('server', *a, **k)
        send = pair.send
        # Both sides open request 0; every update and response below belongs to one of them by direction.
        c0 = send(c(REQUEST, 0, 10, b'from the client'))
        s0 = send(s(REQUEST, 0, 20, b'from the server'))
        send(c(REQUESTER_UPDATE, 0, 11, b'requester update', request=c0))
        send(s(RESPONDER_UPDATE, 0, 12, b'responder update', request=c0))
        send(c(RESPONDER_UPDATE, 0, 21, b'the client answers an update', request=s0))
        send(s(REQUESTER_UPDATE, 0, 22, b'', request=s0))
        send(s(RESPONSE, 0, 10, b'answer to the client', request=c0))
        send(c(RESPONSE, 0, ERROR_SERVICE_ID, 'the client refuses, «0»'.encode(), request=s0))
        # Several messages in one write (one segment); answered out of order, again in one write.
        batch = send(c(REQUEST, 1, 30, b'one'), c(REQUEST, 2, 31, b''), c(STREAM, 0, 5, b'a stream message'))
        send(s(RESPONSE, 2, 31, b'two', request=batch[1]), s(RESPONSE, 1, 30, b'', request=batch[0]),
             s(STREAM, 0, 6, b'a stream back'))
        # Request ID 0 again, now that both earlier ones are closed.
        again = send(c(REQUEST, 0, 40, b'again'))
        send(s(RESPONSE, 0, 0, b'again answered', request=again))
        # An error response without text.
        mute = send(c(REQUEST, 5, 80, b'fail quietly'))
        send(s(RESPONSE, 5, ERROR_SERVICE_ID, b'', request=mute))
        # 1 MiB each way, many segments each.
        big = send(c(REQUEST, 3, 50, pattern(MIB, 1)))
        send(s(RESPONDER_UPDATE, 3, 1, b'got it', request=big))
        big_response = send(s(RESPONSE, 3, 50, pattern(MIB, 2), request=big))
        # Boundaries inside segments: one write per piece, cut inside the length, the header and the bodies.
        cut = send(c(REQUEST, 4, 60, b'x' * 100))
        send(s(RESPONDER_UPDATE, 4, 2, b'a' * 50, request=cut), s(STREAM, 0, 7, b'b' * 30),
             s(RESPONSE, 4, 0, b'c' * 70, request=cut), cuts=(2, 9, 40, 70, 77, 110, 150))
        # Violations: a duplicate request ID (dropped by a receiver, so the response is the first one's), a response
        # and an update for IDs nobody opened, an unknown type, and last a length below the header.
        first = send(c(REQUEST, 9, 70, b'first'))
        send(c(REQUEST, 9, 71, b'duplicate', experts=('duplicate_request',)))
        send(s(RESPONSE, 9, 0, b'to the first', request=first))
        send(s(RESPONSE, 77, 0, b'nobody asked', experts=('unknown_request',)),
             s(RESPONDER_UPDATE, 78, 0, b'', experts=('unknown_request',)))
        send(c(7, 5, 3, b'type seven', experts=('unknown_type',)))
        send(c(REQUEST, 0, 0, b'abcde', length=5, experts=('short_length',)))
        facts = {'one_segment': batch, 'segmented': [big, big_response]}
        return pair.client_port, pair.sent, facts
    finally:
        pair.close()


class SampleClient:
    """A Python client of the conformance sample server (little endian). The server's messages are recorded as this
    client reads them, linked by this client's own bookkeeping of the requests open each way."""

    def __init__(self, port):
        self.sock = connect(port)
        self.sent = []
        self.ours = {}     # request ID -> our open request
        self.theirs = {}   # request ID -> the server's open request

    def send(self, *msgs):
        self.sock.sendall(b''.join(encode(m, 'little') for m in msgs))
        for m in msgs:
            if m.type == REQUEST:
                self.ours[m.request_id] = m
            elif m.type in (RESPONSE, REQUESTER_UPDATE, RESPONDER_UPDATE):
                m.request = (self.theirs if m.type == RESPONSE or m.type == RESPONDER_UPDATE else self.ours)[m.request_id]
                if m.type == RESPONSE:
                    del self.theirs[m.request_id]
            self.sent.append(m)
        return msgs if len(msgs) > 1 else msgs[0]

    def receive(self):
        m = read_message(self.sock, 'server', 'little')
        if m.type == REQUEST:
            self.theirs[m.request_id] = m
        elif m.type in (RESPONSE, RESPONDER_UPDATE):
            m.request = self.ours.pop(m.request_id) if m.type == RESPONSE else self.ours[m.request_id]
        elif m.type == REQUESTER_UPDATE:
            m.request = self.theirs[m.request_id]
        self.sent.append(m)
        return m

    def until_responses(self, count):
        """Reads until `count` responses came; answers the server's requests (the call-back) as an echo."""
        responses = []
        while len(responses) < count:
            m = self.receive()
            if m.type == RESPONSE:
                responses.append(m)
            elif m.type == REQUEST:
                self.send(Msg('client', RESPONSE, m.request_id, m.service_id, m.body))
        return responses

    def call(self, request, *updates):
        self.send(request, *updates)
        return self.until_responses(1)[0]


def sample(port):
    """Drives the conformance sample server through its services. Returns (client port, messages, facts)."""
    client = SampleClient(port)
    try:
        c = lambda *a, **k: Msg('client', *a, **k)
        # Call-back first: our request 0 is open while the server sends its own request 0 to us.
        callback = c(REQUEST, 0, 7, b'call me back')
        client.call(callback)
        client.call(c(REQUEST, 0, 1, b'Hello World'))               # echo, reusing ID 0
        client.call(c(REQUEST, 1, 2, b''))                          # progress: three responder updates
        client.call(c(REQUEST, 2, 3, b'please fail'))               # fail: the error response
        chat = c(REQUEST, 3, 4, b'chat')
        client.send(chat, c(REQUESTER_UPDATE, 3, 7, b'hi there'))
        client.call(c(REQUESTER_UPDATE, 3, 99, b''))                # ends the chat
        client.send(c(STREAM, 0, 9, b'stream body'))                # echoed back
        while client.receive().type != STREAM:
            pass
        client.call(c(REQUEST, 4, 42, b''))                         # unknown service: an error response
        big = client.call(c(REQUEST, 5, 5, struct.pack('<I', MIB)))  # 1 MiB back
        batch = client.send(c(REQUEST, 6, 1, b'a'), c(REQUEST, 7, 1, b'b'), c(REQUEST, 8, 3, b''))
        client.until_responses(3)
        both_zero = [m for m in client.sent if m.sender == 'server' and m.type == REQUEST and m.request_id == 0]
        facts = {'one_segment': batch, 'segmented': [big], 'both_zero': bool(both_zero)}
        return client.sock.getsockname()[1], client.sent, facts
    finally:
        client.sock.close()
