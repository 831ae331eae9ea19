/*
 * Stream reset (RFC 6525, RFC 6458 section 8.3.2): both ends enable
 * SCTP_ENABLE_STREAM_RESET (the server on its listening socket) and
 * subscribe to SCTP_STREAM_RESET_EVENT. The client sends three messages on
 * stream 1 and one on stream 2 (SSNs 0, 1, 2 and 0 at the server), then
 * resets its outgoing stream 1 with SCTP_RESET_STREAMS: the server is told
 * its incoming stream 1 was reset (SCTP_STREAM_RESET_INCOMING_SSN), the
 * client that its outgoing one was (SCTP_STREAM_RESET_OUTGOING_SSN). The
 * next message on stream 1 arrives with SSN 0 again; stream 2, not reset,
 * goes on with SSN 1.
 *
 * Then the server disables stream resets on its association: a second
 * reset request is denied (RFC 6525 section 6.3.1: without
 * SCTP_ENABLE_RESET_STREAM_REQ received requests are denied). The client's
 * event says SCTP_STREAM_RESET_DENIED, the server gets none, and stream 1
 * keeps its sequence numbers.
 */
#include "harness.h"

static char link_server, link_client;

struct expect {
	const char *text;
	uint16_t sid, ssn;
	int seen;
};

/* Reads the server's messages, checking each against `ex`; counts the
 * stream reset events (the last one in *ev). */
static void
poll_server(struct socket *a, struct expect *ex, int nex, int *resets, struct h_msg *ev)
{
	struct h_msg m;
	int i;

	while (h_recv(a, &m)) {
		if (m.n == 0) {
			CHECK(0, "server: no end of file yet");
			return;
		}
		if (m.flags & MSG_NOTIFICATION) {
			printf("server: notification %s\n", h_sn_name(m.u.sn.sn_header.sn_type));
			CHECK(m.u.sn.sn_header.sn_type == SCTP_STREAM_RESET_EVENT,
			      "server: the only notification is SCTP_STREAM_RESET_EVENT (got %s)",
			      h_sn_name(m.u.sn.sn_header.sn_type));
			if (m.u.sn.sn_header.sn_type == SCTP_STREAM_RESET_EVENT) {
				(*resets)++;
				*ev = m;
			}
			continue;
		}
		for (i = 0; i < nex && strcmp(ex[i].text, m.u.text) != 0; i++) {
		}
		if (i == nex) {
			CHECK(0, "server: message \"%s\" is one of those sent", m.u.text);
			continue;
		}
		ex[i].seen++;
		printf("server: \"%s\" on stream %u, SSN %u\n", m.u.text, m.rcv.rcv_sid, m.rcv.rcv_ssn);
		CHECK(m.infotype == SCTP_RECVV_RCVINFO && m.rcv.rcv_sid == ex[i].sid && m.rcv.rcv_ssn == ex[i].ssn,
		      "server: \"%s\" arrives on stream %u with SSN %u (got stream %u, SSN %u)", ex[i].text, ex[i].sid,
		      ex[i].ssn, m.rcv.rcv_sid, m.rcv.rcv_ssn);
	}
}

static int
all_seen(const struct expect *ex, int nex)
{
	int i;

	for (i = 0; i < nex; i++) {
		if (!ex[i].seen) {
			return 0;
		}
	}
	return 1;
}

/* Reads the client's notifications: counts the stream reset events. */
static void
poll_client(struct socket *c, int *resets, struct h_msg *ev)
{
	struct h_msg m;

	while (h_recv(c, &m) && m.n > 0) {
		CHECK(m.flags & MSG_NOTIFICATION, "client: only notifications arrive");
		if (m.flags & MSG_NOTIFICATION) {
			printf("client: notification %s\n", h_sn_name(m.u.sn.sn_header.sn_type));
			CHECK(m.u.sn.sn_header.sn_type == SCTP_STREAM_RESET_EVENT,
			      "client: the only notification is SCTP_STREAM_RESET_EVENT (got %s)",
			      h_sn_name(m.u.sn.sn_header.sn_type));
			if (m.u.sn.sn_header.sn_type == SCTP_STREAM_RESET_EVENT) {
				(*resets)++;
				*ev = m;
			}
		}
	}
}

