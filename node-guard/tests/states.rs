//! Every kernel SCTP state and mixed case, judged on fixture host roots.

mod common;

use common::*;
use node_guard::census;
use node_guard::hostroot::HostRoot;
use node_guard::report::CheckReport;
use node_guard::state::{Assessment, SctpState, Verdict, assess};

fn judge(f: &Fixture) -> Assessment {
    assess(&HostRoot::new(f.root()))
}

fn has(a: &Assessment, file: &str, line: Option<usize>, needle: &str) -> bool {
    a.evidence.iter().any(|e| {
        e.file == file
            && (line.is_none() || e.line == line)
            && (e.note.contains(needle) || e.text.as_deref().is_some_and(|t| t.contains(needle)))
    })
}

#[test]
fn absent_when_no_module_is_installed() {
    let f = Fixture::base();
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Absent, "{a:#?}");
    assert_eq!(a.verdict(), Verdict::Ok);
    assert!(has(
        &a,
        &format!("/lib/modules/{REL}/modules.dep"),
        None,
        "no sctp module"
    ));
    assert!(has(
        &a,
        &format!("/boot/config-{REL}"),
        None,
        "CONFIG_IP_SCTP is not set"
    ));
}

#[test]
fn loadable_when_module_exists_and_nothing_stops_it() {
    let f = Fixture::with_module();
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert_eq!(a.verdict(), Verdict::Violation);
    // modules.dep line 9 is the first sctp line after the 8 base lines.
    assert!(has(
        &a,
        &format!("/lib/modules/{REL}/modules.dep"),
        Some(9),
        "kernel/net/sctp/sctp.ko"
    ));
    assert!(has(
        &a,
        &format!("/lib/modules/{REL}/modules.alias"),
        None,
        "net-pf-10-proto-132"
    ));
    assert!(has(
        &a,
        "/etc/modprobe.d",
        None,
        "no `install sctp /bin/false`"
    ));
    assert!(!a.blocked_for_future);
}

#[test]
fn blacklist_only_is_still_loadable() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/sctp-blacklist.conf",
        "# CIS 3.4.3\nblacklist sctp\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp-blacklist.conf",
        Some(2),
        "socket autoload only"
    ));
}

#[test]
fn install_rule_for_sctp_alone_blocks_dependents_too() {
    // kmod runs a dependency's install command too (libkmod probe list: only the module
    // named with --ignore-install skips it), so `modprobe sctp_diag` runs /bin/true for
    // sctp and sctp_diag then fails to insert.
    let f = Fixture::with_module();
    f.write("etc/modprobe.d/sctp.conf", "install sctp /bin/true\n");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked, "{a:#?}");
    assert_eq!(a.verdict().exit_code(), 0);
    assert!(a.blocked_for_future);
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp.conf",
        Some(1),
        "also when sctp is only a dependency"
    ));
}

#[test]
fn install_rule_that_still_loads_is_not_a_block() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp /sbin/modprobe --ignore-install sctp && echo loaded\ninstall sctp_diag /bin/false\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp.conf",
        Some(1),
        "still loads a module"
    ));
}

#[test]
fn install_rules_for_both_block() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/disable-sctp.conf",
        "# hardening\ninstall sctp /bin/false\ninstall sctp_diag \\\n    /bin/false\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked, "{a:#?}");
    assert_eq!(a.verdict(), Verdict::Ok);
    assert!(a.blocked_for_future);
    assert!(has(
        &a,
        "/etc/modprobe.d/disable-sctp.conf",
        Some(2),
        "install sctp /bin/false"
    ));
}

#[test]
fn first_install_rule_wins_like_kmod() {
    let f = Fixture::with_module();
    // 00- is read before 90-: its permissive rule is the one modprobe uses.
    f.write(
        "etc/modprobe.d/00-load.conf",
        "install sctp /sbin/modprobe --ignore-install sctp\n",
    );
    f.write(
        "etc/modprobe.d/90-block.conf",
        "install sctp /bin/false\ninstall sctp_diag /bin/false\n",
    );
    assert_eq!(judge(&f).state, SctpState::Loadable);
}

