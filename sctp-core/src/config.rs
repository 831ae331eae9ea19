//! Protocol parameters, named and defaulted as RFC 9260 section 16 names them.

use std::time::Duration;

use thiserror::Error;

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
    /// PotentiallyFailed.Max.Retrans (RFC 7829 section 5.1): consecutive
    /// errors before a path is potentially failed and data moves to an
    /// alternate path (0: at the first timeout, as Linux's `pf_retrans`).
    /// At or above Path.Max.Retrans the potentially failed state is off.
    pub pf_max_retrans: u32,
    /// Whether new data moves back to the primary path once it answers
    /// again after a failover (true, as Linux and usrsctp do); false keeps
    /// it on the alternate until that fails.
    pub primary_switchback: bool,
    /// Max.Init.Retransmits: INIT and COOKIE ECHO retransmissions before giving up (8).
    pub max_init_retransmits: u32,
    /// HB.interval: heartbeat interval on an idle path (30 s); `None` disables heartbeats.
    pub hb_interval: Option<Duration>,
    /// Outbound streams we ask for (OS in INIT).
    pub outbound_streams: u16,
    /// Inbound streams we accept (MIS in INIT).
    pub inbound_streams: u16,
    /// Advertised receiver window credit (a_rwnd) in bytes.
    pub receive_window: u32,
    /// Send buffer limit in bytes: `send` refuses messages beyond it.
    pub send_buffer: usize,
    /// Largest user message accepted by `send`, and the largest the peer's
    /// messages may grow to in our buffers, in bytes (256 KiB). With partial
    /// delivery on, a larger message from the peer is handed up in pieces
    /// rather than refused.
    pub max_message_size: usize,
    /// Partial delivery point in bytes (RFC 6458 SCTP_PARTIAL_DELIVERY_POINT;
    /// 256 KiB): once this much of a message that may be delivered next is
    /// held, it is handed up in pieces, each with [`crate::RecvInfo`]'s
    /// `end_of_record` telling whether it ends the message, so a message
    /// larger than the receive window can still arrive (RFC 9260 section
    /// 6.9). At most half the receive window is used, and a closed window
    /// hands up such messages whatever their size.
    /// `None` turns partial delivery off: every message is delivered whole
    /// and one larger than `max_message_size` is refused.
    pub partial_delivery_point: Option<usize>,
    /// Path MTU assumed until told otherwise (IP header included).
    pub path_mtu: usize,
    /// Size of the IP header (plus any encapsulation) below SCTP, counted in the MTU.
    pub ip_header_len: usize,
    /// Delayed SACK time: SACK at most this long after a packet (200 ms; RFC 9260 6.2 allows up to 500 ms).
    pub delayed_ack_time: Duration,
    /// SACK at least every this many DATA packets (RFC 6458 SCTP_DELAYED_SACK
    /// sack_freq; RFC 9260 section 6.2 asks for every second packet: 2).
    pub sack_frequency: u32,
    /// Whether to bundle small messages while data is in flight (Nagle-like, RFC 9260 6.1).
    pub nagle: bool,
    /// Whether the last fragment sent when nothing else is queued asks for
    /// an immediate SACK (the I bit, RFC 7053 section 4.1; true): the send
    /// buffer empties and a lost tail is found a delayed SACK sooner. A
    /// request/response protocol whose peer answers at once may turn it
    /// off, so the peer's SACK rides on its answer instead of going alone.
    pub sack_immediately_on_drain: bool,
    /// Bytes of out-of-order or partial messages held for reassembly before aborting.
    pub max_reassembly_bytes: usize,
    /// Whether to offer AUTH (RFC 4895): Random, Chunk List and HMAC
    /// Algorithm in INIT and INIT ACK (true, as usrsctp does).
    pub auth: bool,
    /// Whether to offer dynamic address reconfiguration (ASCONF, RFC 5061;
    /// true, as usrsctp does). It needs AUTH: ASCONF and ASCONF-ACK are
    /// always authenticated.
    pub asconf: bool,
    /// The Adaptation Layer Indication sent in INIT and INIT ACK (RFC 5061
    /// section 4.2.5; RFC 6458 SCTP_ADAPTATION_LAYER), if any.
    pub adaptation_layer_indication: Option<u32>,
    /// Whether to offer and accept partial reliability (PR-SCTP, RFC 3758:
    /// Forward-TSN-Supported in INIT and INIT ACK; true). Without the
    /// peer's support, messages with a policy are abandoned only before
    /// any of them was sent.
    pub partial_reliability: bool,
    /// Whether to offer and accept stream reconfiguration (RE-CONFIG, RFC
    /// 6525: stream and association resets, added streams; true).
    pub reconfig: bool,
    /// Whether the peer's requests to reset streams (its outgoing or our
    /// outgoing ones) are performed; refused ones are answered Denied (RFC
    /// 6525 section 5.2; RFC 6458 SCTP_ENABLE_STREAM_RESET's
    /// SCTP_ENABLE_RESET_STREAM_REQ; true).
    pub accept_stream_resets: bool,
    /// Whether the peer's SSN/TSN Reset Request is performed (RFC 6525
    /// section 5.2.4; SCTP_ENABLE_RESET_ASSOC_REQ; true).
    pub accept_association_resets: bool,
    /// Whether the peer's Add Streams Requests are granted (RFC 6525
    /// sections 5.2.5 and 5.2.6; SCTP_ENABLE_CHANGE_ASSOC_REQ; true).
    pub accept_stream_changes: bool,
    /// Whether to offer and accept user message interleaving (I-DATA, RFC
    /// 8260; true): with a scheduler other than first-come first-served,
    /// a large message's fragments take turns with other streams' messages.
    pub interleaving: bool,
    /// The stream scheduler (RFC 8260 section 3; first-come first-served),
    /// changeable at run time with [`crate::Association::set_scheduler`].
    pub scheduler: crate::SchedulerKind,
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
            pf_max_retrans: 0,
            primary_switchback: true,
            max_init_retransmits: 8,
            hb_interval: Some(Duration::from_secs(30)),
            outbound_streams: 10,
            inbound_streams: u16::MAX,
            receive_window: 1024 * 1024,
            send_buffer: 4 * 1024 * 1024,
            max_message_size: 256 * 1024,
            partial_delivery_point: Some(256 * 1024),
            path_mtu: 1500,
            ip_header_len: 20,
            delayed_ack_time: Duration::from_millis(200),
            sack_frequency: 2,
            nagle: false,
            sack_immediately_on_drain: true,
            max_reassembly_bytes: 4 * 1024 * 1024,
            initial_tsn: None,
            auth: true,
            asconf: true,
            adaptation_layer_indication: None,
            partial_reliability: true,
            reconfig: true,
            accept_stream_resets: true,
            accept_association_resets: true,
            accept_stream_changes: true,
            interleaving: true,
            scheduler: crate::SchedulerKind::Fcfs,
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
    /// Sets PotentiallyFailed.Max.Retrans (RFC 7829).
    pf_max_retrans: u32,
    /// Sets whether data returns to the primary path once it recovers.
    primary_switchback: bool,
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
    /// Sets the partial delivery point (`None`: off).
    partial_delivery_point: Option<usize>,
    /// Sets the path MTU.
    path_mtu: usize,
    /// Sets the IP (plus encapsulation) header size.
    ip_header_len: usize,
    /// Sets the delayed SACK time.
    delayed_ack_time: Duration,
    /// Sets how many DATA packets may go unacknowledged before a SACK.
    sack_frequency: u32,
    /// Turns Nagle-like bundling on or off.
    nagle: bool,
    /// Sets whether the last fragment before an empty queue asks for an immediate SACK.
    sack_immediately_on_drain: bool,
    /// Sets the reassembly memory bound.
    max_reassembly_bytes: usize,
    /// Fixes the Initial TSN (tests only).
    initial_tsn: Option<crate::Tsn>,
    /// Turns AUTH (RFC 4895) on or off.
    auth: bool,
    /// Turns ASCONF (RFC 5061) on or off.
    asconf: bool,
    /// Sets the Adaptation Layer Indication.
    adaptation_layer_indication: Option<u32>,
    /// Turns PR-SCTP (RFC 3758) on or off.
    partial_reliability: bool,
    /// Turns stream reconfiguration (RFC 6525) on or off.
    reconfig: bool,
    /// Sets whether the peer's stream reset requests are performed.
    accept_stream_resets: bool,
    /// Sets whether the peer's association reset requests are performed.
    accept_association_resets: bool,
    /// Sets whether the peer's add-streams requests are granted.
    accept_stream_changes: bool,
    /// Turns user message interleaving (I-DATA, RFC 8260) on or off.
    interleaving: bool,
    /// Sets the stream scheduler (RFC 8260 section 3).
    scheduler: crate::SchedulerKind,
}

