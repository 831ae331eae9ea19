//! [`SctpEndpoint`]: one local port and address, one socket per address
//! family, one driver task, any number of associations, both accepted and
//! started (the shape of `quinn::Endpoint`).

use std::collections::{HashMap, VecDeque};
use std::future::poll_fn;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use sctp_core::{AssociationConfig, Endpoint};

use crate::association::SctpAssociation;
use crate::driver::Driver;
use crate::pcap::PcapWriter;
use crate::shared::{
    AssocInner, AssocShared, EndpointShared, EndpointState, Mailbox, Wakers, lock,
};
use crate::transport::{self, Io};
use crate::{Config, Error, Transport, now};

/// An SCTP endpoint: a local port on one address (or every address), which
/// accepts associations and starts them, all over one socket per address
/// family and one driver task.
///
/// Two endpoints that dial each other from and to the same well-known port
/// at the same time end with one association (an INIT collision, RFC 9260
/// section 5.2). Clones share the endpoint; when the last clone is dropped
/// it stops accepting, and its associations keep running until they end.
#[derive(Debug)]
pub struct SctpEndpoint {
    shared: Arc<EndpointShared>,
}

impl Clone for SctpEndpoint {
    fn clone(&self) -> Self {
        lock(&self.shared.state).handles += 1;
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl SctpEndpoint {
    /// An endpoint on `addr` that accepts associations and can start them.
    ///
    /// `addr`'s IP may be one of ours or unspecified; `[::]` serves IPv4
    /// and IPv6 peers (one socket per family), `0.0.0.0` IPv4 ones. Port 0
    /// picks an ephemeral one. With [`Transport::Raw`] the SCTP port is
    /// reserved against other processes by binding a UDP socket to the
    /// same number; with [`Transport::Udp`] the UDP socket is bound to the
    /// transport's `local_port`.
    ///
    /// Cancel-safe: it does not wait for the network.
    pub async fn bind(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        Self::open(addr, config, true, true)
    }

    /// An endpoint on several addresses at once, one port (RFC 6458
    /// `sctp_bindx`), that accepts associations and can start them: a
    /// multi-homed endpoint. Every address is listed to peers in INIT and
    /// INIT ACK (RFC 9260 section 5.1.2), so each can carry a path; IPv4
    /// and IPv6 may be mixed. Packets to other addresses of the host are
    /// not ours. Each packet leaves from the address the route to its
    /// destination uses, when that is one of ours.
    ///
    /// All addresses must have the same port (0 picks one) and none may be
    /// unspecified. One address is the same as [`bind`](Self::bind).
    pub async fn bind_all(addrs: &[SocketAddr], config: Config) -> Result<Self, Error> {
        Self::open_all(addrs, config, true)
    }

    /// A multi-homed endpoint that starts associations but accepts none;
    /// see [`bind_all`](Self::bind_all).
    pub async fn client_all(addrs: &[SocketAddr], config: Config) -> Result<Self, Error> {
        Self::open_all(addrs, config, false)
    }

    fn open_all(addrs: &[SocketAddr], config: Config, accepting: bool) -> Result<Self, Error> {
        let Some(first) = addrs.first() else {
            return Err(Error::Addresses("no address to bind"));
        };
        if addrs.len() == 1 {
            return Self::open(*first, config, accepting, true);
        }
        if addrs.iter().any(|a| a.port() != first.port()) {
            return Err(Error::Addresses("all addresses must have the same port"));
        }
        if addrs.iter().any(|a| a.ip().is_unspecified()) {
            return Err(Error::Addresses(
                "an unspecified address cannot be bound beside others",
            ));
        }
        let mut bound: Vec<IpAddr> = Vec::with_capacity(addrs.len());
        for a in addrs {
            if !bound.contains(&a.ip()) {
                bound.push(a.ip());
            }
        }
        Self::open_on(bound, first.port(), config, accepting)
    }

    /// An endpoint on `addr` that starts associations but does not accept
    /// any: the way to choose a client's local address and port, and to run
    /// many client associations over one socket.
    ///
    /// Cancel-safe: it does not wait for the network.
    pub async fn client(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        Self::open(addr, config, false, true)
    }

    pub(crate) fn open(
        addr: SocketAddr,
        config: Config,
        accepting: bool,
        dual_stack: bool,
    ) -> Result<Self, Error> {
        let ips = if dual_stack && addr.ip() == IpAddr::V6(Ipv6Addr::UNSPECIFIED) {
            vec![Ipv4Addr::UNSPECIFIED.into(), Ipv6Addr::UNSPECIFIED.into()]
        } else {
            vec![addr.ip()]
        };
        Self::open_on(ips, addr.port(), config, accepting)
    }

    /// Opens the sockets for `ips`: one address, the unspecified addresses
    /// of one or both families, or several specific ones (multi-homed: one
    /// socket per family on the unspecified address, filtered to them).
    fn open_on(
        ips: Vec<IpAddr>,
        port: u16,
        config: Config,
        accepting: bool,
    ) -> Result<Self, Error> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::Io(std::io::Error::other(
                "an SCTP endpoint needs a tokio runtime",
            )));
        }
        config.association.validate()?;
        if config.dscp.is_some_and(|d| d > 63) {
            return Err(Error::Config(sctp_core::ConfigError::Invalid {
                field: "dscp",
                reason: "a DSCP is 6 bits: 0..=63",
            }));
        }
        let multi = ips.len() > 1 && ips.iter().all(|ip| !ip.is_unspecified());
        let (port, reservations) = reserve(&config.transport, &ips, port)?;
        // A multi-homed endpoint receives on every address of a family
        // through one socket on the family's unspecified address.
        let mut socket_ips: Vec<IpAddr> = Vec::new();
        for &ip in &ips {
            let on = match (multi, ip) {
                (true, IpAddr::V4(_)) => Ipv4Addr::UNSPECIFIED.into(),
                (true, IpAddr::V6(_)) => Ipv6Addr::UNSPECIFIED.into(),
                (false, ip) => ip,
            };
            if !socket_ips.contains(&on) {
                socket_ips.push(on);
            }
        }
        let bound = if multi { ips.clone() } else { Vec::new() };
        let mut ios: Vec<Io> = Vec::with_capacity(socket_ips.len());
        let mut udp_local_port = 0;
        for &ip in &socket_ips {
            let transport = match config.transport {
                // The second family's UDP socket takes the port the first got.
                Transport::Udp {
                    local_port,
                    remote_port,
                } => Transport::Udp {
                    local_port: if udp_local_port != 0 {
                        udp_local_port
                    } else {
                        local_port
                    },
                    remote_port,
                },
                Transport::Raw => Transport::Raw,
            };
            let io = transport::open(&transport, ip, &[port])?;
            if udp_local_port == 0 {
                udp_local_port = io.local_port();
            }
            ios.push(io);
        }
        let mut assoc_config = config.association.clone();
        // A dual-family endpoint fits its packets to IPv6's larger header.
        assoc_config.ip_header_len = ios
            .iter()
            .map(|io| io.header_len(io.v6))
            .max()
            .unwrap_or(20);
        let mut proto = Endpoint::new(
            config
                .core_endpoint(assoc_config.clone())
                .local_addresses(bound.clone()),
            now(),
        );
        if accepting {
            proto.listen(port);
        }
        let pcap = config.pcap.as_deref().map(PcapWriter::create).transpose()?;
        let udp_remote_port = match config.transport {
            Transport::Udp { remote_port, .. } => remote_port,
            Transport::Raw => 0,
        };
        let shared = Arc::new(EndpointShared {
            state: Mutex::new(EndpointState {
                proto,
                assocs: HashMap::new(),
                incoming: VecDeque::new(),
                accept_wakers: Wakers::default(),
                idle_wakers: Wakers::default(),
                accepting,
                server: accepting,
                handles: 1,
                stopped: false,
                dscp: config.dscp,
                sources: HashMap::new(),
            }),
            mailbox: Mutex::new(Mailbox::default()),
            notify: tokio::sync::Notify::new(),
            local: SocketAddr::new(ips[0], port),
            bound: std::sync::RwLock::new(bound),
            added_reservations: Mutex::new(Vec::new()),
            multi,
            raw: matches!(config.transport, Transport::Raw),
            udp_remote_port,
            families: (
                ips.iter().any(IpAddr::is_ipv4),
                ips.iter().any(IpAddr::is_ipv6),
            ),
        });
        let slot = assoc_config.path_mtu.clamp(1500, 65535);
        let driver = Driver::new(
            shared.clone(),
            &ios,
            slot,
            pcap,
            udp_local_port,
            reservations,
            accepting,
        );
        tokio::spawn(driver.run(ios));
        Ok(Self { shared })
    }

    /// Starts an association with `remote` (the peer's IP and SCTP port)
    /// and resolves once it is established (COOKIE ACK received).
    ///
    /// Fails with [`Error::SetupTimedOut`] when INIT or COOKIE ECHO go
    /// unanswered, [`Error::Closed`] when the peer aborts, and
    /// [`Error::Connect`] when an association with `remote` exists already.
    ///
    /// Cancel-safe: if the future is dropped the half-open association is
    /// abandoned (aborted quietly).
    pub async fn connect(&self, remote: SocketAddr) -> Result<SctpAssociation, Error> {
        self.connect_all(&[remote]).await
    }

    /// Starts an association with a peer known by several addresses (RFC
    /// 6458 `sctp_connectx`), all with the same SCTP port: the INIT goes to
    /// the first, and its retransmissions try the others in turn. Resolves
    /// once established; see [`connect`](Self::connect).
    pub async fn connect_all(&self, remotes: &[SocketAddr]) -> Result<SctpAssociation, Error> {
        let assoc = self.start(remotes)?;
        poll_fn(|cx| assoc.poll_established(cx)).await?;
        Ok(assoc)
    }

    /// Like [`connect_all`](Self::connect_all), with this association's own
    /// settings: `adjust` changes a copy of the endpoint's (for example the
    /// stream counts to ask for, RFC 6458 `SCTP_INITMSG`). Settings that do
    /// not hold together fail with [`Error::Config`].
    pub async fn connect_with(
        &self,
        remotes: &[SocketAddr],
        adjust: impl FnOnce(&mut AssociationConfig),
    ) -> Result<SctpAssociation, Error> {
        let mut config = {
            let st = lock(&self.shared.state);
            AssociationConfig::clone(st.proto.association_config())
        };
        let ip_header_len = config.ip_header_len;
        adjust(&mut config);
        // The transport decides the header length, not the caller.
        config.ip_header_len = ip_header_len;
        config.validate()?;
        let assoc = self.start_with(remotes, Some(Arc::new(config)))?;
        poll_fn(|cx| assoc.poll_established(cx)).await?;
        Ok(assoc)
    }

    /// Creates the association and queues its INIT.
    fn start(&self, remotes: &[SocketAddr]) -> Result<SctpAssociation, Error> {
        self.start_with(remotes, None)
    }

    /// Creates the association, with its own settings if given, and queues its INIT.
    fn start_with(
        &self,
        remotes: &[SocketAddr],
        config: Option<Arc<AssociationConfig>>,
    ) -> Result<SctpAssociation, Error> {
        let ep = &self.shared;
        let (v4, v6) = ep.families;
        let Some(&remote) = remotes.first() else {
            return Err(Error::Addresses("no peer address to connect to"));
        };
        if let Some(&bad) = remotes
            .iter()
            .find(|r| (r.is_ipv4() && !v4) || (r.is_ipv6() && !v6))
        {
            return Err(Error::AddressFamily {
                addr: bad,
                local: ep.local,
            });
        }
        let mut st = lock(&ep.state);
        if st.stopped {
            return Err(Error::DriverStopped);
        }
        let (h, assoc) = match config {
            Some(c) => st.proto.connect_with(now(), ep.local.port(), remotes, c),
            None => st.proto.connect_to(now(), ep.local.port(), remotes),
        }
        .map_err(Error::Connect)?;
        let local_ip = if ep.local.ip().is_unspecified() || ep.multi {
            *st.sources
                .entry(remote.ip())
                .or_insert_with(|| transport::route_source(remote.ip()).unwrap_or(ep.local.ip()))
        } else {
            ep.local.ip()
        };
        let inner = AssocInner::new(assoc, ep.udp_remote_port, st.dscp);
        let a = Arc::new(AssocShared {
            inner: Mutex::new(inner),
            handle: h,
            endpoint: ep.clone(),
            remote,
            local: SocketAddr::new(local_ip, ep.local.port()),
            users: AtomicUsize::new(0),
        });
        st.assocs.insert(h, a.clone());
        drop(st);
        ep.mark_dirty(&mut lock(&a.inner), h);
        Ok(SctpAssociation::from_shared(a))
    }

    /// Waits for the next association a peer established, and returns it
    /// with the peer's address.
    ///
    /// Cancel-safe: if the future is dropped, no association was taken.
    pub async fn accept(&self) -> Result<(SctpAssociation, SocketAddr), Error> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for the next established association; see [`accept`](Self::accept).
    pub fn poll_accept(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(SctpAssociation, SocketAddr), Error>> {
        let mut st = lock(&self.shared.state);
        if let Some(a) = st.incoming.pop_front() {
            let peer = a.remote_addr();
            return Poll::Ready(Ok((a, peer)));
        }
        if st.stopped {
            return Poll::Ready(Err(Error::DriverStopped));
        }
        if !st.accepting {
            return Poll::Ready(Err(Error::NotListening));
        }
        st.accept_wakers.register(cx);
        Poll::Pending
    }

    /// Starts or stops accepting associations (INIT is answered only while
    /// accepting; associations in progress are not affected).
    pub fn set_accepting(&self, accepting: bool) {
        let mut st = lock(&self.shared.state);
        st.accepting = accepting;
        let port = self.shared.local.port();
        if accepting {
            st.proto.listen(port);
        } else {
            st.proto.unlisten(port);
            st.accept_wakers.wake();
        }
    }

    /// Drains the endpoint: stops accepting, shuts every association down
    /// gracefully (what was sent is still delivered, RFC 9260 section 9.2)
    /// and resolves once all are gone, as a server does before it exits.
    ///
    /// Cancel-safe in the sense that the shutdowns, once started, continue
    /// in the background if the future is dropped.
    pub async fn shutdown_all(&self) {
        let assocs: Vec<_> = {
            let mut st = lock(&self.shared.state);
            st.accepting = false;
            st.proto.unlisten(self.shared.local.port());
            st.accept_wakers.wake();
            st.assocs.values().cloned().collect()
        };
        let now = now();
        for a in assocs {
            let mut inner = lock(&a.inner);
            if !inner.is_over() {
                inner.assoc.shutdown(now);
                self.shared.mark_dirty(&mut inner, a.handle);
            }
        }
        poll_fn(|cx| {
            let mut st = lock(&self.shared.state);
            if st.assocs.is_empty() || st.stopped {
                return Poll::Ready(());
            }
            st.idle_wakers.register(cx);
            Poll::Pending
        })
        .await;
    }

    /// Associations the endpoint currently routes.
    pub fn association_count(&self) -> usize {
        lock(&self.shared.state).assocs.len()
    }

    /// The address and SCTP port of the endpoint (the first, when it has several).
    pub fn local_addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// Every address the endpoint is bound to, with its port (RFC 6458
    /// `sctp_getladdrs`); one unspecified address when bound to all.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        let port = self.shared.local.port();
        if self.shared.multi {
            self.shared
                .bound()
                .iter()
                .map(|ip| SocketAddr::new(*ip, port))
                .collect()
        } else {
            vec![self.shared.local]
        }
    }

    /// Adds `ip` to a multi-homed endpoint's addresses at run time (RFC
    /// 6458 `sctp_bindx` with `SCTP_BINDX_ADD_ADDR`): it is received on,
    /// listed to new peers, and announced to every association's peer in
    /// an ASCONF (RFC 5061), where the peer supports it. Returns how many
    /// associations announced it.
    pub fn add_local_address(&self, ip: IpAddr) -> Result<usize, Error> {
        self.shared.bind_address(ip)?;
        Ok(self.each_association(|a| a.add_local_address(now(), ip).is_ok()))
    }

    /// Removes `ip` from a multi-homed endpoint's addresses (RFC 6458
    /// `sctp_bindx` with `SCTP_BINDX_REM_ADDR`), announcing it in an ASCONF
    /// to every association's peer that supports it; never the last one.
    /// Returns how many associations announced it.
    pub fn remove_local_address(&self, ip: IpAddr) -> Result<usize, Error> {
        let n = self.each_association(|a| a.remove_local_address(now(), ip).is_ok());
        self.shared.unbind_address(ip)?;
        Ok(n)
    }

    /// Runs `f` on every association's engine; counts where it returned true.
    fn each_association(&self, mut f: impl FnMut(&mut sctp_core::Association) -> bool) -> usize {
        let assocs: Vec<_> = lock(&self.shared.state).assocs.values().cloned().collect();
        let mut n = 0;
        for a in assocs {
            let mut inner = lock(&a.inner);
            if f(&mut inner.assoc) {
                n += 1;
                self.shared.mark_dirty(&mut inner, a.handle);
            }
        }
        n
    }
}

