//! The INIT and INIT ACK of set-up (RFC 9260 sections 3.3.2, 3.3.3, 5.1
//! and 5.1.2): what the peer's tell us, and the INIT ACK with its state
//! cookie that the endpoint answers with without keeping state.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::cookie::{CookieContents, CookieKey};
use super::encode::encode_packet;
use crate::association::ErrorCause;
use crate::config::AssociationConfig;
use crate::wire::cause::{InvalidMandatoryParameter, UnresolvableAddress};
use crate::wire::chunk::{Init, InitAck};
use crate::wire::param::{
    CookiePreservative, Ipv4Address, Ipv6Address, Param, StateCookie, UnrecognizedParameter,
};
use crate::wire::{Chunk, UnrecognizedAction};
use crate::{Tsn, VerificationTag};

/// The fields of a received INIT or INIT ACK that set-up uses, after the
/// parameter rules of RFC 9260 section 3.2.1 were applied.
#[derive(Debug, Clone)]
pub(crate) struct PeerInit<'a> {
    pub(crate) initiate_tag: VerificationTag,
    pub(crate) a_rwnd: u32,
    pub(crate) outbound_streams: u16,
    pub(crate) inbound_streams: u16,
    pub(crate) initial_tsn: Tsn,
    /// Extra cookie lifetime the peer asked for, ms (Cookie Preservative).
    pub(crate) preservative_ms: u32,
    /// The State Cookie parameter of an INIT ACK.
    pub(crate) state_cookie: Option<&'a [u8]>,
    /// Unrecognized parameters to report, as Unrecognized Parameter params.
    pub(crate) unrecognized: Vec<&'a [u8]>,
    /// The addresses the peer listed (section 5.1.2), in order.
    pub(crate) addresses: Vec<IpAddr>,
    /// The peer's Supported Address Types (IPv4, IPv6); both when it sent none.
    pub(crate) supports: (bool, bool),
    /// The address parameters as received, for the state cookie.
    pub(crate) address_params: Vec<&'a [u8]>,
}

/// Why an INIT or INIT ACK cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InitProblem {
    /// Discard silently (a zero Initiate Tag, section 3.3.2).
    Discard,
    /// Answer with ABORT carrying these causes.
    Abort(Vec<ErrorCause>),
}