/// Why a configuration was refused by [`AssociationConfig::validate`] or
/// [`crate::Association::reconfigure`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The field is fixed when the association is created (negotiated or sealed in cookies).
    #[error("{field} cannot be changed once the association exists")]
    Fixed {
        /// The field's name.
        field: &'static str,
    },
    /// The value is out of range.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The longest delayed SACK time RFC 9260 section 6.2 allows.
const MAX_DELAYED_ACK: Duration = Duration::from_millis(500);

impl AssociationConfig {
    /// Checks that every value is in range: RTO.Min > 0 and RTO.Min <=
    /// RTO.Initial <= RTO.Max, a delayed SACK of at most 500 ms (RFC 9260
    /// section 6.2), and sizes large enough to carry data.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |field, reason| Err(ConfigError::Invalid { field, reason });
        if self.rto_min.is_zero() {
            return invalid("rto_min", "must be greater than zero");
        }
        if self.rto_initial < self.rto_min {
            return invalid("rto_initial", "must not be below rto_min");
        }
        if self.rto_max < self.rto_initial {
            return invalid("rto_max", "must not be below rto_initial");
        }
        if self.rto_alpha_shift >= 32 || self.rto_beta_shift >= 32 {
            return invalid(
                "rto_alpha_shift",
                "RTO.Alpha and RTO.Beta shifts must be below 32",
            );
        }
        if self.delayed_ack_time > MAX_DELAYED_ACK {
            return invalid(
                "delayed_ack_time",
                "must not exceed 500 ms (RFC 9260 section 6.2)",
            );
        }
        if self.sack_frequency == 0 {
            return invalid("sack_frequency", "must be at least 1");
        }
        if self.receive_window < 1500 {
            return invalid("receive_window", "must be at least 1500 bytes");
        }
        if self.max_message_size == 0 {
            return invalid("max_message_size", "must be greater than zero");
        }
        if u32::try_from(self.max_message_size).is_err() {
            return invalid("max_message_size", "must be at most 4 GiB - 1");
        }
        if self.partial_delivery_point == Some(0) {
            return invalid("partial_delivery_point", "must be at least 1 byte");
        }
        if self.send_buffer == 0 {
            return invalid("send_buffer", "must be greater than zero");
        }
        if self.path_mtu < 576 {
            return invalid("path_mtu", "must be at least 576 bytes");
        }
        if self.hb_interval.is_some_and(|d| d.is_zero()) {
            return invalid(
                "hb_interval",
                "must not be zero (use None to disable heartbeats)",
            );
        }
        if self.outbound_streams == 0 {
            return invalid("outbound_streams", "must be at least 1");
        }
        if self.inbound_streams == 0 {
            return invalid("inbound_streams", "must be at least 1");
        }
        if self.max_burst == 0 {
            return invalid("max_burst", "must be at least 1");
        }
        if self.valid_cookie_life.is_zero() {
            return invalid("valid_cookie_life", "must be greater than zero");
        }
        if self.asconf && !self.auth {
            return invalid(
                "asconf",
                "needs auth: ASCONF is always authenticated (RFC 5061 section 4.1.1)",
            );
        }
        Ok(())
    }

    /// Checks that `new` changes none of the fields fixed at creation.
    pub(crate) fn check_fixed(&self, new: &Self) -> Result<(), ConfigError> {
        let fixed = |field| Err(ConfigError::Fixed { field });
        if new.outbound_streams != self.outbound_streams {
            return fixed("outbound_streams");
        }
        if new.inbound_streams != self.inbound_streams {
            return fixed("inbound_streams");
        }
        if new.initial_tsn != self.initial_tsn {
            return fixed("initial_tsn");
        }
        if new.ip_header_len != self.ip_header_len {
            return fixed("ip_header_len");
        }
        if new.valid_cookie_life != self.valid_cookie_life {
            return fixed("valid_cookie_life");
        }
        if (new.auth, new.asconf, new.adaptation_layer_indication)
            != (self.auth, self.asconf, self.adaptation_layer_indication)
        {
            return fixed("auth, asconf and adaptation_layer_indication");
        }
        if (new.partial_reliability, new.reconfig, new.interleaving)
            != (self.partial_reliability, self.reconfig, self.interleaving)
        {
            return fixed("partial_reliability, reconfig and interleaving");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid() {
        assert_eq!(AssociationConfig::default().validate(), Ok(()));
    }

    #[test]
    fn rfc9260_6_2_validate_refuses_out_of_range_values() {
        let c = AssociationConfig::default();
        let field = |r: Result<(), ConfigError>| match r {
            Err(ConfigError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(c.clone().rto_min(Duration::ZERO).validate()),
            "rto_min"
        );
        assert_eq!(
            field(c.clone().rto_initial(Duration::from_millis(10)).validate()),
            "rto_initial"
        );
        assert_eq!(
            field(c.clone().rto_max(Duration::from_millis(900)).validate()),
            "rto_max"
        );
        assert_eq!(
            field(
                c.clone()
                    .delayed_ack_time(Duration::from_millis(501))
                    .validate()
            ),
            "delayed_ack_time"
        );
        assert_eq!(
            field(c.clone().sack_frequency(0).validate()),
            "sack_frequency"
        );
        assert_eq!(
            field(c.clone().receive_window(1499).validate()),
            "receive_window"
        );
        assert_eq!(
            field(c.clone().max_message_size(0).validate()),
            "max_message_size"
        );
        assert_eq!(
            field(c.clone().partial_delivery_point(Some(0)).validate()),
            "partial_delivery_point"
        );
        // A point past half the window is legal: half the window is used.
        assert_eq!(
            c.clone()
                .receive_window(100_000)
                .partial_delivery_point(Some(50_001))
                .validate(),
            Ok(())
        );
        assert_eq!(field(c.clone().send_buffer(0).validate()), "send_buffer");
        assert_eq!(field(c.clone().path_mtu(575).validate()), "path_mtu");
        assert_eq!(
            field(c.clone().hb_interval(Some(Duration::ZERO)).validate()),
            "hb_interval"
        );
        assert_eq!(
            field(c.clone().outbound_streams(0).validate()),
            "outbound_streams"
        );
        assert_eq!(field(c.inbound_streams(0).validate()), "inbound_streams");
    }
}
