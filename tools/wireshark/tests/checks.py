"""Compares what tshark showed with what the test sent, field by field, message by message."""
from decimal import Decimal

from capture import AGGREGATOR
from wire import RESPONSE, REQUEST, REQUESTER_UPDATE, RESPONDER_UPDATE, STREAM

EXPERTS = ('short_length', 'unknown_type', 'duplicate_request', 'unknown_request')


class Mismatch(Exception):
    pass


def expect_equal(what, frame, actual, expected):
    if actual != expected:
        raise Mismatch(f'frame {frame}: {what} {_short(actual)}, sent {_short(expected)}')


def _short(values):
    text = repr(values)
    return text if len(text) <= 160 else text[:160] + '...'


def assign_frames(rows, msgs, client_port, server_port):
    """Maps each sent message to the frame that shows it, by walking each direction's length fields in frame order
    (every message shows its length, malformed or not). Returns frame number -> messages in it, in order."""
    by_frame = {}
    for sender, port in (('client', client_port), ('server', server_port)):
        sent = [m for m in msgs if m.sender == sender]
        shown = [(int(row['frame.number'][0]), int(length)) for row in rows
                 if row['tcp.srcport'] == [str(port)] for length in row['fizyr_rpc.length']]
        for i, (m, (frame, length)) in enumerate(zip(sent, shown)):
            if length != m.wire_length:
                raise Mismatch(f'{sender} message {i} ({m.describe()}): frame {frame} shows length {length}, '
                               f'sent {m.wire_length}')
            m.frame = frame
            by_frame.setdefault(frame, []).append(m)
        if len(shown) != len(sent):
            raise Mismatch(f'the {sender} sent {len(sent)} messages, tshark shows {len(shown)}')
    return by_frame


def field_checks(rows, by_frame, msgs):
    """Yields (label, function) for every field; each function raises Mismatch on the first difference."""
    response_of = {id(m.request): m for m in msgs if m.type == RESPONSE and m.request is not None}
    framed = [(row, by_frame[int(row['frame.number'][0])]) for row in rows if int(row['frame.number'][0]) in by_frame]
    unexplained = [row['frame.number'][0] for row in rows if int(row['frame.number'][0]) not in by_frame]

    def per_frame(what, field, expected_of):
        def run():
            count = 0
            for row, ms in framed:
                expected = [v for m in ms for v in expected_of(m)]
                # Joined, as tshark prints them: one empty value (an error response without text) prints as nothing.
                if AGGREGATOR.join(row[field]) != AGGREGATOR.join(expected):
                    expect_equal(what, row['frame.number'][0], row[field], expected)
                count += len(expected)
            return count
        return run

    def well_formed(m):
        return not m.malformed

    def header(name):
        return lambda m: [str(getattr(m, name))] if well_formed(m) else []

    def body(m):
        return [m.body.hex()] if well_formed(m) and m.body else []

    def error(m):
        return [m.body.decode()] if well_formed(m) and m.is_error else []

    def request_in(m):
        paired = m.type in (RESPONSE, REQUESTER_UPDATE, RESPONDER_UPDATE) and m.request is not None
        return [str(m.request.frame)] if paired and 'unknown_type' not in m.experts else []

    def response_in(m):
        if m.type == REQUEST and not m.experts:
            response = response_of.get(id(m))
        elif m.type in (REQUESTER_UPDATE, RESPONDER_UPDATE) and m.request is not None:
            response = response_of.get(id(m.request))
        else:
            response = None
        return [str(response.frame)] if response else []

    def info():
        for row, ms in framed:
            expect_equal('info column', row['frame.number'][0], row['_ws.col.Info'], ['; '.join(m.describe() for m in ms)])
        return len(framed)

    def times():
        epoch = {int(row['frame.number'][0]): Decimal(row['frame.time_epoch'][0]) for row in rows}
        count = 0
        for row, ms in framed:
            expected = [epoch[m.frame] - epoch[m.request.frame] for m in ms if m.type == RESPONSE and m.request]
            actual = [Decimal(v) for v in row['fizyr_rpc.time']]
            expect_equal('time since request', row['frame.number'][0], actual, expected)
            if any(t < 0 for t in actual):
                raise Mismatch(f'frame {row["frame.number"][0]}: a negative time since request {actual}')
            count += len(actual)
        return count

    def experts():
        count = 0
        for row, ms in framed:
            for name in EXPERTS:
                expected = ['1' for m in ms if name in m.experts]
                expect_equal(f'expert {name}', row['frame.number'][0], row[f'fizyr_rpc.{name}'], expected)
                count += len(expected)
        return count

    def nothing_else():
        if unexplained:
            raise Mismatch(f'frames {unexplained} show Fizyr RPC but carry no message the test sent')
        return len(framed)

    yield 'type', per_frame('type', 'fizyr_rpc.type', header('type'))
    yield 'request_id', per_frame('request_id', 'fizyr_rpc.request_id', header('request_id'))
    yield 'service_id', per_frame('service_id', 'fizyr_rpc.service_id', header('service_id'))
    yield 'body bytes', per_frame('body', 'fizyr_rpc.body', body)
    yield 'error text', per_frame('error', 'fizyr_rpc.error', error)
    yield 'request_in (on updates and responses)', per_frame('request_in', 'fizyr_rpc.request_in', request_in)
    yield 'response_in (on requests and updates)', per_frame('response_in', 'fizyr_rpc.response_in', response_in)
    yield 'time (response minus request frame time, >= 0)', times
    yield 'info column', info
    yield 'expert info', experts
    yield 'no frame beyond the sent messages', nothing_else


def fact_checks(rows, facts):
    """The situations a scenario set out to create really happened on the wire."""
    segments = {int(row['frame.number'][0]): int(row['tcp.segment.count'][0]) if row['tcp.segment.count'] else 1
                for row in rows}

    def one_segment():
        frames = {m.frame for m in facts['one_segment']}
        if len(frames) != 1:
            raise Mismatch(f'the batch of {len(facts["one_segment"])} messages is in frames {sorted(frames)}')
        return f'{len(facts["one_segment"])} messages in frame {frames.pop()}'

    def segmented():
        counts = [segments[m.frame] for m in facts['segmented']]
        if any(n < 2 for n in counts):
            raise Mismatch(f'the 1 MiB messages were reassembled from {counts} segments')
        return f'reassembled from {counts} segments'

    yield 'several messages in one segment', one_segment
    yield '1 MiB messages across many segments', segmented
    if 'both_zero' in facts:
        def both_zero():
            if not facts['both_zero']:
                raise Mismatch('the server never sent a request with ID 0')
            return 'the server sent request 0 while ours was open'
        yield 'both sides with request ID 0 at once', both_zero