#[test]
fn etc_file_overrides_lib_file_of_the_same_name() {
    let f = Fixture::with_module();
    f.write(
        "lib/modprobe.d/sctp.conf",
        "install sctp /bin/false\ninstall sctp_diag /bin/false\n",
    );
    assert_eq!(judge(&f).state, SctpState::Blocked);
    f.write("run/modprobe.d/sctp.conf", "# emptied at runtime\n");
    assert_eq!(judge(&f).state, SctpState::Loadable);
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp /bin/false\ninstall sctp_diag /bin/false\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked);
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp.conf",
        Some(1),
        "install sctp"
    ));
}

#[test]
fn module_blacklist_on_cmdline_blocks() {
    let f = Fixture::with_module();
    f.write(
        "proc/cmdline",
        &format!("{} module_blacklist=floppy,sctp\n", CMDLINE.trim()),
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked, "{a:#?}");
    assert!(has(
        &a,
        "/proc/cmdline",
        Some(1),
        "module_blacklist=floppy,sctp"
    ));
}

#[test]
fn modprobe_blacklist_on_cmdline_is_only_a_blacklist() {
    let f = Fixture::with_module();
    f.write(
        "proc/cmdline",
        &format!("{} modprobe.blacklist=sctp\n", CMDLINE.trim()),
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert!(has(&a, "/proc/cmdline", None, "socket autoload only"));
}

#[test]
fn modules_disabled_blocks() {
    let f = Fixture::with_module();
    f.write("proc/sys/kernel/modules_disabled", "1\n");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked, "{a:#?}");
    assert!(has(
        &a,
        "/proc/sys/kernel/modules_disabled",
        Some(1),
        "disabled"
    ));
}

#[test]
fn loaded_matches_the_name_exactly() {
    let f = Fixture::with_module();
    // xt_sctp, nf_conntrack (with sctp conntrack) are loaded in the base: not sctp.
    assert_ne!(judge(&f).state, SctpState::Loaded);
    f.append("proc/modules", SCTP_LOADED_LINES);
    f.write(
        "proc/net/protocols",
        &format!(
            "{PROTOCOLS_HEADER}{}{PROTOCOLS_BASE}",
            protocols_sctp_row("sctp")
        ),
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loaded, "{a:#?}");
    assert_eq!(a.verdict(), Verdict::Violation);
    assert!(has(
        &a,
        "/proc/modules",
        Some(10),
        "sctp 434176 1 sctp_diag,"
    ));
    assert!(!a.blocked_for_future);
    let used = a.loaded.unwrap();
    assert_eq!(used.refcount, Some(1));
    assert_eq!(used.used_by, vec!["sctp_diag"]);
}

#[test]
fn loaded_without_proc_modules_is_seen_in_protocols() {
    let f = Fixture::with_module();
    f.remove("proc/modules");
    f.write(
        "proc/net/protocols",
        &format!(
            "{PROTOCOLS_HEADER}{}{PROTOCOLS_BASE}",
            protocols_sctp_row("sctp")
        ),
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loaded);
    assert!(has(
        &a,
        "/proc/net/protocols",
        Some(2),
        "registered by the sctp module"
    ));
}

#[test]
fn loaded_but_blocked_for_the_future_is_still_a_violation() {
    let f = Fixture::with_module();
    f.append("proc/modules", SCTP_LOADED_LINES);
    f.write(
        "etc/modprobe.d/00-node-guard-sctp.conf",
        &node_guard::block::drop_in_content(),
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loaded, "{a:#?}");
    assert_eq!(a.verdict(), Verdict::Violation);
    assert!(a.blocked_for_future);
    assert!(has(
        &a,
        "/etc/modprobe.d/00-node-guard-sctp.conf",
        None,
        "holds after a reboot"
    ));
    assert!(a.advice().contains("reboot"));
}

#[test]
fn sys_module_sctp_tells_loaded_from_builtin() {
    let f = Fixture::with_module();
    f.remove("proc/modules");
    f.write("sys/module/sctp/initstate", "live\n");
    f.write("sys/module/sctp/refcnt", "2\n");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loaded, "{a:#?}");
    assert!(has(&a, "/sys/module/sctp/initstate", Some(1), "live"));

    let f = Fixture::base();
    f.write("sys/module/sctp/parameters/no_checksums", "N\n");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Builtin, "{a:#?}");
    assert!(has(&a, "/sys/module/sctp", None, "without initstate"));
}

