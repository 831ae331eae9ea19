//! Fixture host roots built from real file formats.
#![allow(dead_code, unreachable_pub, missing_docs)]

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const REL: &str = "6.1.0-18-amd64";

/// /proc/modules of a Debian 12 Kubernetes node running kube-proxy (no sctp).
pub const PROC_MODULES_BASE: &str = "\
xt_sctp 16384 2 - Live 0x0000000000000000
ip_vs_rr 12288 1 - Live 0x0000000000000000
ip_vs 200704 3 ip_vs_rr, Live 0x0000000000000000
nf_nat 57344 3 xt_nat,nft_chain_nat,xt_MASQUERADE, Live 0x0000000000000000
nf_conntrack 188416 6 ip_vs,xt_conntrack,nf_nat,xt_nat,xt_MASQUERADE,nf_conntrack_netlink, Live 0x0000000000000000
libcrc32c 12288 4 ip_vs,nf_tables,nf_nat,nf_conntrack, Live 0x0000000000000000
overlay 200704 12 - Live 0x0000000000000000
br_netfilter 32768 0 - Live 0x0000000000000000
";

pub const SCTP_LOADED_LINES: &str = "\
sctp_diag 16384 0 - Live 0x0000000000000000
sctp 434176 1 sctp_diag, Live 0x0000000000000000
";

pub const MODULES_DEP_BASE: &str = "\
kernel/net/netfilter/x_tables.ko:
kernel/net/netfilter/xt_sctp.ko: kernel/net/netfilter/x_tables.ko
kernel/net/netfilter/nf_conntrack.ko: kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko kernel/net/ipv4/netfilter/nf_defrag_ipv4.ko kernel/lib/libcrc32c.ko
kernel/net/netfilter/ipvs/ip_vs.ko: kernel/net/netfilter/nf_conntrack.ko kernel/net/ipv6/netfilter/nf_defrag_ipv6.ko kernel/net/ipv4/netfilter/nf_defrag_ipv4.ko kernel/lib/libcrc32c.ko
kernel/lib/libcrc32c.ko:
kernel/net/ipv4/inet_diag.ko:
kernel/net/ipv4/udp_tunnel.ko:
kernel/net/ipv6/ip6_udp_tunnel.ko:
";

pub const MODULES_DEP_SCTP: &str = "\
kernel/net/sctp/sctp.ko: kernel/net/ipv4/udp_tunnel.ko kernel/net/ipv6/ip6_udp_tunnel.ko kernel/lib/libcrc32c.ko
kernel/net/sctp/sctp_diag.ko: kernel/net/sctp/sctp.ko kernel/net/ipv4/inet_diag.ko kernel/net/ipv4/udp_tunnel.ko kernel/net/ipv6/ip6_udp_tunnel.ko kernel/lib/libcrc32c.ko
";

pub const MODULES_ALIAS_BASE: &str = "\
# Aliases extracted from modules themselves.
alias ip6t_sctp xt_sctp
alias ipt_sctp xt_sctp
alias nf_conntrack-10 nf_conntrack
";

pub const MODULES_ALIAS_SCTP: &str = "\
alias net-pf-16-proto-4-type-2-132 sctp_diag
alias net-pf-10-proto-132 sctp
alias net-pf-2-proto-132 sctp
";

pub const MODULES_BUILTIN_BASE: &str = "\
kernel/fs/ext4/ext4.ko
kernel/net/ipv4/tcp_cubic.ko
kernel/net/unix/unix.ko
";

pub const PROTOCOLS_HEADER: &str = "protocol  size sockets  memory press maxhdr  slab module     cl co di ac io in de sh ss gs se re sp bi br ha uh gp em\n";
pub const PROTOCOLS_BASE: &str = "\
PACKET    1536      0      -1   NI       0   no   kernel      n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n
TCPv6     2480     12      12   no     320   yes  kernel      y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y
UDP       1344     21       5   NI       0   yes  kernel      y  y  y  n  y  y  y  n  y  y  y  y  y  n  n  y  y  y  n
TCP       2320     24      12   no     320   yes  kernel      y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y
";
pub fn protocols_sctp_row(module: &str) -> String {
    format!(
        "SCTPv6    1664      0      -1   NI       0   yes  {module:<10}  y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y\nSCTP      1408      0      -1   NI       0   yes  {module:<10}  y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y\n"
    )
}

