/*
 * Notifications (RFC 6458 section 6.1) through usrsctp_recvv: a client and
 * a listening server subscribe with SCTP_EVENT to SCTP_ASSOC_CHANGE,
 * SCTP_SHUTDOWN_EVENT and SCTP_SENDER_DRY_EVENT (the server on its
 * listening socket: the accepted socket inherits them). Checked: COMM_UP
 * arrives on both sides with MSG_NOTIFICATION and MSG_EOR and the right
 * sn_type and lengths; the client's SENDER_DRY once its message is
 * acknowledged; after the client's usrsctp_shutdown(SHUT_WR), the server's
 * SHUTDOWN_EVENT then SHUTDOWN_COMP, the client's SHUTDOWN_COMP, then end of
 * file (0) on both. No notification of a type not subscribed arrives.
 */
#include "harness.h"

static char link_server, link_client;

/* What one side has read so far. */
struct side {
	const char *name;
	struct socket *s;
	uint16_t seen[64];      /* notification types, in order of arrival */
	uint32_t states[64];    /* sac_state of SCTP_ASSOC_CHANGE, else 0 */
	int nseen;
	int data;               /* data messages */
	int eof;                /* usrsctp_recvv returned 0 */
	sctp_assoc_t assoc_id;  /* from COMM_UP */
};

static int
subscribed(uint16_t type)
{
	return type == SCTP_ASSOC_CHANGE || type == SCTP_SHUTDOWN_EVENT || type == SCTP_SENDER_DRY_EVENT;
}

/* Reads everything waiting on one side, checking each notification. */
static void
poll_side(struct side *sd)
{
	struct h_msg m;
	union sctp_notification *sn = &m.u.sn;

	while (!sd->eof && h_recv(sd->s, &m)) {
		if (m.n == 0) {
			sd->eof = 1;
			printf("%s: end of file\n", sd->name);
			break;
		}
		if (!(m.flags & MSG_NOTIFICATION)) {
			sd->data++;
			CHECK(m.flags & MSG_EOR, "%s: data message \"%s\" is complete (MSG_EOR)", sd->name, m.u.text);
			continue;
		}
		printf("%s: notification %s (%u bytes)\n", sd->name, h_sn_name(sn->sn_header.sn_type), (unsigned)m.n);
		CHECK(m.flags & MSG_EOR, "%s: notification %s is complete (MSG_EOR)", sd->name,
		      h_sn_name(sn->sn_header.sn_type));
		CHECK((size_t)m.n >= sizeof(struct sctp_tlv) && sn->sn_header.sn_length == (uint32_t)m.n,
		      "%s: %s: sn_length %u is the length usrsctp_recvv returned (%d)", sd->name,
		      h_sn_name(sn->sn_header.sn_type), sn->sn_header.sn_length, (int)m.n);
		CHECK(subscribed(sn->sn_header.sn_type), "%s: only subscribed notifications arrive (got type %u, %s)",
		      sd->name, sn->sn_header.sn_type, h_sn_name(sn->sn_header.sn_type));
		if (sd->nseen < 64) {
			sd->seen[sd->nseen] = sn->sn_header.sn_type;
			sd->states[sd->nseen] = sn->sn_header.sn_type == SCTP_ASSOC_CHANGE ? sn->sn_assoc_change.sac_state : 0;
			sd->nseen++;
		}
		switch (sn->sn_header.sn_type) {
		case SCTP_ASSOC_CHANGE: {
			struct sctp_assoc_change *sac = &sn->sn_assoc_change;

			CHECK(sac->sac_length >= sizeof(struct sctp_assoc_change),
			      "%s: SCTP_ASSOC_CHANGE: sac_length %u >= sizeof(struct sctp_assoc_change) (%u)", sd->name,
			      sac->sac_length, (unsigned)sizeof(struct sctp_assoc_change));
			if (sac->sac_state == SCTP_COMM_UP) {
				CHECK(sd->assoc_id == 0, "%s: one COMM_UP", sd->name);
				sd->assoc_id = sac->sac_assoc_id;
				CHECK(sac->sac_error == 0, "%s: COMM_UP: sac_error 0", sd->name);
				CHECK(sac->sac_outbound_streams > 0 && sac->sac_inbound_streams > 0,
				      "%s: COMM_UP: stream counts (out %u, in %u)", sd->name, sac->sac_outbound_streams,
				      sac->sac_inbound_streams);
				CHECK(m.infotype == SCTP_RECVV_NOINFO, "%s: COMM_UP: no rcvinfo (SCTP_RECVRCVINFO is off)", sd->name);
			} else if (sac->sac_state == SCTP_SHUTDOWN_COMP) {
				CHECK(sac->sac_assoc_id == sd->assoc_id, "%s: SHUTDOWN_COMP: sac_assoc_id is COMM_UP's", sd->name);
			} else {
				CHECK(0, "%s: SCTP_ASSOC_CHANGE state is COMM_UP or SHUTDOWN_COMP (got %u)", sd->name,
				      sac->sac_state);
			}
			break;
		}
		case SCTP_SHUTDOWN_EVENT:
			CHECK(sn->sn_shutdown_event.sse_length == sizeof(struct sctp_shutdown_event),
			      "%s: SCTP_SHUTDOWN_EVENT: sse_length is sizeof(struct sctp_shutdown_event)", sd->name);
			CHECK(sn->sn_shutdown_event.sse_assoc_id == sd->assoc_id,
			      "%s: SCTP_SHUTDOWN_EVENT: sse_assoc_id is COMM_UP's", sd->name);
			break;
		case SCTP_SENDER_DRY_EVENT:
			CHECK(sn->sn_sender_dry_event.sender_dry_length == sizeof(struct sctp_sender_dry_event),
			      "%s: SCTP_SENDER_DRY_EVENT: sender_dry_length is sizeof(struct sctp_sender_dry_event)", sd->name);
			CHECK(sn->sn_sender_dry_event.sender_dry_assoc_id == sd->assoc_id,
			      "%s: SCTP_SENDER_DRY_EVENT: sender_dry_assoc_id is COMM_UP's", sd->name);
			break;
		}
	}
}

