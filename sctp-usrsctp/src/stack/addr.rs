//! Addresses as the engine sees them. AF_CONN addresses are the
//! application's opaque pointers: the engine needs a `SocketAddr`, so each
//! pointer value rides in the low 64 bits of an IPv6 address under the
//! discard-only prefix 100::/64 (RFC 6666), which no real peer can have.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The high 64 bits of every AF_CONN stand-in address.
const CONN_PREFIX: u128 = 0x0100_0000_0000_0000 << 64;

/// Where a packet goes or came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Peer {
    /// An IPv4 or IPv6 address and SCTP port.
    Ip(SocketAddr),
    /// An AF_CONN address (the application's pointer) and SCTP port.
    Conn(usize, u16),
}

impl Peer {
    /// The address the engine uses for this peer.
    pub(crate) fn to_engine(self) -> SocketAddr {
        match self {
            Self::Ip(a) => a,
            Self::Conn(p, port) => conn_socket_addr(p, port),
        }
    }

    /// Reads an engine address back.
    pub(crate) fn from_engine(a: SocketAddr) -> Self {
        match conn_pointer(a.ip()) {
            Some(p) => Self::Conn(p, a.port()),
            None => Self::Ip(a),
        }
    }

    /// The SCTP port.
    pub(crate) fn port(self) -> u16 {
        match self {
            Self::Ip(a) => a.port(),
            Self::Conn(_, port) => port,
        }
    }
}

/// The engine's stand-in address of AF_CONN pointer `p`.
pub(crate) fn conn_socket_addr(p: usize, port: u16) -> SocketAddr {
    SocketAddr::new(
        IpAddr::V6(Ipv6Addr::from(CONN_PREFIX | p as u64 as u128)),
        port,
    )
}

/// The AF_CONN pointer behind a stand-in address, if it is one.
pub(crate) fn conn_pointer(ip: IpAddr) -> Option<usize> {
    match ip {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            (bits >> 64 == CONN_PREFIX >> 64).then_some(bits as u64 as usize)
        }
        IpAddr::V4(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conn_pointer_round_trip() {
        for p in [0usize, 1, 0x7ffd_1234_5678, usize::MAX] {
            let a = Peer::Conn(p, 5001).to_engine();
            assert_eq!(Peer::from_engine(a), Peer::Conn(p, 5001));
        }
        let ip: SocketAddr = "[fd00::1]:7".parse().unwrap();
        assert_eq!(Peer::from_engine(ip), Peer::Ip(ip));
    }
}