/* Checks one SCTP_STREAM_RESET_EVENT: `flag` set, stream 1 alone listed. */
static void
check_event(const char *who, const struct h_msg *m, uint16_t flag, const char *flag_name)
{
	const struct sctp_stream_reset_event *e = &m->u.sn.sn_strreset_event;

	CHECK(m->flags & MSG_EOR, "%s: SCTP_STREAM_RESET_EVENT is complete (MSG_EOR)", who);
	CHECK((e->strreset_flags & flag) && !(e->strreset_flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)),
	      "%s: strreset_flags has %s, neither DENIED nor FAILED (got 0x%x)", who, flag_name, e->strreset_flags);
	CHECK(e->strreset_length == sizeof(struct sctp_stream_reset_event) + sizeof(uint16_t) &&
	      m->n == (ssize_t)e->strreset_length,
	      "%s: strreset_length is the header and one stream (%u, read %d)", who, e->strreset_length, (int)m->n);
	CHECK(e->strreset_length >= sizeof(struct sctp_stream_reset_event) + sizeof(uint16_t) &&
	      e->strreset_stream_list[0] == 1, "%s: strreset_stream_list is {1}", who);
}

/* Waits until everything the client sent is acknowledged. */
static void
wait_acked(struct socket *c, const char *when)
{
	WAIT_FOR(({
		struct sctp_status st;
		socklen_t len = sizeof(st);
		memset(&st, 0, sizeof(st));
		usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0 && st.sstat_unackdata == 0;
	}), 5000, "client: everything acknowledged %s", when);
}

static int
reset_stream_1(struct socket *c)
{
	uint8_t buf[sizeof(struct sctp_reset_streams) + sizeof(uint16_t)];
	struct sctp_reset_streams *srs = (struct sctp_reset_streams *)buf;

	memset(buf, 0, sizeof(buf));
	srs->srs_assoc_id = 0;
	srs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
	srs->srs_number_streams = 1;
	srs->srs_stream_list[0] = 1;
	return h_setopt(c, IPPROTO_SCTP, SCTP_RESET_STREAMS, srs, (socklen_t)sizeof(buf));
}

static int
enable_reset(struct socket *s, uint32_t value)
{
	struct sctp_assoc_value av;

	memset(&av, 0, sizeof(av));
	av.assoc_id = SCTP_FUTURE_ASSOC;
	av.assoc_value = value;
	return h_setopt(s, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof(av));
}

