//! Protocol parameters, named and defaulted as RFC 9260 section 16 names them.

use std::time::Duration;

/// Per-association protocol parameters.
///
/// Defaults are RFC 9260 section 16's recommended values; the rest are the
/// values telecom deployments commonly use. Setters chain:
///
/// ```
/// use std::time::Duration;
/// let cfg = sctp_core::AssociationConfig::default()
///     .rto_min(Duration::from_millis(100))
///     .hb_interval(Some(Duration::from_secs(5)));
/// assert_eq!(cfg.assoc_max_retrans, 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationConfig {
    /// RTO.Initial: the RTO before any measurement (1 s).
    pub rto_initial: Duration,
    /// RTO.Min: the RTO floor (1 s).
    pub rto_min: Duration,
    /// RTO.Max: the RTO ceiling (60 s).
    pub rto_max: Duration,
    /// Max.Burst: new packets sent at once in response to one event (4).
    pub max_burst: u32,
    /// RTO.Alpha as a fraction 1/n: n = 8.
    pub rto_alpha_shift: u32,
    /// RTO.Beta as a fraction 1/n: n = 4.
    pub rto_beta_shift: u32,
    /// Valid.Cookie.Life: lifetime of a state cookie (60 s).
    pub valid_cookie_life: Duration,
    /// Association.Max.Retrans: consecutive retransmissions before the peer is unreachable (10).
    pub assoc_max_retrans: u32,
    /// Path.Max.Retrans: consecutive errors before a path is inactive (5).
    pub path_max_retrans: u32,
    /// Max.Init.Retransmits: INIT and COOKIE ECHO retransmissions before giving up (8).
    pub max_init_retransmits: u32,
    /// HB.interval: heartbeat interval on an idle path (30 s); `None` disables heartbeats.
    pub hb_interval: Option<Duration>,
    /// HB.Max.Burst (1).
    pub hb_max_burst: u32,
    /// Outbound streams we ask for (OS in INIT).
    pub outbound_streams: u16,
    /// Inbound streams we accept (MIS in INIT).
    pub inbound_streams: u16,
    /// Advertised receiver window credit (a_rwnd) in bytes.
    pub receive_window: u32,
    /// Send buffer limit in bytes: `send` refuses messages beyond it.
    pub send_buffer: usize,
    /// Largest user message accepted by `send` and from the peer, in bytes.
    pub max_message_size: usize,
    /// Path MTU assumed until told otherwise (IP header included).
    pub path_mtu: usize,
    /// Size of the IP header (plus any encapsulation) below SCTP, counted in the MTU.
    pub ip_header_len: usize,
    /// Delayed SACK time: SACK at most this long after a packet (200 ms; RFC 9260 6.2 allows up to 500 ms).
    pub delayed_ack_time: Duration,
    /// Whether to bundle small messages while data is in flight (Nagle-like, RFC 9260 6.1).
    pub nagle: bool,
    /// Bytes of out-of-order or partial messages held for reassembly before aborting.
    pub max_reassembly_bytes: usize,
    /// Fixes our Initial TSN instead of drawing it at random (RFC 9260 5.3.1
    /// wants it random; fixing it serves reproducible tests, such as TSN wrap-around).
    pub initial_tsn: Option<crate::Tsn>,
}

impl Default for AssociationConfig {
    fn default() -> Self {
        Self {
            rto_initial: Duration::from_secs(1),
            rto_min: Duration::from_secs(1),
            rto_max: Duration::from_secs(60),
            max_burst: 4,
            rto_alpha_shift: 3,
            rto_beta_shift: 2,
            valid_cookie_life: Duration::from_secs(60),
            assoc_max_retrans: 10,
            path_max_retrans: 5,
            max_init_retransmits: 8,
            hb_interval: Some(Duration::from_secs(30)),
            hb_max_burst: 1,
            outbound_streams: 10,
            inbound_streams: u16::MAX,
            receive_window: 1024 * 1024,
            send_buffer: 4 * 1024 * 1024,
            max_message_size: 256 * 1024,
            path_mtu: 1500,
            ip_header_len: 20,
            delayed_ack_time: Duration::from_millis(200),
            nagle: false,
            max_reassembly_bytes: 4 * 1024 * 1024,
            initial_tsn: None,
        }
    }
}

macro_rules! setters {
    ($( $(#[$doc:meta])* $field:ident: $ty:ty, )*) => {
        impl AssociationConfig {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $field(mut self, value: $ty) -> Self {
                    self.$field = value;
                    self
                }
            )*
        }
    };
}

setters! {
    /// Sets RTO.Initial.
    rto_initial: Duration,
    /// Sets RTO.Min.
    rto_min: Duration,
    /// Sets RTO.Max.
    rto_max: Duration,
    /// Sets Max.Burst.
    max_burst: u32,
    /// Sets Valid.Cookie.Life.
    valid_cookie_life: Duration,
    /// Sets Association.Max.Retrans.
    assoc_max_retrans: u32,
    /// Sets Path.Max.Retrans.
    path_max_retrans: u32,
    /// Sets Max.Init.Retransmits.
    max_init_retransmits: u32,
    /// Sets HB.interval (`None` disables heartbeats).
    hb_interval: Option<Duration>,
    /// Sets the outbound stream count requested.
    outbound_streams: u16,
    /// Sets the inbound stream count accepted.
    inbound_streams: u16,
    /// Sets the advertised receiver window.
    receive_window: u32,
    /// Sets the send buffer limit.
    send_buffer: usize,
    /// Sets the largest message size.
    max_message_size: usize,
    /// Sets the path MTU.
    path_mtu: usize,
    /// Sets the IP (plus encapsulation) header size.
    ip_header_len: usize,
    /// Sets the delayed SACK time.
    delayed_ack_time: Duration,
    /// Turns Nagle-like bundling on or off.
    nagle: bool,
    /// Sets the reassembly memory bound.
    max_reassembly_bytes: usize,
    /// Fixes the Initial TSN (tests only).
    initial_tsn: Option<crate::Tsn>,
}
