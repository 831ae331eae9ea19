//! What a user configures: the transport, the associations' protocol
//! parameters, the endpoint's own settings, and debugging aids.

use std::path::PathBuf;
use std::time::Duration;

use sctp_core::{AssociationConfig, EndpointConfig};

/// The UDP port IANA assigned to SCTP over UDP (RFC 6951).
pub const SCTP_UDP_PORT: u16 = 9899;

/// How SCTP packets travel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Transport {
    /// Raw `IPPROTO_SCTP` sockets (needs root or `CAP_NET_RAW`).
    #[default]
    Raw,
    /// UDP encapsulation (RFC 6951), no privilege needed.
    Udp {
        /// Our UDP port (0 picks any free port, fine for a client).
        local_port: u16,
        /// The peer's UDP port for associations we start; a server answers
        /// each peer at the UDP port it used (RFC 6951 section 5.4).
        remote_port: u16,
    },
}

impl Transport {
    /// UDP encapsulation on the standard port 9899 at both ends.
    pub fn udp() -> Self {
        Self::Udp {
            local_port: SCTP_UDP_PORT,
            remote_port: SCTP_UDP_PORT,
        }
    }
}

/// Settings of the endpoint itself, beside those of its associations.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointSettings {
    /// Most associations at once; further COOKIE ECHOs are answered with
    /// ABORT (Out of Resource). Default 100,000.
    pub max_associations: usize,
    /// How long a client endpoint whose associations are gone stays to
    /// answer their peers' late packets (like TCP's TIME-WAIT; 60 s).
    pub linger: Duration,
    /// Draw a new state-cookie secret this often; cookies signed with the
    /// previous secret stay valid until they expire. `None` keeps one secret.
    pub cookie_secret_rotation: Option<Duration>,
}

impl Default for EndpointSettings {
    fn default() -> Self {
        let core = EndpointConfig::default();
        Self {
            max_associations: core.max_associations,
            linger: core.linger,
            cookie_secret_rotation: None,
        }
    }
}

impl EndpointSettings {
    /// Sets the most associations at once.
    #[must_use]
    pub fn max_associations(mut self, n: usize) -> Self {
        self.max_associations = n;
        self
    }

    /// Sets the linger time.
    #[must_use]
    pub fn linger(mut self, d: Duration) -> Self {
        self.linger = d;
        self
    }

    /// Sets the cookie secret rotation period.
    #[must_use]
    pub fn cookie_secret_rotation(mut self, d: Option<Duration>) -> Self {
        self.cookie_secret_rotation = d;
        self
    }
}

/// Settings for an endpoint, a listener or an association.
///
/// Built from `Default` with the chainable setters; fields may be added, so
/// the struct cannot be written as a literal.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Config {
    /// The engine's per-association settings (`ip_header_len` is set to fit the transport).
    pub association: AssociationConfig,
    /// The transport; raw sockets by default.
    pub transport: Transport,
    /// The endpoint's own settings.
    pub endpoint: EndpointSettings,
    /// Write every SCTP packet sent and received to this pcap file (open it
    /// with Wireshark; for UDP encapsulation use "Decode As" SCTP if the
    /// port is not 9899).
    pub pcap: Option<PathBuf>,
    /// The DSCP (RFC 2474) of every packet sent, 0..=63; `None` leaves the
    /// system default. Associations may change theirs at run time.
    pub dscp: Option<u8>,
}

impl Config {
    /// UDP encapsulation with the given local and remote UDP ports.
    pub fn udp(local_port: u16, remote_port: u16) -> Self {
        Self::default().transport(Transport::Udp {
            local_port,
            remote_port,
        })
    }

    /// Sets the association settings.
    #[must_use]
    pub fn association(mut self, association: AssociationConfig) -> Self {
        self.association = association;
        self
    }

    /// Sets the transport.
    #[must_use]
    pub fn transport(mut self, transport: Transport) -> Self {
        self.transport = transport;
        self
    }

    /// Sets the endpoint settings.
    #[must_use]
    pub fn endpoint(mut self, endpoint: EndpointSettings) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Records packets to a pcap file.
    #[must_use]
    pub fn pcap(mut self, path: impl Into<PathBuf>) -> Self {
        self.pcap = Some(path.into());
        self
    }

    /// Sets the DSCP of packets sent.
    #[must_use]
    pub fn dscp(mut self, dscp: Option<u8>) -> Self {
        self.dscp = dscp;
        self
    }

    /// The engine's endpoint settings these stand for.
    pub(crate) fn core_endpoint(&self, association: AssociationConfig) -> EndpointConfig {
        let mut c = EndpointConfig::default().association(association);
        c.max_associations = self.endpoint.max_associations;
        c.linger = self.endpoint.linger;
        c.cookie_secret_rotation = self.endpoint.cookie_secret_rotation;
        c
    }
}
