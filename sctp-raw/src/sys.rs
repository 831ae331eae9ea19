//! Every system call that needs `unsafe`: socket options socket2 lacks, the
//! BPF attach, batched `recvmmsg`/`sendmmsg`, control messages and the
//! socket error queue.

use std::io;
use std::mem::{size_of, zeroed};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::RawFd;

use socket2::Socket;
use tokio::io::unix::AsyncFd;

use crate::bpf::Insn;

/// Packets per `recvmmsg`/`sendmmsg` call.
pub(crate) const BATCH: usize = 32;

/// Control-message space per received packet (8-byte aligned).
const CMSG_WORDS: usize = 16;

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// `setsockopt` with an `int` value.
pub(crate) fn set_int_opt(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: `value` is a live c_int for the duration of the call and the
    // length passed is its size; the kernel only reads it.
    let r = unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&raw const value).cast(),
            size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    cvt(r).map(drop)
}

/// Attaches a classic BPF program (`SO_ATTACH_FILTER`), replacing any earlier one.
pub(crate) fn attach_filter(fd: RawFd, prog: &[Insn]) -> io::Result<()> {
    let mut filters: Vec<libc::sock_filter> = prog
        .iter()
        .map(|i| libc::sock_filter {
            code: i.code,
            jt: i.jt,
            jf: i.jf,
            k: i.k,
        })
        .collect();
    let fprog = libc::sock_fprog {
        len: u16::try_from(filters.len())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?,
        filter: filters.as_mut_ptr(),
    };
    // SAFETY: `fprog` points at `filters`, which outlives the call; the kernel
    // copies the program and does not keep the pointer.
    let r = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_ATTACH_FILTER,
            (&raw const fprog).cast(),
            size_of::<libc::sock_fprog>() as libc::socklen_t,
        )
    };
    cvt(r).map(drop)
}

fn empty_storage() -> libc::sockaddr_storage {
    // SAFETY: sockaddr_storage is plain old data; all zeroes is a valid (AF_UNSPEC) value.
    unsafe { zeroed() }
}

/// Writes `addr` (port forced to `port`) as a C socket address.
fn to_storage(addr: SocketAddr, port: u16) -> (libc::sockaddr_storage, libc::socklen_t) {
    let mut storage = empty_storage();
    match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: port.to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and suitably aligned for sockaddr_in.
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(sin) };
            (storage, size_of::<libc::sockaddr_in>() as libc::socklen_t)
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: port.to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and suitably aligned for sockaddr_in6.
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(sin6) };
            (storage, size_of::<libc::sockaddr_in6>() as libc::socklen_t)
        }
    }
}

