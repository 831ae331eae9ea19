/*
 * One-to-many: a SOCK_SEQPACKET server listening on AF_CONN port 5000 and
 * three one-to-one clients (ports 5001-5003, each on its own AF_CONN link)
 * connecting to it. Each client sends a message; the server receives the
 * three with usrsctp_recvv (SCTP_RECVRCVINFO on), which must carry three
 * distinct association identifiers, and answers each with usrsctp_sendv on
 * that association (snd_assoc_id); every client gets its own answer.
 */
#include "harness.h"

#define CLIENTS 3
#define SERVER_PORT 5000

static char link_server;
static char link_client[CLIENTS];

int
main(int argc, char *argv[])
{
	struct socket *srv, *cl[CLIENTS];
	sctp_assoc_t ids[CLIENTS] = {0};
	int got[CLIENTS] = {0}, replied[CLIENTS] = {0};
	int i, j, nreceived = 0, nreplies = 0, distinct, bad_errno = 0;
	struct h_msg m;
	char text[64];

	h_init(argc, argv);

	srv = h_socket(SOCK_SEQPACKET, &link_server, SERVER_PORT);
	h_set_int(srv, IPPROTO_SCTP, SCTP_RECVRCVINFO, 1, "server SCTP_RECVRCVINFO");
	REQUIRE(usrsctp_listen(srv, 1) == 0, "usrsctp_listen on the SOCK_SEQPACKET server");

	for (i = 0; i < CLIENTS; i++) {
		cl[i] = h_socket(SOCK_STREAM, &link_client[i], (uint16_t)(5001 + i));
		h_set_int(cl[i], IPPROTO_SCTP, SCTP_RECVRCVINFO, 1, "client SCTP_RECVRCVINFO");
		h_connect(cl[i], &link_client[i], SERVER_PORT);
	}
	for (i = 0; i < CLIENTS; i++) {
		WAIT_FOR(h_state(cl[i]) == SCTP_ESTABLISHED, 5000, "client %d: association established", i);
	}

	for (i = 0; i < CLIENTS; i++) {
		snprintf(text, sizeof(text), "hello from client %d", i);
		CHECK(h_send(cl[i], text, 0, 100 + i, 0) == (ssize_t)strlen(text),
		      "client %d: usrsctp_sendv sends the whole message", i);
	}

	/* The server reads whatever arrives, in any order, and answers. */
	WAIT_FOR(({
		while (h_recv(srv, &m)) {
			if (m.flags & MSG_NOTIFICATION) {
				CHECK(0, "server: no notification when none is subscribed (got %s)",
				      h_sn_name(m.u.sn.sn_header.sn_type));
				continue;
			}
			if (sscanf(m.u.text, "hello from client %d", &i) != 1 || i < 0 || i >= CLIENTS) {
				CHECK(0, "server: message is a client's hello (got \"%s\")", m.u.text);
				continue;
			}
			nreceived++;
			got[i]++;
			CHECK(m.flags & MSG_EOR, "server: message of client %d is complete (MSG_EOR)", i);
			CHECK(m.infotype == SCTP_RECVV_RCVINFO && m.infolen == sizeof(struct sctp_rcvinfo),
			      "server: usrsctp_recvv gives an sctp_rcvinfo (infotype %u, infolen %u)",
			      m.infotype, (unsigned)m.infolen);
			CHECK(m.rcv.rcv_sid == 0 && ntohl(m.rcv.rcv_ppid) == (uint32_t)(100 + i),
			      "server: rcv_sid 0 and rcv_ppid %d of client %d", 100 + i, i);
			CHECK(m.fromlen == sizeof(struct sockaddr_conn) && m.from.sconn_family == AF_CONN &&
			      ntohs(m.from.sconn_port) == 5001 + i,
			      "server: message of client %d comes from AF_CONN port %d", i, 5001 + i);
			CHECK(m.rcv.rcv_assoc_id > SCTP_ALL_ASSOC,
			      "server: rcv_assoc_id of client %d is a real association (not 0, 1, 2)", i);
			ids[i] = m.rcv.rcv_assoc_id;
			snprintf(text, sizeof(text), "reply to client %d", i);
			CHECK(h_send(srv, text, 0, 200 + i, ids[i]) == (ssize_t)strlen(text),
			      "server: usrsctp_sendv with snd_assoc_id of client %d", i);
		}
		if (m.err != EWOULDBLOCK && m.err != EAGAIN) {
			bad_errno = m.err;
		}
		nreceived >= CLIENTS;
	}), 5000, "server: %d messages received", CLIENTS);

	errno = bad_errno;
	CHECK(bad_errno == 0, "server: usrsctp_recvv on an empty non-blocking socket fails with EWOULDBLOCK");
	for (i = 0; i < CLIENTS; i++) {
		CHECK(got[i] == 1, "server: exactly one message from client %d", i);
	}
	distinct = 1;
	for (i = 0; i < CLIENTS; i++) {
		for (j = i + 1; j < CLIENTS; j++) {
			if (ids[i] == ids[j]) {
				distinct = 0;
			}
		}
	}
	CHECK(distinct, "server: %d messages from %d distinct associations", CLIENTS, CLIENTS);

	{
		uint32_t number = 0;
		socklen_t len = sizeof(number);
		CHECK(usrsctp_getsockopt(srv, IPPROTO_SCTP, SCTP_GET_ASSOC_NUMBER, &number, &len) == 0 &&
		      number == CLIENTS, "server: SCTP_GET_ASSOC_NUMBER is %d (got %u)", CLIENTS, number);
	}
	{
		uint32_t buf[1 + 8];
		struct sctp_assoc_ids *list = (struct sctp_assoc_ids *)buf;
		socklen_t len = sizeof(buf);
		int found = 0;
		memset(buf, 0, sizeof(buf));
		CHECK(usrsctp_getsockopt(srv, IPPROTO_SCTP, SCTP_GET_ASSOC_ID_LIST, list, &len) == 0,
		      "server: SCTP_GET_ASSOC_ID_LIST");
		for (i = 0; i < CLIENTS; i++) {
			for (j = 0; j < (int)list->gaids_number_of_ids && j < 8; j++) {
				if (list->gaids_assoc_id[j] == ids[i]) {
					found++;
					break;
				}
			}
		}
		CHECK(list->gaids_number_of_ids == CLIENTS && found == CLIENTS,
		      "server: SCTP_GET_ASSOC_ID_LIST lists the %d associations", CLIENTS);
	}
	for (i = 0; i < CLIENTS; i++) {
		struct sockaddr *addrs = NULL;
		int n = usrsctp_getpaddrs(srv, ids[i], &addrs);
		CHECK(n == 1 && addrs != NULL && ((struct sockaddr_conn *)addrs)->sconn_family == AF_CONN &&
		      ntohs(((struct sockaddr_conn *)addrs)->sconn_port) == 5001 + i,
		      "server: usrsctp_getpaddrs of client %d's association is AF_CONN port %d", i, 5001 + i);
		if (n > 0) {
			usrsctp_freepaddrs(addrs);
		}
	}

	WAIT_FOR(({
		for (i = 0; i < CLIENTS; i++) {
			while (h_recv(cl[i], &m)) {
				snprintf(text, sizeof(text), "reply to client %d", i);
				CHECK(!(m.flags & MSG_NOTIFICATION) && strcmp(m.u.text, text) == 0,
				      "client %d: got its reply (got \"%s\")", i, m.u.text);
				CHECK(ntohl(m.rcv.rcv_ppid) == (uint32_t)(200 + i), "client %d: reply has ppid %d", i, 200 + i);
				replied[i]++;
				nreplies++;
			}
		}
		nreplies >= CLIENTS;
	}), 5000, "clients: %d replies received", CLIENTS);
	for (i = 0; i < CLIENTS; i++) {
		CHECK(replied[i] == 1, "client %d: exactly one reply", i);
	}

	/* usrsctp_peeloff (RFC 6458 section 9.2): client 0's association moves to
	 * its own one-to-one socket; the one-to-many socket keeps the others. */
	{
		struct socket *peeled = usrsctp_peeloff(srv, ids[0]);
		uint32_t number = 0;
		socklen_t len = sizeof(number);
		int got_peeled = 0, got_srv = 0;

		REQUIRE(peeled != NULL, "server: usrsctp_peeloff of client 0's association");
		usrsctp_set_non_blocking(peeled, 1);
		CHECK(usrsctp_getsockopt(srv, IPPROTO_SCTP, SCTP_GET_ASSOC_NUMBER, &number, &len) == 0 &&
		      number == CLIENTS - 1, "server: %d associations left after the peel-off (got %u)", CLIENTS - 1, number);
		CHECK(h_send(cl[0], "to the peeled socket", 0, 300, 0) == 20, "client 0: send after the peel-off");
		CHECK(h_send(cl[1], "to the server socket", 0, 301, 0) == 20, "client 1: send after the peel-off");
		WAIT_FOR(({
			while (h_recv(peeled, &m)) {
				CHECK(strcmp(m.u.text, "to the peeled socket") == 0, "peeled socket: client 0's message (got \"%s\")", m.u.text);
				got_peeled++;
			}
			while (h_recv(srv, &m)) {
				CHECK(strcmp(m.u.text, "to the server socket") == 0 && m.rcv.rcv_assoc_id == ids[1],
				      "server socket: client 1's message (got \"%s\")", m.u.text);
				got_srv++;
			}
			got_peeled > 0 && got_srv > 0;
		}), 5000, "messages after the peel-off on the right sockets");
		CHECK(got_peeled == 1 && got_srv == 1, "one message each after the peel-off");
		CHECK(h_send(peeled, "from the peeled socket", 0, 302, 0) == 22, "peeled socket: send to client 0");
		WAIT_FOR(({
			int r = 0;
			while (h_recv(cl[0], &m)) {
				r = strcmp(m.u.text, "from the peeled socket") == 0;
			}
			r;
		}), 5000, "client 0: the peeled socket's message");
		usrsctp_close(peeled);
	}

	for (i = 0; i < CLIENTS; i++) {
		usrsctp_close(cl[i]);
	}
	usrsctp_close(srv);
	return h_done();
}
