/* The native load generator: drives any Fizyr RPC echo server from its own process and checks every response.
 *
 *   loadgen (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH) [--connections 1] [--in-flight 1]
 *           [--requests 10000 | --duration SECONDS] [--warmup 1000 | --warmup-duration SECONDS] [--body 64]
 *           [--service 1] [--reply-service 0 | any] [--msgpack | --grpc] [--timeout 120] [--sync]
 *
 * One thread, one epoll loop over every connection. Each connection keeps --in-flight requests open, request IDs
 * 0 .. in-flight-1 (an ID is free again once its response is in); after each read the requests answered in it are
 * replaced at once, all in one write (one sendmmsg on seqpacket). Each request's body is a different window of a fixed
 * pattern, so a response with another request's body, a stale body or a damaged one is caught; --msgpack wraps it as a
 * MessagePack bin value (what a generated client sends for a byte[] parameter).
 * Every response is checked: message type 1, an ID that is open, the expected service ID (--reply-service, default 0,
 * or "any" other than the error response's -1) and a body equal to its request's. The first mismatch ends the run with
 * exit code 1 and what was wrong on stderr. Responses may come in any order.
 * With --duration (--warmup-duration) a phase sends requests for that long, then waits for the open ones: the same
 * time for every server, however fast. The warm-up goes first on the same connections, checked but not measured.
 * --grpc (TCP): the same echo as gRPC unary calls to /fizyrrpc.load.Echo/Unary (benchmarks/LoadGenerator/echo.proto),
 * HTTP/2 with prior knowledge, no TLS: a HEADERS and a DATA frame per call, all of a batch in one write; each call's
 * DATA must be the request's message back and its trailers must end the stream. (Trailers are HPACK-coded and not
 * decoded here: a failed call shows as a missing or different message.) Bodies up to 16 KiB (one DATA frame).
 * --sync: once warm, prints "warm" and waits for a line on standard input before it measures (so that a driver can
 * count what the server spends in the measured phase alone). Prints one JSON object:
 * requests/s, MB/s of bodies (one way), p50/p99/p999 round trip in microseconds, and how many responses were checked.
 */
#include "common.h"

#include <limits.h>
#include <sys/epoll.h>

enum { BATCH = 64, ANY_SERVICE = -2 };

struct slot {
    int busy;
    uint32_t sequence;
    uint64_t sent_ns;
    uint32_t stream;           /* gRPC: the HTTP/2 stream of the call */
    unsigned char *response;   /* gRPC: the DATA received so far */
    size_t received;
};

struct connection {
    int fd;
    int watching_out;
    struct buffer in, out; /* out holds length-prefixed frames; on seqpacket the prefix only marks the datagram boundary */
    struct slot *slots;
    uint32_t *free_ids;
    int free_count;
    long quota;       /* requests this connection still has to send in this phase */
    long outstanding; /* sent and not answered */
    int64_t send_window; /* gRPC: the HTTP/2 connection's flow-control window for our DATA */
    uint32_t next_stream;
    size_t unacknowledged; /* gRPC: DATA bytes received and not yet given back with a WINDOW_UPDATE */
};

static struct address address;
static int connections_count = 1, in_flight = 1, msgpack, grpc, sync_start;
static long requests = 10000, warmup = 1000;
static double duration_s, warmup_duration_s;
static size_t body_size = 64;
static int32_t service = 1, reply_service = 0;
static double timeout_s = 120;

static unsigned char *pattern;  /* body_size + 256 bytes; request with sequence s carries pattern[s % 256 ..] */
static unsigned char prefix[16]; /* the MessagePack bin header (--msgpack); the gRPC message prefix and field header (--grpc) */
static size_t prefix_length, wire_body;
static uint32_t next_sequence;

static struct connection *connections;
static int epoll_fd;
static uint64_t *latencies;
static long recorded, latency_capacity, checked;
static int recording;
static uint64_t deadline_ns;

