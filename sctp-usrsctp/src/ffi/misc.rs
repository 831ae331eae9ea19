//! AF_CONN input, timers without threads, packet dumps, statistics, the
//! stack-wide settings (`usrsctp_sysctl_*`) and CRC32c.

use std::ffi::{c_char, c_int, c_void};
use std::time::Instant;

use super::api::with_stack;
use super::driver::finish;
use super::{bytes, guard, guard_void};
use crate::abi::{SCTP_DUMP_OUTBOUND, sctpstat};
use crate::stack::{addr, lock};

/// `usrsctp_conninput`: a packet the application received for AF_CONN
/// address `addr` (both its source and its destination, as in usrsctp).
///
/// # Safety
/// `buffer` must hold `length` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_conninput(
    addr: *mut c_void,
    buffer: *const c_void,
    length: usize,
    _ecn_bits: u8,
) {
    guard_void(|| {
        // SAFETY: the caller's contract.
        let Ok(data) = (unsafe { bytes(buffer.cast(), length) }) else {
            return;
        };
        let ip = addr::conn_socket_addr(addr as usize, 0).ip();
        let mut g = lock();
        if let Some(s) = g.as_mut() {
            s.input(Instant::now(), data, ip, ip, None);
        }
        finish(g);
    });
}

/// `usrsctp_register_address`: AF_CONN addresses need no registration
/// here (any pointer is an address); accepted.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_register_address(_addr: *mut c_void) {}

/// `usrsctp_deregister_address`: accepted (see `usrsctp_register_address`).
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_deregister_address(_addr: *mut c_void) {}

/// `usrsctp_handle_timers`: runs the timers due now (the elapsed time is
/// read from the clock, so a late call loses nothing).
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_handle_timers(_elapsed_milliseconds: u32) {
    guard_void(|| {
        let mut g = lock();
        if let Some(s) = g.as_mut() {
            s.handle_timers(Instant::now());
        }
        finish(g);
    });
}

/// A packet as text2pcap reads it, as usrsctp's dump does.
pub(crate) fn dump(data: &[u8], outbound: bool) -> String {
    use std::fmt::Write;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() % 86_400;
    let mut s = String::with_capacity(64 + data.len() * 3);
    let _ = write!(
        s,
        "\n{} {:02}:{:02}:{:02}.{:06} 0000 ",
        if outbound { 'O' } else { 'I' },
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        now.subsec_micros()
    );
    for b in data {
        let _ = write!(s, "{b:02x} ");
    }
    s.push_str("# SCTP_PACKET\n");
    s
}

/// `usrsctp_dumppacket`: the packet as text for text2pcap, in memory the
/// caller releases with `usrsctp_freedumpbuffer`; NULL for no packet.
///
/// # Safety
/// `buf` must hold `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_dumppacket(
    buf: *const c_void,
    len: usize,
    outbound: c_int,
) -> *mut c_char {
    guard(std::ptr::null_mut(), || {
        if buf.is_null() || len == 0 {
            return Ok(std::ptr::null_mut());
        }
        // SAFETY: the caller's contract.
        let data = unsafe { bytes(buf.cast(), len)? };
        let text = dump(data, outbound == SCTP_DUMP_OUTBOUND);
        // SAFETY: malloc'ed, NUL-terminated copy, freed by usrsctp_freedumpbuffer.
        unsafe {
            let p = libc::malloc(text.len() + 1).cast::<u8>();
            if p.is_null() {
                return Err(libc::ENOMEM);
            }
            std::ptr::copy_nonoverlapping(text.as_ptr(), p, text.len());
            *p.add(text.len()) = 0;
            Ok(p.cast())
        }
    })
}

/// `usrsctp_freedumpbuffer`.
///
/// # Safety
/// `buf` must come from `usrsctp_dumppacket` (or be null).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_freedumpbuffer(buf: *mut c_char) {
    // SAFETY: malloc'ed by usrsctp_dumppacket.
    unsafe { libc::free(buf.cast()) }
}

/// `usrsctp_get_stat`: the counters this stack keeps (RFC 3873's MIB
/// subset); the others read 0.
///
/// # Safety
/// `stat` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_get_stat(stat: *mut sctpstat) {
    guard_void(|| {
        if stat.is_null() {
            return;
        }
        let Ok(st) = with_stack(|s| Ok(s.stats)) else {
            return;
        };
        let out = sctpstat {
            sctps_currestab: st.currestab,
            sctps_activeestab: st.activeestab,
            sctps_passiveestab: st.passiveestab,
            sctps_aborted: st.aborted,
            sctps_shutdown: st.shutdown,
            sctps_outpackets: st.outpackets,
            sctps_inpackets: st.inpackets,
            sctps_outoftheblue: st.outoftheblue,
            ..Default::default()
        };
        // SAFETY: checked non-null; the caller's contract.
        unsafe { std::ptr::write_unaligned(stat, out) };
    });
}

