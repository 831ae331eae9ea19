//! Opening the socket a driver owns (raw IPv4, raw IPv6 or UDP), reserving
//! SCTP port numbers against other processes, and the transmit batch.

use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;

use pnet_packet::ipv4::Ipv4Packet;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::io::unix::AsyncFd;

use crate::bpf::{self, Layout};
use crate::sys::{self, BATCH, TxPacket};
use crate::{Error, Transport};

/// The IP protocol number of SCTP.
const IPPROTO_SCTP: i32 = 132;

/// First port of the dynamic range we draw ephemeral ports from.
const EPHEMERAL_FIRST: u16 = 49152;

/// Socket buffer size we ask for; raw and UDP sockets drop what overflows.
const SOCKET_BUFFER: usize = 8 * 1024 * 1024;

/// Largest datagram we can receive.
pub(crate) const RECV_SLOT: usize = 65536;

/// Which socket a driver owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Raw IPv4: received packets start with the IPv4 header.
    Raw4,
    /// Raw IPv6: received packets start with the SCTP header.
    Raw6,
    /// UDP encapsulation (RFC 6951).
    Udp,
}

/// A driver's socket.
#[derive(Debug)]
pub(crate) struct Io {
    pub(crate) fd: AsyncFd<Socket>,
    pub(crate) kind: Kind,
    pub(crate) v6: bool,
}

impl Io {
    /// The length of the headers below SCTP, for the association's MTU arithmetic.
    pub(crate) fn header_len(&self, v6: bool) -> usize {
        let ip = if v6 { 40 } else { 20 };
        if self.kind == Kind::Udp { ip + 8 } else { ip }
    }

    /// Sets the path MTU discovery mode: `true` sets DF and refuses packets
    /// above the known path MTU, `false` lets the kernel fragment.
    pub(crate) fn set_dont_fragment(&self, on: bool) -> io::Result<()> {
        let fd = self.fd.as_raw_fd();
        if self.v6 {
            let mode = if on {
                libc::IPV6_PMTUDISC_DO
            } else {
                libc::IPV6_PMTUDISC_DONT
            };
            sys::set_int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_MTU_DISCOVER, mode)
        } else {
            let mode = if on {
                libc::IP_PMTUDISC_DO
            } else {
                libc::IP_PMTUDISC_DONT
            };
            sys::set_int_opt(fd, libc::IPPROTO_IP, libc::IP_MTU_DISCOVER, mode)
        }
    }

    /// The local port of a UDP socket (0 for raw sockets).
    pub(crate) fn local_port(&self) -> u16 {
        if self.kind != Kind::Udp {
            return 0;
        }
        self.fd
            .get_ref()
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map_or(0, |a| a.port())
    }

    /// The destination port to write into sockaddrs: raw sockets want 0.
    pub(crate) fn port_override(&self) -> Option<u16> {
        (self.kind != Kind::Udp).then_some(0)
    }
}

fn map_open_error(e: io::Error) -> Error {
    match e.raw_os_error() {
        Some(libc::EPERM) | Some(libc::EACCES) => Error::PermissionDenied,
        _ => Error::Io(e),
    }
}