pub const CONFIG_BASE: &str = "\
#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.1.76 Kernel Configuration
#
CONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14) 12.2.0\"
CONFIG_MODULES=y
CONFIG_MODULE_UNLOAD=y
CONFIG_NF_CT_PROTO_SCTP=y
CONFIG_NETFILTER_XT_MATCH_SCTP=m
CONFIG_IP_VS_PROTO_SCTP=y
";

pub const CMDLINE: &str = "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=UUID=0b4f3a4e-7a6d-4c38-9a9e-1d2f7f0b2d11 ro quiet\n";

/// A temporary host root.
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// A Debian node without an SCTP module installed.
    pub fn base() -> Self {
        let f = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        f.write("proc/sys/kernel/osrelease", &format!("{REL}\n"));
        f.write("proc/sys/kernel/modules_disabled", "0\n");
        f.write("proc/modules", PROC_MODULES_BASE);
        f.write("proc/cmdline", CMDLINE);
        f.write(
            "proc/net/protocols",
            &format!("{PROTOCOLS_HEADER}{PROTOCOLS_BASE}"),
        );
        f.write(
            &format!("boot/config-{REL}"),
            &format!("{CONFIG_BASE}# CONFIG_IP_SCTP is not set\n"),
        );
        f.write(&format!("lib/modules/{REL}/modules.dep"), MODULES_DEP_BASE);
        f.write(
            &format!("lib/modules/{REL}/modules.alias"),
            MODULES_ALIAS_BASE,
        );
        f.write(
            &format!("lib/modules/{REL}/modules.builtin"),
            MODULES_BUILTIN_BASE,
        );
        f.write(
            "lib/modprobe.d/systemd.conf",
            "# When bonding module is loaded, it creates bond0 by default.\noptions bonding max_bonds=0\noptions dummy numdummies=0\n",
        );
        f
    }

    /// A Debian node with the sctp module installed (CONFIG_IP_SCTP=m).
    pub fn with_module() -> Self {
        let f = Self::base();
        f.write(
            &format!("boot/config-{REL}"),
            &format!("{CONFIG_BASE}CONFIG_IP_SCTP=m\n# CONFIG_SCTP_DBG_OBJCNT is not set\n"),
        );
        f.append(&format!("lib/modules/{REL}/modules.dep"), MODULES_DEP_SCTP);
        f.append(
            &format!("lib/modules/{REL}/modules.alias"),
            MODULES_ALIAS_SCTP,
        );
        f.write(
            &format!("lib/modules/{REL}/kernel/net/sctp/sctp.ko"),
            "\x7fELF",
        );
        f.write(
            &format!("lib/modules/{REL}/kernel/net/sctp/sctp_diag.ko"),
            "\x7fELF",
        );
        f
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: &str) {
        self.write_bytes(rel, content.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, content: &[u8]) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }

    pub fn append(&self, rel: &str, content: &str) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .unwrap();
        f.write_all(content.as_bytes()).unwrap();
    }

    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.path(rel)).unwrap();
    }

    pub fn read(&self, rel: &str) -> Option<String> {
        fs::read_to_string(self.path(rel)).ok()
    }

    /// Writes `/proc/config.gz` (gzip) from text.
    pub fn write_config_gz(&self, text: &str) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(text.as_bytes()).unwrap();
        self.write_bytes("proc/config.gz", &enc.finish().unwrap());
    }

    /// Adds a process with a network namespace and sockets to the fake /proc.
    pub fn add_process(&self, pid: u32, comm: &str, netns: u64, socket_inodes: &[u64]) {
        let base = self.path(&format!("proc/{pid}"));
        fs::create_dir_all(base.join("ns")).unwrap();
        fs::create_dir_all(base.join("fd")).unwrap();
        fs::create_dir_all(base.join("net")).unwrap();
        std::os::unix::fs::symlink(format!("net:[{netns}]"), base.join("ns/net")).unwrap();
        fs::write(base.join("comm"), format!("{comm}\n")).unwrap();
        std::os::unix::fs::symlink("/dev/null", base.join("fd/0")).unwrap();
        for (i, inode) in socket_inodes.iter().enumerate() {
            std::os::unix::fs::symlink(
                format!("socket:[{inode}]"),
                base.join(format!("fd/{}", i + 3)),
            )
            .unwrap();
        }
    }
}
