//! A pcap writer recording every SCTP packet the driver sends and receives,
//! for debugging a peer with Wireshark or tshark.
//!
//! # Format
//!
//! The file is classic pcap (not pcapng): version 2.4, microsecond
//! timestamps (magic `0xa1b2c3d4`), snaplen 65535, every field written
//! little-endian (readers detect the byte order from the magic). Classic pcap
//! with microsecond timestamps is the one format every tool reads (tcpdump,
//! Wireshark, tshark, libpcap of any age, `pcap-file`), and records are
//! written in send/receive order, so finer timestamps would add nothing.
//!
//! The link type is `LINKTYPE_RAW` (101): each record is a bare IPv4 or IPv6
//! packet, told apart by its version nibble, so one file holds both
//! families. The driver handles SCTP packets above IP and has no link layer
//! to show, so an Ethernet header would be fiction.
//!
//! The IP header (and the UDP header of RFC 6951 encapsulation) is
//! synthesized from the addresses and ports the driver knows, not copied from
//! the wire: identification 0, TTL/hop limit 64, DF set, no options or
//! extension headers. The IPv4 header checksum and the IPv6 UDP checksum are
//! correct; the IPv4 UDP checksum is 0 ("none"), as RFC 6951 allows. The
//! SCTP bytes are recorded as they are, CRC32c included.
//!
//! A packet that cannot be written as one IP packet of at most 65535 bytes
//! (the snaplen), or whose addresses are of different families, is skipped:
//! [`PcapWriter::record`] returns `Ok` without writing it, and never panics.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::IpAddr;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Magic number of classic pcap with microsecond timestamps.
const MAGIC_MICROS: u32 = 0xa1b2_c3d4;
/// Largest record (a whole IP packet) the file holds; also the snaplen.
const SNAPLEN: u32 = 65_535;
/// `LINKTYPE_RAW`: records start at the IPv4 or IPv6 header.
const LINKTYPE_RAW: u32 = 101;
/// IP protocol number of SCTP.
const IPPROTO_SCTP: u8 = 132;
/// IP protocol number of UDP.
const IPPROTO_UDP: u8 = 17;
/// TTL (IPv4) and hop limit (IPv6) of the synthesized headers.
const HOP_LIMIT: u8 = 64;
/// Length of a pcap record header.
const RECORD_HEADER_LEN: usize = 16;
/// Length of an IPv4 header without options.
const IPV4_HEADER_LEN: usize = 20;
/// Length of an IPv6 header.
const IPV6_HEADER_LEN: usize = 40;
/// Length of a UDP header.
const UDP_HEADER_LEN: usize = 8;

/// Writes SCTP packets, wrapped in synthesized IP (and UDP) headers, to a pcap file.
pub(crate) struct PcapWriter {
    /// The capture file.
    out: BufWriter<File>,
    /// Record header, IP header and UDP header of the record being written, reused.
    scratch: Vec<u8>,
}

