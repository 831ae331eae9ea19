/*
 * The plumbing the C programs of tests/c share: usrsctp without threads
 * (usrsctp_init_nothreads), AF_CONN sockets of one process, and the packets
 * between them carried by hand, as ekr_loop carries them over UDP.
 *
 * Each endpoint has an AF_CONN address: a pointer (its "link") and a port.
 * As in ekr_loop, a socket binds to its own link and connects to the peer's
 * port on that same link: usrsctp_conninput(link, ...) hands a packet to
 * the stack as coming from and going to `link`. conn_output queues every
 * packet; h_pump() delivers the queue, each packet to the link of the
 * endpoint owning its destination port (h_route), outside any callback.
 * Timers run from h_tick() (usrsctp_handle_timers), which pumps too.
 *
 * Results: CHECK prints "ok <what>" or "FAIL <what> (...)" and goes on;
 * REQUIRE stops the program (exit 2) when a later step cannot work without
 * it. h_done() prints "RESULT: ok" and returns 0, or "RESULT: N failed" and
 * returns 1: the program's exit status.
 *
 * `--reference` as first argument (the test's run against Debian's
 * usrsctp, which checks the programs themselves): skips the checks that
 * are undefined behaviour in usrsctp (a handle used after usrsctp_close).
 */
#ifndef TESTS_C_HARNESS_H
#define TESTS_C_HARNESS_H

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <usrsctp.h>

#define H_UNUSED __attribute__((unused))

static int h_failures;
static int h_reference;

static H_UNUSED int
h_check(int ok, int err, const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok " : "FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (%s:%d: %s is false; errno %d: %s)", file, line, expr, err, strerror(err));
		h_failures++;
	}
	printf("\n");
	fflush(stdout);
	return ok;
}

/* CHECK(condition, "what is checked", ...): records a failure and goes on. */
#define CHECK(cond, ...) __extension__ ({ \
	int h_c_ = !!(cond); \
	int h_e_ = errno; \
	h_check(h_c_, h_e_, __FILE__, __LINE__, #cond, __VA_ARGS__); \
})
/* REQUIRE: as CHECK, but the program cannot go on without it. */
#define REQUIRE(cond, ...) do { \
	if (!CHECK(cond, __VA_ARGS__)) { \
		printf("RESULT: aborted after %d failed\n", h_failures); \
		fflush(stdout); \
		exit(2); \
	} \
} while (0)

/* ---- packets ---- */

struct h_pkt {
	struct h_pkt *next;
	void *to;
	size_t len;
	unsigned char data[];
};

static struct h_pkt *h_head, *h_tail;
static struct {
	uint16_t port;
	void *link;
} h_routes[16];
static int h_nroutes;
static unsigned long h_packets, h_unroutable;

/* Packets for `port` go to `link` (registered with usrsctp on first use). */
static H_UNUSED void
h_route(uint16_t port, void *link)
{
	int i, known = 0;

	if (h_nroutes == 16) {
		REQUIRE(0, "room in the route table");
	}
	for (i = 0; i < h_nroutes; i++) {
		known |= h_routes[i].link == link;
	}
	if (!known) {
		/* usrsctp binds only to registered AF_CONN addresses. */
		usrsctp_register_address(link);
	}
	h_routes[h_nroutes].port = port;
	h_routes[h_nroutes].link = link;
	h_nroutes++;
}

static H_UNUSED int
h_conn_output(void *addr, void *buf, size_t length, uint8_t tos, uint8_t set_df)
{
	struct h_pkt *p;
	uint16_t dport;
	void *to = NULL;
	int i;

	(void)addr;
	(void)tos;
	(void)set_df;
	if (length < 12) {
		h_unroutable++;
		return 0;
	}
	memcpy(&dport, (unsigned char *)buf + 2, 2);
	dport = ntohs(dport);
	for (i = 0; i < h_nroutes; i++) {
		if (h_routes[i].port == dport) {
			to = h_routes[i].link;
		}
	}
	if (to == NULL) {
		h_unroutable++;
		return 0;
	}
	if ((p = malloc(sizeof(*p) + length)) == NULL) {
		return ENOMEM;
	}
	p->next = NULL;
	p->to = to;
	p->len = length;
	memcpy(p->data, buf, length);
	if (h_tail) {
		h_tail->next = p;
	} else {
		h_head = p;
	}
	h_tail = p;
	return 0;
}