/// `usrsctp_enable_crc32c_offload`: AF_CONN packets leave with a zero
/// checksum; the application fills it in (and checks incoming ones).
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_enable_crc32c_offload() {
    guard_void(|| {
        let _ = with_stack(|s| {
            s.crc_offload = true;
            Ok(())
        });
    });
}

/// `usrsctp_disable_crc32c_offload`.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_disable_crc32c_offload() {
    guard_void(|| {
        let _ = with_stack(|s| {
            s.crc_offload = false;
            Ok(())
        });
    });
}

/// `usrsctp_crc32c`: the CRC32c of `len` bytes, as a value to store in the
/// common header's checksum field as it is (RFC 9260 appendix A).
///
/// # Safety
/// `buf` must hold `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_crc32c(buf: *mut c_void, len: usize) -> u32 {
    guard(0, || {
        // SAFETY: the caller's contract.
        let data = unsafe { bytes(buf.cast_const().cast(), len)? };
        Ok(u32::from_ne_bytes(crc32c::crc32c(data).to_le_bytes()))
    })
}

/// Reads or writes one stack-wide setting; `None` reads.
fn sysctl(name: &'static str, set: Option<u32>) -> u32 {
    let r = with_stack(|s| {
        let y = &mut s.sysctl;
        macro_rules! field {
            ($f:expr) => {{
                if let Some(v) = set {
                    $f = v as _;
                }
                Ok($f as u32)
            }};
        }
        match name {
            "sctp_sendspace" => field!(y.sendspace),
            "sctp_recvspace" => field!(y.recvspace),
            "sctp_nr_outgoing_streams_default" => field!(y.out_streams),
            "sctp_nr_incoming_streams_default" => field!(y.in_streams),
            "sctp_rto_initial_default" => field!(y.rto_initial),
            "sctp_rto_min_default" => field!(y.rto_min),
            "sctp_rto_max_default" => field!(y.rto_max),
            "sctp_init_rtx_max_default" => field!(y.init_rtx_max),
            "sctp_assoc_rtx_max_default" => field!(y.assoc_rtx_max),
            "sctp_path_rtx_max_default" => field!(y.path_rtx_max),
            "sctp_valid_cookie_life_default" => field!(y.cookie_life),
            "sctp_heartbeat_interval_default" => field!(y.hb_interval),
            "sctp_max_burst_default" => field!(y.max_burst),
            "sctp_delayed_sack_time_default" => field!(y.sack_delay),
            "sctp_sack_freq_default" => field!(y.sack_freq),
            "sctp_udp_tunneling_port" => field!(y.udp_port),
            "sctp_debug_on" => field!(y.debug_on),
            "sctp_pr_enable" => {
                if let Some(v) = set {
                    y.pr_enable = v != 0;
                }
                Ok(y.pr_enable.into())
            }
            "sctp_reconfig_enable" => {
                if let Some(v) = set {
                    y.reconfig_enable = v != 0;
                }
                Ok(y.reconfig_enable.into())
            }
            "sctp_asconf_enable" => {
                if let Some(v) = set {
                    y.asconf_enable = v != 0;
                }
                Ok(y.asconf_enable.into())
            }
            "sctp_auth_enable" => {
                if let Some(v) = set {
                    y.auth_enable = v != 0;
                }
                Ok(y.auth_enable.into())
            }
            _ => {
                // Accepted, with no meaning here: kept so a read returns it.
                if let Some(v) = set {
                    y.other.insert(name, v);
                }
                Ok(y.other.get(name).copied().unwrap_or(0))
            }
        }
    });
    r.unwrap_or(0)
}

/// Exports `usrsctp_sysctl_set_X` and `usrsctp_sysctl_get_X` for each name.
macro_rules! sysctls {
    ($($name:ident),* $(,)?) => {
        paste_sysctls!($($name),*);
    };
}

/// Writes the functions of [`sysctls`] (names need concatenation, done by
/// listing both spellings).
macro_rules! paste_sysctls {
    ($($name:ident),*) => {
        $(
            sysctl_pair!($name);
        )*
    };
}

