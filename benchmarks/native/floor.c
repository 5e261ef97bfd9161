/* The native floor: the least a server can do to answer the echo. One thread, one epoll loop, every connection.
 *
 *   floor (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH) [--corrupt N]
 *
 * Prints "listening on ADDRESS" (HOST:PORT, or unix:PATH) once bound, then answers every request (message type 0) with
 * a response (type 1) carrying the same request ID, service ID 0 and the same body, until SIGTERM or SIGINT.
 * Byte streams: one read per wake-up; each complete request is turned into its response in place and all of them go
 * out in one write, straight from the read buffer. Seqpacket: one recvmmsg of up to 64 datagrams, one sendmmsg back.
 * A connection whose replies do not fit the socket stops reading until they are written (backpressure).
 * Anything else than a request closes the connection (the load generator sends nothing else).
 * --corrupt N: every Nth response is damaged (its last body byte flipped, or service ID 7 when it has no body), so
 * the smoke run can prove the load generator notices.
 */
#include "common.h"

#include <signal.h>
#include <sys/epoll.h>

enum { BATCH = 64, DATAGRAM = 256 * 1024, READ_CHUNK = 256 * 1024, MAX_FRAME = 64 * 1024 * 1024 + HEADER };

struct connection {
    int fd;
    struct buffer in;       /* stream: what was read and not answered yet */
    struct buffer out;      /* stream: replies the socket did not take yet */
    unsigned char **queued; /* seqpacket: replies the socket did not take yet */
    size_t *queued_length;
    int queued_count, queued_first;
};

static volatile sig_atomic_t stopping;
static enum kind kind;
static long corrupt_every;
static long answered;
static int epoll_fd;
static unsigned char *datagrams[BATCH];

static void on_signal(int signal_number)
{
    (void)signal_number;
    stopping = 1;
}

/* The response in place of the request at p (header at p, body after it); 0 when it is not a request. */
static int answer(unsigned char *p, size_t body_length)
{
    if (get_u32(p) != TYPE_REQUEST)
        return 0;
    put_u32(p, TYPE_RESPONSE);
    put_u32(p + 8, 0);
    if (corrupt_every > 0 && ++answered % corrupt_every == 0) {
        if (body_length > 0)
            p[HEADER + body_length - 1] ^= 0xff;
        else
            put_u32(p + 8, 7);
    }
    return 1;
}

static void watch(struct connection *c, uint32_t events, int op)
{
    struct epoll_event event = { .events = events, .data.ptr = c };
    if (epoll_ctl(epoll_fd, op, c->fd, &event) < 0)
        die("epoll_ctl: %s", strerror(errno));
}

static void close_connection(struct connection *c)
{
    close(c->fd); /* also leaves the epoll set */
    free(c->in.data);
    free(c->out.data);
    for (int i = c->queued_first; i < c->queued_count; i++)
        free(c->queued[i]);
    free(c->queued);
    free(c->queued_length);
    free(c);
}