/// Opens the socket for `transport` on `ip`'s family, bound to `ip` when it
/// is not unspecified, passing only SCTP packets for `ports` when raw.
pub(crate) fn open(transport: &Transport, ip: IpAddr, ports: &[u16]) -> Result<Io, Error> {
    let v6 = ip.is_ipv6();
    let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
    let (sock, kind) = match transport {
        Transport::Raw => {
            // SOCK_RAW only: a SOCK_STREAM/SOCK_SEQPACKET IPPROTO_SCTP socket
            // would make the kernel load its own SCTP stack.
            let sock = Socket::new(domain, Type::RAW, Some(Protocol::from(IPPROTO_SCTP)))
                .map_err(map_open_error)?;
            let fd = sock.as_raw_fd();
            if v6 {
                sys::set_int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO, 1)?;
            }
            (sock, if v6 { Kind::Raw6 } else { Kind::Raw4 })
        }
        Transport::Udp { local_port, .. } => {
            let sock = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
            let fd = sock.as_raw_fd();
            if v6 {
                sock.set_only_v6(true)?;
                sys::set_int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_RECVPKTINFO, 1)?;
            } else {
                sys::set_int_opt(fd, libc::IPPROTO_IP, libc::IP_PKTINFO, 1)?;
            }
            sock.bind(&SocketAddr::new(ip, *local_port).into())?;
            (sock, Kind::Udp)
        }
    };
    let fd = sock.as_raw_fd();
    if v6 {
        sys::set_int_opt(
            fd,
            libc::IPPROTO_IPV6,
            libc::IPV6_MTU_DISCOVER,
            libc::IPV6_PMTUDISC_DO,
        )?;
        sys::set_int_opt(fd, libc::IPPROTO_IPV6, libc::IPV6_RECVERR, 1)?;
    } else {
        sys::set_int_opt(
            fd,
            libc::IPPROTO_IP,
            libc::IP_MTU_DISCOVER,
            libc::IP_PMTUDISC_DO,
        )?;
        sys::set_int_opt(fd, libc::IPPROTO_IP, libc::IP_RECVERR, 1)?;
    }
    // Large buffers: beyond the sysctl limits only with CAP_NET_ADMIN (the
    // FORCE variants); either failing is harmless.
    let size = SOCKET_BUFFER as libc::c_int;
    if sys::set_int_opt(fd, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, size).is_err() {
        let _ = sock.set_recv_buffer_size(SOCKET_BUFFER);
    }
    if sys::set_int_opt(fd, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, size).is_err() {
        let _ = sock.set_send_buffer_size(SOCKET_BUFFER);
    }
    if kind != Kind::Udp {
        if !ip.is_unspecified() {
            sock.bind(&SocketAddr::new(ip, 0).into())?;
        }
        let layout = if kind == Kind::Raw4 {
            Layout::Ipv4Header
        } else {
            Layout::Bare
        };
        if let Some(prog) = bpf::port_filter(layout, ports) {
            sys::attach_filter(fd, &prog)?;
        }
    }
    sock.set_nonblocking(true)?;
    // Packets that arrived before the filter was attached may be anyone's: drop them.
    if kind != Kind::Udp {
        let mut scratch = [0u8; 64];
        while sys_recv_discard(&sock, &mut scratch) {}
    }
    Ok(Io {
        fd: sys::async_fd(sock)?,
        kind,
        v6,
    })
}

fn sys_recv_discard(sock: &Socket, scratch: &mut [u8]) -> bool {
    use std::io::Read;
    let mut s: &Socket = sock;
    s.read(scratch).is_ok()
}

/// One received SCTP packet, its header(s) removed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Received {
    /// Where the SCTP packet starts and ends in the slot.
    pub(crate) range: (usize, usize),
    /// The sender's IP, and for UDP its source port.
    pub(crate) src: SocketAddr,
    /// Our address it was sent to, when known.
    pub(crate) dst: Option<IpAddr>,
}

/// Finds the SCTP packet in what a socket of `kind` received.
pub(crate) fn parse(kind: Kind, data: &[u8], meta: &sys::RecvMeta) -> Option<Received> {
    match kind {
        Kind::Raw4 => {
            let ip = Ipv4Packet::new(data)?;
            let ihl = usize::from(ip.get_header_length()) * 4;
            let total = usize::from(ip.get_total_length()).min(data.len());
            if ihl < 20 || total < ihl {
                return None;
            }
            Some(Received {
                range: (ihl, total),
                src: SocketAddr::new(IpAddr::V4(ip.get_source()), 0),
                dst: Some(IpAddr::V4(ip.get_destination())),
            })
        }
        Kind::Raw6 | Kind::Udp => {
            let mut src = meta.src?;
            if kind == Kind::Raw6 {
                src.set_port(0);
            }
            Some(Received {
                range: (0, data.len()),
                src,
                dst: meta.dst,
            })
        }
    }
}

/// A random number from the OS-seeded hasher keys.
fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::UNIX_EPOCH
            .elapsed()
            .map_or(0, |d| d.as_nanos() as u64),
    );
    h.finish()
}