impl PcapWriter {
    /// Creates (truncates) `path` and writes the pcap global header (µs, `LINKTYPE_RAW`).
    pub(crate) fn create(path: &Path) -> io::Result<Self> {
        let mut out = BufWriter::new(File::create(path)?);
        let mut header = [0u8; 24];
        header[0..4].copy_from_slice(&MAGIC_MICROS.to_le_bytes());
        header[4..6].copy_from_slice(&2u16.to_le_bytes()); // version major
        header[6..8].copy_from_slice(&4u16.to_le_bytes()); // version minor
        // thiszone (8..12) and sigfigs (12..16) stay 0.
        header[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
        header[20..24].copy_from_slice(&LINKTYPE_RAW.to_le_bytes());
        out.write_all(&header)?;
        Ok(Self {
            out,
            scratch: Vec::with_capacity(RECORD_HEADER_LEN + IPV6_HEADER_LEN + UDP_HEADER_LEN),
        })
    }

    /// Records `sctp` from `src` to `dst` at `at` (UDP if `udp_ports`); may skip, see module doc.
    pub(crate) fn record(
        &mut self,
        at: SystemTime,
        src: IpAddr,
        dst: IpAddr,
        udp_ports: Option<(u16, u16)>,
        sctp: &[u8],
    ) -> io::Result<()> {
        let ip_header_len = match (src, dst) {
            (IpAddr::V4(_), IpAddr::V4(_)) => IPV4_HEADER_LEN,
            (IpAddr::V6(_), IpAddr::V6(_)) => IPV6_HEADER_LEN,
            _ => {
                tracing::debug!(%src, %dst, "pcap: mixed address families, packet not recorded");
                return Ok(());
            }
        };
        let udp_len = if udp_ports.is_some() {
            UDP_HEADER_LEN
        } else {
            0
        };
        let ip_len = ip_header_len + udp_len + sctp.len();
        // Also bounds the IPv4 total length, IPv6 payload length and UDP length.
        let Ok(ip_len16) = u16::try_from(ip_len) else {
            tracing::debug!(len = sctp.len(), "pcap: packet too large, not recorded");
            return Ok(());
        };
        let upper_len = (ip_len - ip_header_len) as u16; // <= ip_len16
        let next_header = if udp_ports.is_some() {
            IPPROTO_UDP
        } else {
            IPPROTO_SCTP
        };

        let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or(Duration::ZERO);
        let secs = u32::try_from(since_epoch.as_secs()).unwrap_or(u32::MAX);
        let s = &mut self.scratch;
        s.clear();
        s.extend_from_slice(&secs.to_le_bytes());
        s.extend_from_slice(&since_epoch.subsec_micros().to_le_bytes());
        s.extend_from_slice(&u32::from(ip_len16).to_le_bytes()); // captured length
        s.extend_from_slice(&u32::from(ip_len16).to_le_bytes()); // original length

        match (src, dst) {
            (IpAddr::V4(src), IpAddr::V4(dst)) => {
                let start = s.len();
                s.extend_from_slice(&[0x45, 0]); // version 4, IHL 5; DSCP/ECN 0
                s.extend_from_slice(&ip_len16.to_be_bytes());
                s.extend_from_slice(&[0, 0, 0x40, 0]); // identification 0; DF, offset 0
                s.extend_from_slice(&[HOP_LIMIT, next_header, 0, 0]); // checksum below
                s.extend_from_slice(&src.octets());
                s.extend_from_slice(&dst.octets());
                let sum = checksum_fold(checksum_add(0, &s[start..]));
                s[start + 10..start + 12].copy_from_slice(&sum.to_be_bytes());
                if let Some((src_port, dst_port)) = udp_ports {
                    s.extend_from_slice(&src_port.to_be_bytes());
                    s.extend_from_slice(&dst_port.to_be_bytes());
                    s.extend_from_slice(&upper_len.to_be_bytes());
                    s.extend_from_slice(&[0, 0]); // no checksum (RFC 768, RFC 6951)
                }
            }
            (IpAddr::V6(src), IpAddr::V6(dst)) => {
                s.extend_from_slice(&[0x60, 0, 0, 0]); // version 6; traffic class, flow label 0
                s.extend_from_slice(&upper_len.to_be_bytes());
                s.extend_from_slice(&[next_header, HOP_LIMIT]);
                s.extend_from_slice(&src.octets());
                s.extend_from_slice(&dst.octets());
                if let Some((src_port, dst_port)) = udp_ports {
                    // RFC 8200 section 8.1: pseudo-header, UDP header (checksum 0), payload.
                    let mut acc = checksum_add(0, &src.octets());
                    acc = checksum_add(acc, &dst.octets());
                    acc += u64::from(upper_len) + u64::from(IPPROTO_UDP);
                    let udp_start = s.len();
                    s.extend_from_slice(&src_port.to_be_bytes());
                    s.extend_from_slice(&dst_port.to_be_bytes());
                    s.extend_from_slice(&upper_len.to_be_bytes());
                    s.extend_from_slice(&[0, 0]);
                    acc = checksum_add(acc, &s[udp_start..]);
                    acc = checksum_add(acc, sctp);
                    // A computed 0 is sent as 0xffff: 0 means "no checksum" (RFC 768).
                    let sum = match checksum_fold(acc) {
                        0 => 0xffff,
                        sum => sum,
                    };
                    s[udp_start + 6..udp_start + 8].copy_from_slice(&sum.to_be_bytes());
                }
            }
            _ => return Ok(()), // mixed families, excluded above
        }

        self.out.write_all(&self.scratch)?;
        self.out.write_all(sctp)
    }

    /// Flushes buffered records to the file.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl Drop for PcapWriter {
    /// Flushes what is buffered, ignoring errors.
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

/// Adds `data` as big-endian 16-bit words (odd last byte padded) to the one's-complement `acc`.
fn checksum_add(mut acc: u64, data: &[u8]) -> u64 {
    let mut words = data.chunks_exact(2);
    for word in &mut words {
        acc += u64::from(u16::from_be_bytes([word[0], word[1]]));
    }
    if let [last] = words.remainder() {
        acc += u64::from(*last) << 8;
    }
    acc
}

/// Folds a one's-complement sum to 16 bits and complements it (RFC 1071 Internet checksum).
fn checksum_fold(mut acc: u64) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};
    use std::path::PathBuf;
    use std::process::Command;

