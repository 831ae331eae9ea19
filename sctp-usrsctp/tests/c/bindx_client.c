/*
 * usrsctp_bindx on a running association (RFC 5061 section 4.2.1 and
 * 4.2.2), over raw IP with usrsctp's threads:
 *
 *   bindx_client LOCAL1 LOCAL2 REMOTE PORT
 *
 * An AF_INET SOCK_STREAM socket is bound to LOCAL1 and LOCAL2 with
 * usrsctp_bindx(SCTP_BINDX_ADD_ADDR) (one ephemeral port), connects
 * (blocking) to REMOTE:PORT (an echo server), then:
 *
 *   1. sends message 1 and reads its echo;
 *   2. usrsctp_bindx(SCTP_BINDX_REM_ADDR) of LOCAL2 (the association sends
 *      an ASCONF Delete IP Address), waits 1 s, checks that the last
 *      address cannot be removed, sends message 2 and reads its echo;
 *   3. usrsctp_bindx(SCTP_BINDX_ADD_ADDR) of LOCAL2 again (ASCONF Add IP
 *      Address), waits 1 s, sends message 3 and reads its echo;
 *
 * usrsctp_getladdrs must reflect each step, 1 s after it (usrsctp applies
 * a removal from its iterator thread: until then the address is listed,
 * and its "never the last address" check counts it). Then it closes the
 * socket and waits for usrsctp_finish to succeed.
 *
 * The messages are 101, 202 and 303 bytes long (the server prints the
 * length of each), each filled with its own letter.
 *
 * Each check prints "ok <what>" or "FAIL <what> (...)"; the last line is
 * "RESULT: ok" (exit 0) or "RESULT: N failed" (exit 1); a step without
 * which the rest cannot work stops the program (exit 2).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <usrsctp.h>

static int failures;

static int check(int ok, int err, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int
check(int ok, int err, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	printf(ok ? "ok " : "FAIL ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (line %d: %s is false; errno %d: %s)", line, expr, err, strerror(err));
		failures++;
	}
	printf("\n");
	fflush(stdout);
	return ok;
}

/* CHECK(condition, "what is checked", ...): records a failure and goes on. */
#define CHECK(cond, ...) __extension__ ({ \
	int c_ = !!(cond); \
	int e_ = errno; \
	check(c_, e_, __LINE__, #cond, __VA_ARGS__); \
})
/* REQUIRE: as CHECK, but the program cannot go on without it. */
#define REQUIRE(cond, ...) do { \
	if (!CHECK(cond, __VA_ARGS__)) { \
		printf("RESULT: aborted after %d failed\n", failures); \
		fflush(stdout); \
		exit(2); \
	} \
} while (0)

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	nanosleep(&ts, NULL);
}

static void
sin_of(struct sockaddr_in *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	REQUIRE(inet_pton(AF_INET, ip, &a->sin_addr) == 1, "%s is an IPv4 address", ip);
}

/*
 * usrsctp_getladdrs of the association, written as "IP:PORT IP:PORT ..."
 * into `text`; returns the count (-1 on error). `want` (count `nwant`)
 * are the IPv4 addresses expected: *match is set when the list holds
 * exactly those (any order) and every port is `port`.
 */
static int
laddrs(struct socket *s, const char **want, int nwant, uint16_t port, char *text, size_t size,
        int *match)
{
	struct sockaddr *addrs = NULL;
	char *p;
	int n, i, j, seen = 0, ok = 1;

	text[0] = '\0';
	*match = 0;
	n = usrsctp_getladdrs(s, 0, &addrs);
	if (n < 0) {
		return n;
	}
	p = (char *)addrs;
	for (i = 0; i < n; i++) {
		struct sockaddr_in sin;
		char ip[INET6_ADDRSTRLEN] = "?";
		size_t len = strlen(text);

		memcpy(&sin, p, sizeof(sin));
		if (sin.sin_family == AF_INET) {
			inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
			p += sizeof(struct sockaddr_in);
		} else if (sin.sin_family == AF_INET6) {
			struct sockaddr_in6 sin6;

			memcpy(&sin6, p, sizeof(sin6));
			inet_ntop(AF_INET6, &sin6.sin6_addr, ip, sizeof(ip));
			p += sizeof(struct sockaddr_in6);
			ok = 0;
		} else {
			snprintf(text + len, size - len, "%sfamily-%d", i ? " " : "", sin.sin_family);
			ok = 0;
			break;
		}
		snprintf(text + len, size - len, "%s%s:%u", i ? " " : "", ip, ntohs(sin.sin_port));
		if (ntohs(sin.sin_port) != port) {
			ok = 0;
		}
		for (j = 0; j < nwant; j++) {
			if (strcmp(ip, want[j]) == 0) {
				seen |= 1 << j;
			}
		}
	}
	if (addrs != NULL) {
		usrsctp_freeladdrs(addrs);
	}
	*match = ok && n == nwant && seen == (1 << nwant) - 1;
	return n;
}

/* Checks usrsctp_getladdrs against `want` (`nwant` addresses). */
static void
check_laddrs(struct socket *s, const char *step, const char **want, int nwant, uint16_t port)
{
	char text[512];
	int match, n;

	errno = 0;
	n = laddrs(s, want, nwant, port, text, sizeof(text), &match);
	CHECK(n >= 0 && match, "usrsctp_getladdrs %s lists %s%s%s port %u: %d: %s", step, want[0],
	      nwant > 1 ? " and " : "", nwant > 1 ? want[1] : "", port, n, text);
}

