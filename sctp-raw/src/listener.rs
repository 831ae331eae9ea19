//! Accepting associations.

use std::net::SocketAddr;
use std::sync::Arc;

use sctp_core::{Endpoint, EndpointConfig};

use crate::association::SctpAssociation;
use crate::driver::{Command, Driver, DriverSetup, DriverShared, ListenerShared, wait_until};
use crate::transport;
use crate::{Config, Error, Transport, now};

/// Accepts SCTP associations on one port, like a `TcpListener`.
///
/// Dropping the listener stops accepting; associations already accepted
/// keep running.
#[derive(Debug)]
pub struct SctpListener {
    shared: Arc<ListenerShared>,
    driver: Arc<DriverShared>,
    local: SocketAddr,
}

impl SctpListener {
    /// Listens on `addr`: its IP may be unspecified (`0.0.0.0`, `[::]`) or
    /// one of our addresses; its port is the SCTP port (0 picks an ephemeral one).
    ///
    /// With [`Transport::Raw`] the SCTP port is also reserved against other
    /// processes by binding a UDP socket to the same port number, so two
    /// processes cannot listen on one SCTP port. With [`Transport::Udp`] the
    /// UDP socket is bound to `addr`'s IP and the transport's `local_port`.
    ///
    /// Cancel-safe: it does not wait for the network; if the future is
    /// dropped before it resolves, nothing stays bound.
    pub async fn bind(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        let mut reservations = Vec::new();
        let port = match config.transport {
            Transport::Raw => {
                let (res, port) = transport::reserve_port(addr.ip(), addr.port())?;
                reservations.push(res);
                port
            }
            Transport::Udp { .. } if addr.port() == 0 => transport::random_port(),
            Transport::Udp { .. } => addr.port(),
        };
        let io = transport::open(&config.transport, addr.ip(), &[port])?;
        let mut assoc_config = config.association.clone();
        assoc_config.ip_header_len = io.header_len(addr.is_ipv6());
        let mut endpoint = Endpoint::new(
            EndpointConfig::default().association(assoc_config.clone()),
            now(),
        );
        endpoint.listen(port);
        let shared = Arc::new(ListenerShared::default());
        let driver = Driver::new(DriverSetup {
            endpoint,
            config: assoc_config,
            listener: Some((shared.clone(), port)),
            local_ip: addr.ip(),
            reservations,
        });
        let driver_shared = driver.shared();
        tokio::spawn(driver.run(io));
        Ok(Self {
            shared,
            driver: driver_shared,
            local: SocketAddr::new(addr.ip(), port),
        })
    }

    /// Waits for the next established association and returns it with the
    /// peer's address.
    ///
    /// Cancel-safe: if the future is dropped, no association was taken.
    pub async fn accept(&self) -> Result<(SctpAssociation, SocketAddr), Error> {
        wait_until(&self.shared.queue, &self.shared.notify, |q| {
            if let Some(a) = q.ready.pop_front() {
                let peer = a.remote_addr();
                return Some(Ok((a, peer)));
            }
            q.stopped.then_some(Err(Error::DriverStopped))
        })
        .await
    }

    /// The address and SCTP port listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

impl Drop for SctpListener {
    fn drop(&mut self) {
        self.driver.command(Command::ListenerDropped);
    }
}