/* Delivers every queued packet, and those the deliveries produce. */
static H_UNUSED void
h_pump(void)
{
	struct h_pkt *p;
	int n = 0;

	while ((p = h_head) != NULL && n++ < 100000) {
		h_head = p->next;
		if (h_head == NULL) {
			h_tail = NULL;
		}
		h_packets++;
		usrsctp_conninput(p->to, p->data, p->len, 0);
		free(p);
	}
}

static H_UNUSED uint64_t
h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t h_last_tick;

/* Runs the timers due and delivers the packets. */
static H_UNUSED void
h_tick(void)
{
	uint64_t now = h_now_ms();

	h_pump();
	usrsctp_handle_timers((uint32_t)(now - h_last_tick));
	h_last_tick = now;
	h_pump();
}

static H_UNUSED void
h_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
}

/* Ticks until `cond` holds; REQUIREs it within `ms` milliseconds. */
#define WAIT_FOR(cond, ms, ...) do { \
	uint64_t h_deadline_ = h_now_ms() + (ms); \
	int h_ok_; \
	for (;;) { \
		h_tick(); \
		if ((h_ok_ = !!(cond))) { \
			break; \
		} \
		if (h_now_ms() > h_deadline_) { \
			break; \
		} \
		h_sleep_ms(1); \
	} \
	REQUIRE(h_ok_, __VA_ARGS__); \
} while (0)

/* ---- setup ---- */

static H_UNUSED void
h_init(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	h_reference = argc > 1 && strcmp(argv[1], "--reference") == 0;
	usrsctp_init_nothreads(0, h_conn_output, NULL);
	h_last_tick = h_now_ms();
}

static H_UNUSED void
h_sconn(struct sockaddr_conn *a, void *link, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sconn_family = AF_CONN;
#ifdef HAVE_SCONN_LEN
	a->sconn_len = sizeof(struct sockaddr_conn);
#endif
	a->sconn_port = htons(port);
	a->sconn_addr = link;
}