int
main(int argc, char *argv[])
{
	struct socket *c, *l, *a;
	struct expect before[] = {{"a0", 1, 0, 0}, {"a1", 1, 1, 0}, {"a2", 1, 2, 0}, {"b0", 2, 0, 0}};
	struct expect after[] = {{"a3", 1, 0, 0}, {"b1", 2, 1, 0}};
	struct expect denied[] = {{"a4", 1, 1, 0}};
	struct h_msg sev, cev;
	int sresets = 0, cresets = 0;
	unsigned i;
	uint64_t until;

	h_init(argc, argv);
	c = h_socket(SOCK_STREAM, &link_client, 5001);
	l = h_socket(SOCK_STREAM, &link_server, 5000);
	{
		struct sctp_initmsg im;

		memset(&im, 0, sizeof(im));
		im.sinit_num_ostreams = 4;
		REQUIRE(h_setopt(c, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im)) == 0, "client: SCTP_INITMSG 4 streams");
	}
	REQUIRE(enable_reset(c, SCTP_ENABLE_RESET_STREAM_REQ) == 0, "client: SCTP_ENABLE_STREAM_RESET RESET_STREAM_REQ");
	REQUIRE(enable_reset(l, SCTP_ENABLE_RESET_STREAM_REQ) == 0, "server: SCTP_ENABLE_STREAM_RESET RESET_STREAM_REQ");
	REQUIRE(h_subscribe(c, SCTP_STREAM_RESET_EVENT, 1) == 0, "client: SCTP_EVENT SCTP_STREAM_RESET_EVENT on");
	REQUIRE(h_subscribe(l, SCTP_STREAM_RESET_EVENT, 1) == 0, "server: SCTP_EVENT SCTP_STREAM_RESET_EVENT on");
	REQUIRE(usrsctp_listen(l, 1) == 0, "server: usrsctp_listen");
	h_connect(c, &link_client, 5000);
	WAIT_FOR((a = usrsctp_accept(l, NULL, NULL)) != NULL, 5000, "server: usrsctp_accept");
	REQUIRE(usrsctp_set_non_blocking(a, 1) == 0, "server: accepted socket non-blocking");
	WAIT_FOR(h_state(c) == SCTP_ESTABLISHED, 5000, "client: association established");
	h_set_int(a, IPPROTO_SCTP, SCTP_RECVRCVINFO, 1, "server: SCTP_RECVRCVINFO");

	for (i = 0; i < 4; i++) {
		CHECK(h_send(c, before[i].text, before[i].sid, 0, 0) == 2, "client: send \"%s\" on stream %u",
		      before[i].text, before[i].sid);
	}
	WAIT_FOR((poll_server(a, before, 4, &sresets, &sev), all_seen(before, 4)), 5000,
	         "server: the 4 messages before the reset");
	wait_acked(c, "before the reset");
	CHECK(sresets == 0, "server: no stream reset event before the reset");

	/* The reset. */
	CHECK(reset_stream_1(c) == 0, "client: SCTP_RESET_STREAMS outgoing {1}");
	WAIT_FOR((poll_server(a, before, 4, &sresets, &sev), poll_client(c, &cresets, &cev), sresets > 0 && cresets > 0),
	         5000, "SCTP_STREAM_RESET_EVENT on both sides");
	CHECK(sresets == 1 && cresets == 1, "one SCTP_STREAM_RESET_EVENT on each side (server %d, client %d)", sresets,
	      cresets);
	check_event("server", &sev, SCTP_STREAM_RESET_INCOMING_SSN, "SCTP_STREAM_RESET_INCOMING_SSN");
	check_event("client", &cev, SCTP_STREAM_RESET_OUTGOING_SSN, "SCTP_STREAM_RESET_OUTGOING_SSN");
	CHECK(!(cev.u.sn.sn_strreset_event.strreset_flags & SCTP_STREAM_RESET_DENIED),
	      "client: the reset was performed (no SCTP_STREAM_RESET_DENIED)");

	for (i = 0; i < 2; i++) {
		CHECK(h_send(c, after[i].text, after[i].sid, 0, 0) == 2, "client: send \"%s\" on stream %u", after[i].text,
		      after[i].sid);
	}
	WAIT_FOR((poll_server(a, after, 2, &sresets, &sev), all_seen(after, 2)), 5000,
	         "server: the 2 messages after the reset");
	CHECK(after[0].seen == 1 && after[1].seen == 1, "server: each message once");
	wait_acked(c, "after the reset");

	/* The server stops accepting resets: the next request is denied. */
	REQUIRE(enable_reset(a, 0) == 0, "server: SCTP_ENABLE_STREAM_RESET 0 on its association");
	sresets = cresets = 0;
	CHECK(reset_stream_1(c) == 0, "client: SCTP_RESET_STREAMS outgoing {1} again");
	WAIT_FOR((poll_server(a, denied, 1, &sresets, &sev), poll_client(c, &cresets, &cev), cresets > 0), 5000,
	         "client: SCTP_STREAM_RESET_EVENT for the second request");
	CHECK(cresets == 1 && (cev.u.sn.sn_strreset_event.strreset_flags & SCTP_STREAM_RESET_OUTGOING_SSN) &&
	      (cev.u.sn.sn_strreset_event.strreset_flags & SCTP_STREAM_RESET_DENIED),
	      "client: the second reset is denied (strreset_flags OUTGOING_SSN|DENIED, got 0x%x)",
	      cev.u.sn.sn_strreset_event.strreset_flags);
	for (until = h_now_ms() + 300; h_now_ms() < until; h_sleep_ms(5)) {
		h_tick();
		poll_server(a, denied, 1, &sresets, &sev);
	}
	CHECK(sresets == 0, "server: no SCTP_STREAM_RESET_EVENT for a denied request (got %d)", sresets);
	CHECK(h_send(c, denied[0].text, denied[0].sid, 0, 0) == 2, "client: send \"%s\" on stream 1", denied[0].text);
	WAIT_FOR((poll_server(a, denied, 1, &sresets, &sev), all_seen(denied, 1)), 5000,
	         "server: the message after the denied reset");

	usrsctp_close(c);
	usrsctp_close(a);
	usrsctp_close(l);
	return h_done();
}