#[test]
fn builtin_via_modules_builtin() {
    let f = Fixture::base();
    f.append(
        &format!("lib/modules/{REL}/modules.builtin"),
        "kernel/net/sctp/sctp.ko\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Builtin, "{a:#?}");
    assert_eq!(a.verdict(), Verdict::Violation);
    assert!(has(
        &a,
        &format!("/lib/modules/{REL}/modules.builtin"),
        Some(4),
        "compiled into"
    ));
}

#[test]
fn builtin_via_config_gz_even_when_blocked() {
    let f = Fixture::base();
    f.write_config_gz(&format!("{CONFIG_BASE}CONFIG_IP_SCTP=y\n"));
    // Block rules cannot stop a built-in sctp.
    f.write(
        "etc/modprobe.d/x.conf",
        "install sctp /bin/false\ninstall sctp_diag /bin/false\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Builtin, "{a:#?}");
    assert!(has(&a, "/proc/config.gz", Some(11), "CONFIG_IP_SCTP=y"));
}

#[test]
fn builtin_via_boot_config() {
    let f = Fixture::base();
    f.write(
        &format!("boot/config-{REL}"),
        &format!("{CONFIG_BASE}CONFIG_IP_SCTP=y\n"),
    );
    assert_eq!(judge(&f).state, SctpState::Builtin);
}

#[test]
fn builtin_via_protocols_registered_by_the_kernel() {
    let f = Fixture::base();
    f.write(
        "proc/net/protocols",
        &format!(
            "{PROTOCOLS_HEADER}{PROTOCOLS_BASE}{}",
            protocols_sctp_row("kernel")
        ),
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Builtin, "{a:#?}");
    assert!(has(&a, "/proc/net/protocols", Some(6), "not a module"));
}

#[test]
fn modules_load_d_entry_is_loadable_even_with_blacklist() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/blacklist-sctp.conf",
        "blacklist sctp\nblacklist sctp_diag\n",
    );
    f.write(
        "etc/modules-load.d/telecom.conf",
        "# loaded for the SIGTRAN gateway\nsctp\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert!(has(
        &a,
        "/etc/modules-load.d/telecom.conf",
        Some(2),
        "loads sctp at boot"
    ));
}

#[test]
fn modules_load_d_is_overridden_by_name_and_debian_etc_modules_counts() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/b.conf",
        "install sctp /bin/false\ninstall sctp_diag /bin/false\n",
    );
    f.write("usr/lib/modules-load.d/sctp.conf", "sctp_diag\n");
    f.write("etc/modules", "# /etc/modules\nloop\nsctp\n");
    // With both install rules the boot entries cannot load it.
    assert_eq!(judge(&f).state, SctpState::Blocked);
    f.remove("etc/modprobe.d/b.conf");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable);
    assert!(has(
        &a,
        "/usr/lib/modules-load.d/sctp.conf",
        Some(1),
        "loads sctp_diag at boot"
    ));
    assert!(has(&a, "/etc/modules", Some(3), "loads sctp at boot"));
    f.write("etc/modules-load.d/sctp.conf", "# masked\n");
    let a = judge(&f);
    assert!(!has(
        &a,
        "/usr/lib/modules-load.d/sctp.conf",
        None,
        "at boot"
    ));
}

#[test]
fn compressed_modules_under_usr_lib_modules() {
    let f = Fixture::base();
    std::fs::remove_dir_all(f.path("lib/modules")).unwrap();
    f.write(
        &format!("usr/lib/modules/{REL}/modules.dep"),
        "kernel/net/sctp/sctp.ko.zst: kernel/lib/libcrc32c.ko.zst\nkernel/net/sctp/sctp_diag.ko.zst: kernel/net/sctp/sctp.ko.zst kernel/net/ipv4/inet_diag.ko.zst\n",
    );
    assert_eq!(judge(&f).state, SctpState::Loadable);
}

#[test]
fn module_file_without_modules_dep() {
    let f = Fixture::with_module();
    f.remove(&format!("lib/modules/{REL}/modules.dep"));
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable);
    assert!(has(
        &a,
        &format!("/lib/modules/{REL}/kernel/net/sctp/sctp.ko"),
        None,
        "installed"
    ));
}

#[test]
fn unknown_without_proc_modules() {
    let f = Fixture::with_module();
    f.remove("proc/modules");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Unknown, "{a:#?}");
    assert_eq!(a.verdict().exit_code(), 2);
    assert!(has(&a, "/proc/modules", None, "cannot tell"));
}

#[test]
fn unknown_on_an_empty_root() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(assess(&HostRoot::new(dir.path())).state, SctpState::Unknown);
}