/// Reserves SCTP port `port` (a random ephemeral one when 0) on `ip`'s
/// family against other processes using this crate, by binding a UDP socket
/// to the same number; keep the socket as long as the port is in use.
pub(crate) fn reserve_port(ip: IpAddr, port: u16) -> Result<(UdpSocket, u16), Error> {
    let bind = |p: u16| -> io::Result<UdpSocket> {
        let domain = if ip.is_ipv6() {
            Domain::IPV6
        } else {
            Domain::IPV4
        };
        let sock = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
        if ip.is_ipv6() {
            sock.set_only_v6(true)?;
        }
        sock.bind(&SocketAddr::new(ip, p).into())?;
        Ok(sock.into())
    };
    if port != 0 {
        return Ok((bind(port)?, port));
    }
    let span = u64::from(u16::MAX - EPHEMERAL_FIRST) + 1;
    let mut last = None;
    for _ in 0..64 {
        let p = EPHEMERAL_FIRST + (random_u64() % span) as u16;
        match bind(p) {
            Ok(s) => return Ok((s, p)),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last
        .unwrap_or_else(|| io::ErrorKind::AddrInUse.into())
        .into())
}

/// A random port number from the dynamic range (no reservation).
pub(crate) fn random_port() -> u16 {
    EPHEMERAL_FIRST + (random_u64() % (u64::from(u16::MAX - EPHEMERAL_FIRST) + 1)) as u16
}

/// The source address the kernel would use towards `remote` (no packet is sent).
pub(crate) fn route_source(remote: IpAddr) -> Option<IpAddr> {
    let any: IpAddr = if remote.is_ipv6() {
        Ipv6Addr::UNSPECIFIED.into()
    } else {
        Ipv4Addr::UNSPECIFIED.into()
    };
    let s = UdpSocket::bind((any, 0)).ok()?;
    s.connect((remote, 9)).ok()?;
    s.local_addr().ok().map(|a| a.ip())
}

/// Packets waiting to be sent, in `sendmmsg` batches of up to `BATCH`.
///
/// The driver fills it while holding the engine's locks and must not wait
/// there, so it grows instead of blocking: [`TxBatch::try_flush`] sends
/// what the socket takes at once, [`TxBatch::flush`] waits for the rest
/// once the locks are released.
#[derive(Debug)]
pub(crate) struct TxBatch {
    slot: usize,
    buf: Vec<u8>,
    /// Each queued packet.
    packets: Vec<TxPacket>,
    /// Packets at the front already sent.
    sent: usize,
    /// A send failed with EMSGSIZE: read the error queue for the new MTU.
    pub(crate) saw_msgsize: bool,
}

impl TxBatch {
    /// Packets of up to `slot` bytes. A server's buffer holds a full batch
    /// from the start; a client's is allocated when it first sends, so that
    /// client endpoints that never send keep nothing.
    pub(crate) fn new(slot: usize, server: bool) -> Self {
        Self {
            slot,
            buf: if server {
                vec![0; slot * BATCH]
            } else {
                Vec::new()
            },
            packets: Vec::with_capacity(BATCH),
            sent: 0,
            saw_msgsize: false,
        }
    }

    /// Whether a full `sendmmsg` batch is waiting.
    pub(crate) fn is_full(&self) -> bool {
        self.packets.len() - self.sent >= BATCH
    }

    /// The buffer for the next packet.
    pub(crate) fn slot_mut(&mut self) -> &mut [u8] {
        let start = self.packets.len() * self.slot;
        if self.buf.len() < start + self.slot {
            let want = (start + self.slot).max(BATCH * self.slot);
            self.buf.resize(want, 0);
        }
        &mut self.buf[start..start + self.slot]
    }

    /// Queues the packet written into [`Self::slot_mut`], to leave from
    /// `src` (when the socket is not bound to one address) with `dscp`.
    pub(crate) fn commit(
        &mut self,
        dest: SocketAddr,
        len: usize,
        src: Option<IpAddr>,
        dscp: Option<u8>,
    ) {
        self.packets.push(TxPacket {
            dest,
            len,
            dscp,
            src,
        });
    }

    /// Sends what the socket takes without waiting; true once all is sent.
    /// Packets the kernel refuses are dropped (SCTP retransmits).
    pub(crate) fn try_flush(&mut self, io: &Io) -> bool {
        let fd = io.fd.as_raw_fd();
        while self.sent < self.packets.len() {
            let bufs = &self.buf[self.sent * self.slot..];
            let pending = &self.packets[self.sent..];
            match sys::send_batch(fd, bufs, self.slot, pending, io.port_override(), io.v6) {
                Ok(n) => self.sent += n.max(1),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return false,
                Err(e) if e.raw_os_error() == Some(libc::EMSGSIZE) => {
                    // Larger than the path MTU the kernel knows: the error
                    // queue tells the association the new MTU, and this
                    // packet (its chunks keep their size when retransmitted)
                    // goes out fragmented by IP (RFC 9260 section 7.3).
                    self.saw_msgsize = true;
                    let one = &pending[..1];
                    let r = io.set_dont_fragment(false).and_then(|()| {
                        sys::send_batch(fd, bufs, self.slot, one, io.port_override(), io.v6)
                    });
                    let _ = io.set_dont_fragment(true);
                    match r {
                        Ok(_) => {
                            tracing::trace!(dest = %one[0].dest, len = one[0].len, "sent with IP fragmentation")
                        }
                        Err(e) => {
                            tracing::trace!(error = %e, dest = %one[0].dest, "fragmented send failed")
                        }
                    }
                    self.sent += 1;
                }
                Err(e) => {
                    tracing::trace!(error = %e, dest = %pending[0].dest, "send failed");
                    self.sent += 1;
                }
            }
        }
        self.packets.clear();
        self.sent = 0;
        // A burst of many associations grew the buffer: give it back.
        if self.buf.len() > 4 * BATCH * self.slot {
            self.buf.truncate(BATCH * self.slot);
            self.buf.shrink_to_fit();
        }
        true
    }

    /// Sends everything queued, waiting for socket space if needed.
    pub(crate) async fn flush(&mut self, io: &Io) {
        while !self.try_flush(io) {
            match io.fd.writable().await {
                Ok(mut guard) => guard.clear_ready(),
                Err(e) => {
                    tracing::trace!(error = %e, "socket not writable; queued packets dropped");
                    self.packets.clear();
                    self.sent = 0;
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A minimal SCTP common header (the checksum does not matter to the filter).
    fn packet(dst_port: u16) -> [u8; 12] {
        let mut p = [0u8; 12];
        p[0..2].copy_from_slice(&4242u16.to_be_bytes());
        p[2..4].copy_from_slice(&dst_port.to_be_bytes());
        p
    }

    async fn delivered_ports(local: IpAddr) -> Vec<u16> {
        let (ours, theirs) = (36101u16, 36102u16);
        let rx = open(&Transport::Raw, local, &[ours]).unwrap();
        let tx = open(&Transport::Raw, local, &[]).unwrap();
        let mut batch = TxBatch::new(1500, false);
        for port in [theirs, ours, theirs, ours] {
            let p = packet(port);
            batch.slot_mut()[..p.len()].copy_from_slice(&p);
            batch.commit(SocketAddr::new(local, 0), p.len(), None, None);
        }
        batch.flush(&tx).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut recv = sys::RecvBatch::new(RECV_SLOT);
        let mut ports = Vec::new();
        while let Ok(n) = recv.recv(rx.fd.as_raw_fd()) {
            for i in 0..n {
                let data = recv.packet(i);
                let r = parse(rx.kind, data, &recv.meta[i]).unwrap();
                let sctp = &data[r.range.0..r.range.1];
                assert_eq!(r.src.ip(), local);
                assert_eq!(r.dst, Some(local));
                ports.push(u16::from_be_bytes([sctp[2], sctp[3]]));
            }
        }
        // The sender's own filter (no ports) passed nothing.
        let mut none = sys::RecvBatch::new(RECV_SLOT);
        assert!(none.recv(tx.fd.as_raw_fd()).is_err());
        ports
    }

    fn root() -> bool {
        let r = nix::unistd::geteuid().is_root();
        if !r {
            eprintln!("SKIP: the BPF delivery test needs root for raw sockets");
        }
        r
    }

    #[tokio::test]
    async fn bpf_filter_delivers_only_our_port_ipv4() {
        if root() {
            assert_eq!(
                delivered_ports("127.0.0.1".parse().unwrap()).await,
                [36101, 36101]
            );
        }
    }

    #[tokio::test]
    async fn bpf_filter_delivers_only_our_port_ipv6() {
        if root() {
            assert_eq!(
                delivered_ports("::1".parse().unwrap()).await,
                [36101, 36101]
            );
        }
    }

    #[test]
    fn ephemeral_reservation_blocks_the_udp_port() {
        let any: IpAddr = Ipv4Addr::UNSPECIFIED.into();
        let (_guard, port) = reserve_port(any, 0).unwrap();
        assert!(port >= EPHEMERAL_FIRST);
        assert!(UdpSocket::bind((any, port)).is_err());
        assert!(matches!(
            reserve_port(any, port),
            Err(Error::Io(e)) if e.kind() == io::ErrorKind::AddrInUse
        ));
    }
}