static void watch_out(struct connection *c, int on)
{
    if (c->watching_out == on)
        return;
    struct epoll_event event = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event) < 0)
        die("epoll_ctl: %s", strerror(errno));
    c->watching_out = on;
}

static void flush(struct connection *c)
{
    if (address.kind != KIND_SEQPACKET) {
        while (buffer_length(&c->out) > 0) {
            ssize_t n = send(c->fd, c->out.data + c->out.start, buffer_length(&c->out), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN)
                    break;
                die("send: %s", strerror(errno));
            }
            c->out.start += (size_t)n;
        }
    } else {
        while (buffer_length(&c->out) > 0) {
            struct mmsghdr messages[BATCH];
            struct iovec vectors[BATCH];
            size_t at = c->out.start;
            int count = 0;
            for (; count < BATCH && at < c->out.end; count++) {
                uint32_t length = get_u32(c->out.data + at);
                vectors[count] = (struct iovec){ .iov_base = c->out.data + at + 4, .iov_len = length };
                memset(&messages[count], 0, sizeof messages[count]);
                messages[count].msg_hdr.msg_iov = &vectors[count];
                messages[count].msg_hdr.msg_iovlen = 1;
                at += 4 + length;
            }
            int sent = sendmmsg(c->fd, messages, (unsigned)count, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent < 0) {
                if (errno == EAGAIN)
                    break;
                die("sendmmsg: %s", strerror(errno));
            }
            for (int i = 0; i < sent; i++)
                c->out.start += 4 + vectors[i].iov_len;
        }
    }
    if (buffer_length(&c->out) == 0)
        c->out.start = c->out.end = 0;
    watch_out(c, buffer_length(&c->out) > 0);
}

enum { H2_DATA = 0, H2_HEADERS = 1, H2_RST_STREAM = 3, H2_SETTINGS = 4, H2_PING = 6, H2_GOAWAY = 7, H2_WINDOW_UPDATE = 8 };
enum { H2_END_STREAM = 1, H2_ACK = 1, H2_END_HEADERS = 4, H2_PADDED = 8, H2_MAX_FRAME = 16384 };

static unsigned char grpc_headers[256]; /* the request's HPACK block: the same bytes every call (no dynamic table) */
static size_t grpc_headers_length;