impl<'a> PeerInit<'a> {
    /// Applies sections 3.3.2, 3.3.3 and 3.2.1 to INIT or INIT ACK fields.
    pub(crate) fn examine(
        initiate_tag: VerificationTag,
        a_rwnd: u32,
        outbound_streams: u16,
        inbound_streams: u16,
        initial_tsn: Tsn,
        params: &[Param<'a>],
        raw_params: &'a [u8],
    ) -> Result<Self, InitProblem> {
        if initiate_tag.0 == 0 {
            return Err(InitProblem::Discard);
        }
        if outbound_streams == 0 || inbound_streams == 0 {
            return Err(InitProblem::Abort(vec![ErrorCause::of(
                InvalidMandatoryParameter,
            )]));
        }
        let mut init = Self {
            initiate_tag,
            a_rwnd,
            outbound_streams,
            inbound_streams,
            initial_tsn,
            preservative_ms: 0,
            state_cookie: None,
            unrecognized: Vec::new(),
            addresses: Vec::new(),
            supports: (true, true),
            address_params: Vec::new(),
        };
        let mut raw = crate::wire::TlvIter::new(raw_params);
        for p in params {
            let raw_tlv = raw.next().and_then(Result::ok);
            match p {
                Param::CookiePreservative(CookiePreservative {
                    suggested_lifespan_increment_ms,
                }) => init.preservative_ms = *suggested_lifespan_increment_ms,
                Param::StateCookie(StateCookie { cookie }) => init.state_cookie = Some(cookie),
                // Section 5.1.2: the peer's addresses beside the packet's source.
                Param::Ipv4Address(a) => {
                    init.addresses.push(IpAddr::V4(a.0));
                    init.address_params
                        .extend(raw_tlv.map(|t| &raw_params[t.offset..t.offset + t.length()]));
                }
                Param::Ipv6Address(a) => {
                    init.addresses.push(IpAddr::V6(a.0));
                    init.address_params
                        .extend(raw_tlv.map(|t| &raw_params[t.offset..t.offset + t.length()]));
                }
                Param::SupportedAddressTypes(t) => {
                    // Section 5.1.2: 5 is IPv4, 6 is IPv6, 11 the (deprecated) host name.
                    let types: Vec<u16> = t.address_types.iter().collect();
                    init.supports = (types.contains(&5), types.contains(&6));
                }
                Param::HostNameAddress(_) => {
                    // Host Name Address is deprecated: abort with Unresolvable Address.
                    let address = raw_tlv
                        .map(|t| &raw_params[t.offset..t.offset + t.length()])
                        .unwrap_or_default();
                    return Err(InitProblem::Abort(vec![ErrorCause::of(
                        UnresolvableAddress { address },
                    )]));
                }
                // Known but unused extensions are simply not negotiated.
                Param::Unknown(u) => {
                    let action = UnrecognizedAction::of_param_type(u.param_type);
                    if action.reports()
                        && let Some(t) = raw_tlv
                    {
                        init.unrecognized
                            .push(&raw_params[t.offset..t.offset + t.length()]);
                    }
                    if action.stops() {
                        break;
                    }
                }
                _ => {}
            }
        }
        Ok(init)
    }

    pub(crate) fn from_init(init: &Init<'a>, raw_params: &'a [u8]) -> Result<Self, InitProblem> {
        Self::examine(
            init.initiate_tag,
            init.a_rwnd,
            init.num_outbound_streams,
            init.num_inbound_streams,
            init.initial_tsn,
            &init.params,
            raw_params,
        )
    }
}

/// The variable part of an INIT or INIT ACK as received, for re-reading raw TLVs.
pub(crate) fn init_params_bytes(value: &[u8]) -> &[u8] {
    value.get(16..).unwrap_or_default()
}

/// What our side puts in an INIT ACK.
#[derive(Debug, Clone, Copy)]
pub(crate) struct InitAckPlan {
    pub(crate) local_vtag: VerificationTag,
    pub(crate) local_initial_tsn: Tsn,
    pub(crate) tie_tag: u64,
}

/// Builds the INIT ACK packet answering `peer` (section 5.1 B): a state
/// cookie sealing everything the association will need.
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode_init_ack_packet(
    now: Instant,
    key: &CookieKey,
    config: &AssociationConfig,
    remote: SocketAddr,
    local_port: u16,
    peer: &PeerInit<'_>,
    plan: InitAckPlan,
    a_rwnd: u32,
    local_addresses: &[IpAddr],
) -> Vec<u8> {
    let extra =
        Duration::from_millis(u64::from(peer.preservative_ms)).min(config.valid_cookie_life);
    let lifetime = config.valid_cookie_life + extra;
    let contents = CookieContents {
        created_ms: key.now_ms(now),
        lifetime_ms: u32::try_from(lifetime.as_millis()).unwrap_or(u32::MAX),
        peer: remote,
        local_port,
        local_vtag: plan.local_vtag,
        peer_vtag: peer.initiate_tag,
        local_initial_tsn: plan.local_initial_tsn,
        peer_initial_tsn: peer.initial_tsn,
        peer_rwnd: peer.a_rwnd,
        tie_tag: plan.tie_tag,
        // Section 5.1.1: each side sends on at most as many streams as the other accepts.
        outbound_streams: config.outbound_streams.min(peer.inbound_streams),
        inbound_streams: config.inbound_streams.min(peer.outbound_streams),
        features: 0,
        peer_params: peer.address_params.concat(),
    };
    let cookie = key.seal(&contents);
    let mut params = vec![Param::StateCookie(StateCookie { cookie: &cookie })];
    params.extend(address_params(local_addresses, peer.supports));
    params.extend(
        peer.unrecognized
            .iter()
            .map(|p| Param::UnrecognizedParameter(UnrecognizedParameter { param: p })),
    );
    let ack = InitAck {
        initiate_tag: plan.local_vtag,
        a_rwnd,
        // Section 5.1.1: offer no more outbound streams than the peer's
        // MIS accepts (both sides would use the minimum anyway; Linux and
        // usrsctp offer it, and so does a capture reader's expectation).
        num_outbound_streams: config.outbound_streams.min(peer.inbound_streams),
        num_inbound_streams: config.inbound_streams,
        initial_tsn: plan.local_initial_tsn,
        params,
    };
    encode_packet(
        local_port,
        remote.port(),
        peer.initiate_tag,
        &[Chunk::InitAck(ack)],
    )
}

/// Our addresses as INIT / INIT ACK parameters (section 5.1.2): listed
/// only when there are several, so a single address, or one a NAT or a
/// Kubernetes Service rewrites, stays implicit (the packet's source), and
/// only in families the peer supports.
pub(crate) fn address_params(local: &[IpAddr], (v4, v6): (bool, bool)) -> Vec<Param<'static>> {
    if local.len() < 2 {
        return Vec::new();
    }
    local
        .iter()
        .filter_map(|a| match a {
            IpAddr::V4(a) if v4 => Some(Param::Ipv4Address(Ipv4Address(*a))),
            IpAddr::V6(a) if v6 => Some(Param::Ipv6Address(Ipv6Address(*a))),
            _ => None,
        })
        .collect()
}

/// The addresses among the INIT parameters a state cookie carries.
pub(crate) fn cookie_addresses(params: &[u8]) -> impl Iterator<Item = IpAddr> + '_ {
    crate::wire::TlvIter::new(params)
        .filter_map(Result::ok)
        .filter_map(|t| match Param::parse(&t) {
            Ok(Param::Ipv4Address(a)) => Some(IpAddr::V4(a.0)),
            Ok(Param::Ipv6Address(a)) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
}