/// Reads a C socket address written by the kernel.
fn from_storage(storage: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match libc::c_int::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the kernel wrote a sockaddr_in, which fits.
            let sin = unsafe { &*(&raw const *storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Some(SocketAddr::V4(SocketAddrV4::new(
                ip,
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the kernel wrote a sockaddr_in6, which fits.
            let sin6 = unsafe { &*(&raw const *storage).cast::<libc::sockaddr_in6>() };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(SocketAddr::V6(SocketAddrV6::new(
                ip,
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

/// Calls `f(level, type, data)` for each control message of `msg`.
fn for_each_cmsg(msg: &libc::msghdr, mut f: impl FnMut(libc::c_int, libc::c_int, &[u8])) {
    // SAFETY: `msg` was filled by recvmsg/recvmmsg; msg_control and
    // msg_controllen describe a live buffer, and the CMSG_* macros stay
    // within msg_controllen.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(msg);
        while !c.is_null() {
            let hdr = &*c;
            let data = libc::CMSG_DATA(c);
            let header_len = data.offset_from(c.cast::<u8>()) as usize;
            let len = (hdr.cmsg_len as usize).saturating_sub(header_len);
            f(
                hdr.cmsg_level,
                hdr.cmsg_type,
                std::slice::from_raw_parts(data, len),
            );
            c = libc::CMSG_NXTHDR(msg, c);
        }
    }
}

/// The destination address of a received packet from an `IP_PKTINFO` or
/// `IPV6_PKTINFO` control message.
fn pktinfo_dst(level: libc::c_int, ty: libc::c_int, data: &[u8]) -> Option<IpAddr> {
    if level == libc::IPPROTO_IPV6 && ty == libc::IPV6_PKTINFO && data.len() >= 16 {
        let mut a = [0u8; 16];
        a.copy_from_slice(&data[..16]);
        return Some(IpAddr::V6(Ipv6Addr::from(a)));
    }
    // struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }
    if level == libc::IPPROTO_IP && ty == libc::IP_PKTINFO && data.len() >= 12 {
        let mut a = [0u8; 4];
        a.copy_from_slice(&data[8..12]);
        return Some(IpAddr::V4(Ipv4Addr::from(a)));
    }
    None
}

/// What we know of one received packet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecvMeta {
    /// Bytes received.
    pub(crate) len: usize,
    /// The sender (for raw sockets the port is meaningless).
    pub(crate) src: Option<SocketAddr>,
    /// Our address it was sent to, from packet info, when known.
    pub(crate) dst: Option<IpAddr>,
}

/// Reusable buffers for one `recvmmsg` batch.
pub(crate) struct RecvBatch {
    slot: usize,
    bufs: Vec<u8>,
    names: Vec<libc::sockaddr_storage>,
    cmsgs: Vec<[u64; CMSG_WORDS]>,
    pub(crate) meta: Vec<RecvMeta>,
}

impl std::fmt::Debug for RecvBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvBatch")
            .field("slot", &self.slot)
            .finish()
    }
}

impl RecvBatch {
    /// Buffers for `BATCH` packets of up to `slot` bytes.
    pub(crate) fn new(slot: usize) -> Self {
        Self {
            slot,
            bufs: vec![0; slot * BATCH],
            names: vec![empty_storage(); BATCH],
            cmsgs: vec![[0; CMSG_WORDS]; BATCH],
            meta: Vec::with_capacity(BATCH),
        }
    }

    /// The bytes of packet `i` of the last batch.
    pub(crate) fn packet(&self, i: usize) -> &[u8] {
        let start = i * self.slot;
        &self.bufs[start..start + self.meta[i].len]
    }

    /// Receives up to `BATCH` packets without blocking; `WouldBlock` when none wait.
    pub(crate) fn recv(&mut self, fd: RawFd) -> io::Result<usize> {
        self.meta.clear();
        // SAFETY: iovec and mmsghdr are plain old data; all zeroes is valid.
        let mut iovs: [libc::iovec; BATCH] = unsafe { zeroed() };
        // SAFETY: as above.
        let mut hdrs: [libc::mmsghdr; BATCH] = unsafe { zeroed() };
        let base = self.bufs.as_mut_ptr();
        for i in 0..BATCH {
            iovs[i] = libc::iovec {
                // SAFETY: i * slot + slot <= bufs.len(), so the pointer stays in the buffer.
                iov_base: unsafe { base.add(i * self.slot) }.cast(),
                iov_len: self.slot,
            };
            let h = &mut hdrs[i].msg_hdr;
            h.msg_name = (&raw mut self.names[i]).cast();
            h.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            h.msg_iov = &raw mut iovs[i];
            h.msg_iovlen = 1;
            h.msg_control = self.cmsgs[i].as_mut_ptr().cast();
            h.msg_controllen = size_of::<[u64; CMSG_WORDS]>() as _;
        }
        // SAFETY: every header points into buffers owned by `self` or the
        // local arrays, all alive and unaliased for the duration of the call;
        // lengths match the buffers.
        let n = unsafe {
            libc::recvmmsg(
                fd,
                hdrs.as_mut_ptr(),
                BATCH as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        let n = cvt(n)? as usize;
        for h in &hdrs[..n] {
            let mut dst = None;
            if h.msg_hdr.msg_controllen > 0 {
                for_each_cmsg(&h.msg_hdr, |level, ty, data| {
                    if let Some(ip) = pktinfo_dst(level, ty, data) {
                        dst = Some(ip);
                    }
                });
            }
            let idx = self.meta.len();
            self.meta.push(RecvMeta {
                len: (h.msg_len as usize).min(self.slot),
                src: from_storage(&self.names[idx]),
                dst,
            });
        }
        Ok(n)
    }
}

/// One packet of a send batch.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TxPacket {
    /// Where it goes.
    pub(crate) dest: SocketAddr,
    /// Its length in the batch slot.
    pub(crate) len: usize,
    /// The DSCP to mark it with, if any.
    pub(crate) dscp: Option<u8>,
    /// The source address to send it from, if the socket is not bound to one.
    pub(crate) src: Option<IpAddr>,
}

/// Room for two control messages (packet info and traffic class), in u64 words.
const CMSG_TX_WORDS: usize = 8;

/// Writes the control messages of `p` into `buf`; returns their length.
fn tx_cmsgs(h: &mut libc::msghdr, buf: &mut [u64; CMSG_TX_WORDS], p: &TxPacket, v6: bool) {
    let int_len = size_of::<libc::c_int>() as u32;
    let info_len = if v6 {
        size_of::<libc::in6_pktinfo>()
    } else {
        size_of::<libc::in_pktinfo>()
    } as u32;
    let src = p
        .src
        .filter(|ip| ip.is_ipv6() == v6 && !ip.is_unspecified());
    // SAFETY: CMSG_SPACE/CMSG_LEN are pure arithmetic.
    let space = unsafe {
        src.map_or(0, |_| libc::CMSG_SPACE(info_len))
            + p.dscp.map_or(0, |_| libc::CMSG_SPACE(int_len))
    };
    if space == 0 {
        return;
    }
    debug_assert!(space as usize <= size_of::<[u64; CMSG_TX_WORDS]>());
    h.msg_control = buf.as_mut_ptr().cast();
    h.msg_controllen = space as _;
    // SAFETY: `buf` is 8-byte aligned, zeroed and at least `space` bytes
    // long (64 bytes against at most 56 needed), and outlives the send;
    // CMSG_FIRSTHDR/CMSG_NXTHDR walk it from the header set just above and
    // return pointers inside it (or null, checked). Payloads are written
    // unaligned.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(h);
        if let Some(ip) = src {
            if c.is_null() {
                return;
            }
            match ip {
                IpAddr::V4(a) => {
                    (*c).cmsg_level = libc::IPPROTO_IP;
                    (*c).cmsg_type = libc::IP_PKTINFO;
                    (*c).cmsg_len = libc::CMSG_LEN(info_len) as _;
                    let info = libc::in_pktinfo {
                        ipi_ifindex: 0,
                        ipi_spec_dst: libc::in_addr {
                            s_addr: u32::from_ne_bytes(a.octets()),
                        },
                        ipi_addr: libc::in_addr { s_addr: 0 },
                    };
                    libc::CMSG_DATA(c)
                        .cast::<libc::in_pktinfo>()
                        .write_unaligned(info);
                }
                IpAddr::V6(a) => {
                    (*c).cmsg_level = libc::IPPROTO_IPV6;
                    (*c).cmsg_type = libc::IPV6_PKTINFO;
                    (*c).cmsg_len = libc::CMSG_LEN(info_len) as _;
                    let info = libc::in6_pktinfo {
                        ipi6_addr: libc::in6_addr {
                            s6_addr: a.octets(),
                        },
                        ipi6_ifindex: 0,
                    };
                    libc::CMSG_DATA(c)
                        .cast::<libc::in6_pktinfo>()
                        .write_unaligned(info);
                }
            }
            c = libc::CMSG_NXTHDR(h, c);
        }
        if let Some(dscp) = p.dscp {
            if c.is_null() {
                return;
            }
            let (level, ty) = if v6 {
                (libc::IPPROTO_IPV6, libc::IPV6_TCLASS)
            } else {
                (libc::IPPROTO_IP, libc::IP_TOS)
            };
            (*c).cmsg_level = level;
            (*c).cmsg_type = ty;
            (*c).cmsg_len = libc::CMSG_LEN(int_len) as _;
            let tos = libc::c_int::from(dscp & 0x3f) << 2;
            libc::CMSG_DATA(c)
                .cast::<libc::c_int>()
                .write_unaligned(tos);
        }
    }
}

/// Sends packets `bufs[i * slot..][..len]` to their destinations with one
/// `sendmmsg`; the destination port is replaced by `port` (0 for raw
/// sockets). A packet with a source address leaves from it (`IP_PKTINFO` /
/// `IPV6_PKTINFO`), one with a DSCP carries it (`IP_TOS` / `IPV6_TCLASS`).
/// Returns how many were sent (at least one, or an error about the first).
pub(crate) fn send_batch(
    fd: RawFd,
    bufs: &[u8],
    slot: usize,
    packets: &[TxPacket],
    port_override: Option<u16>,
    v6: bool,
) -> io::Result<usize> {
    let n = packets.len().min(BATCH);
    // SAFETY: iovec and mmsghdr are plain old data; all zeroes is valid.
    let mut iovs: [libc::iovec; BATCH] = unsafe { zeroed() };
    // SAFETY: as above.
    let mut hdrs: [libc::mmsghdr; BATCH] = unsafe { zeroed() };
    let mut names = [empty_storage(); BATCH];
    let mut cmsgs = [[0u64; CMSG_TX_WORDS]; BATCH];
    for (i, p) in packets[..n].iter().enumerate() {
        assert!(i * slot + p.len <= bufs.len());
        let (storage, namelen) = to_storage(p.dest, port_override.unwrap_or(p.dest.port()));
        names[i] = storage;
        iovs[i] = libc::iovec {
            // SAFETY: checked above that the range lies in `bufs`; the kernel only reads it.
            iov_base: unsafe { bufs.as_ptr().add(i * slot) }.cast_mut().cast(),
            iov_len: p.len,
        };
        let h = &mut hdrs[i].msg_hdr;
        h.msg_name = (&raw mut names[i]).cast();
        h.msg_namelen = namelen;
        h.msg_iov = &raw mut iovs[i];
        h.msg_iovlen = 1;
        tx_cmsgs(h, &mut cmsgs[i], p, v6);
    }
    // SAFETY: every header points at live local arrays and at ranges of
    // `bufs` checked above; the kernel reads them during the call only.
    let r = unsafe { libc::sendmmsg(fd, hdrs.as_mut_ptr(), n as libc::c_uint, libc::MSG_DONTWAIT) };
    Ok(cvt(r)? as usize)
}

/// A report from the socket error queue (`IP_RECVERR`/`IPV6_RECVERR`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrReport {
    /// The destination of the packet that caused it.
    pub(crate) dest: Option<SocketAddr>,
    /// `ee_errno`.
    pub(crate) errno: i32,
    /// `ee_origin`: local, ICMP or ICMPv6.
    pub(crate) origin: u8,
    /// `ee_info`: for "fragmentation needed"/"packet too big" the next-hop MTU.
    pub(crate) info: u32,
}

impl ErrReport {
    /// The path MTU this report announces, if it is one.
    pub(crate) fn path_mtu(&self) -> Option<usize> {
        let from_icmp = self.origin == libc::SO_EE_ORIGIN_ICMP
            || self.origin == libc::SO_EE_ORIGIN_ICMP6
            || self.origin == libc::SO_EE_ORIGIN_LOCAL;
        (from_icmp && self.errno == libc::EMSGSIZE && self.info > 0).then_some(self.info as usize)
    }
}

/// Reads one report from the error queue without blocking; `None` when empty.
pub(crate) fn recv_err(fd: RawFd) -> io::Result<Option<ErrReport>> {
    let mut data = [0u8; 512];
    let mut name = empty_storage();
    let mut control = [0u64; 64];
    let mut iov = libc::iovec {
        iov_base: data.as_mut_ptr().cast(),
        iov_len: data.len(),
    };
    // SAFETY: msghdr is plain old data; all zeroes is valid.
    let mut msg: libc::msghdr = unsafe { zeroed() };
    msg.msg_name = (&raw mut name).cast();
    msg.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    msg.msg_iov = &raw mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = size_of::<[u64; 64]>() as _;
    // SAFETY: msg points at the live local buffers above with their true lengths.
    let r = unsafe { libc::recvmsg(fd, &raw mut msg, libc::MSG_ERRQUEUE | libc::MSG_DONTWAIT) };
    if let Err(e) = cvt(r as libc::c_int) {
        return if e.kind() == io::ErrorKind::WouldBlock {
            Ok(None)
        } else {
            Err(e)
        };
    }
    let mut report = None;
    for_each_cmsg(&msg, |level, ty, d| {
        let is_err = (level == libc::IPPROTO_IP && ty == libc::IP_RECVERR)
            || (level == libc::IPPROTO_IPV6 && ty == libc::IPV6_RECVERR);
        if is_err && d.len() >= size_of::<libc::sock_extended_err>() {
            // SAFETY: the kernel wrote a sock_extended_err here (length checked);
            // read_unaligned copes with any alignment of the control buffer.
            let ee: libc::sock_extended_err = unsafe {
                d.as_ptr()
                    .cast::<libc::sock_extended_err>()
                    .read_unaligned()
            };
            report = Some(ErrReport {
                dest: None,
                errno: ee.ee_errno as i32,
                origin: ee.ee_origin,
                info: ee.ee_info,
            });
        }
    });
    Ok(report.map(|r| ErrReport {
        dest: from_storage(&name),
        ..r
    }))
}

/// Registers a socket with tokio's reactor.
pub(crate) fn async_fd(sock: Socket) -> io::Result<AsyncFd<Socket>> {
    // SAFETY: `Socket` owns a valid file descriptor, and the `AsyncFd` owns the
    // `Socket`, so the descriptor is neither closed nor replaced while registered.
    unsafe { AsyncFd::register(sock) }.map_err(io::Error::from)
}