impl Drop for SctpEndpoint {
    fn drop(&mut self) {
        let mut st = lock(&self.shared.state);
        st.handles -= 1;
        if st.handles > 0 {
            return;
        }
        st.accepting = false;
        st.proto.unlisten(self.shared.local.port());
        st.accept_wakers.wake();
        let incoming: Vec<_> = st.incoming.drain(..).collect();
        drop(st);
        // Not accepted: dropping them shuts them down.
        drop(incoming);
        self.shared.notify.notify_one();
    }
}

/// Reserves the SCTP port on every family's address (raw IP), the same
/// number on each; port 0 picks a free ephemeral one. UDP needs no
/// reservation: the port lives inside our UDP socket, 0 picks one at random.
fn reserve(
    transport: &Transport,
    ips: &[IpAddr],
    port: u16,
) -> Result<(u16, Vec<std::net::UdpSocket>), Error> {
    match transport {
        Transport::Udp { .. } if port == 0 => Ok((transport::random_port(), Vec::new())),
        Transport::Udp { .. } => Ok((port, Vec::new())),
        Transport::Raw => {
            let mut last = None;
            for _ in 0..16 {
                let (first, p) = transport::reserve_port(ips[0], port)?;
                let mut held = vec![first];
                let mut ok = true;
                for &ip in &ips[1..] {
                    match transport::reserve_port(ip, p) {
                        Ok((s, _)) => held.push(s),
                        Err(e) if port == 0 => {
                            last = Some(e);
                            ok = false;
                            break;
                        }
                        Err(e) => return Err(e),
                    }
                }
                if ok {
                    return Ok((p, held));
                }
            }
            Err(last.unwrap_or(Error::Io(std::io::ErrorKind::AddrInUse.into())))
        }
    }
}
