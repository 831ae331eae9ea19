/*
 * Socket options: usrsctp_setsockopt then usrsctp_getsockopt give back
 * what was set (SO_SNDBUF, SO_RCVBUF, SO_LINGER, SCTP_NODELAY,
 * SCTP_INITMSG, SCTP_RTOINFO, SCTP_PEER_ADDR_PARAMS, SCTP_EVENT,
 * SCTP_CONTEXT, SCTP_DEFAULT_SNDINFO, SCTP_REMOTE_UDP_ENCAPS_PORT,
 * SCTP_ENABLE_STREAM_RESET); bad values and unknown options fail with
 * EINVAL and ENOPROTOOPT. Then, on an established association: SCTP_STATUS
 * (state, negotiated stream counts), the association's SCTP_PEER_ADDR_PARAMS
 * taken from the socket's, and the effect of SCTP_DEFAULT_SNDINFO and
 * SCTP_CONTEXT on a message. Last, a closed handle gives EBADF (not with
 * --reference: in usrsctp that is a use after free).
 */
#include "harness.h"

static char link_server, link_client;

int
main(int argc, char *argv[])
{
	struct socket *c, *l, *a, *dead;
	socklen_t len;
	int v, rc;

	h_init(argc, argv);
	c = h_socket(SOCK_STREAM, &link_client, 5001);

	/* ---- SOL_SOCKET ---- */
	h_set_int(c, SOL_SOCKET, SO_SNDBUF, 1 << 20, "SO_SNDBUF");
	v = 0;
	len = sizeof(v);
	CHECK(usrsctp_getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && len == sizeof(int) && v == 1 << 20,
	      "SO_SNDBUF reads back %d (got %d)", 1 << 20, v);
	h_set_int(c, SOL_SOCKET, SO_RCVBUF, 1 << 17, "SO_RCVBUF");
	v = 0;
	len = sizeof(v);
	CHECK(usrsctp_getsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0 && len == sizeof(int) && v == 1 << 17,
	      "SO_RCVBUF reads back %d (got %d)", 1 << 17, v);
	{
		struct linger lg = {1, 10};

		CHECK(h_setopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "setsockopt SO_LINGER {1, 10}");
		memset(&lg, 0, sizeof(lg));
		len = sizeof(lg);
		CHECK(usrsctp_getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff != 0 && lg.l_linger == 10,
		      "SO_LINGER reads back on, 10 s (got %d, %d)", lg.l_onoff, lg.l_linger);
		lg.l_onoff = 0;
		lg.l_linger = 0;
		CHECK(h_setopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0, "setsockopt SO_LINGER {0, 0}");
		lg.l_onoff = 1;
		len = sizeof(lg);
		CHECK(usrsctp_getsockopt(c, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 0,
		      "SO_LINGER reads back off (got %d)", lg.l_onoff);
	}

	/* ---- IPPROTO_SCTP ---- */
	h_set_int(c, IPPROTO_SCTP, SCTP_NODELAY, 1, "SCTP_NODELAY");
	v = 0;
	len = sizeof(v);
	CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_NODELAY, &v, &len) == 0 && v == 1, "SCTP_NODELAY reads back 1");
	h_set_int(c, IPPROTO_SCTP, SCTP_NODELAY, 0, "SCTP_NODELAY");
	v = 1;
	len = sizeof(v);
	CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_NODELAY, &v, &len) == 0 && v == 0, "SCTP_NODELAY reads back 0");

	{
		struct sctp_initmsg im;

		memset(&im, 0, sizeof(im));
		im.sinit_num_ostreams = 17;
		im.sinit_max_instreams = 19;
		im.sinit_max_attempts = 3;
		im.sinit_max_init_timeo = 1000;
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im)) == 0, "setsockopt SCTP_INITMSG");
		memset(&im, 0, sizeof(im));
		len = sizeof(im);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_INITMSG, &im, &len) == 0 && len == sizeof(im) &&
		      im.sinit_num_ostreams == 17 && im.sinit_max_instreams == 19 && im.sinit_max_attempts == 3 &&
		      im.sinit_max_init_timeo == 1000,
		      "SCTP_INITMSG reads back {17, 19, 3, 1000} (got {%u, %u, %u, %u})", im.sinit_num_ostreams,
		      im.sinit_max_instreams, im.sinit_max_attempts, im.sinit_max_init_timeo);
	}

	{
		struct sctp_rtoinfo rto;

		memset(&rto, 0, sizeof(rto));
		rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
		rto.srto_initial = 500;
		rto.srto_max = 4000;
		rto.srto_min = 200;
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto)) == 0, "setsockopt SCTP_RTOINFO");
		memset(&rto, 0, sizeof(rto));
		len = sizeof(rto);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_RTOINFO, &rto, &len) == 0 && rto.srto_initial == 500 &&
		      rto.srto_max == 4000 && rto.srto_min == 200,
		      "SCTP_RTOINFO reads back {500, 4000, 200} (got {%u, %u, %u})", rto.srto_initial, rto.srto_max,
		      rto.srto_min);
		rto.srto_initial = 100;
		rto.srto_max = 50;
		rto.srto_min = 200;
		errno = 0;
		rc = h_setopt(c, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto));
		CHECK(rc == -1 && errno == EINVAL, "SCTP_RTOINFO with min > max fails with EINVAL");
	}

	{
		struct sctp_paddrparams pp;

		memset(&pp, 0, sizeof(pp));
		pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
		pp.spp_flags = SPP_HB_ENABLE;
		pp.spp_hbinterval = 12345;
		pp.spp_pathmaxrxt = 7;
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof(pp)) == 0,
		      "setsockopt SCTP_PEER_ADDR_PARAMS (heartbeat 12345 ms, pathmaxrxt 7)");
		memset(&pp, 0, sizeof(pp));
		len = sizeof(pp);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, &len) == 0 &&
		      pp.spp_hbinterval == 12345 && pp.spp_pathmaxrxt == 7 && (pp.spp_flags & SPP_HB_ENABLE),
		      "SCTP_PEER_ADDR_PARAMS reads back heartbeat on, 12345 ms, pathmaxrxt 7 (got flags 0x%x, %u ms, %u)",
		      pp.spp_flags, pp.spp_hbinterval, pp.spp_pathmaxrxt);
	}

	{
		struct sctp_event ev;

		REQUIRE(h_subscribe(c, SCTP_ASSOC_CHANGE, 1) == 0, "SCTP_EVENT SCTP_ASSOC_CHANGE on");
		memset(&ev, 0, sizeof(ev));
		ev.se_type = SCTP_ASSOC_CHANGE;
		len = sizeof(ev);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_EVENT, &ev, &len) == 0 && ev.se_on == 1,
		      "SCTP_EVENT SCTP_ASSOC_CHANGE reads back se_on 1");
		memset(&ev, 0, sizeof(ev));
		ev.se_type = SCTP_SHUTDOWN_EVENT;
		ev.se_on = 1;
		len = sizeof(ev);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_EVENT, &ev, &len) == 0 && ev.se_on == 0,
		      "SCTP_EVENT SCTP_SHUTDOWN_EVENT (never set) reads back se_on 0");
		REQUIRE(h_subscribe(c, SCTP_ASSOC_CHANGE, 0) == 0, "SCTP_EVENT SCTP_ASSOC_CHANGE off");
		memset(&ev, 0, sizeof(ev));
		ev.se_type = SCTP_ASSOC_CHANGE;
		ev.se_on = 1;
		len = sizeof(ev);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_EVENT, &ev, &len) == 0 && ev.se_on == 0,
		      "SCTP_EVENT SCTP_ASSOC_CHANGE reads back se_on 0");
	}

	{
		struct sctp_assoc_value av;

		memset(&av, 0, sizeof(av));
		av.assoc_id = SCTP_FUTURE_ASSOC;
		av.assoc_value = 42;
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_CONTEXT, &av, sizeof(av)) == 0, "setsockopt SCTP_CONTEXT 42");
		memset(&av, 0, sizeof(av));
		len = sizeof(av);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_CONTEXT, &av, &len) == 0 && av.assoc_value == 42,
		      "SCTP_CONTEXT reads back 42 (got %u)", av.assoc_value);
	}

	{
		struct sctp_sndinfo si;
		struct sctp_assoc_value av;

		memset(&si, 0, sizeof(si));
		si.snd_sid = 3;
		si.snd_flags = SCTP_UNORDERED;
		si.snd_ppid = htonl(99);
		si.snd_context = 7;
		si.snd_assoc_id = SCTP_FUTURE_ASSOC;
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_DEFAULT_SNDINFO, &si, sizeof(si)) == 0,
		      "setsockopt SCTP_DEFAULT_SNDINFO {sid 3, SCTP_UNORDERED, ppid 99, context 7}");
		memset(&si, 0, sizeof(si));
		len = sizeof(si);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_DEFAULT_SNDINFO, &si, &len) == 0 && si.snd_sid == 3 &&
		      si.snd_flags == SCTP_UNORDERED && ntohl(si.snd_ppid) == 99 && si.snd_context == 7,
		      "SCTP_DEFAULT_SNDINFO reads back {3, SCTP_UNORDERED, 99, 7} (got {%u, 0x%x, %u, %u})", si.snd_sid,
		      si.snd_flags, ntohl(si.snd_ppid), si.snd_context);
		/* snd_context is the context of send failures; SCTP_CONTEXT the
		 * one of received messages: two settings (RFC 6458 8.1.13, 8.1.31). */
		memset(&av, 0, sizeof(av));
		len = sizeof(av);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_CONTEXT, &av, &len) == 0 && av.assoc_value == 42,
		      "SCTP_CONTEXT still reads 42 after SCTP_DEFAULT_SNDINFO's snd_context 7 (got %u)", av.assoc_value);
	}

	{
		struct sctp_udpencaps ue;

		memset(&ue, 0, sizeof(ue));
		ue.sue_assoc_id = SCTP_FUTURE_ASSOC;
		ue.sue_port = htons(9899);
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &ue, sizeof(ue)) == 0,
		      "setsockopt SCTP_REMOTE_UDP_ENCAPS_PORT 9899");
		memset(&ue, 0, sizeof(ue));
		len = sizeof(ue);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &ue, &len) == 0 &&
		      ntohs(ue.sue_port) == 9899,
		      "SCTP_REMOTE_UDP_ENCAPS_PORT reads back 9899 (got %u)", ntohs(ue.sue_port));
		ue.sue_port = 0;
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &ue, sizeof(ue)) == 0,
		      "setsockopt SCTP_REMOTE_UDP_ENCAPS_PORT 0 (AF_CONN needs none)");
	}

	{
		struct sctp_assoc_value av;

		memset(&av, 0, sizeof(av));
		av.assoc_id = SCTP_FUTURE_ASSOC;
		av.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ | SCTP_ENABLE_CHANGE_ASSOC_REQ;
		CHECK(h_setopt(c, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, sizeof(av)) == 0,
		      "setsockopt SCTP_ENABLE_STREAM_RESET");
		memset(&av, 0, sizeof(av));
		len = sizeof(av);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av, &len) == 0 &&
		      av.assoc_value == (SCTP_ENABLE_RESET_STREAM_REQ | SCTP_ENABLE_CHANGE_ASSOC_REQ),
		      "SCTP_ENABLE_STREAM_RESET reads back RESET_STREAM_REQ|CHANGE_ASSOC_REQ (got 0x%x)", av.assoc_value);
	}

	{
		char buf[64];

		len = sizeof(buf);
		errno = 0;
		rc = usrsctp_getsockopt(c, IPPROTO_SCTP, 0x7777, buf, &len);
		CHECK(rc == -1 && errno == ENOPROTOOPT, "getsockopt of an unknown option fails with ENOPROTOOPT");
		memset(buf, 0, sizeof(buf));
		errno = 0;
		rc = usrsctp_setsockopt(c, IPPROTO_SCTP, 0x7777, buf, sizeof(buf));
		CHECK(rc == -1 && errno == ENOPROTOOPT, "setsockopt of an unknown option fails with ENOPROTOOPT");
	}

	/* ---- on an association ---- */
	l = h_socket(SOCK_STREAM, &link_server, 5000);
	{
		struct sctp_initmsg im;
		struct sctp_assoc_value av;

		memset(&im, 0, sizeof(im));
		im.sinit_num_ostreams = 5;
		im.sinit_max_instreams = 100;
		CHECK(h_setopt(l, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im)) == 0, "server: setsockopt SCTP_INITMSG");
		memset(&av, 0, sizeof(av));
		av.assoc_id = SCTP_FUTURE_ASSOC;
		av.assoc_value = 1234;
		CHECK(h_setopt(l, IPPROTO_SCTP, SCTP_CONTEXT, &av, sizeof(av)) == 0, "server: setsockopt SCTP_CONTEXT 1234");
	}
	REQUIRE(usrsctp_listen(l, 1) == 0, "server: usrsctp_listen");
	h_connect(c, &link_client, 5000);
	WAIT_FOR((a = usrsctp_accept(l, NULL, NULL)) != NULL, 5000, "server: usrsctp_accept");
	REQUIRE(usrsctp_set_non_blocking(a, 1) == 0, "server: accepted socket non-blocking");
	WAIT_FOR(h_state(c) == SCTP_ESTABLISHED, 5000, "client: association established");

	{
		struct sctp_status st;

		memset(&st, 0, sizeof(st));
		len = sizeof(st);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0 &&
		      st.sstat_state == SCTP_ESTABLISHED, "client: SCTP_STATUS sstat_state is SCTP_ESTABLISHED");
		CHECK(st.sstat_outstrms == 17 && st.sstat_instrms == 5,
		      "client: SCTP_STATUS streams out 17 (asked 17, peer takes 100), in 5 (peer sends 5) (got out %u, in %u)",
		      st.sstat_outstrms, st.sstat_instrms);
		CHECK(st.sstat_assoc_id > SCTP_ALL_ASSOC, "client: SCTP_STATUS sstat_assoc_id is an association's");
		CHECK(st.sstat_primary.spinfo_address.ss_family == AF_CONN,
		      "client: SCTP_STATUS primary path is an AF_CONN address");
		CHECK(st.sstat_fragmentation_point > 0, "client: SCTP_STATUS fragmentation point (%u)",
		      st.sstat_fragmentation_point);
		memset(&st, 0, sizeof(st));
		len = sizeof(st);
		CHECK(usrsctp_getsockopt(a, IPPROTO_SCTP, SCTP_STATUS, &st, &len) == 0 &&
		      st.sstat_state == SCTP_ESTABLISHED && st.sstat_outstrms == 5 && st.sstat_instrms == 17,
		      "server: SCTP_STATUS established, streams out 5, in 17 (got state 0x%x, out %u, in %u)",
		      st.sstat_state, st.sstat_outstrms, st.sstat_instrms);
	}
	{
		struct sctp_paddrparams pp;
		struct sockaddr_conn peer;

		/* The path to the peer (usrsctp knows no AF_CONN wildcard here). */
		memset(&pp, 0, sizeof(pp));
		h_sconn(&peer, &link_client, 5000);
		memcpy(&pp.spp_address, &peer, sizeof(peer));
		len = sizeof(pp);
		CHECK(usrsctp_getsockopt(c, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, &len) == 0 &&
		      pp.spp_hbinterval == 12345 && pp.spp_pathmaxrxt == 7 && (pp.spp_flags & SPP_HB_ENABLE),
		      "client: the path's SCTP_PEER_ADDR_PARAMS are the socket's: heartbeat on, 12345 ms, pathmaxrxt 7 "
		      "(got flags 0x%x, %u ms, %u)", pp.spp_flags, pp.spp_hbinterval, pp.spp_pathmaxrxt);
	}
	{
		struct h_msg m;
		int got = 0;

		h_set_int(a, IPPROTO_SCTP, SCTP_RECVRCVINFO, 1, "server: SCTP_RECVRCVINFO");
		CHECK(usrsctp_sendv(c, "defaults", 8, NULL, 0, NULL, 0, SCTP_SENDV_NOINFO, 0) == 8,
		      "client: usrsctp_sendv without info");
		WAIT_FOR((got = h_recv(a, &m)) != 0 || (m.err != EWOULDBLOCK && m.err != EAGAIN), 5000,
		         "server: usrsctp_recvv returns the message");
		REQUIRE(got && strcmp(m.u.text, "defaults") == 0 && !(m.flags & MSG_NOTIFICATION),
		        "server: the message is \"defaults\"");
		CHECK(m.infotype == SCTP_RECVV_RCVINFO && m.rcv.rcv_sid == 3 && ntohl(m.rcv.rcv_ppid) == 99 &&
		      (m.rcv.rcv_flags & SCTP_UNORDERED),
		      "server: sent with the client's SCTP_DEFAULT_SNDINFO: sid 3, ppid 99, unordered (got sid %u, ppid %u, flags 0x%x)",
		      m.rcv.rcv_sid, ntohl(m.rcv.rcv_ppid), m.rcv.rcv_flags);
		CHECK(m.rcv.rcv_context == 1234,
		      "server: rcv_context is the server's SCTP_CONTEXT 1234 (got %u)", m.rcv.rcv_context);
	}

	usrsctp_close(c);
	usrsctp_close(a);
	usrsctp_close(l);

	/* A handle after usrsctp_close: EBADF (usrsctp itself would use freed memory). */
	dead = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
	REQUIRE(dead != NULL, "usrsctp_socket for the closed-handle check");
	usrsctp_close(dead);
	if (!h_reference) {
		v = 0;
		len = sizeof(v);
		errno = 0;
		rc = usrsctp_getsockopt(dead, SOL_SOCKET, SO_SNDBUF, &v, &len);
		CHECK(rc == -1 && errno == EBADF, "usrsctp_getsockopt on a closed socket fails with EBADF");
		errno = 0;
		rc = usrsctp_setsockopt(dead, IPPROTO_SCTP, SCTP_NODELAY, &v, sizeof(v));
		CHECK(rc == -1 && errno == EBADF, "usrsctp_setsockopt on a closed socket fails with EBADF");
	}
	return h_done();
}