/* Sends message `k` (100 * k + k bytes of letter 'a' + k - 1), then reads
 * its echo (the socket is non-blocking: polls for up to 10 s). */
static void
exchange(struct socket *s, int k)
{
	char out[400], in[1024];
	size_t len = (size_t)(100 * k + k);
	ssize_t n;
	size_t got = 0;
	uint64_t deadline;
	int flags;

	memset(out, 'a' + k - 1, len);
	errno = 0;
	n = usrsctp_sendv(s, out, len, NULL, 0, NULL, 0, SCTP_SENDV_NOINFO, 0);
	CHECK(n == (ssize_t)len, "message %d: usrsctp_sendv of %zu bytes returns %zd", k, len, n);
	deadline = now_ms() + 10000;
	for (;;) {
		struct sctp_rcvinfo rcv;
		socklen_t infolen = sizeof(rcv);
		unsigned int infotype = 0;

		flags = 0;
		errno = 0;
		n = usrsctp_recvv(s, in + got, sizeof(in) - got, NULL, NULL, &rcv, &infolen,
		                  &infotype, &flags);
		if (n > 0) {
			got += (size_t)n;
			if ((flags & MSG_EOR) || got >= len) {
				break;
			}
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && now_ms() < deadline) {
			sleep_ms(10);
			continue;
		}
		break;
	}
	CHECK(got == len && memcmp(in, out, len) == 0,
	      "message %d: its echo of %zu bytes is back (got %zu bytes; last usrsctp_recvv %zd)", k,
	      len, got, n);
}

int
main(int argc, char *argv[])
{
	const char *local1, *local2, *remote;
	const char *both[2], *first[1];
	struct sockaddr_in binds[2], one, peer;
	struct socket *s;
	uint16_t port, lport;
	int rc, tries;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 5) {
		fprintf(stderr, "usage: %s LOCAL1 LOCAL2 REMOTE PORT\n", argv[0]);
		return 2;
	}
	local1 = argv[1];
	local2 = argv[2];
	remote = argv[3];
	port = (uint16_t)atoi(argv[4]);
	both[0] = local1;
	both[1] = local2;
	first[0] = local1;

	usrsctp_init(0, NULL, NULL);
	s = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	REQUIRE(s != NULL, "usrsctp_socket(AF_INET, SOCK_STREAM)");

	sin_of(&binds[0], local1, 0);
	sin_of(&binds[1], local2, 0);
	errno = 0;
	rc = usrsctp_bindx(s, (struct sockaddr *)binds, 2, SCTP_BINDX_ADD_ADDR);
	REQUIRE(rc == 0, "usrsctp_bindx(SCTP_BINDX_ADD_ADDR) of %s and %s", local1, local2);

	sin_of(&peer, remote, port);
	errno = 0;
	rc = usrsctp_connect(s, (struct sockaddr *)&peer, sizeof(peer));
	REQUIRE(rc == 0, "usrsctp_connect to %s:%u", remote, port);

	/* The port bindx chose, from our end of the association. */
	{
		struct sockaddr *addrs = NULL;
		struct sockaddr_in sin;
		int n = usrsctp_getladdrs(s, 0, &addrs);

		REQUIRE(n > 0 && addrs != NULL, "usrsctp_getladdrs after connect: %d addresses", n);
		memcpy(&sin, addrs, sizeof(sin));
		lport = ntohs(sin.sin_port);
		usrsctp_freeladdrs(addrs);
	}
	check_laddrs(s, "after connect", both, 2, lport);
	REQUIRE(usrsctp_set_non_blocking(s, 1) == 0, "usrsctp_set_non_blocking");
	exchange(s, 1);

	errno = 0;
	rc = usrsctp_bindx(s, (struct sockaddr *)&binds[1], 1, SCTP_BINDX_REM_ADDR);
	CHECK(rc == 0, "usrsctp_bindx(SCTP_BINDX_REM_ADDR) of %s", local2);
	/* usrsctp removes the address from its iterator thread, a moment later. */
	sleep_ms(1000);
	check_laddrs(s, "after removing the second address", first, 1, lport);
	sin_of(&one, local1, 0);
	errno = 0;
	rc = usrsctp_bindx(s, (struct sockaddr *)&one, 1, SCTP_BINDX_REM_ADDR);
	CHECK(rc == -1 && errno == EINVAL,
	      "usrsctp_bindx(SCTP_BINDX_REM_ADDR) of the last address %s fails with EINVAL (rc %d)",
	      local1, rc);
	check_laddrs(s, "after the refused removal", first, 1, lport);
	exchange(s, 2);

	errno = 0;
	rc = usrsctp_bindx(s, (struct sockaddr *)&binds[1], 1, SCTP_BINDX_ADD_ADDR);
	CHECK(rc == 0, "usrsctp_bindx(SCTP_BINDX_ADD_ADDR) of %s again", local2);
	sleep_ms(1000);
	check_laddrs(s, "after adding the second address again", both, 2, lport);
	exchange(s, 3);

	usrsctp_close(s);
	for (tries = 0; usrsctp_finish() != 0 && tries < 60; tries++) {
		sleep(1);
	}
	CHECK(tries < 60, "usrsctp_finish returns 0 (after %d s)", tries);
	if (failures == 0) {
		printf("RESULT: ok\n");
		return 0;
	}
	printf("RESULT: %d failed\n", failures);
	return 1;
}
