//! Golden captures: real usrsctp traffic (testdata/*.pcap, made by
//! testdata/capture-usrsctp.sh) must check out, parse completely and
//! re-emit byte for byte through our [`PacketBuilder`].

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sctp_core::wire::{Chunk, Packet, PacketBuilder};
use support::{CapturedSctp, chunk_type_name, pcap_files, read_sctp_packets, testdata_dir};

/// What each committed capture must at least contain, so no test passes vacuously:
/// (file, minimum SCTP packets, chunk types that must occur).
const EXPECTED: &[(&str, usize, &[u8])] = &[
    // INIT, INIT ACK, COOKIE ECHO, COOKIE ACK, DATA, SACK, HEARTBEAT(+ACK), SHUTDOWN sequence.
    (
        "usrsctp-echo.pcap",
        15,
        &[1, 2, 10, 11, 0, 3, 4, 5, 7, 8, 14],
    ),
    (
        "usrsctp-echo-ipv6.pcap",
        10,
        &[1, 2, 10, 11, 0, 3, 7, 8, 14],
    ),
    ("usrsctp-tsctp.pcap", 40, &[1, 2, 10, 11, 0, 3, 7, 8, 14]),
    // PR-SCTP under loss: FORWARD TSN.
    ("usrsctp-tsctp-prsctp.pcap", 40, &[1, 2, 10, 11, 0, 3, 192]),
    // usrsctp's answers to sctp-inject.py: ABORT, ERROR, ECNE; the injector's CWR.
    (
        "usrsctp-errors.pcap",
        20,
        &[1, 2, 10, 11, 0, 3, 4, 5, 6, 9, 12, 13],
    ),
];

/// Chunks deliberately of unassigned type, sent by testdata/sctp-inject.py to make
/// usrsctp report them (file, chunk type); they must come out as [`Chunk::Unknown`].
const DELIBERATELY_UNKNOWN: &[(&str, u8)] =
    &[("usrsctp-errors.pcap", 0x4f), ("usrsctp-errors.pcap", 0xef)];

