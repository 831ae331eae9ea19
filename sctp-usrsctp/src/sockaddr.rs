//! C socket addresses (`sockaddr_in`, `sockaddr_in6`, usrsctp's
//! `sockaddr_conn`) read from and written to bytes, with their lengths
//! checked: the FFI layer hands over slices of exactly what C passed.

use std::mem::{offset_of, size_of};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6};

use crate::abi::{AF_CONN, sockaddr_conn};
use crate::stack::Errno;
use crate::stack::addr::Peer;

fn family(b: &[u8]) -> Result<i32, Errno> {
    let f = b.get(..2).ok_or(libc::EINVAL)?;
    Ok(u16::from_ne_bytes([f[0], f[1]]).into())
}

/// The size of the address at the start of `b`, by its family.
pub(crate) fn len_of(b: &[u8]) -> Result<usize, Errno> {
    Ok(match family(b)? {
        libc::AF_INET => size_of::<libc::sockaddr_in>(),
        libc::AF_INET6 => size_of::<libc::sockaddr_in6>(),
        f if f == AF_CONN => size_of::<sockaddr_conn>(),
        _ => return Err(libc::EAFNOSUPPORT),
    })
}

/// Reads one address.
pub(crate) fn read(b: &[u8]) -> Result<Peer, Errno> {
    let need = len_of(b)?;
    if b.len() < need {
        return Err(libc::EINVAL);
    }
    let port = u16::from_be_bytes([b[2], b[3]]);
    Ok(match family(b)? {
        libc::AF_INET => {
            let ip = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
            Peer::Ip(SocketAddr::new(IpAddr::V4(ip), port))
        }
        libc::AF_INET6 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&b[8..24]);
            let v6 = Ipv6Addr::from(a);
            // An IPv4-mapped address is the IPv4 peer (RFC 6458 section 8.1.21's option).
            match v6.to_ipv4_mapped() {
                Some(v4) => Peer::Ip(SocketAddr::new(IpAddr::V4(v4), port)),
                None => {
                    let scope = u32::from_ne_bytes([b[24], b[25], b[26], b[27]]);
                    Peer::Ip(SocketAddr::V6(SocketAddrV6::new(v6, port, 0, scope)))
                }
            }
        }
        _ => {
            let off = offset_of!(sockaddr_conn, sconn_addr);
            let mut p = [0u8; size_of::<usize>()];
            p.copy_from_slice(&b[off..off + size_of::<usize>()]);
            Peer::Conn(usize::from_ne_bytes(p), port)
        }
    })
}

/// The size `write` needs for `p`.
pub(crate) fn size(p: Peer, mapped_v4: bool) -> usize {
    match p {
        Peer::Ip(SocketAddr::V4(_)) if !mapped_v4 => size_of::<libc::sockaddr_in>(),
        Peer::Ip(_) => size_of::<libc::sockaddr_in6>(),
        Peer::Conn(..) => size_of::<sockaddr_conn>(),
    }
}

/// Writes `p` into `out` (at least [`size`] bytes, zeroed by the caller's
/// intent: every byte of the address is written); IPv4 as a mapped IPv6
/// address when `mapped_v4`. Returns the length written, or 0 if `out`
/// is too small.
pub(crate) fn write(p: Peer, mapped_v4: bool, out: &mut [u8]) -> usize {
    let n = size(p, mapped_v4);
    let Some(out) = out.get_mut(..n) else {
        return 0;
    };
    out.fill(0);
    match p {
        Peer::Ip(SocketAddr::V4(a)) if !mapped_v4 => {
            out[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
            out[2..4].copy_from_slice(&a.port().to_be_bytes());
            out[4..8].copy_from_slice(&a.ip().octets());
        }
        Peer::Ip(a) => {
            let (ip, scope) = match a {
                SocketAddr::V4(v4) => (v4.ip().to_ipv6_mapped(), 0),
                SocketAddr::V6(v6) => (*v6.ip(), v6.scope_id()),
            };
            out[..2].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
            out[2..4].copy_from_slice(&a.port().to_be_bytes());
            out[8..24].copy_from_slice(&ip.octets());
            out[24..28].copy_from_slice(&scope.to_ne_bytes());
        }
        Peer::Conn(ptr, port) => {
            out[..2].copy_from_slice(&(AF_CONN as u16).to_ne_bytes());
            out[2..4].copy_from_slice(&port.to_be_bytes());
            let off = offset_of!(sockaddr_conn, sconn_addr);
            out[off..off + size_of::<usize>()].copy_from_slice(&ptr.to_ne_bytes());
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        let peers = [
            Peer::Ip("198.18.0.2:7".parse().unwrap()),
            Peer::Ip("[fd00::2]:5001".parse().unwrap()),
            Peer::Conn(0x7fff_0000_1234, 5001),
        ];
        let mut buf = [0u8; 128];
        for p in peers {
            let n = write(p, false, &mut buf);
            assert_eq!(n, len_of(&buf).unwrap());
            assert_eq!(read(&buf[..n]).unwrap(), p);
        }
        // Mapped: an IPv4 peer shown as ::ffff:a.b.c.d reads back as IPv4.
        let n = write(peers[0], true, &mut buf);
        assert_eq!(n, size_of::<libc::sockaddr_in6>());
        assert_eq!(read(&buf[..n]).unwrap(), peers[0]);
    }

    #[test]
    fn short_or_unknown_addresses_are_refused() {
        assert_eq!(read(&[]), Err(libc::EINVAL));
        assert_eq!(read(&[2, 0, 0, 7]), Err(libc::EINVAL));
        assert_eq!(read(&[99, 0, 0, 7, 0, 0, 0, 0]), Err(libc::EAFNOSUPPORT));
    }
}
