//! [`SctpListener`]: an endpoint that only accepts, like a `TcpListener`.

use std::net::SocketAddr;

use crate::association::SctpAssociation;
use crate::endpoint::SctpEndpoint;
use crate::{Config, Error};

/// Accepts SCTP associations on one port, like a `TcpListener`; a thin
/// convenience over [`SctpEndpoint::bind`].
///
/// Dropping the listener stops accepting; associations already accepted
/// keep running.
#[derive(Debug)]
pub struct SctpListener {
    endpoint: SctpEndpoint,
}

impl SctpListener {
    /// Listens on `addr`: its IP may be unspecified (`0.0.0.0`; `[::]`
    /// serves IPv4 and IPv6) or one of our addresses; its port is the SCTP
    /// port (0 picks an ephemeral one). See [`SctpEndpoint::bind`].
    ///
    /// Cancel-safe: it does not wait for the network; if the future is
    /// dropped before it resolves, nothing stays bound.
    pub async fn bind(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        Ok(Self {
            endpoint: SctpEndpoint::bind(addr, config).await?,
        })
    }

    /// Listens on several addresses at once, one port (`sctp_bindx`): a
    /// multi-homed server that lists every address to its peers. See
    /// [`SctpEndpoint::bind_all`].
    pub async fn bind_all(addrs: &[SocketAddr], config: Config) -> Result<Self, Error> {
        Ok(Self {
            endpoint: SctpEndpoint::bind_all(addrs, config).await?,
        })
    }

    /// Waits for the next established association and returns it with the
    /// peer's address.
    ///
    /// Cancel-safe: if the future is dropped, no association was taken.
    pub async fn accept(&self) -> Result<(SctpAssociation, SocketAddr), Error> {
        self.endpoint.accept().await
    }

    /// The address and SCTP port listened on (the first, when several).
    pub fn local_addr(&self) -> SocketAddr {
        self.endpoint.local_addr()
    }

    /// Every address and the SCTP port listened on.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.endpoint.local_addrs()
    }

    /// The endpoint underneath, to start associations from the same port.
    pub fn endpoint(&self) -> &SctpEndpoint {
        &self.endpoint
    }
}
