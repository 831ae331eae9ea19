//! The sockets under the stack, as usrsctp opens them in `usrsctp_init`:
//! raw IPv4 and IPv6 SCTP sockets (root or CAP_NET_RAW; skipped without),
//! and UDP sockets on the tunnelling port for RFC 6951 encapsulation when
//! that port is not 0. Raw `SOCK_RAW` sockets never load the kernel's SCTP
//! module; nothing here opens a kernel SCTP socket.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::Dest;

/// IANA's protocol number of SCTP.
const IPPROTO_SCTP: i32 = 132;

/// How long a receive thread blocks before looking at the stop flag.
const POLL: Duration = Duration::from_millis(100);

/// The stack's sockets.
pub(crate) struct Io {
    /// Raw IPv4 SCTP.
    pub(crate) raw4: Option<Socket>,
    /// Raw IPv6 SCTP.
    pub(crate) raw6: Option<Socket>,
    /// UDP over IPv4 on the tunnelling port.
    pub(crate) udp4: Option<UdpSocket>,
    /// UDP over IPv6 on the tunnelling port.
    pub(crate) udp6: Option<UdpSocket>,
    /// Set by `usrsctp_finish`: the threads end.
    pub(crate) stop: AtomicBool,
}

fn raw(domain: Domain) -> io::Result<Socket> {
    let s = Socket::new(domain, Type::RAW, Some(Protocol::from(IPPROTO_SCTP)))?;
    s.set_read_timeout(Some(POLL))?;
    Ok(s)
}

fn udp(v6: bool, port: u16) -> io::Result<UdpSocket> {
    let domain = if v6 { Domain::IPV6 } else { Domain::IPV4 };
    let s = Socket::new(domain, Type::DGRAM, Some(Protocol::UDP))?;
    let ip = if v6 {
        s.set_only_v6(true)?;
        IpAddr::V6(Ipv6Addr::UNSPECIFIED)
    } else {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    };
    s.bind(&SockAddr::from(SocketAddr::new(ip, port)))?;
    s.set_read_timeout(Some(POLL))?;
    Ok(s.into())
}

impl Io {
    /// Opens what it can: raw sockets when allowed, UDP when `udp_port` is not 0.
    pub(crate) fn open(udp_port: u16) -> Self {
        Self {
            raw4: raw(Domain::IPV4).ok(),
            raw6: raw(Domain::IPV6).ok(),
            udp4: (udp_port != 0).then(|| udp(false, udp_port).ok()).flatten(),
            udp6: (udp_port != 0).then(|| udp(true, udp_port).ok()).flatten(),
            stop: AtomicBool::new(false),
        }
    }

    /// No sockets (`usrsctp_init_nothreads`: AF_CONN only).
    pub(crate) fn open_none() -> Self {
        Self {
            raw4: None,
            raw6: None,
            udp4: None,
            udp6: None,
            stop: AtomicBool::new(false),
        }
    }

    /// Sends one packet to an IP destination (AF_CONN is the caller's),
    /// from `src` when given (`IP_PKTINFO` / `IPV6_PKTINFO`).
    pub(crate) fn send(&self, dest: Dest, src: Option<IpAddr>, data: &[u8]) {
        if let Some(src) = src
            && self.send_from(dest, src, data)
        {
            return;
        }
        let r = match dest {
            Dest::Ip(IpAddr::V4(ip)) => self
                .raw4
                .as_ref()
                .map(|s| s.send_to(data, &SockAddr::from(SocketAddr::new(IpAddr::V4(ip), 0)))),
            Dest::Ip(IpAddr::V6(ip)) => self
                .raw6
                .as_ref()
                .map(|s| s.send_to(data, &SockAddr::from(SocketAddr::new(IpAddr::V6(ip), 0)))),
            Dest::Udp(a) if a.is_ipv4() => self.udp4.as_ref().map(|s| s.send_to(data, a)),
            Dest::Udp(a) => self.udp6.as_ref().map(|s| s.send_to(data, a)),
            Dest::Conn(_) => None,
        };
        // Like IP, SCTP tolerates a lost packet: a send error is a drop.
        let _ = r;
    }
}

impl Io {
    /// Sends with the source address set; false if that cannot be done
    /// here (the caller then lets the routes choose).
    fn send_from(&self, dest: Dest, src: IpAddr, data: &[u8]) -> bool {
        use nix::sys::socket::{ControlMessage, MsgFlags, SockaddrStorage, sendmsg};
        let (fd, to) = match dest {
            Dest::Ip(ip) => {
                let s = if ip.is_ipv4() { &self.raw4 } else { &self.raw6 };
                match s {
                    Some(s) => (s.as_raw_fd(), SocketAddr::new(ip, 0)),
                    None => return false,
                }
            }
            Dest::Udp(a) => {
                let s = if a.is_ipv4() { &self.udp4 } else { &self.udp6 };
                match s {
                    Some(s) => (s.as_raw_fd(), a),
                    None => return false,
                }
            }
            Dest::Conn(_) => return false,
        };
        let iov = [io::IoSlice::new(data)];
        let to = SockaddrStorage::from(to);
        let r = match src {
            IpAddr::V4(v4) if to.as_sockaddr_in().is_some() => {
                let info = libc::in_pktinfo {
                    ipi_ifindex: 0,
                    ipi_spec_dst: libc::in_addr {
                        s_addr: u32::from_ne_bytes(v4.octets()),
                    },
                    ipi_addr: libc::in_addr { s_addr: 0 },
                };
                sendmsg(
                    fd,
                    &iov,
                    &[ControlMessage::Ipv4PacketInfo(&info)],
                    MsgFlags::empty(),
                    Some(&to),
                )
            }
            IpAddr::V6(v6) if to.as_sockaddr_in6().is_some() => {
                let info = libc::in6_pktinfo {
                    ipi6_addr: libc::in6_addr {
                        s6_addr: v6.octets(),
                    },
                    ipi6_ifindex: 0,
                };
                sendmsg(
                    fd,
                    &iov,
                    &[ControlMessage::Ipv6PacketInfo(&info)],
                    MsgFlags::empty(),
                    Some(&to),
                )
            }
            _ => return false,
        };
        // Like IP, SCTP tolerates a lost packet: a send error is a drop.
        let _ = r;
        true
    }
}