/// Loads every capture with its SCTP packets; panics if there are none at all.
fn captures() -> Vec<(String, Vec<CapturedSctp>)> {
    let dir = testdata_dir();
    let files = pcap_files(&dir);
    for (name, _, _) in EXPECTED {
        assert!(
            files
                .iter()
                .any(|f| f.file_name().is_some_and(|n| n == *name)),
            "{name} missing from {} (run testdata/capture-usrsctp.sh)",
            dir.display()
        );
    }
    files
        .iter()
        .map(|path| {
            let packets = read_sctp_packets(path).unwrap_or_else(|e| panic!("{e}"));
            (file_name(path), packets)
        })
        .collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Panics listing `failures` if there are any.
fn report(what: &str, failures: &[String]) {
    if failures.is_empty() {
        return;
    }
    let shown: Vec<&str> = failures.iter().take(40).map(String::as_str).collect();
    panic!(
        "{what}: {} failure(s){}:\n  {}",
        failures.len(),
        if failures.len() > shown.len() {
            " (first 40 shown)"
        } else {
            ""
        },
        shown.join("\n  ")
    );
}

#[test]
fn rfc9260_6_8_golden_captures_checksums() {
    let mut failures = Vec::new();
    let mut total = 0;
    for (file, packets) in captures() {
        let min = EXPECTED
            .iter()
            .find(|(name, _, _)| *name == file)
            .map_or(1, |(_, min, _)| *min);
        assert!(
            packets.len() >= min,
            "{file}: only {} SCTP packets, expected at least {min}",
            packets.len()
        );
        for p in &packets {
            let result = Packet::new_checked(&p.sctp[..]).and_then(|pkt| pkt.verify_checksum());
            if let Err(e) = result {
                failures.push(format!("{file} frame {} ({}): {e}", p.frame, p.ip));
            }
        }
        println!("{file}: {} SCTP packets, CRC32c checked", packets.len());
        total += packets.len();
    }
    report(
        "CRC32c of captured packets (RFC 9260 section 6.8)",
        &failures,
    );
    assert!(total > 0, "no SCTP packets found in testdata/");
}

#[test]
fn rfc9260_3_2_golden_captures_every_chunk_parses_and_is_known() {
    let mut failures = Vec::new();
    let mut all_seen = BTreeSet::new();
    for (file, packets) in captures() {
        let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
        for p in &packets {
            let pkt = match Packet::new_checked(&p.sctp[..]) {
                Ok(pkt) => pkt,
                Err(e) => {
                    failures.push(format!("{file} frame {}: {e}", p.frame));
                    continue;
                }
            };
            for (i, raw) in pkt.chunks().enumerate() {
                let parsed = raw.and_then(|raw| raw.parse());
                match parsed {
                    Err(e) => failures.push(format!(
                        "{file} frame {} ({}), chunk #{i}: {e}",
                        p.frame, p.ip
                    )),
                    Ok(Chunk::Unknown(u))
                        if DELIBERATELY_UNKNOWN.contains(&(file.as_str(), u.chunk_type)) =>
                    {
                        *counts.entry(u.chunk_type).or_default() += 1;
                    }
                    Ok(Chunk::Unknown(u)) => failures.push(format!(
                        "{file} frame {}, chunk #{i}: type {} ({}) came out as Chunk::Unknown",
                        p.frame,
                        u.chunk_type,
                        chunk_type_name(u.chunk_type)
                    )),
                    Ok(chunk) => {
                        if DELIBERATELY_UNKNOWN.contains(&(file.as_str(), chunk.chunk_type())) {
                            failures.push(format!(
                                "{file} frame {}, chunk #{i}: unassigned type {} parsed as {chunk}",
                                p.frame,
                                chunk.chunk_type()
                            ));
                        }
                        *counts.entry(chunk.chunk_type()).or_default() += 1;
                    }
                }
            }
        }
        let summary: Vec<String> = counts
            .iter()
            .map(|(t, n)| format!("{} ({t}): {n}", chunk_type_name(*t)))
            .collect();
        println!("{file}: {}", summary.join(", "));
        if let Some((_, _, required)) = EXPECTED.iter().find(|(name, _, _)| *name == file) {
            for t in *required {
                if !counts.contains_key(t) {
                    failures.push(format!(
                        "{file}: no {} ({t}) chunk parsed; expected one",
                        chunk_type_name(*t)
                    ));
                }
            }
        }
        all_seen.extend(counts.keys().copied());
    }
    report("parsing captured chunks (RFC 9260 section 3.2)", &failures);
    println!(
        "chunk types seen: {:?}",
        all_seen
            .iter()
            .map(|t| chunk_type_name(*t))
            .collect::<Vec<_>>()
    );
}

#[test]
fn rfc9260_3_golden_captures_reemit_byte_identical() {
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut buf = vec![0u8; 65_536];
    for (file, packets) in captures() {
        for p in &packets {
            let Ok(pkt) = Packet::new_checked(&p.sctp[..]) else {
                failures.push(format!(
                    "{file} frame {}: shorter than a common header",
                    p.frame
                ));
                continue;
            };
            let h = pkt.header();
            let mut b = PacketBuilder::new(&mut buf, h.src_port, h.dst_port, h.verification_tag)
                .expect("64 KiB holds a common header");
            let mut offsets = Vec::new();
            let mut ok = true;
            for raw in pkt.chunks() {
                let chunk = match raw.and_then(|raw| raw.parse()) {
                    Ok(chunk) => chunk,
                    Err(e) => {
                        failures.push(format!("{file} frame {}: {e}", p.frame));
                        ok = false;
                        break;
                    }
                };
                offsets.push((b.len(), chunk.chunk_type()));
                if let Err(e) = b.push(&chunk) {
                    failures.push(format!("{file} frame {}: emitting {chunk}: {e}", p.frame));
                    ok = false;
                    break;
                }
            }
            if !ok {
                continue;
            }
            let len = b.finish();
            compared += 1;
            let ours = &buf[..len];
            if ours != &p.sctp[..] {
                let at = ours
                    .iter()
                    .zip(&p.sctp)
                    .position(|(a, b)| a != b)
                    .unwrap_or(len.min(p.sctp.len()));
                let within = offsets
                    .iter()
                    .rev()
                    .find(|(start, _)| *start <= at)
                    .map_or("the common header".to_string(), |(start, t)| {
                        format!("{} chunk at offset {start}", chunk_type_name(*t))
                    });
                failures.push(format!(
                    "{file} frame {}: re-emitted {len} bytes vs captured {}; first difference at byte {at}, in {within}",
                    p.frame,
                    p.sctp.len()
                ));
            }
        }
    }
    report(
        "re-emitting captured packets (RFC 9260 section 3)",
        &failures,
    );
    assert!(compared > 0, "no packet was re-emitted");
    println!("{compared} captured packets re-emitted byte-identically");
}

#[test]
fn support_pcap_round_trip_through_raw_ipv4() {
    use std::net::Ipv4Addr;
    let sctp: Vec<u8> = (0u8..28).collect();
    let ip = support::ipv4_wrap(
        Ipv4Addr::new(198, 18, 0, 1),
        Ipv4Addr::new(198, 18, 0, 2),
        1,
        &sctp,
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("rt.pcap");
    support::write_raw_pcap(&path, &[ip]).expect("write pcap");
    let back = read_sctp_packets(&path).expect("read pcap");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].frame, 1);
    assert_eq!(back[0].ip, "198.18.0.1 > 198.18.0.2");
    assert_eq!(back[0].sctp, sctp);
}

#[test]
fn support_peels_cooked_link_layers_and_ipv4_options() {
    use pcap_file::DataLink;
    use std::net::Ipv4Addr;
    let sctp: Vec<u8> = (100u8..132).collect();
    let plain = support::ipv4_wrap(
        Ipv4Addr::new(198, 18, 0, 1),
        Ipv4Addr::new(198, 18, 0, 2),
        9,
        &sctp,
    );
    // The same packet with a 4-byte IPv4 option (NOP x3 + EOL), IHL 6.
    let mut with_options = plain[..20].to_vec();
    with_options.extend_from_slice(&[1, 1, 1, 0]);
    with_options.extend_from_slice(&sctp);
    with_options[0] = 0x46;
    let total = u16::try_from(with_options.len()).unwrap();
    with_options[2..4].copy_from_slice(&total.to_be_bytes());
    let sll = [
        &[0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00][..],
        &with_options,
    ]
    .concat();
    let sll2 = [
        &[
            0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0,
        ][..],
        &plain,
    ]
    .concat();
    // Ethernet with minimum-frame padding after the IP packet.
    let eth = [&[0u8; 12][..], &[0x08, 0x00], &plain, &[0u8; 6]].concat();
    for (link, frame) in [
        (DataLink::RAW, &plain),
        (DataLink::LINUX_SLL, &sll),
        (DataLink::LINUX_SLL2, &sll2),
        (DataLink::ETHERNET, &eth),
    ] {
        let (ip, got) = support::peel_link(link, frame).unwrap_or_else(|e| panic!("{link:?}: {e}"));
        assert_eq!(ip, "198.18.0.1 > 198.18.0.2", "{link:?}");
        assert_eq!(got, &sctp[..], "{link:?}");
    }
}
