//! A usrsctp socket: what the application configured and which
//! associations it holds (RFC 6458 section 3 one-to-many, section 4
//! one-to-one).

use std::collections::VecDeque;
use std::net::IpAddr;

use super::AssocId;
use super::callbacks::{ReceiveCb, SendCb, UpcallFn};

/// The address family a socket was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// AF_INET.
    Inet,
    /// AF_INET6 (IPv4 peers too, as mapped addresses or plain).
    Inet6,
    /// AF_CONN: the application moves the packets.
    Conn,
}

/// Options set with `usrsctp_setsockopt` that outlive one association.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Notification types switched on (bit = type, RFC 6458 SCTP_EVENT).
    pub(crate) events: u32,
    /// SCTP_RECVRCVINFO.
    pub(crate) recv_rcvinfo: bool,
    /// SCTP_RECVNXTINFO.
    pub(crate) recv_nxtinfo: bool,
    /// SCTP_NODELAY: Nagle off.
    pub(crate) nodelay: bool,
    /// SCTP_INITMSG: outbound streams asked for.
    pub(crate) out_streams: u16,
    /// SCTP_INITMSG: inbound streams allowed.
    pub(crate) in_streams: u16,
    /// SCTP_INITMSG: INIT retransmissions.
    pub(crate) max_init_attempts: u16,
    /// SCTP_INITMSG: RTO.Max for INIT, ms (0: the default).
    pub(crate) max_init_timeo: u16,
    /// SCTP_RTOINFO, ms.
    pub(crate) rto_initial: u32,
    /// SCTP_RTOINFO, ms.
    pub(crate) rto_max: u32,
    /// SCTP_RTOINFO, ms.
    pub(crate) rto_min: u32,
    /// SCTP_ASSOCINFO: Association.Max.Retrans.
    pub(crate) assoc_max_retrans: u16,
    /// SCTP_ASSOCINFO: Valid.Cookie.Life, ms.
    pub(crate) cookie_life: u32,
    /// SCTP_PEER_ADDR_PARAMS: heartbeat interval, ms (0 with `hb_enabled` false: off).
    pub(crate) hb_interval: u32,
    /// SCTP_PEER_ADDR_PARAMS: heartbeats on.
    pub(crate) hb_enabled: bool,
    /// SCTP_PEER_ADDR_PARAMS: Path.Max.Retrans.
    pub(crate) path_max_retrans: u16,
    /// SCTP_PEER_ADDR_PARAMS: a fixed path MTU (PMTUD disabled).
    pub(crate) path_mtu: Option<u32>,
    /// SO_SNDBUF.
    pub(crate) sndbuf: u32,
    /// SO_RCVBUF.
    pub(crate) rcvbuf: u32,
    /// SCTP_CONTEXT: the context given with received messages.
    pub(crate) context: u32,
    /// SCTP_DEFAULT_SNDINFO: the context of sends (returned with failures).
    pub(crate) default_context: u32,
    /// SCTP_DEFAULT_SNDINFO: stream.
    pub(crate) default_sid: u16,
    /// SCTP_DEFAULT_SNDINFO: flags.
    pub(crate) default_flags: u16,
    /// SCTP_DEFAULT_SNDINFO: PPID (network byte order, as given).
    pub(crate) default_ppid: u32,
    /// SCTP_DEFAULT_PRINFO: policy.
    pub(crate) default_pr_policy: u16,
    /// SCTP_DEFAULT_PRINFO: value.
    pub(crate) default_pr_value: u32,
    /// SCTP_REMOTE_UDP_ENCAPS_PORT: the peer's UDP port, 0 for raw IP.
    pub(crate) remote_udp_port: u16,
    /// SO_LINGER.
    pub(crate) linger: Option<u32>,
    /// SCTP_I_WANT_MAPPED_V4_ADDR.
    pub(crate) mapped_v4: bool,
    /// SCTP_EXPLICIT_EOR.
    pub(crate) explicit_eor: bool,
    /// SCTP_FRAGMENT_INTERLEAVE.
    pub(crate) fragment_interleave: u32,
    /// SCTP_PARTIAL_DELIVERY_POINT.
    pub(crate) pd_point: u32,
    /// SCTP_MAXSEG (0: the path MTU decides).
    pub(crate) maxseg: u32,
    /// SCTP_MAX_BURST.
    pub(crate) max_burst: u32,
    /// SCTP_DELAYED_SACK: delay, ms.
    pub(crate) sack_delay: u32,
    /// SCTP_DELAYED_SACK: frequency.
    pub(crate) sack_freq: u32,
    /// SCTP_REUSE_PORT.
    pub(crate) reuse_port: bool,
    /// SCTP_AUTOCLOSE, seconds (accepted, not acted on).
    pub(crate) autoclose: u32,
    /// SCTP_ADAPTATION_LAYER.
    pub(crate) adaptation: Option<u32>,
    /// SCTP_ENABLE_STREAM_RESET flags.
    pub(crate) stream_reset: u32,
    /// SCTP_PR_SUPPORTED.
    pub(crate) pr_supported: bool,
    /// SCTP_RECONFIG_SUPPORTED.
    pub(crate) reconfig_supported: bool,
    /// SCTP_INTERLEAVING_SUPPORTED.
    pub(crate) interleaving: bool,
    /// SCTP_AUTH / ASCONF supported.
    pub(crate) asconf_supported: bool,
    /// SCTP_AUTH supported.
    pub(crate) auth_supported: bool,
}

