//! The INIT and INIT ACK of set-up (RFC 9260 sections 3.3.2, 3.3.3, 5.1
//! and 5.1.2): what the peer's tell us, and the INIT ACK with its state
//! cookie that the endpoint answers with without keeping state.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use super::auth::KeyVector;
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
    /// The extension parameters (AUTH's three, Supported Extensions,
    /// Adaptation Layer Indication) as received, for the state cookie.
    pub(crate) extension_params: Vec<&'a [u8]>,
}

impl PeerInit<'_> {
    /// What the state cookie keeps of the peer's parameters.
    pub(crate) fn cookie_params(&self) -> Vec<u8> {
        let mut v = Vec::new();
        for p in self.address_params.iter().chain(&self.extension_params) {
            v.extend_from_slice(p);
            // Kept as parameters are on the wire: each padded to 4 bytes.
            v.resize(v.len().next_multiple_of(4), 0);
        }
        v
    }
}

/// The extensions the peer offered (RFC 4895, RFC 5061), read from raw
/// INIT or INIT ACK parameters or from what a state cookie kept of them.
#[derive(Debug, Clone, Default)]
pub(crate) struct PeerExtensions {
    /// Its AUTH key vector, if it sent a usable one (RFC 4895 section 6.1).
    pub(crate) auth: Option<KeyVector>,
    /// The chunk types of its Supported Extensions (RFC 5061 section 4.2.7).
    pub(crate) chunk_types: Vec<u8>,
    /// Its Adaptation Layer Indication (RFC 5061 section 4.2.5).
    pub(crate) adaptation: Option<u32>,
    /// It sent Forward-TSN-Supported (RFC 3758 section 3.1).
    pub(crate) forward_tsn: bool,
}

impl PeerExtensions {
    /// Reads them from a run of parameter TLVs.
    pub(crate) fn from_params(raw: &[u8]) -> Self {
        let mut out = Self::default();
        let (mut random, mut chunks, mut hmacs) = (None, None, None);
        for tlv in crate::wire::TlvIter::new(raw).filter_map(Result::ok) {
            let bytes = &raw[tlv.offset..tlv.offset + tlv.length()];
            match Param::parse(&tlv) {
                Ok(Param::Random(_)) => random = Some(bytes),
                Ok(Param::ChunkList(_)) => chunks = Some(bytes),
                Ok(Param::RequestedHmacAlgorithm(_)) => hmacs = Some(bytes),
                Ok(Param::SupportedExtensions(e)) => {
                    out.chunk_types = e.chunk_types.iter().collect()
                }
                Ok(Param::AdaptationLayerIndication(a)) => {
                    out.adaptation = Some(a.adaptation_code_point)
                }
                Ok(Param::ForwardTsnSupported(_)) => out.forward_tsn = true,
                _ => {}
            }
        }
        if let (Some(r), Some(h)) = (random, hmacs) {
            out.auth = KeyVector::from_peer(r, chunks, h);
        }
        out
    }

    /// Whether it listed this chunk type among its Supported Extensions.
    pub(crate) fn supports(&self, chunk_type: u8) -> bool {
        self.chunk_types.contains(&chunk_type)
    }

    /// Whether it supports PR-SCTP: Forward-TSN-Supported, or FORWARD TSN
    /// among its Supported Extensions (RFC 3758 section 3.3.1; some stacks
    /// send only the latter).
    pub(crate) fn partial_reliability(&self) -> bool {
        self.forward_tsn || self.supports(FORWARD_TSN)
    }
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
            extension_params: Vec::new(),
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
                Param::Random(_)
                | Param::ChunkList(_)
                | Param::RequestedHmacAlgorithm(_)
                | Param::SupportedExtensions(_)
                | Param::ForwardTsnSupported(_)
                | Param::AdaptationLayerIndication(_) => {
                    init.extension_params
                        .extend(raw_tlv.map(|t| &raw_params[t.offset..t.offset + t.length()]));
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
    local_key: Option<&KeyVector>,
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
        peer_params: peer.cookie_params(),
        local_params: local_key.map(|k| k.as_bytes().to_vec()).unwrap_or_default(),
    };
    let cookie = key.seal(&contents);
    let mut params = vec![Param::StateCookie(StateCookie { cookie: &cookie })];
    params.extend(address_params(local_addresses, peer.supports));
    let extensions = extension_params(config, local_key);
    params.extend(crate::wire::param::parse_all(&extensions).unwrap_or_default());
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

/// The chunk types we ask the peer to authenticate: ASCONF and ASCONF-ACK
/// (RFC 5061 section 4.1.1 requires it), when ASCONF is on.
pub(crate) fn auth_chunk_list(config: &AssociationConfig) -> &'static [u8] {
    if config.asconf {
        &[ASCONF, ASCONF_ACK]
    } else {
        &[]
    }
}

