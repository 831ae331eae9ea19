//! The user's handle on one association.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use sctp_core::{AssociationHandle, CloseReason, Endpoint, EndpointConfig, SendError, State};

use crate::driver::{AssocShared, Command, Driver, DriverSetup, DriverShared, lock, wait_until};
use crate::transport;
use crate::{AssociationEvent, Config, Error, Message, Transport, now};

/// An SCTP association: like a `TcpStream`, but it carries whole messages on
/// numbered streams.
///
/// All methods take `&self`; share the handle with an `Arc` to send and
/// receive from different tasks. Dropping it starts a graceful shutdown in
/// the background, like closing a TCP socket.
#[derive(Debug)]
pub struct SctpAssociation {
    driver: Arc<DriverShared>,
    shared: Arc<AssocShared>,
    handle: AssociationHandle,
    remote: SocketAddr,
    local: SocketAddr,
}

impl SctpAssociation {
    pub(crate) fn new(
        driver: Arc<DriverShared>,
        shared: Arc<AssocShared>,
        handle: AssociationHandle,
        remote: SocketAddr,
        local: SocketAddr,
    ) -> Self {
        Self {
            driver,
            shared,
            handle,
            remote,
            local,
        }
    }

    /// Starts an association with `addr` (the peer's IP and SCTP port) and
    /// resolves once it is established (COOKIE ACK received).
    ///
    /// Fails with [`Error::SetupTimedOut`] when INIT or COOKIE ECHO go
    /// unanswered, and [`Error::Closed`] when the peer aborts. With
    /// [`Transport::Udp`] the packets go to the peer's `remote_port`.
    ///
    /// Cancel-safe: if the future is dropped the half-open association is
    /// abandoned (aborted quietly) and its socket closed.
    pub async fn connect(addr: SocketAddr, config: Config) -> Result<Self, Error> {
        let v6 = addr.is_ipv6();
        let any: IpAddr = if v6 {
            Ipv6Addr::UNSPECIFIED.into()
        } else {
            Ipv4Addr::UNSPECIFIED.into()
        };
        let mut reservations = Vec::new();
        let (local_port, udp_port) = match config.transport {
            Transport::Raw => {
                let (res, port) = transport::reserve_port(any, 0)?;
                reservations.push(res);
                (port, 0)
            }
            Transport::Udp { remote_port, .. } => (transport::random_port(), remote_port),
        };
        let io = transport::open(&config.transport, any, &[local_port])?;
        let local_ip = transport::route_source(addr.ip()).unwrap_or(any);
        let mut assoc_config = config.association.clone();
        assoc_config.ip_header_len = io.header_len(v6);
        let now = now();
        let mut endpoint = Endpoint::new(
            EndpointConfig::default().association(assoc_config.clone()),
            now,
        );
        let (handle, assoc) = endpoint
            .connect(now, local_port, addr)
            .map_err(Error::Connect)?;
        let mut driver = Driver::new(DriverSetup {
            endpoint,
            config: assoc_config,
            listener: None,
            local_ip,
            reservations,
        });
        let shared = driver.add_client(handle, assoc, udp_port);
        let local = SocketAddr::new(local_ip, local_port);
        let this = Self::new(driver.shared(), shared, handle, addr, local);
        tokio::spawn(driver.run(io));
        let outcome = wait_until(&this.shared.state, &this.shared.notify, |s| {
            if s.connected {
                Some(Ok(()))
            } else if let Some(r) = &s.closed {
                Some(Err(match r {
                    CloseReason::SetupTimedOut => Error::SetupTimedOut,
                    r => Error::Closed(r.clone()),
                }))
            } else if s.finished {
                Some(Err(Error::DriverStopped))
            } else {
                None
            }
        })
        .await;
        outcome.map(|()| this)
    }