impl Options {
    /// usrsctp's defaults, taken from the stack-wide sysctl values.
    pub(crate) fn new(sys: &super::Sysctl) -> Self {
        Self {
            events: 0,
            recv_rcvinfo: false,
            recv_nxtinfo: false,
            nodelay: false,
            out_streams: sys.out_streams,
            in_streams: sys.in_streams,
            max_init_attempts: sys.init_rtx_max as u16,
            max_init_timeo: 0,
            rto_initial: sys.rto_initial,
            rto_max: sys.rto_max,
            rto_min: sys.rto_min,
            assoc_max_retrans: sys.assoc_rtx_max as u16,
            cookie_life: sys.cookie_life,
            hb_interval: sys.hb_interval,
            hb_enabled: true,
            path_max_retrans: sys.path_rtx_max as u16,
            path_mtu: None,
            sndbuf: sys.sendspace,
            rcvbuf: sys.recvspace,
            context: 0,
            default_context: 0,
            default_sid: 0,
            default_flags: 0,
            default_ppid: 0,
            default_pr_policy: 0,
            default_pr_value: 0,
            remote_udp_port: 0,
            linger: None,
            mapped_v4: false,
            explicit_eor: false,
            fragment_interleave: 0,
            pd_point: 0,
            maxseg: 0,
            max_burst: sys.max_burst,
            sack_delay: sys.sack_delay,
            sack_freq: sys.sack_freq,
            reuse_port: false,
            autoclose: 0,
            adaptation: None,
            stream_reset: 0,
            pr_supported: sys.pr_enable,
            reconfig_supported: sys.reconfig_enable,
            interleaving: false,
            asconf_supported: sys.asconf_enable,
            auth_supported: sys.auth_enable,
        }
    }

    /// Whether notification type `t` is switched on.
    pub(crate) fn wants(&self, t: u16) -> bool {
        t < 32 && self.events & (1 << t) != 0
    }
}

/// The application's callbacks given to `usrsctp_socket`.
#[derive(Clone, Copy, Default)]
pub(crate) struct Callbacks {
    /// Data and notifications, pushed from the stack's threads.
    pub(crate) receive: Option<ReceiveCb>,
    /// Free send space at or above `threshold`.
    pub(crate) send: Option<SendCb>,
    /// For `send`.
    pub(crate) threshold: u32,
    /// Passed back to both.
    pub(crate) ulp_info: usize,
}

/// What is left of a message larger than the reader's buffer.
pub(crate) struct Partial {
    /// Its association.
    pub(crate) assoc: AssocId,
    /// The bytes not read yet.
    pub(crate) rest: bytes::Bytes,
    /// Its receive information.
    pub(crate) info: super::RcvInfo,
    /// Whether it is a notification.
    pub(crate) notification: bool,
    /// Whether its last byte ends the message.
    pub(crate) eor: bool,
}

/// One usrsctp socket.
pub(crate) struct Socket {
    /// AF_INET, AF_INET6 or AF_CONN.
    pub(crate) family: Family,
    /// SOCK_SEQPACKET (one-to-many) rather than SOCK_STREAM.
    pub(crate) one_to_many: bool,
    /// The bound port, once bound.
    pub(crate) port: Option<u16>,
    /// The bound addresses; empty means all (the wildcard).
    pub(crate) addresses: Vec<IpAddr>,
    /// AF_CONN: the bound address pointer.
    pub(crate) conn_address: Option<usize>,
    /// `usrsctp_listen` was called.
    pub(crate) listening: bool,
    /// Its associations (one at most on a one-to-one socket).
    pub(crate) assocs: Vec<AssocId>,
    /// A one-to-one listener's associations waiting for `usrsctp_accept`.
    pub(crate) accept_queue: VecDeque<AssocId>,
    /// The listen backlog.
    pub(crate) backlog: usize,
    /// Callbacks from `usrsctp_socket`.
    pub(crate) callbacks: Callbacks,
    /// `usrsctp_set_upcall`.
    pub(crate) upcall: Option<(UpcallFn, usize)>,
    /// `usrsctp_set_non_blocking`.
    pub(crate) non_blocking: bool,
    /// Socket options.
    pub(crate) options: Options,
    /// A pending error for the next call (SO_ERROR).
    pub(crate) error: i32,
    /// `usrsctp_shutdown(SHUT_RD)`.
    pub(crate) shut_rd: bool,
    /// `usrsctp_shutdown(SHUT_WR)` or a shutdown begun.
    pub(crate) shut_wr: bool,
    /// A message the reader's buffer did not hold in full.
    pub(crate) partial: Option<Partial>,
    /// One-to-one: the association ended (reads return 0 once drained).
    pub(crate) eof: bool,
    /// The upcall's last reported events, to report changes only.
    pub(crate) last_events: i32,
}

impl Socket {
    /// A fresh socket.
    pub(crate) fn new(
        family: Family,
        one_to_many: bool,
        callbacks: Callbacks,
        options: Options,
    ) -> Self {
        Self {
            family,
            one_to_many,
            port: None,
            addresses: Vec::new(),
            conn_address: None,
            listening: false,
            assocs: Vec::new(),
            accept_queue: VecDeque::new(),
            backlog: 0,
            callbacks,
            upcall: None,
            non_blocking: false,
            options,
            error: 0,
            shut_rd: false,
            shut_wr: false,
            partial: None,
            eof: false,
            last_events: 0,
        }
    }
}
