//! The classic BPF program that keeps another stack's SCTP packets out of
//! our raw socket: it accepts a packet only when its SCTP destination port is
//! one of ours.
//!
//! A raw IPv4 socket's filter sees the IPv4 header first, so the program
//! finds the SCTP header with `ldxb 4*([0]&0xf)`; a raw IPv6 socket's filter
//! sees the SCTP header at offset 0.

/// One classic BPF instruction (`struct sock_filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Insn {
    pub(crate) code: u16,
    pub(crate) jt: u8,
    pub(crate) jf: u8,
    pub(crate) k: u32,
}

// Instruction classes, sizes, modes and operations (linux/filter.h).
const BPF_LD: u16 = 0x00;
const BPF_LDX: u16 = 0x01;
const BPF_JMP: u16 = 0x05;
const BPF_RET: u16 = 0x06;
const BPF_H: u16 = 0x08;
const BPF_B: u16 = 0x10;
const BPF_ABS: u16 = 0x20;
const BPF_IND: u16 = 0x40;
const BPF_MSH: u16 = 0xa0;
const BPF_JEQ: u16 = 0x10;
const BPF_K: u16 = 0x00;

/// Most ports one program can test (a conditional jump reaches 255 instructions).
pub(crate) const MAX_PORTS: usize = 250;

const fn insn(code: u16, jt: u8, jf: u8, k: u32) -> Insn {
    Insn { code, jt, jf, k }
}

/// Where the SCTP header starts in what the filter sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// An IPv4 header comes first (raw IPv4 sockets).
    Ipv4Header,
    /// The SCTP header is at offset 0 (raw IPv6 sockets, UDP payloads).
    Bare,
}

/// The program accepting packets whose SCTP destination port is in `ports`;
/// `None` when there are too many ports for one program (accept everything).
pub(crate) fn port_filter(layout: Layout, ports: &[u16]) -> Option<Vec<Insn>> {
    if ports.len() > MAX_PORTS {
        return None;
    }
    let mut prog = Vec::with_capacity(ports.len() + 4);
    match layout {
        Layout::Ipv4Header => {
            // X = 4 * (IHL); A = halfword at X + 2 (SCTP destination port).
            prog.push(insn(BPF_LDX | BPF_B | BPF_MSH, 0, 0, 0));
            prog.push(insn(BPF_LD | BPF_H | BPF_IND, 0, 0, 2));
        }
        Layout::Bare => prog.push(insn(BPF_LD | BPF_H | BPF_ABS, 0, 0, 2)),
    }
    let n = ports.len();
    for (i, &p) in ports.iter().enumerate() {
        // On a match jump over the remaining tests and the reject.
        let jt = (n - i) as u8;
        prog.push(insn(BPF_JMP | BPF_JEQ | BPF_K, jt, 0, u32::from(p)));
    }
    prog.push(insn(BPF_RET | BPF_K, 0, 0, 0));
    prog.push(insn(BPF_RET | BPF_K, 0, 0, u32::MAX));
    Some(prog)
}

/// Runs a program over `packet` with the kernel's semantics for the opcodes
/// [`port_filter`] uses (an out-of-bounds load rejects): the number of bytes
/// to keep, 0 meaning drop. Unknown opcodes reject.
#[cfg(test)]
pub(crate) fn run(prog: &[Insn], packet: &[u8]) -> u32 {
    let (mut a, mut x, mut pc) = (0u32, 0u32, 0usize);
    let load = |off: usize, size: usize| -> Option<u32> {
        let b = packet.get(off..off.checked_add(size)?)?;
        Some(b.iter().fold(0u32, |acc, &v| (acc << 8) | u32::from(v)))
    };
    while let Some(i) = prog.get(pc) {
        pc += 1;
        match i.code {
            c if c == BPF_LDX | BPF_B | BPF_MSH => match load(i.k as usize, 1) {
                Some(v) => x = 4 * (v & 0xf),
                None => return 0,
            },
            c if c == BPF_LD | BPF_H | BPF_IND => match load((x + i.k) as usize, 2) {
                Some(v) => a = v,
                None => return 0,
            },
            c if c == BPF_LD | BPF_H | BPF_ABS => match load(i.k as usize, 2) {
                Some(v) => a = v,
                None => return 0,
            },
            c if c == BPF_JMP | BPF_JEQ | BPF_K => {
                pc += usize::from(if a == i.k { i.jt } else { i.jf });
            }
            c if c == BPF_RET | BPF_K => return i.k,
            _ => return 0,
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sctp(src: u16, dst: u16) -> Vec<u8> {
        let mut v = vec![0u8; 16];
        v[0..2].copy_from_slice(&src.to_be_bytes());
        v[2..4].copy_from_slice(&dst.to_be_bytes());
        v
    }

    fn ipv4(ihl_words: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0u8; usize::from(ihl_words) * 4];
        v[0] = 0x40 | ihl_words;
        v[9] = 132;
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn ipv4_filter_accepts_only_our_ports_with_any_header_length() {
        let prog = port_filter(Layout::Ipv4Header, &[5000, 49153]).unwrap();
        for ihl in [5, 6, 15] {
            assert_eq!(run(&prog, &ipv4(ihl, &sctp(1, 5000))), u32::MAX);
            assert_eq!(run(&prog, &ipv4(ihl, &sctp(1, 49153))), u32::MAX);
            assert_eq!(run(&prog, &ipv4(ihl, &sctp(5000, 5001))), 0);
            // The source port must not matter.
            assert_eq!(run(&prog, &ipv4(ihl, &sctp(49153, 1))), 0);
        }
        // Truncated packets are rejected, as the kernel does.
        assert_eq!(run(&prog, &ipv4(5, &[0x13])), 0);
        assert_eq!(run(&prog, &[]), 0);
    }

    #[test]
    fn bare_filter_reads_the_sctp_header_at_offset_zero() {
        let prog = port_filter(Layout::Bare, &[7]).unwrap();
        assert_eq!(run(&prog, &sctp(9, 7)), u32::MAX);
        assert_eq!(run(&prog, &sctp(7, 9)), 0);
        assert_eq!(run(&prog, &[0, 0, 0]), 0);
    }

    #[test]
    fn empty_port_set_rejects_everything_and_too_many_ports_give_no_filter() {
        let prog = port_filter(Layout::Bare, &[]).unwrap();
        assert_eq!(run(&prog, &sctp(1, 1)), 0);
        let many: Vec<u16> = (1..=(MAX_PORTS as u16 + 1)).collect();
        assert!(port_filter(Layout::Bare, &many).is_none());
        let max: Vec<u16> = (1..=MAX_PORTS as u16).collect();
        let prog = port_filter(Layout::Bare, &max).unwrap();
        assert_eq!(run(&prog, &sctp(1, 1)), u32::MAX);
        assert_eq!(run(&prog, &sctp(1, MAX_PORTS as u16)), u32::MAX);
        assert_eq!(run(&prog, &sctp(1, MAX_PORTS as u16 + 1)), 0);
    }
}