/* Writes what is queued; returns -1 on a broken connection, 1 when everything is written, 0 when some is left. */
static int flush_stream(struct connection *c)
{
    while (buffer_length(&c->out) > 0) {
        ssize_t n = send(c->fd, c->out.data + c->out.start, buffer_length(&c->out), MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        c->out.start += (size_t)n;
    }
    c->out.start = c->out.end = 0;
    return 1;
}

static int flush_datagrams(struct connection *c)
{
    while (c->queued_first < c->queued_count) {
        ssize_t n = send(c->fd, c->queued[c->queued_first], c->queued_length[c->queued_first], MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        free(c->queued[c->queued_first++]);
    }
    c->queued_first = c->queued_count = 0;
    return 1;
}

/* One read, every complete request answered in one write; returns -1 when the connection is done. */
static int serve_stream(struct connection *c)
{
    ssize_t n = recv_framed(c->fd, &c->in, READ_CHUNK);
    if (n == 0 || (n < 0 && errno != EAGAIN))
        return -1;
    if (n < 0)
        return 0;

    size_t done = c->in.start;
    while (c->in.end - done >= 4 + HEADER) {
        uint32_t length = get_u32(c->in.data + done);
        if (length < HEADER || length > MAX_FRAME)
            return -1;
        if (c->in.end - done < 4 + (size_t)length)
            break;
        if (!answer(c->in.data + done + 4, length - HEADER))
            return -1;
        done += 4 + (size_t)length;
    }

    size_t replies = done - c->in.start;
    if (replies == 0)
        return 0;
    ssize_t sent = send(c->fd, c->in.data + c->in.start, replies, MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN)
        return -1;
    if (sent < 0)
        sent = 0;
    if ((size_t)sent < replies) {
        buffer_append(&c->out, c->in.data + c->in.start + sent, replies - (size_t)sent);
        watch(c, EPOLLOUT, EPOLL_CTL_MOD);
    }
    c->in.start = done;
    if (c->in.start == c->in.end)
        c->in.start = c->in.end = 0;
    return 0;
}

/* One recvmmsg, every request answered in one sendmmsg; returns -1 when the connection is done. */
static int serve_datagrams(struct connection *c)
{
    struct mmsghdr messages[BATCH];
    struct iovec vectors[BATCH];
    memset(messages, 0, sizeof messages);
    for (int i = 0; i < BATCH; i++) {
        vectors[i] = (struct iovec){ .iov_base = datagrams[i], .iov_len = DATAGRAM };
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
    }
    int received = recvmmsg(c->fd, messages, BATCH, MSG_DONTWAIT, NULL);
    if (received < 0)
        return errno == EAGAIN ? 0 : -1;

    int replies = 0;
    for (int i = 0; i < received; i++) {
        size_t length = messages[i].msg_len;
        if (length == 0 || (messages[i].msg_hdr.msg_flags & MSG_TRUNC) || length < HEADER || !answer(datagrams[i], length - HEADER))
            return -1;
        vectors[replies] = (struct iovec){ .iov_base = datagrams[i], .iov_len = length };
        messages[replies].msg_hdr = (struct msghdr){ .msg_iov = &vectors[replies], .msg_iovlen = 1 };
        replies++;
    }

    int sent = replies > 0 ? sendmmsg(c->fd, messages, (unsigned)replies, MSG_NOSIGNAL | MSG_DONTWAIT) : 0;
    if (sent < 0 && errno != EAGAIN)
        return -1;
    if (sent < 0)
        sent = 0;
    if (sent < replies) {
        c->queued = realloc(c->queued, sizeof *c->queued * (size_t)(c->queued_count + replies - sent));
        c->queued_length = realloc(c->queued_length, sizeof *c->queued_length * (size_t)(c->queued_count + replies - sent));
        if (c->queued == NULL || c->queued_length == NULL)
            die("out of memory");
        for (int i = sent; i < replies; i++) {
            c->queued[c->queued_count] = malloc(vectors[i].iov_len);
            if (c->queued[c->queued_count] == NULL)
                die("out of memory");
            memcpy(c->queued[c->queued_count], vectors[i].iov_base, vectors[i].iov_len);
            c->queued_length[c->queued_count++] = vectors[i].iov_len;
        }
        watch(c, EPOLLOUT, EPOLL_CTL_MOD);
    }
    return 0;
}

static int listen_on(const struct address *address)
{
    int fd = socket(address->kind == KIND_TCP ? AF_INET : AF_UNIX, socket_type(address->kind) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    if (address->kind == KIND_TCP) {
        struct sockaddr_in in = tcp_address(address->text);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&in, sizeof in) < 0)
            die("bind %s: %s", address->text, strerror(errno));
        socklen_t size = sizeof in;
        getsockname(fd, (struct sockaddr *)&in, &size);
        char host[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &in.sin_addr, host, sizeof host);
        if (listen(fd, 1024) < 0)
            die("listen: %s", strerror(errno));
        printf("listening on %s:%u\n", host, ntohs(in.sin_port));
    } else {
        struct sockaddr_un un = unix_address(address->text);
        if (bind(fd, (struct sockaddr *)&un, sizeof un) < 0)
            die("bind %s: %s", address->text, strerror(errno));
        if (listen(fd, 1024) < 0)
            die("listen: %s", strerror(errno));
        printf("listening on unix:%s\n", address->text);
    }
    fflush(stdout);
    set_nonblocking(fd);
    return fd;
}

int main(int argc, char **argv)
{
    struct address address = { .kind = KIND_TCP };
    int have_address = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && parse_address(argv[i], argv[i + 1], &address)) {
            have_address = 1;
            i++;
        } else if (i + 1 < argc && strcmp(argv[i], "--corrupt") == 0) {
            corrupt_every = atol(argv[++i]);
        } else {
            die("usage: floor (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH) [--corrupt N]");
        }
    }
    if (!have_address)
        die("usage: floor (--tcp HOST:PORT | --unix-stream PATH | --unix-seqpacket PATH) [--corrupt N]");
    kind = address.kind;
    if (kind == KIND_SEQPACKET)
        for (int i = 0; i < BATCH; i++)
            if ((datagrams[i] = malloc(DATAGRAM)) == NULL)
                die("out of memory");

    struct sigaction action = { .sa_handler = on_signal };
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    int listener = listen_on(&address);
    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event listen_event = { .events = EPOLLIN, .data.ptr = NULL };
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &listen_event);

    struct epoll_event events[256];
    while (!stopping) {
        int ready = epoll_wait(epoll_fd, events, 256, -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait: %s", strerror(errno));
        }
        for (int i = 0; i < ready; i++) {
            struct connection *c = events[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    set_nodelay(fd, kind);
                    struct connection *accepted = calloc(1, sizeof *accepted);
                    if (accepted == NULL)
                        die("out of memory");
                    accepted->fd = fd;
                    watch(accepted, EPOLLIN, EPOLL_CTL_ADD);
                }
                continue;
            }
            int rc;
            if (events[i].events & EPOLLOUT) {
                rc = kind == KIND_SEQPACKET ? flush_datagrams(c) : flush_stream(c);
                if (rc == 1)
                    watch(c, EPOLLIN, EPOLL_CTL_MOD);
                rc = rc < 0 ? -1 : 0;
            } else {
                rc = kind == KIND_SEQPACKET ? serve_datagrams(c) : serve_stream(c);
            }
            if (rc < 0)
                close_connection(c);
        }
    }

    close(listener);
    if (kind != KIND_TCP)
        unlink(address.text);
    return 0;
}
