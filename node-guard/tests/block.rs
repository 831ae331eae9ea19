//! block / unblock on fixture host roots, and the unload decision.

mod common;

use std::io;

use common::*;
use node_guard::block::{self, BlockError, FileAction, UnblockError, UnloadPlan, Unloader};
use node_guard::hostroot::HostRoot;
use node_guard::state::{SctpState, assess};

#[derive(Default)]
struct FakeUnloader {
    calls: Vec<String>,
    fail: bool,
}

impl Unloader for FakeUnloader {
    fn unload(&mut self, module: &str) -> io::Result<()> {
        self.calls.push(module.to_owned());
        if self.fail {
            Err(io::Error::from_raw_os_error(libc_ebusy()))
        } else {
            Ok(())
        }
    }
}

fn libc_ebusy() -> i32 {
    16
}

const DROP_IN: &str = "etc/modprobe.d/00-node-guard-sctp.conf";

#[test]
fn block_unblock_round_trip() {
    let f = Fixture::with_module();
    let host = HostRoot::new(f.root());
    assert_eq!(assess(&host).state, SctpState::Loadable);

    // Dry run writes nothing.
    let r = block::block(&host, true, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.file, FileAction::WouldWrite);
    assert!(f.read(DROP_IN).is_none());

    let r = block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.file, FileAction::Written);
    assert_eq!(r.unload, UnloadPlan::NotLoaded);
    assert!(!r.reboot_required);
    let written = f.read(DROP_IN).unwrap();
    assert_eq!(written, block::drop_in_content());
    for line in [
        "blacklist sctp",
        "blacklist sctp_diag",
        "install sctp /bin/false",
        "install sctp_diag /bin/false",
    ] {
        assert!(written.lines().any(|l| l == line), "missing {line}");
    }
    for m in ["xt_sctp", "nf_conntrack", "ip_vs", "nf_nat", "libcrc32c"] {
        assert!(
            !written
                .lines()
                .any(|l| !l.starts_with('#') && l.contains(m)),
            "{m} blocked"
        );
    }
    // No temp file left behind.
    let names: Vec<_> = std::fs::read_dir(f.path("etc/modprobe.d"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let a = assess(&host);
    assert_eq!(a.state, SctpState::Blocked);

    // Idempotent.
    let r = block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.file, FileAction::Unchanged);

    // A drifted copy (hand-edited) is rewritten.
    f.write(DROP_IN, &format!("{}\n# blacklist sctp\n", block::HEADER));
    assert_eq!(assess(&host).state, SctpState::Loadable);
    let r = block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.file, FileAction::Written);
    assert_eq!(f.read(DROP_IN).unwrap(), block::drop_in_content());

    // Unblock: dry run, then remove, then nothing to do.
    assert_eq!(
        block::unblock(&host, true).unwrap(),
        FileAction::WouldRemove
    );
    assert!(f.read(DROP_IN).is_some());
    assert_eq!(block::unblock(&host, false).unwrap(), FileAction::Removed);
    assert!(f.read(DROP_IN).is_none());
    assert_eq!(block::unblock(&host, false).unwrap(), FileAction::Absent);
    assert_eq!(assess(&host).state, SctpState::Loadable);
}

#[test]
fn block_creates_etc_modprobe_d() {
    let f = Fixture::with_module();
    assert!(!f.path("etc/modprobe.d").exists());
    let host = HostRoot::new(f.root());
    block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    assert!(f.path(DROP_IN).is_file());
}

#[test]
fn unblock_refuses_files_it_did_not_write_and_keeps_other_rules() {
    let f = Fixture::with_module();
    let host = HostRoot::new(f.root());
    f.write(
        DROP_IN,
        "# written by the platform team\ninstall sctp /bin/false\n",
    );
    f.write("etc/modprobe.d/other.conf", "blacklist sctp\n");
    let e = block::unblock(&host, false).unwrap_err();
    assert!(matches!(e, UnblockError::NotOurs(_)));
    assert!(e.to_string().contains("refusing"));
    assert!(f.read(DROP_IN).is_some());
    // block replaces only its own file and leaves other files alone.
    std::fs::remove_file(f.path(DROP_IN)).unwrap();
    block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    block::unblock(&host, false).unwrap();
    assert_eq!(
        f.read("etc/modprobe.d/other.conf").unwrap(),
        "blacklist sctp\n"
    );
}