macro_rules! sysctl_pair {
    ($name:ident) => {
        #[allow(non_snake_case)]
        #[doc = concat!("`usrsctp_sysctl_set_", stringify!($name), "` / `usrsctp_sysctl_get_", stringify!($name), "`.")]
        pub mod $name {
            /// Sets it (0 on success, as usrsctp).
            #[unsafe(export_name = concat!("usrsctp_sysctl_set_", stringify!($name)))]
            pub extern "C" fn set(value: u32) -> std::ffi::c_int {
                super::guard(-1, || {
                    super::sysctl(stringify!($name), Some(value));
                    Ok(0)
                })
            }
            /// Reads it.
            #[unsafe(export_name = concat!("usrsctp_sysctl_get_", stringify!($name)))]
            pub extern "C" fn get() -> u32 {
                super::guard(0, || Ok(super::sysctl(stringify!($name), None)))
            }
        }
    };
}

sysctls!(
    sctp_sendspace,
    sctp_recvspace,
    sctp_auto_asconf,
    sctp_multiple_asconfs,
    sctp_ecn_enable,
    sctp_pr_enable,
    sctp_auth_enable,
    sctp_asconf_enable,
    sctp_reconfig_enable,
    sctp_nrsack_enable,
    sctp_pktdrop_enable,
    sctp_no_csum_on_loopback,
    sctp_peer_chunk_oh,
    sctp_max_burst_default,
    sctp_max_chunks_on_queue,
    sctp_min_split_point,
    sctp_delayed_sack_time_default,
    sctp_sack_freq_default,
    sctp_system_free_resc_limit,
    sctp_asoc_free_resc_limit,
    sctp_heartbeat_interval_default,
    sctp_pmtu_raise_time_default,
    sctp_shutdown_guard_time_default,
    sctp_secret_lifetime_default,
    sctp_rto_max_default,
    sctp_rto_min_default,
    sctp_rto_initial_default,
    sctp_init_rto_max_default,
    sctp_valid_cookie_life_default,
    sctp_init_rtx_max_default,
    sctp_assoc_rtx_max_default,
    sctp_path_rtx_max_default,
    sctp_add_more_threshold,
    sctp_nr_incoming_streams_default,
    sctp_nr_outgoing_streams_default,
    sctp_cmt_on_off,
    sctp_cmt_use_dac,
    sctp_use_cwnd_based_maxburst,
    sctp_nat_friendly,
    sctp_L2_abc_variable,
    sctp_mbuf_threshold_count,
    sctp_do_drain,
    sctp_hb_maxburst,
    sctp_abort_if_one_2_one_hits_limit,
    sctp_min_residual,
    sctp_max_retran_chunk,
    sctp_logging_level,
    sctp_default_cc_module,
    sctp_default_frag_interleave,
    sctp_mobility_base,
    sctp_mobility_fasthandoff,
    sctp_inits_include_nat_friendly,
    sctp_udp_tunneling_port,
    sctp_enable_sack_immediately,
    sctp_vtag_time_wait,
    sctp_blackhole,
    sctp_sendall_limit,
    sctp_diag_info_code,
    sctp_fr_max_burst_default,
    sctp_path_pf_threshold,
    sctp_default_ss_module,
    sctp_rttvar_bw,
    sctp_rttvar_rtt,
    sctp_rttvar_eqret,
    sctp_steady_step,
    sctp_use_dccc_ecn,
    sctp_buffer_splitting,
    sctp_initial_cwnd,
    sctp_debug_on,
);

/// `usrsctp_tunable_set_sctp_hashtblsize`: accepted, no meaning here.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_tunable_set_sctp_hashtblsize(_value: u32) -> c_int {
    0
}

/// `usrsctp_tunable_set_sctp_pcbtblsize`: accepted, no meaning here.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_tunable_set_sctp_pcbtblsize(_value: u32) -> c_int {
    0
}

/// `usrsctp_tunable_set_sctp_chunkscale`: accepted, no meaning here.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_tunable_set_sctp_chunkscale(_value: u32) -> c_int {
    0
}

/// `usrsctp_sysctl_get_sctp_hashtblsize`: usrsctp's default; no meaning here.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_sysctl_get_sctp_hashtblsize() -> u32 {
    0
}

/// `usrsctp_sysctl_get_sctp_pcbtblsize`: usrsctp's default; no meaning here.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_sysctl_get_sctp_pcbtblsize() -> u32 {
    0
}

/// `usrsctp_sysctl_get_sctp_chunkscale`: usrsctp's default; no meaning here.
#[unsafe(no_mangle)]
pub extern "C" fn usrsctp_sysctl_get_sctp_chunkscale() -> u32 {
    0
}