/* Position of the first notification `type` (state `state` for
 * SCTP_ASSOC_CHANGE) at or after `from`, -1 if none. */
static int
find(const struct side *sd, uint16_t type, uint32_t state, int from)
{
	int i;

	for (i = from < 0 ? 0 : from; i < sd->nseen; i++) {
		if (sd->seen[i] == type && (type != SCTP_ASSOC_CHANGE || sd->states[i] == state)) {
			return i;
		}
	}
	return -1;
}

int
main(int argc, char *argv[])
{
	struct socket *l;
	struct side cl, sv;
	static const uint16_t types[] = {SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_EVENT, SCTP_SENDER_DRY_EVENT};
	unsigned i;
	int dry_before, up, sd_at, comp_at;

	memset(&cl, 0, sizeof(cl));
	memset(&sv, 0, sizeof(sv));
	cl.name = "client";
	sv.name = "server";
	h_init(argc, argv);
	l = h_socket(SOCK_STREAM, &link_server, 5000);
	cl.s = h_socket(SOCK_STREAM, &link_client, 5001);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		REQUIRE(h_subscribe(l, types[i], 1) == 0, "server: SCTP_EVENT %s on", h_sn_name(types[i]));
		REQUIRE(h_subscribe(cl.s, types[i], 1) == 0, "client: SCTP_EVENT %s on", h_sn_name(types[i]));
	}
	REQUIRE(usrsctp_listen(l, 1) == 0, "server: usrsctp_listen");
	h_connect(cl.s, &link_client, 5000);
	WAIT_FOR((sv.s = usrsctp_accept(l, NULL, NULL)) != NULL, 5000, "server: usrsctp_accept");
	REQUIRE(usrsctp_set_non_blocking(sv.s, 1) == 0, "server: accepted socket non-blocking");

	WAIT_FOR((poll_side(&cl), poll_side(&sv), cl.assoc_id != 0 && sv.assoc_id != 0), 5000,
	         "COMM_UP on both sides");
	CHECK(find(&cl, SCTP_ASSOC_CHANGE, SCTP_COMM_UP, 0) == 0, "client: the first notification is COMM_UP");
	CHECK(find(&sv, SCTP_ASSOC_CHANGE, SCTP_COMM_UP, 0) == 0,
	      "server: the first notification is COMM_UP (subscription inherited from the listening socket)");

	/* One message; once it is acknowledged, the client's sender is dry. */
	dry_before = cl.nseen;
	CHECK(h_send(cl.s, "ping", 0, 0, 0) == 4, "client: send \"ping\"");
	WAIT_FOR((poll_side(&cl), poll_side(&sv), sv.data == 1 && find(&cl, SCTP_SENDER_DRY_EVENT, 0, dry_before) >= 0),
	         5000, "server: \"ping\" received; client: SCTP_SENDER_DRY_EVENT after it");

	/* Graceful shutdown from the client. */
	REQUIRE(usrsctp_shutdown(cl.s, SHUT_WR) == 0, "client: usrsctp_shutdown(SHUT_WR)");
	WAIT_FOR((poll_side(&cl), poll_side(&sv), cl.eof && sv.eof), 5000, "end of file on both sides");
	up = find(&sv, SCTP_ASSOC_CHANGE, SCTP_COMM_UP, 0);
	sd_at = find(&sv, SCTP_SHUTDOWN_EVENT, 0, up);
	comp_at = find(&sv, SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_COMP, up);
	CHECK(sd_at > up, "server: SCTP_SHUTDOWN_EVENT after COMM_UP");
	CHECK(comp_at > sd_at, "server: SHUTDOWN_COMP after SCTP_SHUTDOWN_EVENT");
	CHECK(find(&cl, SCTP_ASSOC_CHANGE, SCTP_SHUTDOWN_COMP, 1) > 0, "client: SHUTDOWN_COMP");
	CHECK(find(&cl, SCTP_SHUTDOWN_EVENT, 0, 0) < 0,
	      "client: no SCTP_SHUTDOWN_EVENT (it sent the SHUTDOWN, it did not receive one)");

	usrsctp_close(cl.s);
	usrsctp_close(sv.s);
	usrsctp_close(l);
	return h_done();
}