    use pnet_packet::Packet;
    use pnet_packet::ipv4::{self, Ipv4Packet};
    use pnet_packet::ipv6::Ipv6Packet;
    use pnet_packet::udp::{self, UdpPacket};

    /// RFC 6951's registered UDP port for SCTP encapsulation.
    const SCTP_UDP_PORT: u16 = 9899;

    /// A temporary file path unique to this process and `name`, removed on drop.
    struct TempPath(PathBuf);

    impl TempPath {
        fn new(name: &str) -> Self {
            Self(
                std::env::temp_dir()
                    .join(format!("sctp-raw-pcap-{}-{name}.pcap", std::process::id())),
            )
        }
    }

    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// An SCTP packet: common header, then `chunks` (each padded to 4 bytes), with its CRC32c.
    fn sctp_packet(src_port: u16, dst_port: u16, vtag: u32, chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&src_port.to_be_bytes());
        p.extend_from_slice(&dst_port.to_be_bytes());
        p.extend_from_slice(&vtag.to_be_bytes());
        p.extend_from_slice(&[0; 4]);
        for chunk in chunks {
            p.extend_from_slice(chunk);
            p.resize(p.len().next_multiple_of(4), 0);
        }
        // RFC 9260 appendix A: the CRC32c is carried little-endian.
        let crc = crc32c::crc32c(&p);
        p[8..12].copy_from_slice(&crc.to_le_bytes());
        p
    }

    /// An INIT chunk (type 1) without parameters.
    fn init_chunk(initiate_tag: u32, initial_tsn: u32) -> Vec<u8> {
        let mut c = vec![1, 0];
        c.extend_from_slice(&20u16.to_be_bytes());
        c.extend_from_slice(&initiate_tag.to_be_bytes());
        c.extend_from_slice(&65_536u32.to_be_bytes()); // a_rwnd
        c.extend_from_slice(&10u16.to_be_bytes()); // outbound streams
        c.extend_from_slice(&10u16.to_be_bytes()); // inbound streams
        c.extend_from_slice(&initial_tsn.to_be_bytes());
        c
    }

    /// A DATA chunk (type 0), unfragmented, on stream 0 with PPID 51 (WebRTC string).
    fn data_chunk(tsn: u32, payload: &[u8]) -> Vec<u8> {
        let mut c = vec![0, 0x03];
        c.extend_from_slice(&(16 + payload.len() as u16).to_be_bytes());
        c.extend_from_slice(&tsn.to_be_bytes());
        c.extend_from_slice(&0u16.to_be_bytes()); // stream
        c.extend_from_slice(&0u16.to_be_bytes()); // stream sequence number
        c.extend_from_slice(&51u32.to_be_bytes()); // PPID
        c.extend_from_slice(payload);
        c
    }

    /// A SACK chunk (type 3) without gap reports or duplicates.
    fn sack_chunk(cumulative_tsn: u32) -> Vec<u8> {
        let mut c = vec![3, 0];
        c.extend_from_slice(&16u16.to_be_bytes());
        c.extend_from_slice(&cumulative_tsn.to_be_bytes());
        c.extend_from_slice(&65_536u32.to_be_bytes()); // a_rwnd
        c.extend_from_slice(&[0; 4]); // no gap blocks, no duplicate TSNs
        c
    }

    /// One record read back from a pcap file.
    #[derive(Debug)]
    struct Record {
        ts_sec: u32,
        ts_usec: u32,
        orig_len: u32,
        data: Vec<u8>,
    }

    /// Parses a classic little-endian microsecond pcap, checking its global header.
    fn read_pcap(path: &Path) -> Vec<Record> {
        let bytes = std::fs::read(path).expect("reading the capture");
        let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let u32_at = |b: &[u8], i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap());
        assert!(bytes.len() >= 24, "global header missing");
        assert_eq!(u32_at(&bytes, 0), 0xa1b2_c3d4, "magic (microseconds)");
        assert_eq!(u16_at(&bytes, 4), 2, "version major");
        assert_eq!(u16_at(&bytes, 6), 4, "version minor");
        assert_eq!(u32_at(&bytes, 8), 0, "thiszone");
        assert_eq!(u32_at(&bytes, 12), 0, "sigfigs");
        assert_eq!(u32_at(&bytes, 16), 65_535, "snaplen");
        assert_eq!(u32_at(&bytes, 20), 101, "LINKTYPE_RAW");
        let mut records = Vec::new();
        let mut rest = &bytes[24..];
        while !rest.is_empty() {
            assert!(rest.len() >= 16, "truncated record header");
            let incl_len = u32_at(rest, 8) as usize;
            assert!(rest.len() >= 16 + incl_len, "truncated record data");
            records.push(Record {
                ts_sec: u32_at(rest, 0),
                ts_usec: u32_at(rest, 4),
                orig_len: u32_at(rest, 12),
                data: rest[16..16 + incl_len].to_vec(),
            });
            rest = &rest[16 + incl_len..];
        }
        records
    }

    /// Checks an IPv4 record's header (checksum included) and returns its payload.
    fn check_ipv4(record: &Record, src: Ipv4Addr, dst: Ipv4Addr, protocol: u8) -> Vec<u8> {
        let ip = Ipv4Packet::new(&record.data).expect("IPv4 header");
        assert_eq!(ip.get_version(), 4);
        assert_eq!(ip.get_header_length(), 5);
        assert_eq!(usize::from(ip.get_total_length()), record.data.len());
        assert_eq!(ip.get_flags(), 0b010, "DF set, MF clear");
        assert_eq!(ip.get_fragment_offset(), 0);
        assert_eq!(ip.get_ttl(), 64);
        assert_eq!(ip.get_next_level_protocol().0, protocol);
        assert_eq!(ip.get_source(), src);
        assert_eq!(ip.get_destination(), dst);
        assert_eq!(
            ip.get_checksum(),
            ipv4::checksum(&ip),
            "IPv4 header checksum"
        );
        // Summing a header with its checksum in place gives 0.
        assert_eq!(checksum_fold(checksum_add(0, &record.data[..20])), 0);
        ip.payload().to_vec()
    }

    /// Checks an IPv6 record's header and returns its payload.
    fn check_ipv6(record: &Record, src: Ipv6Addr, dst: Ipv6Addr, next_header: u8) -> Vec<u8> {
        let ip = Ipv6Packet::new(&record.data).expect("IPv6 header");
        assert_eq!(ip.get_version(), 6);
        assert_eq!(usize::from(ip.get_payload_length()), record.data.len() - 40);
        assert_eq!(ip.get_next_header().0, next_header);
        assert_eq!(ip.get_hop_limit(), 64);
        assert_eq!(ip.get_source(), src);
        assert_eq!(ip.get_destination(), dst);
        ip.payload().to_vec()
    }

    /// The capture of the round-trip and tshark tests, with what each record should hold.
    struct Sample {
        v4a: Ipv4Addr,
        v4b: Ipv4Addr,
        v6a: Ipv6Addr,
        v6b: Ipv6Addr,
        /// IPv4 raw SCTP: INIT, 5000 -> 6000.
        init: Vec<u8>,
        /// IPv6 raw SCTP: DATA, 6000 -> 5000.
        data: Vec<u8>,
        /// IPv4 over UDP 40000 -> 9899: SACK + DATA, 7000 -> 8000.
        sack_data: Vec<u8>,
        /// IPv6 over UDP 9899 -> 40001: DATA with an odd payload (padded), 8000 -> 7000.
        data_v6_udp: Vec<u8>,
    }

    fn write_sample(path: &Path, at: SystemTime) -> Sample {
        let sample = Sample {
            v4a: Ipv4Addr::new(192, 0, 2, 1),
            v4b: Ipv4Addr::new(198, 51, 100, 7),
            v6a: "2001:db8::1".parse().unwrap(),
            v6b: "2001:db8:ffff::2".parse().unwrap(),
            init: sctp_packet(5000, 6000, 0, &[init_chunk(0x1234_5678, 1)]),
            data: sctp_packet(6000, 5000, 0x1234_5678, &[data_chunk(1, b"hello, peer!")]),
            sack_data: sctp_packet(
                7000,
                8000,
                0xdead_beef,
                &[sack_chunk(41), data_chunk(100, b"encapsulated")],
            ),
            data_v6_udp: sctp_packet(8000, 7000, 0xfeed_f00d, &[data_chunk(7, b"odd")]),
        };
        let mut w = PcapWriter::create(path).expect("creating the capture");
        let s = &sample;
        w.record(at, s.v4a.into(), s.v4b.into(), None, &s.init)
            .unwrap();
        w.record(at, s.v6b.into(), s.v6a.into(), None, &s.data)
            .unwrap();
        w.record(
            at,
            s.v4a.into(),
            s.v4b.into(),
            Some((40_000, SCTP_UDP_PORT)),
            &s.sack_data,
        )
        .unwrap();
        w.record(
            at,
            s.v6a.into(),
            s.v6b.into(),
            Some((SCTP_UDP_PORT, 40_001)),
            &s.data_v6_udp,
        )
        .unwrap();
        w.flush().unwrap();
        sample
    }

    #[test]
    fn records_ipv4_ipv6_and_udp_encapsulated_sctp_readable_back() {
        let tmp = TempPath::new("roundtrip");
        let at = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789);
        let s = write_sample(&tmp.0, at);
        let records = read_pcap(&tmp.0);
        assert_eq!(records.len(), 4);
        for r in &records {
            assert_eq!((r.ts_sec, r.ts_usec), (1_700_000_000, 123_456));
            assert_eq!(r.orig_len as usize, r.data.len());
        }

        // IPv4, raw SCTP.
        assert_eq!(records[0].data.len(), 20 + s.init.len());
        assert_eq!(check_ipv4(&records[0], s.v4a, s.v4b, 132), s.init);

        // IPv6, raw SCTP.
        assert_eq!(records[1].data.len(), 40 + s.data.len());
        assert_eq!(check_ipv6(&records[1], s.v6b, s.v6a, 132), s.data);

        // IPv4, UDP-encapsulated: UDP checksum 0.
        let payload = check_ipv4(&records[2], s.v4a, s.v4b, 17);
        let udp = UdpPacket::new(&payload).expect("UDP header");
        assert_eq!(udp.get_source(), 40_000);
        assert_eq!(udp.get_destination(), SCTP_UDP_PORT);
        assert_eq!(usize::from(udp.get_length()), 8 + s.sack_data.len());
        assert_eq!(udp.get_checksum(), 0);
        assert_eq!(udp.payload(), &s.sack_data[..]);

        // IPv6, UDP-encapsulated: UDP checksum mandatory and correct.
        let payload = check_ipv6(&records[3], s.v6a, s.v6b, 17);
        let udp = UdpPacket::new(&payload).expect("UDP header");
        assert_eq!(udp.get_source(), SCTP_UDP_PORT);
        assert_eq!(udp.get_destination(), 40_001);
        assert_eq!(usize::from(udp.get_length()), 8 + s.data_v6_udp.len());
        assert_ne!(udp.get_checksum(), 0);
        assert_eq!(
            udp.get_checksum(),
            udp::ipv6_checksum(&udp, &s.v6a, &s.v6b),
            "IPv6 UDP checksum"
        );
        assert_eq!(udp.payload(), &s.data_v6_udp[..]);

        // The SCTP bytes are untouched: their CRC32c still verifies.
        for sctp in [&s.init, &s.data, &s.sack_data, &s.data_v6_udp] {
            let mut zeroed = sctp.clone();
            zeroed[8..12].fill(0);
            assert_eq!(crc32c::crc32c(&zeroed).to_le_bytes(), sctp[8..12]);
        }
    }

    #[test]
    fn skips_mixed_families_and_oversized_packets_without_panicking() {
        let tmp = TempPath::new("skips");
        let v4 = IpAddr::from(Ipv4Addr::LOCALHOST);
        let v6 = IpAddr::from(Ipv6Addr::LOCALHOST);
        let now = SystemTime::now();
        let small = sctp_packet(1, 2, 3, &[data_chunk(1, b"x")]);
        let mut w = PcapWriter::create(&tmp.0).unwrap();
        w.record(now, v4, v6, None, &small).unwrap();
        w.record(now, v6, v4, Some((1, 2)), &small).unwrap();
        // Largest that fits: a 65535-byte IPv4 packet; one byte more is skipped.
        w.record(now, v4, v4, None, &vec![0; 65_535 - 20]).unwrap();
        w.record(now, v4, v4, None, &vec![0; 65_535 - 20 + 1])
            .unwrap();
        w.record(now, v4, v4, Some((1, 2)), &vec![0; 65_535 - 28 + 1])
            .unwrap();
        w.record(now, v6, v6, None, &vec![0; 65_535 - 40 + 1])
            .unwrap();
        w.record(now, v6, v6, Some((1, 2)), &vec![0; 70_000])
            .unwrap();
        w.flush().unwrap();
        let records = read_pcap(&tmp.0);
        assert_eq!(records.len(), 1, "only the 65535-byte IPv4 packet");
        assert_eq!(records[0].data.len(), 65_535);
        check_ipv4(&records[0], Ipv4Addr::LOCALHOST, Ipv4Addr::LOCALHOST, 132);
    }

    #[test]
    fn timestamps_before_epoch_clamp_to_zero_and_microseconds_truncate() {
        let tmp = TempPath::new("timestamps");
        let v4 = IpAddr::from(Ipv4Addr::LOCALHOST);
        let sctp = sctp_packet(1, 2, 3, &[data_chunk(1, b"x")]);
        let mut w = PcapWriter::create(&tmp.0).unwrap();
        w.record(UNIX_EPOCH - Duration::from_secs(5), v4, v4, None, &sctp)
            .unwrap();
        w.record(
            UNIX_EPOCH + Duration::new(42, 999_999_999),
            v4,
            v4,
            None,
            &sctp,
        )
        .unwrap();
        w.flush().unwrap();
        let records = read_pcap(&tmp.0);
        assert_eq!((records[0].ts_sec, records[0].ts_usec), (0, 0));
        assert_eq!((records[1].ts_sec, records[1].ts_usec), (42, 999_999));
    }

    #[test]
    fn drop_flushes_buffered_records_and_create_truncates() {
        let tmp = TempPath::new("drop");
        let v6 = IpAddr::from(Ipv6Addr::LOCALHOST);
        let sctp = sctp_packet(1, 2, 3, &[data_chunk(1, b"x")]);
        {
            let mut w = PcapWriter::create(&tmp.0).unwrap();
            w.record(SystemTime::now(), v6, v6, None, &sctp).unwrap();
            w.record(SystemTime::now(), v6, v6, None, &sctp).unwrap();
        }
        assert_eq!(read_pcap(&tmp.0).len(), 2);
        {
            let mut w = PcapWriter::create(&tmp.0).unwrap();
            w.record(SystemTime::now(), v6, v6, None, &sctp).unwrap();
        }
        assert_eq!(read_pcap(&tmp.0).len(), 1);
    }

    #[test]
    fn tshark_decodes_sctp_ports_and_chunk_types_of_every_record() {
        let found = Command::new("tshark").arg("--version").output();
        if !found.is_ok_and(|o| o.status.success()) {
            eprintln!("SKIP: tshark is not installed (apt-get install -y tshark)");
            return;
        }
        let tmp = TempPath::new("tshark");
        let s = write_sample(&tmp.0, SystemTime::now());
        let output = Command::new("tshark")
            .arg("-r")
            .arg(&tmp.0)
            // Wireshark 4.0 dissects UDP port 9899 as SCTP by default; Decode As
            // covers versions and profiles that do not.
            .args(["-d", "udp.port==9899,sctp"])
            // Have tshark verify the CRC32c too.
            .args(["-o", "sctp.checksum:CRC-32C"])
            .args(["-T", "fields", "-E", "separator=|"])
            .args(["-e", "ip.src", "-e", "ipv6.src", "-e", "sctp.srcport"])
            .args(["-e", "sctp.chunk_type", "-e", "udp.dstport"])
            .args(["-e", "sctp.checksum.status", "-e", "ip.checksum.status"])
            .args(["-e", "udp.checksum.status", "-e", "_ws.expert.severity"])
            // Verify the IPv4 header and UDP checksums, off by default.
            .args([
                "-o",
                "ip.check_checksum:TRUE",
                "-o",
                "udp.check_checksum:TRUE",
            ])
            .output()
            .expect("running tshark");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "tshark failed: {}\n{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
        let lines: Vec<Vec<&str>> = stdout
            .lines()
            .map(|line| line.split('|').collect())
            .collect();
        // Checksum status: 0 bad, 1 good, 2 unverified, 3 not present.
        let expected = [
            [&*s.v4a.to_string(), "", "5000", "1", "", "1", "1", ""],
            ["", &*s.v6b.to_string(), "6000", "0", "", "1", "", ""],
            [
                &*s.v4a.to_string(),
                "",
                "7000",
                "3,0",
                "9899",
                "1",
                "1",
                "3",
            ],
            ["", &*s.v6a.to_string(), "8000", "0", "40001", "1", "", "1"],
        ];
        assert_eq!(lines.len(), expected.len(), "tshark output:\n{stdout}");
        for (i, (line, want)) in lines.iter().zip(&expected).enumerate() {
            assert_eq!(line.len(), 9, "frame {}: {line:?}", i + 1);
            assert_eq!(&line[..8], want, "frame {}:\n{stdout}", i + 1);
            assert_eq!(line[8], "", "frame {}: expert info {line:?}", i + 1);
        }
    }
}