    /// Sends a message, waiting while the send buffer is full (backpressure).
    ///
    /// Fails at once for an empty or oversized message or an invalid stream
    /// ([`Error::Send`]), and when the association is closed or shutting down.
    ///
    /// Cancel-safe: if the future is dropped, the message was not queued.
    pub async fn send(&self, msg: Message) -> Result<(), Error> {
        let len = msg.payload.len();
        if len == 0 {
            return Err(Error::Send(SendError::Empty));
        }
        let mut msg = Some(msg);
        let mark = wait_until(&self.shared.state, &self.shared.notify, |s| {
            if len > s.max_message_size {
                return Some(Err(Error::Send(SendError::TooLarge {
                    size: len,
                    max: s.max_message_size,
                })));
            }
            if let Some(r) = &s.closed {
                return Some(Err(Error::Closed(r.clone())));
            }
            if s.finished || s.shutting_down {
                let state = if s.finished {
                    State::Closed
                } else {
                    State::ShutdownPending
                };
                return Some(Err(Error::Send(SendError::NotAccepting(state))));
            }
            let stream_id = msg.as_ref().map_or(0, |m| m.stream_id);
            if s.connected && stream_id >= s.outbound_streams {
                return Some(Err(Error::Send(SendError::InvalidStream {
                    stream_id,
                    streams: s.outbound_streams,
                })));
            }
            let used = s.outbox_bytes + s.engine_buffered;
            if used > 0 && used + len > s.send_buffer {
                return None;
            }
            s.outbox.extend(msg.take());
            s.outbox_bytes += len;
            let mark = !s.dirty_pending;
            s.dirty_pending = true;
            Some(Ok(mark))
        })
        .await?;
        if mark {
            self.driver.mark_dirty(self.handle);
        }
        Ok(())
    }

    /// Receives the next message.
    ///
    /// `Ok(None)` once the association was shut down gracefully (by either
    /// side) and every message has been read; `Err(Error::Closed(..))` after
    /// an abort or a loss of communication (messages that arrived before are
    /// still returned first).
    ///
    /// Cancel-safe: if the future is dropped, no message was taken.
    pub async fn recv(&self) -> Result<Option<Message>, Error> {
        let mark = wait_until(&self.shared.state, &self.shared.notify, |s| {
            if let Some(m) = s.inbox.pop_front() {
                s.inbox_bytes -= m.payload.len();
                let mut mark = false;
                if s.events_blocked && s.inbox_bytes < s.inbox_limit {
                    s.events_blocked = false;
                    mark = !s.dirty_pending;
                    s.dirty_pending = true;
                }
                return Some((Ok(Some(m)), mark));
            }
            if let Some(r) = &s.closed {
                return Some((Err(Error::Closed(r.clone())), false));
            }
            if s.recv_done || s.finished {
                return Some((Ok(None), false));
            }
            None
        })
        .await;
        if mark.1 {
            self.driver.mark_dirty(self.handle);
        }
        mark.0
    }

    /// The next non-message event; `None` once the association is gone and
    /// every event has been read.
    ///
    /// Cancel-safe: if the future is dropped, no event was taken.
    pub async fn next_event(&self) -> Option<AssociationEvent> {
        wait_until(&self.shared.state, &self.shared.notify, |s| {
            if let Some(e) = s.events.pop_front() {
                return Some(Some(e));
            }
            s.finished.then_some(None)
        })
        .await
    }

    /// Shuts the association down gracefully and resolves when SHUTDOWN
    /// COMPLETE has been exchanged, that is when all data sent has been
    /// acknowledged. Further sends fail.
    ///
    /// Not cancel-safe in the sense that the shutdown, once started,
    /// continues in the background if the future is dropped.
    pub async fn shutdown(&self) -> Result<(), Error> {
        {
            let mut s = lock(&self.shared.state);
            if let Some(r) = &s.closed {
                return Err(Error::Closed(r.clone()));
            }
            if s.shutdown_complete || s.finished {
                return Ok(());
            }
            s.shutting_down = true;
        }
        self.driver.command(Command::Shutdown(self.handle));
        wait_until(&self.shared.state, &self.shared.notify, |s| {
            if s.shutdown_complete {
                Some(Ok(()))
            } else if let Some(r) = &s.closed {
                Some(Err(Error::Closed(r.clone())))
            } else if s.finished {
                Some(Ok(()))
            } else {
                None
            }
        })
        .await
    }

    /// Aborts the association: sends ABORT (User-Initiated Abort) and fails
    /// unsent messages. Returns at once.
    pub fn abort(&self) {
        lock(&self.shared.state).shutting_down = true;
        self.driver.command(Command::Abort(self.handle));
    }

    /// The peer's address and SCTP port.
    pub fn remote_addr(&self) -> SocketAddr {
        self.remote
    }

    /// Our address and SCTP port.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The path MTU in use (IP header included), lowered by ICMP
    /// "fragmentation needed"/"packet too big" reports.
    pub fn path_mtu(&self) -> usize {
        lock(&self.shared.state).path_mtu
    }

    /// Bytes queued and not yet acknowledged by the peer.
    pub fn buffered_amount(&self) -> usize {
        let s = lock(&self.shared.state);
        s.outbox_bytes + s.engine_buffered
    }
}

impl Drop for SctpAssociation {
    fn drop(&mut self) {
        self.driver.command(Command::Dropped(self.handle));
    }
}