/// One packet a receive thread read.
pub(crate) struct Inbound<'a> {
    /// The SCTP packet.
    pub(crate) data: &'a [u8],
    /// Its source address.
    pub(crate) src: IpAddr,
    /// Its destination address (unspecified when unknown).
    pub(crate) dst: IpAddr,
    /// The UDP source port when it came encapsulated.
    pub(crate) udp: Option<u16>,
}

/// Which socket a receive thread reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Which {
    /// Raw IPv4.
    Raw4,
    /// Raw IPv6.
    Raw6,
    /// UDP over IPv4.
    Udp4,
    /// UDP over IPv6.
    Udp6,
}

impl Io {
    /// Whether that socket is open.
    pub(crate) fn has(&self, w: Which) -> bool {
        match w {
            Which::Raw4 => self.raw4.is_some(),
            Which::Raw6 => self.raw6.is_some(),
            Which::Udp4 => self.udp4.is_some(),
            Which::Udp6 => self.udp6.is_some(),
        }
    }

    /// Reads one packet into `buf` (None on timeout or a packet that is not
    /// SCTP-shaped); `f` gets it.
    pub(crate) fn recv_one(&self, w: Which, buf: &mut [u8], f: &mut dyn FnMut(Inbound<'_>)) {
        match w {
            Which::Raw4 => {
                let Some(s) = &self.raw4 else { return };
                let Ok(n) = (s as &Socket).read_into(buf) else {
                    return;
                };
                // Raw IPv4 sockets deliver the IP header too.
                let b = &buf[..n];
                if n < 20 {
                    return;
                }
                let ihl = usize::from(b[0] & 0x0f) * 4;
                if ihl < 20 || n < ihl + 12 {
                    return;
                }
                let src = IpAddr::V4(Ipv4Addr::new(b[12], b[13], b[14], b[15]));
                let dst = IpAddr::V4(Ipv4Addr::new(b[16], b[17], b[18], b[19]));
                f(Inbound {
                    data: &b[ihl..],
                    src,
                    dst,
                    udp: None,
                });
            }
            Which::Raw6 => {
                let Some(s) = &self.raw6 else { return };
                let Ok((n, from)) =
                    nix::sys::socket::recvfrom::<nix::sys::socket::SockaddrIn6>(s.as_raw_fd(), buf)
                else {
                    return;
                };
                let Some(from) = from else { return };
                f(Inbound {
                    data: &buf[..n],
                    src: IpAddr::V6(from.ip()),
                    dst: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                    udp: None,
                });
            }
            Which::Udp4 | Which::Udp6 => {
                let s = if matches!(w, Which::Udp4) {
                    &self.udp4
                } else {
                    &self.udp6
                };
                let Some(s) = s else { return };
                let Ok((n, from)) = s.recv_from(buf) else {
                    return;
                };
                let dst = match from {
                    SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
                    SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
                };
                f(Inbound {
                    data: &buf[..n],
                    src: from.ip(),
                    dst,
                    udp: Some(from.port()),
                });
            }
        }
    }
}

/// Reading a socket2 socket into an initialised buffer, without unsafe.
trait ReadInto {
    fn read_into(self, buf: &mut [u8]) -> io::Result<usize>;
}

impl ReadInto for &Socket {
    fn read_into(self, buf: &mut [u8]) -> io::Result<usize> {
        io::Read::read(&mut { self }, buf)
    }
}

/// The host's addresses (for `usrsctp_getladdrs` on a wildcard socket).
pub(crate) fn host_addresses(v4_only: bool) -> Vec<IpAddr> {
    let Ok(addrs) = nix::ifaddrs::getifaddrs() else {
        return Vec::new();
    };
    let mut v = Vec::new();
    for ifa in addrs {
        let Some(a) = ifa.address else { continue };
        if let Some(sin) = a.as_sockaddr_in() {
            v.push(IpAddr::V4(sin.ip()));
        } else if let Some(sin6) = a.as_sockaddr_in6()
            && !v4_only
        {
            v.push(IpAddr::V6(sin6.ip()));
        }
    }
    v.dedup();
    v
}

/// The source address the host's routes pick for `remote` (a UDP socket
/// connected to it, which sends nothing).
pub(crate) fn route_source(remote: IpAddr) -> Option<IpAddr> {
    let any: IpAddr = match remote {
        IpAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        IpAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    };
    let s = UdpSocket::bind(SocketAddr::new(any, 0)).ok()?;
    s.connect(SocketAddr::new(remote, 9)).ok()?;
    Some(s.local_addr().ok()?.ip())
}