#[test]
fn kernel_without_module_support_is_absent() {
    let f = Fixture::base();
    f.remove("proc/modules");
    f.write_config_gz("# CONFIG_MODULES is not set\n# CONFIG_IP_SCTP is not set\n");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Absent, "{a:#?}");
    assert!(has(
        &a,
        "/proc/config.gz",
        Some(1),
        "without module support"
    ));
}

#[test]
fn blocking_kube_proxy_modules_is_warned_about() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/overzealous.conf",
        "install sctp /bin/false\ninstall sctp_diag /bin/false\ninstall xt_sctp /bin/false\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.line == Some(3) && w.note.contains("kube-proxy"))
    );
}

#[test]
fn census_maps_raw_sctp_sockets_to_processes_once_per_netns() {
    let f = Fixture::base();
    let raw = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n  132: 0500000A:0084 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9001 2 0000000000000000 0\n    1: 00000000:0001 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9002 2 0000000000000000 0\n";
    let raw6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n  132: 00000000000000000000000000000000:0084 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 9003 2 0000000000000000 0\n";
    // Two processes in the pod's netns (one holds the sockets), one on the host netns.
    f.add_process(1, "systemd", 4026531840, &[]);
    f.add_process(4242, "amf", 4026532500, &[9001, 9003]);
    f.add_process(4243, "amf-worker", 4026532500, &[9001]);
    f.write(
        "proc/1/net/raw",
        &raw.lines().take(1).collect::<Vec<_>>().join("\n"),
    );
    f.write("proc/1/net/raw6", "");
    f.write("proc/4242/net/raw", raw);
    f.write("proc/4242/net/raw6", raw6);
    // A second reader of the same netns would double count: give it a poisoned copy.
    f.write("proc/4243/net/raw", &raw.replace("9001", "7777"));
    let socks = census::census(&HostRoot::new(f.root())).unwrap();
    assert_eq!(socks.len(), 2, "{socks:#?}");
    assert_eq!(socks[0].inode, 9001);
    assert_eq!(socks[0].local_address.to_string(), "10.0.0.5");
    assert_eq!(socks[0].netns, 4026532500);
    let pids: Vec<u32> = socks[0].processes.iter().map(|p| p.pid).collect();
    assert_eq!(pids, vec![4242, 4243]);
    assert_eq!(socks[0].processes[0].comm, "amf");
    assert_eq!(socks[1].family, "inet6");
    // The JSON report carries them.
    let r = CheckReport::collect(&HostRoot::new(f.root()));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["raw_sctp_sockets"].as_array().unwrap().len(), 2);
    assert_eq!(v["raw_sctp_sockets"][0]["processes"][0]["comm"], "amf");
}

// kmod's configuration, rule by rule: each a fixture host root with the verdict kmod gives.

#[test]
fn install_true_and_then_modprobe_ignore_install_loads() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp /bin/true && /sbin/modprobe --ignore-install sctp\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert_eq!(a.verdict().exit_code(), 1);
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp.conf",
        Some(1),
        "modprobe --ignore-install sctp"
    ));
}

#[test]
fn install_false_or_modprobe_loads_on_the_failure_path() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp /bin/false || /sbin/modprobe -i sctp $CMDLINE_OPTS\n",
    );
    assert_eq!(judge(&f).state, SctpState::Loadable);
    // `false && modprobe` never reaches modprobe: a block.
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp /bin/false && /sbin/modprobe -i sctp\n",
    );
    assert_eq!(judge(&f).state, SctpState::Blocked);
}

#[test]
fn install_rule_too_complex_to_judge_is_unknown_with_evidence() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp /usr/local/sbin/site-policy sctp\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Unknown, "{a:#?}");
    assert_eq!(a.verdict().exit_code(), 2);
    assert!(!a.blocked_for_future);
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp.conf",
        Some(1),
        "cannot judge"
    ));
    assert!(a.advice().contains("check it by hand"), "{}", a.advice());
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp if true; then /bin/false; fi\n",
    );
    assert_eq!(judge(&f).state, SctpState::Unknown);
}