/// ASCONF's chunk type (RFC 5061 section 3.1.1).
pub(crate) const ASCONF: u8 = 0xc1;
/// ASCONF-ACK's chunk type (RFC 5061 section 3.1.2).
pub(crate) const ASCONF_ACK: u8 = 0x80;
/// FORWARD TSN's chunk type (RFC 3758 section 3.2).
pub(crate) const FORWARD_TSN: u8 = 0xc0;
/// RE-CONFIG's chunk type (RFC 6525 section 3.1).
pub(crate) const RE_CONFIG: u8 = 0x82;
/// I-DATA's chunk type (RFC 8260 section 2.1).
pub(crate) const I_DATA: u8 = 0x40;
/// I-FORWARD TSN's chunk type (RFC 8260 section 2.3.1).
pub(crate) const I_FORWARD_TSN: u8 = 0xc2;

/// Our extension parameters for INIT and INIT ACK, encoded: AUTH's three
/// (RFC 4895 section 3), Supported Extensions listing AUTH, ASCONF,
/// FORWARD TSN, RE-CONFIG, I-DATA and I-FORWARD TSN (RFC 5061 section
/// 4.2.7, RFC 6525 section 5.1.1, RFC 8260 section 2.2),
/// Forward-TSN-Supported (RFC 3758
/// section 3.1) and our Adaptation Layer Indication.
pub(crate) fn extension_params(
    config: &AssociationConfig,
    local_key: Option<&KeyVector>,
) -> Vec<u8> {
    let mut out = local_key.map(KeyVector::padded_params).unwrap_or_default();
    let mut types = Vec::new();
    if local_key.is_some() {
        types.push(super::auth::AUTH_CHUNK);
        if config.asconf {
            types.extend([ASCONF, ASCONF_ACK]);
        }
    }
    if config.partial_reliability {
        types.push(FORWARD_TSN);
    }
    if config.reconfig {
        types.push(RE_CONFIG);
    }
    if config.interleaving {
        types.push(I_DATA);
        if config.partial_reliability {
            types.push(I_FORWARD_TSN);
        }
    }
    let mut tlv = |ty: u16, value: &[u8]| {
        out.extend_from_slice(&ty.to_be_bytes());
        out.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
        out.extend_from_slice(value);
        out.resize(out.len().next_multiple_of(4), 0);
    };
    if !types.is_empty() {
        tlv(0x8008, &types);
    }
    if config.partial_reliability {
        tlv(0xc000, &[]);
    }
    if let Some(code) = config.adaptation_layer_indication {
        tlv(0xc006, &code.to_be_bytes());
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4895_3_our_extension_parameters_read_back() {
        let config = AssociationConfig::default();
        let key = KeyVector::ours(&[9; 32], auth_chunk_list(&config));
        let params = extension_params(&config, Some(&key));
        let peer = PeerExtensions::from_params(&params);
        assert_eq!(peer.auth.as_ref(), Some(&key));
        assert!(peer.supports(ASCONF) && peer.supports(ASCONF_ACK));
    }

    #[test]
    fn rfc9260_5_1_2_addresses_listed_only_when_several_and_in_supported_types() {
        let v4: IpAddr = "198.18.0.1".parse().unwrap();
        let v4b: IpAddr = "198.18.1.1".parse().unwrap();
        let v6: IpAddr = "fd00::1".parse().unwrap();
        // One address (or a NAT'd Service VIP) stays unlisted.
        assert!(address_params(&[v4], (true, true)).is_empty());
        let listed = |supports| -> Vec<IpAddr> {
            address_params(&[v4, v6, v4b], supports)
                .iter()
                .filter_map(|p| match p {
                    Param::Ipv4Address(a) => Some(IpAddr::V4(a.0)),
                    Param::Ipv6Address(a) => Some(IpAddr::V6(a.0)),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(listed((true, true)), [v4, v6, v4b]);
        // A peer that supports IPv4 only is not told our IPv6 address.
        assert_eq!(listed((true, false)), [v4, v4b]);
    }
}
