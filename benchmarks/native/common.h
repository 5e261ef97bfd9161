/* What the native floor server and load generator share: addresses, sockets, the 12-byte header, growable buffers.
 * Header-only (static inline helpers): each program is built with one gcc call. */
#ifndef FIZYRRPC_NATIVE_COMMON_H
#define FIZYRRPC_NATIVE_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum { HEADER = 12, TYPE_REQUEST = 0, TYPE_RESPONSE = 1 };

/* The transports: TCP and Unix stream frame each message with a u32 length; seqpacket sends one datagram per message. */
enum kind { KIND_TCP, KIND_UNIX, KIND_SEQPACKET };

struct address {
    enum kind kind;
    char text[200]; /* HOST:PORT or a socket path */
};

static inline void die(const char *format, ...) __attribute__((noreturn, format(printf, 1, 2)));
static inline void die(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(1);
}

/* Parses "--tcp HOST:PORT", "--unix-stream PATH" or "--unix-seqpacket PATH"; returns 0 when option is none of them. */
static inline int parse_address(const char *option, const char *value, struct address *out)
{
    if (strcmp(option, "--tcp") == 0)
        out->kind = KIND_TCP;
    else if (strcmp(option, "--unix-stream") == 0)
        out->kind = KIND_UNIX;
    else if (strcmp(option, "--unix-seqpacket") == 0)
        out->kind = KIND_SEQPACKET;
    else
        return 0;
    if (strlen(value) >= sizeof out->text)
        die("address too long: %s", value);
    strcpy(out->text, value);
    return 1;
}

static inline struct sockaddr_in tcp_address(const char *text)
{
    struct sockaddr_in in = { .sin_family = AF_INET };
    char host[64];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host)
        die("expected HOST:PORT, got %s", text);
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    if (inet_pton(AF_INET, host, &in.sin_addr) != 1)
        die("expected an IPv4 address, got %s", host);
    in.sin_port = htons((uint16_t)atoi(colon + 1));
    return in;
}

static inline struct sockaddr_un unix_address(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof un.sun_path)
        die("socket path too long: %s", path);
    strcpy(un.sun_path, path);
    return un;
}

static inline void set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        die("fcntl: %s", strerror(errno));
}

static inline void set_nodelay(int fd, enum kind kind)
{
    int one = 1;
    if (kind == KIND_TCP && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        die("TCP_NODELAY: %s", strerror(errno));
}

static inline int socket_type(enum kind kind) { return kind == KIND_SEQPACKET ? SOCK_SEQPACKET : SOCK_STREAM; }

/* A blocking connect, then non-blocking from there on. */
static inline int connect_to(const struct address *address)
{
    int fd = socket(address->kind == KIND_TCP ? AF_INET : AF_UNIX, socket_type(address->kind) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    int rc;
    if (address->kind == KIND_TCP) {
        struct sockaddr_in in = tcp_address(address->text);
        rc = connect(fd, (struct sockaddr *)&in, sizeof in);
    } else {
        struct sockaddr_un un = unix_address(address->text);
        rc = connect(fd, (struct sockaddr *)&un, sizeof un);
    }
    if (rc < 0)
        die("connect %s: %s", address->text, strerror(errno));
    set_nodelay(fd, address->kind);
    set_nonblocking(fd);
    return fd;
}

/* Reads and writes the u32/i32 header fields little endian (the stream default; seqpacket's native endian on x86-64 and arm64). */
static inline uint32_t get_u32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static inline void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A growable byte buffer: data in [start, end) of [0, capacity). */
struct buffer {
    unsigned char *data;
    size_t start, end, capacity;
};

/* Makes room for at least `more` bytes after end (moving what is unread to the front first). */
static inline void buffer_reserve(struct buffer *b, size_t more)
{
    if (b->start > 0 && b->capacity - b->end < more) {
        memmove(b->data, b->data + b->start, b->end - b->start);
        b->end -= b->start;
        b->start = 0;
    }
    if (b->capacity - b->end >= more)
        return;
    size_t capacity = b->capacity ? b->capacity : 65536;
    while (capacity - b->end < more)
        capacity *= 2;
    b->data = realloc(b->data, capacity);
    if (b->data == NULL)
        die("out of memory (%zu bytes)", capacity);
    b->capacity = capacity;
}

static inline size_t buffer_length(const struct buffer *b) { return b->end - b->start; }

/* One recv into `in` on a length-prefixed byte stream: room for `chunk` bytes, or for the rest of the frame that is
 * being read when that is more (a large body arrives in one buffer). Returns what recv returned. */
static inline ssize_t recv_framed(int fd, struct buffer *in, size_t chunk)
{
    size_t want = chunk, have = buffer_length(in);
    if (have >= 4) {
        size_t frame = 4 + (size_t)get_u32(in->data + in->start);
        if (frame > have && frame - have > want)
            want = frame - have;
    }
    buffer_reserve(in, want);
    ssize_t n = recv(fd, in->data + in->end, in->capacity - in->end, 0);
    if (n > 0)
        in->end += (size_t)n;
    return n;
}

static inline void buffer_append(struct buffer *b, const void *data, size_t length)
{
    buffer_reserve(b, length);
    memcpy(b->data + b->end, data, length);
    b->end += length;
}

#endif
