//! Shared helpers of the wire-format tests: reading SCTP packets out of pcap
//! files (any of the link layers tshark/dumpcap write) and writing raw-IPv4
//! pcaps for tshark to judge.

// Each test crate includes this module and uses only part of it.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use pcap_file::DataLink;
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapReader, PcapWriter};
use pnet_packet::ethernet::{EtherTypes, EthernetPacket};
use pnet_packet::ip::IpNextHeaderProtocols;
use pnet_packet::ipv4::{self, Ipv4Packet, MutableIpv4Packet};
use pnet_packet::ipv6::Ipv6Packet;
use pnet_packet::sll::SLLPacket;
use pnet_packet::sll2::SLL2Packet;

/// IP protocol number of SCTP.
pub(crate) const IPPROTO_SCTP: u8 = 132;

/// The top-level `testdata/` directory of the workspace.
pub(crate) fn testdata_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testdata")
}

/// Every `*.pcap` file in `dir`, sorted by name.
pub(crate) fn pcap_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "pcap"))
        .collect();
    files.sort();
    files
}

/// One SCTP packet found in a capture.
#[derive(Debug, Clone)]
pub(crate) struct CapturedSctp {
    /// 1-based frame number, as tshark and Wireshark count.
    pub(crate) frame: usize,
    /// `src > dst` of the IP header, for messages.
    pub(crate) ip: String,
    /// The SCTP packet: common header and chunks.
    pub(crate) sctp: Vec<u8>,
}

/// Reads every record of a pcap file and returns the SCTP packets in it;
/// a record that is not SCTP over IPv4/IPv6 is an error naming its frame.
pub(crate) fn read_sctp_packets(path: &Path) -> Result<Vec<CapturedSctp>, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut reader =
        PcapReader::new(BufReader::new(file)).map_err(|e| format!("{}: {e}", path.display()))?;
    let datalink = reader.header().datalink;
    let mut out = Vec::new();
    let mut frame = 0;
    while let Some(record) = reader.next_packet() {
        frame += 1;
        let record = record.map_err(|e| format!("{} frame {frame}: {e}", path.display()))?;
        if record.data.len() != record.orig_len as usize {
            return Err(format!(
                "{} frame {frame}: truncated by snaplen",
                path.display()
            ));
        }
        let (ip, sctp) = peel_link(datalink, &record.data)
            .map_err(|e| format!("{} frame {frame}: {e}", path.display()))?;
        out.push(CapturedSctp {
            frame,
            ip,
            sctp: sctp.to_vec(),
        });
    }
    Ok(out)
}

/// Strips the link layer of `datalink` and the IP header; returns `src > dst` and the SCTP bytes.
/// (Header sizes are fixed: pnet's `minimum_packet_size` leaves out the SLL address field.)
pub(crate) fn peel_link(datalink: DataLink, data: &[u8]) -> Result<(String, &[u8]), String> {
    let (ethertype, l3) = match datalink {
        DataLink::ETHERNET => {
            let eth = EthernetPacket::new(data).ok_or("short Ethernet header")?;
            (Some(eth.get_ethertype()), &data[14..])
        }
        DataLink::LINUX_SLL => {
            let sll = SLLPacket::new(data).ok_or("short Linux cooked (SLL) header")?;
            (
                Some(sll.get_protocol()),
                data.get(16..).ok_or("short SLL header")?,
            )
        }
        DataLink::LINUX_SLL2 => {
            let sll = SLL2Packet::new(data).ok_or("short Linux cooked (SLL2) header")?;
            (
                Some(sll.get_protocol_type()),
                data.get(20..).ok_or("short SLL2 header")?,
            )
        }
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => (None, data),
        other => return Err(format!("unsupported link type {other:?}")),
    };
    match ethertype {
        None | Some(EtherTypes::Ipv4) | Some(EtherTypes::Ipv6) => peel_ip(l3),
        Some(other) => Err(format!("not IP: ethertype {other}")),
    }
}