/* A non-blocking AF_CONN socket bound to link:port (packets for port go to link). */
static H_UNUSED struct socket *
h_socket(int type, void *link, uint16_t port)
{
	struct socket *s;
	struct sockaddr_conn a;

	s = usrsctp_socket(AF_CONN, type, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	REQUIRE(s != NULL, "usrsctp_socket(AF_CONN, %s)", type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_SEQPACKET");
	REQUIRE(usrsctp_set_non_blocking(s, 1) == 0, "usrsctp_set_non_blocking(port %u)", port);
	h_route(port, link);
	h_sconn(&a, link, port);
	REQUIRE(usrsctp_bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "usrsctp_bind(port %u)", port);
	return s;
}

/* Starts the association to `port` over `link` (non-blocking: EINPROGRESS). */
static H_UNUSED void
h_connect(struct socket *s, void *link, uint16_t port)
{
	struct sockaddr_conn a;
	int rc;

	h_sconn(&a, link, port);
	errno = 0;
	rc = usrsctp_connect(s, (struct sockaddr *)&a, sizeof(a));
	REQUIRE(rc == -1 && errno == EINPROGRESS,
	        "non-blocking usrsctp_connect to port %u returns -1 with EINPROGRESS", port);
}

static H_UNUSED int
h_setopt(struct socket *s, int level, int name, const void *v, socklen_t len)
{
	return usrsctp_setsockopt(s, level, name, v, len);
}

static H_UNUSED void
h_set_int(struct socket *s, int level, int name, int v, const char *what)
{
	REQUIRE(usrsctp_setsockopt(s, level, name, &v, sizeof(v)) == 0, "setsockopt %s = %d", what, v);
}

/* SCTP_EVENT on or off for notification type `type`. */
static H_UNUSED int
h_subscribe(struct socket *s, uint16_t type, int on)
{
	struct sctp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_type = type;
	ev.se_on = (uint8_t)on;
	return usrsctp_setsockopt(s, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev));
}

/* sstat_state of the association of one-to-one socket `s`, -1 if none. */
static H_UNUSED int
h_state(struct socket *s)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (usrsctp_getsockopt(s, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0) {
		return -1;
	}
	return st.sstat_state;
}

/* One message or notification, if any is waiting. */
struct h_msg {
	ssize_t n;               /* usrsctp_recvv's result */
	int err;                 /* its errno when n < 0 */
	int flags;               /* msg_flags */
	unsigned int infotype;
	socklen_t infolen;
	struct sctp_rcvinfo rcv;
	struct sockaddr_conn from;
	socklen_t fromlen;
	union {
		union sctp_notification sn;
		char text[4096];
	} u;
};

static H_UNUSED int
h_recv(struct socket *s, struct h_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->infolen = sizeof(m->rcv);
	m->fromlen = sizeof(m->from);
	errno = 0;
	m->n = usrsctp_recvv(s, &m->u, sizeof(m->u) - 1, (struct sockaddr *)&m->from, &m->fromlen,
	                     &m->rcv, &m->infolen, &m->infotype, &m->flags);
	m->err = errno;
	if (m->n >= 0) {
		m->u.text[m->n] = '\0';
	}
	return m->n >= 0;
}

static H_UNUSED ssize_t
h_send(struct socket *s, const char *text, uint16_t sid, uint32_t ppid, sctp_assoc_t id)
{
	struct sctp_sndinfo snd;

	memset(&snd, 0, sizeof(snd));
	snd.snd_sid = sid;
	snd.snd_ppid = htonl(ppid);
	snd.snd_assoc_id = id;
	return usrsctp_sendv(s, text, strlen(text), NULL, 0, &snd, sizeof(snd), SCTP_SENDV_SNDINFO, 0);
}

static H_UNUSED const char *
h_sn_name(uint16_t type)
{
	switch (type) {
	case SCTP_ASSOC_CHANGE: return "SCTP_ASSOC_CHANGE";
	case SCTP_PEER_ADDR_CHANGE: return "SCTP_PEER_ADDR_CHANGE";
	case SCTP_REMOTE_ERROR: return "SCTP_REMOTE_ERROR";
	case SCTP_SHUTDOWN_EVENT: return "SCTP_SHUTDOWN_EVENT";
	case SCTP_ADAPTATION_INDICATION: return "SCTP_ADAPTATION_INDICATION";
	case SCTP_PARTIAL_DELIVERY_EVENT: return "SCTP_PARTIAL_DELIVERY_EVENT";
	case SCTP_AUTHENTICATION_EVENT: return "SCTP_AUTHENTICATION_EVENT";
	case SCTP_STREAM_RESET_EVENT: return "SCTP_STREAM_RESET_EVENT";
	case SCTP_SENDER_DRY_EVENT: return "SCTP_SENDER_DRY_EVENT";
	case SCTP_ASSOC_RESET_EVENT: return "SCTP_ASSOC_RESET_EVENT";
	case SCTP_STREAM_CHANGE_EVENT: return "SCTP_STREAM_CHANGE_EVENT";
	case SCTP_SEND_FAILED_EVENT: return "SCTP_SEND_FAILED_EVENT";
	default: return "unknown";
	}
}

/* Deregisters the links, waits for usrsctp_finish to succeed (the sockets
 * must be closed) and prints the result: the program's exit status. */
static H_UNUSED int
h_done(void)
{
	uint64_t deadline = h_now_ms() + 10000;
	int i, j, rc;

	for (i = 0; i < h_nroutes; i++) {
		for (j = 0; j < i && h_routes[j].link != h_routes[i].link; j++) {
		}
		if (j == i) {
			usrsctp_deregister_address(h_routes[i].link);
		}
	}
	for (;;) {
		h_tick();
		if ((rc = usrsctp_finish()) == 0 || h_now_ms() > deadline) {
			break;
		}
		h_sleep_ms(5);
	}
	CHECK(rc == 0, "usrsctp_finish returns 0 once every socket is closed");
	printf("packets delivered: %lu, unroutable: %lu\n", h_packets, h_unroutable);
	if (h_failures) {
		printf("RESULT: %d failed\n", h_failures);
		return 1;
	}
	printf("RESULT: ok\n");
	return 0;
}

#endif