#[test]
fn loaded_sctp_needs_reboot_unless_unused_and_unload_asked() {
    // Held by an open kernel socket (refcount 3, one from sctp_diag): reboot.
    let f = Fixture::with_module();
    f.append("proc/modules", "sctp_diag 16384 0 - Live 0x0000000000000000\nsctp 434176 3 sctp_diag, Live 0x0000000000000000\n");
    let host = HostRoot::new(f.root());
    let mut u = FakeUnloader::default();
    let r = block::block(&host, false, true, &mut u).unwrap();
    assert!(r.reboot_required);
    assert!(
        matches!(r.unload, UnloadPlan::RebootRequired { ref reason } if reason.contains("3 references"))
    );
    assert!(u.calls.is_empty());
    assert_eq!(r.file, FileAction::Written);

    // Only sctp_diag holds it: without --unload nothing is unloaded and a reboot is needed.
    let f = Fixture::with_module();
    f.append("proc/modules", SCTP_LOADED_LINES);
    let host = HostRoot::new(f.root());
    let mut u = FakeUnloader::default();
    let r = block::block(&host, false, false, &mut u).unwrap();
    assert!(r.reboot_required);
    assert!(u.calls.is_empty());
    // With --unload: sctp_diag first, then sctp.
    let r = block::block(&host, false, true, &mut u).unwrap();
    assert!(!r.reboot_required);
    assert_eq!(u.calls, vec!["sctp_diag", "sctp"]);
    assert_eq!(r.unloaded, vec!["sctp_diag", "sctp"]);
    // --dry-run --unload never unloads.
    let mut u = FakeUnloader::default();
    block::block(&host, true, true, &mut u).unwrap();
    assert!(u.calls.is_empty());
    // The kernel refusing is an error that names the module.
    let mut u = FakeUnloader {
        fail: true,
        ..Default::default()
    };
    let e = block::block(&host, false, true, &mut u).unwrap_err();
    assert!(
        matches!(e, BlockError::Unload { ref module, .. } if module == "sctp_diag"),
        "{e}"
    );
}

#[test]
fn drop_in_name_sorts_before_common_drop_ins() {
    let ours = block::DROP_IN.rsplit('/').next().unwrap();
    for other in [
        "10-unsupported-modules.conf",
        "50-blacklist.conf",
        "90-node-guard-sctp.conf",
        "aliases.conf",
        "amd64-microcode-blacklist.conf",
        "blacklist.conf",
        "dccp-blacklist.conf",
        "sctp-blacklist.conf",
        "systemd.conf",
    ] {
        assert!(ours < other, "{ours} sorts after {other}");
    }
}

#[test]
fn block_refuses_to_overwrite_a_file_it_did_not_write() {
    let f = Fixture::with_module();
    let host = HostRoot::new(f.root());
    let theirs = "# platform team\ninstall sctp /bin/false\n";
    f.write(DROP_IN, theirs);
    let e = block::block(&host, false, false, &mut FakeUnloader::default()).unwrap_err();
    assert!(matches!(e, BlockError::NotOurs(_)), "{e}");
    assert!(e.to_string().contains("refusing to overwrite"), "{e}");
    assert_eq!(f.read(DROP_IN).unwrap(), theirs);
}

#[test]
fn block_replaces_the_legacy_drop_in_and_unblock_removes_both() {
    let f = Fixture::with_module();
    let host = HostRoot::new(f.root());
    let legacy = "etc/modprobe.d/90-node-guard-sctp.conf";
    f.write(legacy, &block::drop_in_content());
    let r = block::block(&host, true, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.migrated, vec!["/etc/modprobe.d/90-node-guard-sctp.conf"]);
    assert!(f.read(legacy).is_some(), "dry run removed it");
    let r = block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.migrated.len(), 1);
    assert!(f.read(legacy).is_none());
    assert!(r.after.holds_after_reboot, "{:?}", r.after);
    // An old drop-in left behind (say, restored from a backup) is removed by unblock too.
    f.write(legacy, &block::drop_in_content());
    assert_eq!(block::unblock(&host, false).unwrap(), FileAction::Removed);
    assert!(f.read(legacy).is_none());
    assert!(f.read(DROP_IN).is_none());
}

#[test]
fn block_proves_the_state_after_writing() {
    let f = Fixture::with_module();
    let host = HostRoot::new(f.root());
    let r = block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.after.state, SctpState::Blocked);
    assert!(r.after.holds_after_reboot);
    assert!(r.after.problems.is_empty());
    // An earlier rule that loads sctp shadows ours: the proof says so with its evidence.
    f.write(
        "etc/modprobe.d/00-aaa.conf",
        "install sctp /sbin/modprobe --ignore-install sctp\n",
    );
    let r = block::block(&host, false, false, &mut FakeUnloader::default()).unwrap();
    assert_eq!(r.file, FileAction::Unchanged);
    assert_eq!(r.after.state, SctpState::Loadable);
    assert!(!r.after.holds_after_reboot);
    assert!(
        r.after
            .problems
            .iter()
            .any(|e| e.file == "/etc/modprobe.d/00-aaa.conf" && e.line == Some(1)),
        "{:?}",
        r.after.problems
    );
}