static uint32_t get_be(const unsigned char *p, int bytes)
{
    uint32_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

static void h2_frame(struct buffer *out, uint32_t length, int type, int flags, uint32_t stream)
{
    unsigned char h[9] = { (unsigned char)(length >> 16), (unsigned char)(length >> 8), (unsigned char)length, (unsigned char)type,
                           (unsigned char)flags, (unsigned char)(stream >> 24), (unsigned char)(stream >> 16),
                           (unsigned char)(stream >> 8), (unsigned char)stream };
    buffer_append(out, h, sizeof h);
}

static void h2_window_update(struct buffer *out, uint32_t stream, uint32_t increment)
{
    unsigned char v[4] = { (unsigned char)(increment >> 24), (unsigned char)(increment >> 16), (unsigned char)(increment >> 8), (unsigned char)increment };
    h2_frame(out, 4, H2_WINDOW_UPDATE, 0, stream);
    buffer_append(out, v, 4);
}

static void hpack_string(const char *text)
{
    size_t length = strlen(text);
    if (length > 126 || grpc_headers_length + 1 + length > sizeof grpc_headers)
        die("header too long: %s", text);
    grpc_headers[grpc_headers_length++] = (unsigned char)length;
    memcpy(grpc_headers + grpc_headers_length, text, length);
    grpc_headers_length += length;
}

/* The HPACK block (literals without indexing, static-table names) and the message prefix of every call. */
static void grpc_prepare(void)
{
    grpc_headers[grpc_headers_length++] = 0x83; /* :method POST */
    grpc_headers[grpc_headers_length++] = 0x86; /* :scheme http */
    grpc_headers[grpc_headers_length++] = 0x04; /* :path */
    hpack_string("/fizyrrpc.load.Echo/Unary");
    grpc_headers[grpc_headers_length++] = 0x01; /* :authority */
    hpack_string(address.text);
    grpc_headers[grpc_headers_length++] = 0x0f; /* content-type (static index 31) */
    grpc_headers[grpc_headers_length++] = 0x10;
    hpack_string("application/grpc");
    grpc_headers[grpc_headers_length++] = 0x00; /* te: trailers */
    hpack_string("te");
    hpack_string("trailers");

    /* EchoMessage { bytes body = 1; }: field 1, wire type 2, then a varint length (left out when empty, as protobuf does) */
    unsigned char field[12];
    size_t field_length = 0;
    if (body_size > 0) {
        field[field_length++] = 0x0a;
        for (size_t v = body_size; ; v >>= 7) {
            field[field_length++] = (unsigned char)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
            if (v < 0x80)
                break;
        }
    }
    size_t message = field_length + body_size;
    prefix[0] = 0; /* not compressed */
    prefix[1] = (unsigned char)(message >> 24);
    prefix[2] = (unsigned char)(message >> 16);
    prefix[3] = (unsigned char)(message >> 8);
    prefix[4] = (unsigned char)message;
    memcpy(prefix + 5, field, field_length);
    prefix_length = 5 + field_length;
}

/* The connection preface, our settings (large stream windows), and a large connection window for the responses. */
static void grpc_start(struct connection *c)
{
    buffer_append(&c->out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
    unsigned char settings[6] = { 0, 4, 0x01, 0, 0, 0 }; /* SETTINGS_INITIAL_WINDOW_SIZE: 16 MiB (big endian) */
    h2_frame(&c->out, sizeof settings, H2_SETTINGS, 0, 0);
    buffer_append(&c->out, settings, sizeof settings);
    h2_window_update(&c->out, 0, (1u << 30) - 65535);
    c->send_window = 65535;
    c->next_stream = 1;
    for (int i = 0; i < in_flight; i++)
        if ((c->slots[i].response = malloc(wire_body)) == NULL)
            die("out of memory");
    flush(c);
}

static void grpc_request(struct connection *c, struct slot *s)
{
    s->stream = c->next_stream;
    s->received = 0;
    c->next_stream += 2;
    h2_frame(&c->out, (uint32_t)grpc_headers_length, H2_HEADERS, H2_END_HEADERS, s->stream);
    buffer_append(&c->out, grpc_headers, grpc_headers_length);
    h2_frame(&c->out, (uint32_t)wire_body, H2_DATA, H2_END_STREAM, s->stream);
    buffer_append(&c->out, prefix, prefix_length);
    buffer_append(&c->out, pattern + (s->sequence & 255), body_size);
    c->send_window -= (int64_t)wire_body;
}

/* Fills every free ID (up to the quota) with a new request, all in the out buffer, then writes them in one go. */
static void issue(struct connection *c)
{
    if (c->free_count == 0 || c->quota == 0)
        return;
    uint64_t now = now_ns();
    while (c->free_count > 0 && c->quota > 0) {
        uint32_t id = c->free_ids[--c->free_count];
        struct slot *s = &c->slots[id];
        s->busy = 1;
        s->sequence = next_sequence++;
        s->sent_ns = now;
        if (grpc) {
            if (c->send_window < (int64_t)wire_body) {
                s->busy = 0;
                c->free_ids[c->free_count++] = id;
                break; /* the server gives window back as it reads */
            }
            grpc_request(c, s);
            c->quota--;
            c->outstanding++;
            continue;
        }
        unsigned char header[4 + HEADER];
        put_u32(header, (uint32_t)(HEADER + wire_body));
        put_u32(header + 4, TYPE_REQUEST);
        put_u32(header + 8, id);
        put_u32(header + 12, (uint32_t)service);
        buffer_append(&c->out, header, sizeof header);
        buffer_append(&c->out, prefix, prefix_length);
        buffer_append(&c->out, pattern + (s->sequence & 255), body_size);
        c->quota--;
        c->outstanding++;
    }
    flush(c);
}

static void fail(struct connection *c, uint32_t id, const char *what)
{
    die("connection %d, request ID %u: %s (%ld responses checked before it)", (int)(c - connections), id, what, checked);
}

static void finish(struct connection *c, uint32_t id, const unsigned char *body, size_t length, uint64_t now);

/* Checks one response (header at p, then `length` body bytes) and frees its ID. */
static void complete(struct connection *c, const unsigned char *p, size_t length, uint64_t now)
{
    uint32_t type = get_u32(p), id = get_u32(p + 4);
    int32_t service_id = (int32_t)get_u32(p + 8);
    if (type != TYPE_RESPONSE)
        fail(c, id, "expected a response (message type 1)");
    if (id >= (uint32_t)in_flight || !c->slots[id].busy)
        fail(c, id, "a response for a request ID that is not open");
    if (service_id == -1) {
        fprintf(stderr, "error response: %.*s\n", (int)(length < 200 ? length : 200), (const char *)p + HEADER);
        fail(c, id, "an error response (service ID -1)");
    }
    if (reply_service != ANY_SERVICE && service_id != reply_service) {
        char text[80];
        snprintf(text, sizeof text, "service ID %d, expected %d", service_id, reply_service);
        fail(c, id, text);
    }
    finish(c, id, p + HEADER, length, now);
}

/* Checks the body of the response to `id` and frees the ID. */
static void finish(struct connection *c, uint32_t id, const unsigned char *body, size_t length, uint64_t now)
{
    struct slot *s = &c->slots[id];
    if (length != wire_body)
        fail(c, id, "the body's length differs from the request's");
    if (memcmp(body, prefix, prefix_length) != 0 || memcmp(body + prefix_length, pattern + (s->sequence & 255), body_size) != 0)
        fail(c, id, "the body differs from the request's");
    s->busy = 0;
    c->free_ids[c->free_count++] = id;
    c->outstanding--;
    checked++;
    if (recording) {
        if (recorded == latency_capacity) {
            latency_capacity *= 2;
            if ((latencies = realloc(latencies, sizeof *latencies * (size_t)latency_capacity)) == NULL)
                die("out of memory");
        }
        latencies[recorded++] = now - s->sent_ns;
    }
}

static uint32_t grpc_slot(struct connection *c, uint32_t stream)
{
    for (int i = 0; i < in_flight; i++)
        if (c->slots[i].busy && c->slots[i].stream == stream)
            return (uint32_t)i;
    die("connection %d: a frame for stream %u, which is not open", (int)(c - connections), stream);
}

/* Every complete HTTP/2 frame read so far: settings and pings acknowledged, window updates counted, DATA gathered,
 * and a call checked when its trailers end its stream. */
static void grpc_frames(struct connection *c, uint64_t now)
{
    while (buffer_length(&c->in) >= 9) {
        const unsigned char *f = c->in.data + c->in.start;
        uint32_t length = get_be(f, 3), stream = get_be(f + 5, 4) & 0x7fffffff;
        int type = f[3], flags = f[4];
        if (length > H2_MAX_FRAME)
            die("connection %d: an HTTP/2 frame of %u bytes", (int)(c - connections), length);
        if (buffer_length(&c->in) < 9 + (size_t)length)
            break;
        const unsigned char *payload = f + 9;
        if (type == H2_DATA && stream != 0) {
            uint32_t id = grpc_slot(c, stream), data = length;
            if (flags & H2_PADDED) {
                if (length == 0 || payload[0] >= length)
                    die("connection %d: bad padding", (int)(c - connections));
                data = length - 1 - payload[0];
                payload++;
            }
            struct slot *s = &c->slots[id];
            if (s->received + data > wire_body)
                fail(c, id, "the response message is longer than the request's");
            memcpy(s->response + s->received, payload, data);
            s->received += data;
            c->unacknowledged += length;
            if (flags & H2_END_STREAM)
                fail(c, id, "the stream ended without trailers");
        } else if (type == H2_HEADERS && stream != 0 && (flags & H2_END_STREAM)) {
            uint32_t id = grpc_slot(c, stream); /* the trailers */
            finish(c, id, c->slots[id].response, c->slots[id].received, now);
        } else if (type == H2_SETTINGS && !(flags & H2_ACK)) {
            h2_frame(&c->out, 0, H2_SETTINGS, H2_ACK, 0);
        } else if (type == H2_PING && !(flags & H2_ACK) && length == 8) {
            h2_frame(&c->out, 8, H2_PING, H2_ACK, 0);
            buffer_append(&c->out, payload, 8);
        } else if (type == H2_WINDOW_UPDATE && stream == 0 && length == 4) {
            c->send_window += get_be(payload, 4) & 0x7fffffff;
        } else if (type == H2_RST_STREAM || type == H2_GOAWAY) {
            die("connection %d: %s on stream %u, error code %u", (int)(c - connections), type == H2_GOAWAY ? "GOAWAY" : "RST_STREAM",
                stream, length >= 4 ? get_be(payload + (type == H2_GOAWAY ? 4 : 0), 4) : 0);
        }
        c->in.start += 9 + (size_t)length;
    }
    if (c->unacknowledged >= 65536) {
        h2_window_update(&c->out, 0, (uint32_t)c->unacknowledged);
        c->unacknowledged = 0;
    }
}

/* One read (one recvmmsg on seqpacket): every response in it checked, then the freed IDs refilled in one write. */
static void receive(struct connection *c)
{
    uint64_t now;
    if (grpc) {
        buffer_reserve(&c->in, 9 + H2_MAX_FRAME);
        ssize_t n = recv(c->fd, c->in.data + c->in.end, c->in.capacity - c->in.end, 0);
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            die("connection %d: %s with %ld calls open", (int)(c - connections), n == 0 ? "the server closed it" : strerror(errno), c->outstanding);
        c->in.end += (size_t)n;
        grpc_frames(c, now_ns());
        if (c->in.start == c->in.end)
            c->in.start = c->in.end = 0;
    } else if (address.kind != KIND_SEQPACKET) {
        ssize_t n = recv_framed(c->fd, &c->in, 256 * 1024);
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0)
            die("recv: %s", strerror(errno));
        if (n == 0)
            die("connection %d: the server closed it with %ld requests open", (int)(c - connections), c->outstanding);
        now = now_ns();
        while (buffer_length(&c->in) >= 4) {
            uint32_t length = get_u32(c->in.data + c->in.start);
            if (length < HEADER || length > HEADER + wire_body)
                die("connection %d: a frame of length %u; expected %zu", (int)(c - connections), length, HEADER + wire_body);
            if (buffer_length(&c->in) < 4 + (size_t)length)
                break;
            complete(c, c->in.data + c->in.start + 4, length - HEADER, now);
            c->in.start += 4 + (size_t)length;
        }
        if (c->in.start == c->in.end)
            c->in.start = c->in.end = 0;
    } else {
        static unsigned char *datagrams[BATCH];
        struct mmsghdr messages[BATCH];
        struct iovec vectors[BATCH];
        memset(messages, 0, sizeof messages);
        for (int i = 0; i < BATCH; i++) {
            if (datagrams[i] == NULL && (datagrams[i] = malloc(HEADER + wire_body + 1)) == NULL)
                die("out of memory");
            vectors[i] = (struct iovec){ .iov_base = datagrams[i], .iov_len = HEADER + wire_body + 1 };
            messages[i].msg_hdr.msg_iov = &vectors[i];
            messages[i].msg_hdr.msg_iovlen = 1;
        }
        int count = recvmmsg(c->fd, messages, BATCH, MSG_DONTWAIT, NULL);
        if (count < 0 && errno == EAGAIN)
            return;
        if (count < 0)
            die("recvmmsg: %s", strerror(errno));
        now = now_ns();
        for (int i = 0; i < count; i++) {
            size_t length = messages[i].msg_len;
            if (length == 0)
                die("connection %d: the server closed it with %ld requests open", (int)(c - connections), c->outstanding);
            if (length < HEADER || length > HEADER + wire_body || (messages[i].msg_hdr.msg_flags & MSG_TRUNC))
                die("connection %d: a datagram of %zu bytes; expected %zu", (int)(c - connections), length, HEADER + wire_body);
            complete(c, datagrams[i], length - HEADER, now);
        }
    }
    issue(c);
    if (buffer_length(&c->out) > 0)
        flush(c); /* acknowledgements written when no request was due */
}

static int outstanding_or_quota(void)
{
    for (int i = 0; i < connections_count; i++)
        if (connections[i].quota > 0 || connections[i].outstanding > 0)
            return 1;
    return 0;
}

/* Sends `total` requests spread over the connections (or as many as `seconds` allows, when above 0) and waits for
 * every response; returns how many it sent and sets *elapsed to the seconds it took. */
static long run_phase(long total, double seconds, double *elapsed)
{
    long sent = 0;
    for (int i = 0; i < connections_count; i++) {
        connections[i].quota = seconds > 0 ? LONG_MAX : total / connections_count + (i < total % connections_count ? 1 : 0);
        sent += connections[i].quota;
    }
    uint64_t started = now_ns(), stop_ns = started + (uint64_t)(seconds * 1e9);
    for (int i = 0; i < connections_count; i++)
        issue(&connections[i]);
    long done_before = checked;
    struct epoll_event events[256];
    while (outstanding_or_quota()) {
        if (seconds > 0 && connections[0].quota > 0 && now_ns() >= stop_ns) {
            sent = 0;
            for (int i = 0; i < connections_count; i++) {
                sent += LONG_MAX - connections[i].quota;
                connections[i].quota = 0;
            }
        }
        int ready = epoll_wait(epoll_fd, events, 256, seconds > 0 ? 10 : 1000);
        if (ready < 0 && errno != EINTR)
            die("epoll_wait: %s", strerror(errno));
        if (now_ns() > deadline_ns)
            die("timed out after %.0f s with %ld responses in", timeout_s, checked - done_before);
        for (int i = 0; i < ready; i++) {
            struct connection *c = events[i].data.ptr;
            if (events[i].events & EPOLLOUT)
                flush(c);
            if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                receive(c);
        }
    }
    *elapsed = (double)(now_ns() - started) / 1e9;
    return sent;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double micros_at(double quantile)
{
    long index = (long)(quantile * (double)recorded);
    if (index >= recorded)
        index = recorded - 1;
    return (double)latencies[index] / 1e3;
}

static const char *usage =
    "usage: loadgen (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH) [--connections N] [--in-flight N]\n"
    "               [--requests N | --duration S] [--warmup N | --warmup-duration S] [--body BYTES] [--service ID]\n"
    "               [--reply-service ID|any] [--msgpack | --grpc] [--timeout S] [--sync]";

int main(int argc, char **argv)
{
    int have_address = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(option, "--msgpack") == 0 || strcmp(option, "--grpc") == 0 || strcmp(option, "--sync") == 0) {
            *(option[2] == 'm' ? &msgpack : option[2] == 'g' ? &grpc : &sync_start) = 1;
            continue;
        }
        if (value == NULL)
            die("%s", usage);
        i++;
        if (parse_address(option, value, &address))
            have_address = 1;
        else if (strcmp(option, "--connections") == 0)
            connections_count = atoi(value);
        else if (strcmp(option, "--in-flight") == 0)
            in_flight = atoi(value);
        else if (strcmp(option, "--requests") == 0)
            requests = atol(value);
        else if (strcmp(option, "--warmup") == 0)
            warmup = atol(value);
        else if (strcmp(option, "--duration") == 0)
            duration_s = atof(value);
        else if (strcmp(option, "--warmup-duration") == 0)
            warmup_duration_s = atof(value);
        else if (strcmp(option, "--body") == 0)
            body_size = (size_t)atol(value);
        else if (strcmp(option, "--service") == 0)
            service = atoi(value);
        else if (strcmp(option, "--reply-service") == 0)
            reply_service = strcmp(value, "any") == 0 ? ANY_SERVICE : atoi(value);
        else if (strcmp(option, "--timeout") == 0)
            timeout_s = atof(value);
        else
            die("%s", usage);
    }
    if (!have_address || connections_count < 1 || in_flight < 1 || requests < 1 || warmup < 0 || body_size > 256u * 1024 * 1024)
        die("%s", usage);

    if (grpc && (address.kind != KIND_TCP || msgpack || body_size + 16 > H2_MAX_FRAME))
        die("--grpc runs over --tcp, without --msgpack, with bodies up to 16 KiB");
    if (grpc)
        grpc_prepare();
    if (msgpack) {
        if (body_size < 256) {
            prefix[0] = 0xc4;
            prefix[1] = (unsigned char)body_size;
            prefix_length = 2;
        } else if (body_size < 65536) {
            prefix[0] = 0xc5;
            prefix[1] = (unsigned char)(body_size >> 8);
            prefix[2] = (unsigned char)body_size;
            prefix_length = 3;
        } else {
            prefix[0] = 0xc6;
            prefix[1] = (unsigned char)(body_size >> 24);
            prefix[2] = (unsigned char)(body_size >> 16);
            prefix[3] = (unsigned char)(body_size >> 8);
            prefix[4] = (unsigned char)body_size;
            prefix_length = 5;
        }
    }
    wire_body = prefix_length + body_size;
    pattern = malloc(body_size + 256);
    latency_capacity = duration_s > 0 ? 1 << 20 : requests;
    latencies = malloc(sizeof *latencies * (size_t)latency_capacity);
    connections = calloc((size_t)connections_count, sizeof *connections);
    if (pattern == NULL || latencies == NULL || connections == NULL)
        die("out of memory");
    for (size_t i = 0; i < body_size + 256; i++)
        pattern[i] = (unsigned char)(i * 131 + (i >> 8) * 7 + 1);

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < connections_count; i++) {
        struct connection *c = &connections[i];
        c->fd = connect_to(&address);
        c->slots = calloc((size_t)in_flight, sizeof *c->slots);
        c->free_ids = malloc(sizeof *c->free_ids * (size_t)in_flight);
        if (c->slots == NULL || c->free_ids == NULL)
            die("out of memory");
        for (int id = in_flight - 1; id >= 0; id--)
            c->free_ids[c->free_count++] = (uint32_t)id;
        struct epoll_event event = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event) < 0)
            die("epoll_ctl: %s", strerror(errno));
        if (grpc)
            grpc_start(c);
    }

    deadline_ns = now_ns() + (uint64_t)(timeout_s * 1e9);
    double seconds;
    if (warmup > 0 || warmup_duration_s > 0)
        run_phase(warmup, warmup_duration_s, &seconds);
    if (sync_start) {
        printf("warm\n");
        fflush(stdout);
        char go[16];
        if (fgets(go, sizeof go, stdin) == NULL)
            die("--sync: standard input closed before the go");
    }
    recording = 1;
    long measured = run_phase(requests, duration_s, &seconds);
    for (int i = 0; i < connections_count; i++)
        close(connections[i].fd);

    qsort(latencies, (size_t)recorded, sizeof *latencies, compare_u64);
    double rate = (double)measured / seconds;
    printf("{\"connections\": %d, \"in_flight\": %d, \"body\": %zu, \"requests\": %ld, \"seconds\": %.6f, "
           "\"requests_per_s\": %.1f, \"mb_per_s\": %.2f, \"p50_us\": %.2f, \"p99_us\": %.2f, \"p999_us\": %.2f, \"checked\": %ld}\n",
           connections_count, in_flight, body_size, measured, seconds, rate, rate * (double)body_size / 1e6,
           micros_at(0.5), micros_at(0.99), micros_at(0.999), checked);
    return 0;
}