#[test]
fn another_modules_install_rule_can_bypass_sctps() {
    let f = Fixture::with_module();
    f.write("etc/modprobe.d/00-block.conf", "install sctp /bin/false\n");
    f.write(
        "etc/modprobe.d/dlm.conf",
        "install dlm /sbin/modprobe --ignore-install sctp; /sbin/modprobe --ignore-install dlm\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert!(!a.blocked_for_future);
    assert!(has(
        &a,
        "/etc/modprobe.d/dlm.conf",
        Some(1),
        "past its install rule"
    ));
    // Without --ignore-install, `modprobe sctp` runs sctp's own rule: still blocked.
    f.write(
        "etc/modprobe.d/dlm.conf",
        "install dlm /sbin/modprobe sctp; /sbin/modprobe --ignore-install dlm\n",
    );
    assert_eq!(judge(&f).state, SctpState::Blocked);
}

#[test]
fn dev_null_link_masks_a_lower_priority_file() {
    let f = Fixture::with_module();
    f.write("lib/modprobe.d/sctp.conf", "install sctp /bin/false\n");
    assert_eq!(judge(&f).state, SctpState::Blocked);
    std::fs::create_dir_all(f.path("etc/modprobe.d")).unwrap();
    std::os::unix::fs::symlink("/dev/null", f.path("etc/modprobe.d/sctp.conf")).unwrap();
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp.conf",
        None,
        "links to /dev/null"
    ));
}

#[test]
fn absolute_symlinks_are_followed_inside_the_host_root() {
    let f = Fixture::with_module();
    f.write("usr/share/site/sctp.conf", "install sctp /bin/false\n");
    std::fs::create_dir_all(f.path("etc/modprobe.d")).unwrap();
    std::os::unix::fs::symlink(
        "/usr/share/site/sctp.conf",
        f.path("etc/modprobe.d/sctp.conf"),
    )
    .unwrap();
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked, "{a:#?}");
    // The evidence names the path kmod lists, as on the host.
    assert!(has(
        &a,
        "/etc/modprobe.d/sctp.conf",
        Some(1),
        "install sctp"
    ));
}

#[test]
fn files_are_read_by_name_across_directories() {
    let f = Fixture::with_module();
    // 00-… in the lowest-priority directory is read before 50-… in /etc: its rule is first.
    f.write(
        "usr/lib/modprobe.d/00-vendor.conf",
        "install sctp /bin/false\n",
    );
    f.write(
        "etc/modprobe.d/50-site.conf",
        "install sctp /sbin/modprobe --ignore-install sctp\n",
    );
    assert_eq!(judge(&f).state, SctpState::Blocked);
    // /usr/local/lib/modprobe.d outranks /usr/lib/modprobe.d for the same name.
    f.write(
        "usr/local/lib/modprobe.d/00-vendor.conf",
        "# local override\n",
    );
    assert_eq!(judge(&f).state, SctpState::Loadable);
}

#[test]
fn etc_modprobe_conf_and_other_suffixes_are_not_read() {
    let f = Fixture::with_module();
    f.write("etc/modprobe.conf", "install sctp /bin/false\n");
    f.write(
        "etc/modprobe.d/sctp.conf.disabled",
        "install sctp /bin/false\n",
    );
    f.write("etc/modprobe.d/.hidden.conf", "install sctp /bin/false\n");
    assert_eq!(judge(&f).state, SctpState::Loadable);
}

#[test]
fn softdep_and_alias_reaching_sctp_are_paths_its_install_rule_guards() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/telecom.conf",
        "softdep m3ua pre: sctp\nalias sigtran sctp\n",
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Loadable, "{a:#?}");
    assert!(has(&a, "/etc/modprobe.d/telecom.conf", Some(1), "softdep"));
    assert!(has(
        &a,
        "/etc/modprobe.d/telecom.conf",
        Some(2),
        "resolves to sctp"
    ));
    f.write("etc/modprobe.d/zz-block.conf", "install sctp /bin/false\n");
    assert_eq!(judge(&f).state, SctpState::Blocked);
}

#[test]
fn modules_disabled_blocks_only_until_reboot() {
    let f = Fixture::with_module();
    f.write("proc/sys/kernel/modules_disabled", "1\n");
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked);
    assert!(!a.blocked_for_future);
}

#[test]
fn module_blacklist_blocks_even_an_unjudgeable_install_rule() {
    let f = Fixture::with_module();
    f.write(
        "etc/modprobe.d/sctp.conf",
        "install sctp /usr/local/sbin/site-policy\n",
    );
    f.write(
        "proc/cmdline",
        &format!("{} module_blacklist=sctp\n", CMDLINE.trim()),
    );
    let a = judge(&f);
    assert_eq!(a.state, SctpState::Blocked, "{a:#?}");
    assert!(a.blocked_for_future);
}