/// Strips an IPv4 (options included) or IPv6 (extension headers included) header.
pub(crate) fn peel_ip(l3: &[u8]) -> Result<(String, &[u8]), String> {
    match l3.first().map(|b| b >> 4) {
        Some(4) => {
            let ip = Ipv4Packet::new(l3).ok_or("short IPv4 header")?;
            let ihl = usize::from(ip.get_header_length()) * 4;
            let total = usize::from(ip.get_total_length());
            if ihl < 20 || total < ihl || total > l3.len() {
                return Err(format!(
                    "bad IPv4 lengths: IHL {ihl}, total {total}, captured {}",
                    l3.len()
                ));
            }
            if ip.get_fragment_offset() != 0 || ip.get_flags() & 0b001 != 0 {
                return Err("IPv4 fragment".into());
            }
            if ip.get_next_level_protocol() != IpNextHeaderProtocols::Sctp {
                return Err(format!(
                    "IPv4 protocol {} is not SCTP",
                    ip.get_next_level_protocol()
                ));
            }
            let addrs = format!("{} > {}", ip.get_source(), ip.get_destination());
            // Trimming to the total length drops Ethernet minimum-frame padding.
            Ok((addrs, &l3[ihl..total]))
        }
        Some(6) => {
            let ip = Ipv6Packet::new(l3).ok_or("short IPv6 header")?;
            let end = 40 + usize::from(ip.get_payload_length());
            if end > l3.len() {
                return Err(format!(
                    "IPv6 payload length {end} beyond captured {}",
                    l3.len()
                ));
            }
            let addrs = format!("{} > {}", ip.get_source(), ip.get_destination());
            let (mut next, mut pos) = (ip.get_next_header().0, 40);
            // Hop-by-hop, routing and destination options: (Hdr Ext Len + 1) * 8 bytes.
            while matches!(next, 0 | 43 | 60) {
                let ext = l3.get(pos..pos + 2).ok_or("short IPv6 extension header")?;
                next = ext[0];
                pos += (usize::from(ext[1]) + 1) * 8;
            }
            if next != IPPROTO_SCTP || pos > end {
                return Err(format!("IPv6 next header {next} is not SCTP"));
            }
            Ok((addrs, &l3[pos..end]))
        }
        v => Err(format!("not IPv4/IPv6 (version {v:?})")),
    }
}

/// Wraps an SCTP packet in an IPv4 header (protocol 132, correct header checksum).
pub(crate) fn ipv4_wrap(src: Ipv4Addr, dst: Ipv4Addr, id: u16, sctp: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 20 + sctp.len()];
    let mut ip = MutableIpv4Packet::new(&mut buf).expect("buffer holds an IPv4 header");
    ip.set_version(4);
    ip.set_header_length(5);
    ip.set_total_length(u16::try_from(20 + sctp.len()).expect("packet fits IPv4"));
    ip.set_identification(id);
    ip.set_flags(0b010); // DF
    ip.set_ttl(64);
    ip.set_next_level_protocol(IpNextHeaderProtocols::Sctp);
    ip.set_source(src);
    ip.set_destination(dst);
    ip.set_payload(sctp);
    let sum = ipv4::checksum(&ip.to_immutable());
    ip.set_checksum(sum);
    buf
}

/// Writes raw IP packets as a LINKTYPE_RAW pcap, one record per packet.
pub(crate) fn write_raw_pcap(path: &Path, packets: &[Vec<u8>]) -> std::io::Result<()> {
    let header = PcapHeader {
        datalink: DataLink::RAW,
        ..PcapHeader::default()
    };
    let file = BufWriter::new(File::create(path)?);
    let mut writer = PcapWriter::with_header(file, header).map_err(std::io::Error::other)?;
    for (i, p) in packets.iter().enumerate() {
        let ts = Duration::from_millis(i as u64);
        let len = u32::try_from(p.len()).expect("packet fits a pcap record");
        writer
            .write_packet(&PcapPacket::new(ts, len, p))
            .map_err(std::io::Error::other)?;
    }
    Ok(())
}

/// Name of an SCTP chunk type code (IANA registry), for messages and counts.
pub(crate) fn chunk_type_name(t: u8) -> &'static str {
    match t {
        0 => "DATA",
        1 => "INIT",
        2 => "INIT ACK",
        3 => "SACK",
        4 => "HEARTBEAT",
        5 => "HEARTBEAT ACK",
        6 => "ABORT",
        7 => "SHUTDOWN",
        8 => "SHUTDOWN ACK",
        9 => "ERROR",
        10 => "COOKIE ECHO",
        11 => "COOKIE ACK",
        12 => "ECNE",
        13 => "CWR",
        14 => "SHUTDOWN COMPLETE",
        15 => "AUTH",
        64 => "I-DATA",
        128 => "ASCONF ACK",
        130 => "RE-CONFIG",
        132 => "PAD",
        192 => "FORWARD TSN",
        193 => "ASCONF",
        194 => "I-FORWARD TSN",
        _ => "unassigned",
    }
}
