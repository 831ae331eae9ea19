//! `usrsctp_setsockopt` and `usrsctp_getsockopt` (RFC 6458 section 8).
//! Options not listed here fail with ENOPROTOOPT, never silently.

use std::ffi::{c_int, c_void};
use std::mem::size_of;
use std::ptr;
use std::time::Instant;

use super::api::{sref, with_stack};
use super::guard;
use crate::abi::*;
use crate::handle::SockRef;
use crate::stack::addr::Peer;
use crate::stack::socket::Options;
use crate::stack::{AssocId, Errno, Stack, assoc_config};

/// Reads the option value as `T`.
///
/// # Safety
/// `v` must point to `len` readable bytes.
unsafe fn get<T: Copy>(v: *const c_void, len: libc::socklen_t) -> Result<T, Errno> {
    if v.is_null() || (len as usize) < size_of::<T>() {
        return Err(libc::EINVAL);
    }
    // SAFETY: size checked; plain data.
    Ok(unsafe { ptr::read_unaligned(v.cast::<T>()) })
}

/// Writes `x` as the option value, setting `*len`.
///
/// # Safety
/// `v` must hold `*len` writable bytes, `len` be valid.
unsafe fn put<T: Copy>(x: T, v: *mut c_void, len: *mut libc::socklen_t) -> Result<(), Errno> {
    if v.is_null() || len.is_null() {
        return Err(libc::EINVAL);
    }
    // SAFETY: the caller's contract; size checked.
    unsafe {
        if (*len as usize) < size_of::<T>() {
            return Err(libc::EINVAL);
        }
        ptr::write_unaligned(v.cast::<T>(), x);
        *len = size_of::<T>() as libc::socklen_t;
    }
    Ok(())
}

/// Applies the socket's options to its associations named by `id`
/// (SCTP_CURRENT_ASSOC, SCTP_ALL_ASSOC or one association).
fn apply(s: &mut Stack, r: SockRef, id: AssocId) -> Result<(), Errno> {
    // A one-to-one socket's options are its association's, whatever the id.
    let ids = match id {
        _ if !s.sock(r)?.one_to_many => s.assoc_ids(r)?,
        SCTP_FUTURE_ASSOC => return Ok(()),
        SCTP_CURRENT_ASSOC | SCTP_ALL_ASSOC => s.assoc_ids(r)?,
        id => vec![s.assoc_of(r, id)?.id],
    };
    let sock = s.sock(r)?;
    let config = assoc_config(&sock.options, sock.family)?;
    let now = Instant::now();
    for id in ids {
        if let Some(a) = s.assocs.get_mut(&id) {
            // Stream counts and the like are fixed once set up; the rest applies.
            let mut c = config.clone();
            let old = a.engine.config();
            c.outbound_streams = old.outbound_streams;
            c.inbound_streams = old.inbound_streams;
            c.ip_header_len = old.ip_header_len;
            c.valid_cookie_life = old.valid_cookie_life;
            c.initial_tsn = old.initial_tsn;
            c.auth = old.auth;
            c.asconf = old.asconf;
            c.adaptation_layer_indication = old.adaptation_layer_indication;
            c.partial_reliability = old.partial_reliability;
            c.reconfig = old.reconfig;
            c.interleaving = old.interleaving;
            a.engine.reconfigure(now, c).map_err(|_| libc::EINVAL)?;
            s.touch(id);
        }
    }
    Ok(())
}

fn set_bool(o: &mut Options, name: c_int, on: bool) -> bool {
    match name {
        SCTP_NODELAY => o.nodelay = on,
        SCTP_RECVRCVINFO => o.recv_rcvinfo = on,
        SCTP_RECVNXTINFO => o.recv_nxtinfo = on,
        SCTP_I_WANT_MAPPED_V4_ADDR => o.mapped_v4 = on,
        SCTP_EXPLICIT_EOR => o.explicit_eor = on,
        SCTP_REUSE_PORT => o.reuse_port = on,
        _ => return false,
    }
    true
}

fn get_bool(o: &Options, name: c_int) -> Option<bool> {
    Some(match name {
        SCTP_NODELAY => o.nodelay,
        SCTP_RECVRCVINFO => o.recv_rcvinfo,
        SCTP_RECVNXTINFO => o.recv_nxtinfo,
        SCTP_I_WANT_MAPPED_V4_ADDR => o.mapped_v4,
        SCTP_EXPLICIT_EOR => o.explicit_eor,
        SCTP_REUSE_PORT => o.reuse_port,
        _ => return None,
    })
}

/// The RFC 6458 state constant of an engine state.
fn state_code(st: sctp_core::State) -> i32 {
    use sctp_core::State::*;
    match st {
        Closed => SCTP_CLOSED,
        CookieWait => SCTP_COOKIE_WAIT,
        CookieEchoed => SCTP_COOKIE_ECHOED,
        Established => SCTP_ESTABLISHED,
        ShutdownPending => SCTP_SHUTDOWN_PENDING,
        ShutdownSent => SCTP_SHUTDOWN_SENT,
        ShutdownReceived => SCTP_SHUTDOWN_RECEIVED,
        ShutdownAckSent => SCTP_SHUTDOWN_ACK_SENT,
    }
}

fn paddrinfo(id: AssocId, p: &sctp_core::PathStatus) -> sctp_paddrinfo {
    use sctp_core::PathState;
    sctp_paddrinfo {
        spinfo_address: super::c_address(Peer::from_engine(p.address)),
        spinfo_assoc_id: id,
        spinfo_state: match p.state {
            PathState::Active | PathState::PotentiallyFailed => SCTP_ACTIVE,
            PathState::Inactive => SCTP_INACTIVE,
            _ => SCTP_UNCONFIRMED,
        },
        spinfo_cwnd: p.cwnd as u32,
        spinfo_srtt: p.srtt.map_or(0, |d| d.as_millis() as u32),
        spinfo_rto: p.rto.as_millis() as u32,
        spinfo_mtu: p.mtu as u32,
    }
}

/// `usrsctp_setsockopt`.
///
/// # Safety
/// `option_value` must point to `option_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_setsockopt(
    so: *mut crate::handle::socket,
    level: c_int,
    option_name: c_int,
    option_value: *const c_void,
    option_len: libc::socklen_t,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        let (v, len) = (option_value, option_len);
        // SAFETY (every `get` below): the caller's contract on v/len.
        if level == libc::SOL_SOCKET {
            return with_stack(|s| {
                let o = &mut s.sock(r)?.options;
                match option_name {
                    libc::SO_SNDBUF => o.sndbuf = unsafe { get::<c_int>(v, len)? }.max(0) as u32,
                    libc::SO_RCVBUF => o.rcvbuf = unsafe { get::<c_int>(v, len)? }.max(0) as u32,
                    libc::SO_LINGER => {
                        let l: libc::linger = unsafe { get(v, len)? };
                        o.linger = (l.l_onoff != 0).then_some(l.l_linger.max(0) as u32);
                    }
                    _ => return Err(libc::ENOPROTOOPT),
                }
                apply(s, r, SCTP_ALL_ASSOC).map(|()| 0)
            });
        }
        if level != libc::IPPROTO_SCTP {
            return Err(libc::ENOPROTOOPT);
        }
        with_stack(|s| {
            let o = &mut s.sock(r)?.options;
            let mut target = SCTP_FUTURE_ASSOC;
            match option_name {
                n if get_bool(o, n).is_some() => {
                    let on = unsafe { get::<c_int>(v, len)? } != 0;
                    set_bool(o, n, on);
                    target = SCTP_ALL_ASSOC;
                }
                SCTP_EVENT => {
                    let e: sctp_event = unsafe { get(v, len)? };
                    if !(SCTP_ASSOC_CHANGE..=SCTP_SEND_FAILED_EVENT).contains(&e.se_type) {
                        return Err(libc::EINVAL);
                    }
                    let bit = 1u32 << e.se_type;
                    if e.se_on != 0 {
                        o.events |= bit;
                    } else {
                        o.events &= !bit;
                    }
                }
                SCTP_INITMSG => {
                    let i: sctp_initmsg = unsafe { get(v, len)? };
                    if i.sinit_num_ostreams > 0 {
                        o.out_streams = i.sinit_num_ostreams;
                    }
                    if i.sinit_max_instreams > 0 {
                        o.in_streams = i.sinit_max_instreams;
                    }
                    if i.sinit_max_attempts > 0 {
                        o.max_init_attempts = i.sinit_max_attempts;
                    }
                    o.max_init_timeo = i.sinit_max_init_timeo;
                }
                SCTP_RTOINFO => {
                    let i: sctp_rtoinfo = unsafe { get(v, len)? };
                    let (init, max, min) = (
                        if i.srto_initial > 0 {
                            i.srto_initial
                        } else {
                            o.rto_initial
                        },
                        if i.srto_max > 0 {
                            i.srto_max
                        } else {
                            o.rto_max
                        },
                        if i.srto_min > 0 {
                            i.srto_min
                        } else {
                            o.rto_min
                        },
                    );
                    if min > max || init < min || init > max {
                        return Err(libc::EINVAL);
                    }
                    (o.rto_initial, o.rto_max, o.rto_min) = (init, max, min);
                    target = i.srto_assoc_id;
                }
                SCTP_ASSOCINFO => {
                    let i: sctp_assocparams = unsafe { get(v, len)? };
                    if i.sasoc_asocmaxrxt > 0 {
                        o.assoc_max_retrans = i.sasoc_asocmaxrxt;
                    }
                    if i.sasoc_cookie_life > 0 {
                        o.cookie_life = i.sasoc_cookie_life;
                    }
                    target = i.sasoc_assoc_id;
                }
                SCTP_PEER_ADDR_PARAMS => {
                    let i: sctp_paddrparams = unsafe { get(v, len)? };
                    if i.spp_flags & SPP_HB_ENABLE != 0 {
                        o.hb_enabled = true;
                        if i.spp_hbinterval > 0 || i.spp_flags & SPP_HB_TIME_IS_ZERO != 0 {
                            o.hb_interval = i.spp_hbinterval;
                        }
                    }
                    if i.spp_flags & SPP_HB_DISABLE != 0 {
                        o.hb_enabled = false;
                    }
                    if i.spp_flags & SPP_PMTUD_DISABLE != 0 && i.spp_pathmtu > 0 {
                        if !(512..=65536).contains(&i.spp_pathmtu) {
                            return Err(libc::EINVAL);
                        }
                        o.path_mtu = Some(i.spp_pathmtu);
                    }
                    if i.spp_pathmaxrxt > 0 {
                        o.path_max_retrans = i.spp_pathmaxrxt;
                    }
                    target = i.spp_assoc_id;
                }
                SCTP_CONTEXT => {
                    let i: sctp_assoc_value = unsafe { get(v, len)? };
                    o.context = i.assoc_value;
                }
                SCTP_MAXSEG => {
                    let i: sctp_assoc_value = unsafe { get(v, len)? };
                    o.maxseg = i.assoc_value;
                }
                SCTP_MAX_BURST => {
                    let i: sctp_assoc_value = unsafe { get(v, len)? };
                    o.max_burst = i.assoc_value.max(1);
                    target = i.assoc_id;
                }
                SCTP_DELAYED_SACK => {
                    let i: sctp_sack_info = unsafe { get(v, len)? };
                    if i.sack_delay > 500 {
                        return Err(libc::EINVAL);
                    }
                    o.sack_delay = i.sack_delay;
                    o.sack_freq = i.sack_freq;
                    target = i.sack_assoc_id;
                }
                SCTP_FRAGMENT_INTERLEAVE => o.fragment_interleave = unsafe { get::<u32>(v, len)? },
                SCTP_PARTIAL_DELIVERY_POINT => o.pd_point = unsafe { get::<u32>(v, len)? },
                SCTP_AUTOCLOSE => o.autoclose = unsafe { get::<u32>(v, len)? },
                SCTP_REMOTE_UDP_ENCAPS_PORT => {
                    let i: sctp_udpencaps = unsafe { get(v, len)? };
                    o.remote_udp_port = u16::from_be(i.sue_port);
                }
                SCTP_ADAPTATION_LAYER => {
                    let i: sctp_setadaptation = unsafe { get(v, len)? };
                    o.adaptation = Some(i.ssb_adaptation_ind);
                }
                SCTP_DEFAULT_SNDINFO => {
                    let i: sctp_sndinfo = unsafe { get(v, len)? };
                    o.default_sid = i.snd_sid;
                    o.default_flags = i.snd_flags;
                    o.default_ppid = i.snd_ppid;
                    o.default_context = i.snd_context;
                }
                SCTP_DEFAULT_PRINFO => {
                    let i: sctp_default_prinfo = unsafe { get(v, len)? };
                    o.default_pr_policy = i.pr_policy;
                    o.default_pr_value = i.pr_value;
                }
                SCTP_ENABLE_STREAM_RESET => {
                    let i: sctp_assoc_value = unsafe { get(v, len)? };
                    o.stream_reset = i.assoc_value;
                    target = i.assoc_id;
                }
                SCTP_PR_SUPPORTED
                | SCTP_RECONFIG_SUPPORTED
                | SCTP_ASCONF_SUPPORTED
                | SCTP_AUTH_SUPPORTED
                | SCTP_ECN_SUPPORTED
                | SCTP_NRSACK_SUPPORTED
                | SCTP_PKTDROP_SUPPORTED => {
                    let i: sctp_assoc_value = unsafe { get(v, len)? };
                    let on = i.assoc_value != 0;
                    match option_name {
                        SCTP_PR_SUPPORTED => o.pr_supported = on,
                        SCTP_RECONFIG_SUPPORTED => o.reconfig_supported = on,
                        SCTP_ASCONF_SUPPORTED => o.asconf_supported = on,
                        SCTP_AUTH_SUPPORTED => o.auth_supported = on,
                        // ECN, NR-SACK and PKTDROP are not implemented: only "off" is honest.
                        _ if on => return Err(libc::EOPNOTSUPP),
                        _ => {}
                    }
                }
                SCTP_RESET_STREAMS => {
                    let i: sctp_reset_streams = unsafe { get(v, len)? };
                    let n = usize::from(i.srs_number_streams);
                    let need = size_of::<sctp_reset_streams>() + 2 * n;
                    // SAFETY: the list follows the header, within option_len.
                    let b = unsafe { super::bytes(v.cast(), len as usize)? };
                    if b.len() < need {
                        return Err(libc::EINVAL);
                    }
                    let list: Vec<sctp_core::StreamId> = b[size_of::<sctp_reset_streams>()..need]
                        .chunks_exact(2)
                        .map(|c| u16::from_ne_bytes([c[0], c[1]]))
                        .collect();
                    if o.stream_reset & SCTP_ENABLE_RESET_STREAM_REQ == 0 {
                        return Err(libc::EOPNOTSUPP);
                    }
                    return reconfigure(s, r, i.srs_assoc_id, |e| {
                        if i.srs_flags & SCTP_STREAM_RESET_OUTGOING != 0 {
                            e.reset_streams(&list)?;
                        }
                        if i.srs_flags & SCTP_STREAM_RESET_INCOMING != 0 {
                            e.request_incoming_reset(&list)?;
                        }
                        Ok(())
                    });
                }
                SCTP_ADD_STREAMS => {
                    let i: sctp_add_streams = unsafe { get(v, len)? };
                    if o.stream_reset & SCTP_ENABLE_CHANGE_ASSOC_REQ == 0 {
                        return Err(libc::EOPNOTSUPP);
                    }
                    return reconfigure(s, r, i.sas_assoc_id, |e| {
                        e.add_streams(i.sas_outstrms, i.sas_instrms)
                    });
                }
                SCTP_RESET_ASSOC => {
                    let i: sctp_assoc_t = unsafe { get(v, len)? };
                    if o.stream_reset & SCTP_ENABLE_RESET_ASSOC_REQ == 0 {
                        return Err(libc::EOPNOTSUPP);
                    }
                    return reconfigure(s, r, i, |e| e.reset_association());
                }
                _ => return Err(libc::ENOPROTOOPT),
            }
            apply(s, r, target).map(|()| 0)
        })
    })
}

/// A RE-CONFIG request (RFC 6525) on association `id`; the driver sends
/// what it queued. A request the engine refuses is `EINVAL`.
fn reconfigure(
    s: &mut Stack,
    r: SockRef,
    id: AssocId,
    f: impl FnOnce(&mut sctp_core::Association) -> Result<(), sctp_core::ReconfigError>,
) -> Result<c_int, Errno> {
    let a = s.assoc_of(r, id)?;
    let id = a.id;
    f(&mut a.engine).map_err(|_| libc::EINVAL)?;
    s.touch(id);
    Ok(0)
}

/// `usrsctp_getsockopt`.
///
/// # Safety
/// `option_value` must hold `*option_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_getsockopt(
    so: *mut crate::handle::socket,
    level: c_int,
    option_name: c_int,
    option_value: *mut c_void,
    option_len: *mut libc::socklen_t,
) -> c_int {
    guard(-1, || {
        let r = sref(so)?;
        let (v, len) = (option_value, option_len);
        if len.is_null() {
            return Err(libc::EINVAL);
        }
        // SAFETY: the caller's contract.
        let have = unsafe { *len };
        // SAFETY (every `get`/`put` below): the caller's contract on v/len.
        with_stack(|s| {
            let sock = s.sock(r)?;
            let o = sock.options.clone();
            if level == libc::SOL_SOCKET {
                return match option_name {
                    libc::SO_SNDBUF => unsafe { put(o.sndbuf as c_int, v, len) },
                    libc::SO_RCVBUF => unsafe { put(o.rcvbuf as c_int, v, len) },
                    libc::SO_LINGER => unsafe {
                        put(
                            libc::linger {
                                l_onoff: c_int::from(o.linger.is_some()),
                                l_linger: o.linger.unwrap_or(0) as c_int,
                            },
                            v,
                            len,
                        )
                    },
                    libc::SO_ERROR => {
                        let e = std::mem::take(&mut sock.error);
                        unsafe { put(e, v, len) }
                    }
                    _ => Err(libc::ENOPROTOOPT),
                }
                .map(|()| 0);
            }
            if level != libc::IPPROTO_SCTP {
                return Err(libc::ENOPROTOOPT);
            }
            // The association an option names, read from the caller's struct.
            let asked = |off: usize| -> AssocId {
                if (have as usize) < off + 4 || v.is_null() {
                    return 0;
                }
                // SAFETY: within the caller's buffer.
                unsafe { ptr::read_unaligned(v.cast::<u8>().add(off).cast::<u32>()) }
            };
            match option_name {
                n if get_bool(&o, n).is_some() => unsafe {
                    put(c_int::from(get_bool(&o, n) == Some(true)), v, len)
                },
                SCTP_EVENT => {
                    let mut e: sctp_event = unsafe { get(v, have)? };
                    e.se_on = u8::from(o.wants(e.se_type));
                    unsafe { put(e, v, len) }
                }
                SCTP_INITMSG => unsafe {
                    put(
                        sctp_initmsg {
                            sinit_num_ostreams: o.out_streams,
                            sinit_max_instreams: o.in_streams,
                            sinit_max_attempts: o.max_init_attempts,
                            sinit_max_init_timeo: o.max_init_timeo,
                        },
                        v,
                        len,
                    )
                },
                SCTP_RTOINFO => {
                    let id = asked(0);
                    let mut i = sctp_rtoinfo {
                        srto_assoc_id: id,
                        srto_initial: o.rto_initial,
                        srto_max: o.rto_max,
                        srto_min: o.rto_min,
                    };
                    if id > 2
                        && let Ok(a) = s.assoc_of(r, id)
                    {
                        let c = a.engine.config();
                        i.srto_initial = c.rto_initial.as_millis() as u32;
                        i.srto_max = c.rto_max.as_millis() as u32;
                        i.srto_min = c.rto_min.as_millis() as u32;
                    }
                    unsafe { put(i, v, len) }
                }
                SCTP_ASSOCINFO => {
                    let id = asked(0);
                    let mut i = sctp_assocparams {
                        sasoc_assoc_id: id,
                        sasoc_peer_rwnd: 0,
                        sasoc_local_rwnd: o.rcvbuf,
                        sasoc_cookie_life: o.cookie_life,
                        sasoc_asocmaxrxt: o.assoc_max_retrans,
                        sasoc_number_peer_destinations: 0,
                    };
                    if let Ok(a) = s.assoc_of(r, id) {
                        let st = a.engine.status();
                        i.sasoc_peer_rwnd = st.peer_rwnd;
                        i.sasoc_local_rwnd = st.local_rwnd;
                        i.sasoc_number_peer_destinations = st.paths.len() as u16;
                    }
                    unsafe { put(i, v, len) }
                }
                SCTP_PEER_ADDR_PARAMS => {
                    let mut i: sctp_paddrparams = unsafe { get(v, have)? };
                    i.spp_hbinterval = o.hb_interval;
                    i.spp_pathmaxrxt = o.path_max_retrans;
                    i.spp_pathmtu = o.path_mtu.unwrap_or(0);
                    i.spp_flags = (if o.hb_enabled {
                        SPP_HB_ENABLE
                    } else {
                        SPP_HB_DISABLE
                    }) | (if o.path_mtu.is_some() {
                        SPP_PMTUD_DISABLE
                    } else {
                        SPP_PMTUD_ENABLE
                    });
                    unsafe { put(i, v, len) }
                }
                SCTP_CONTEXT
                | SCTP_MAXSEG
                | SCTP_MAX_BURST
                | SCTP_ENABLE_STREAM_RESET
                | SCTP_PR_SUPPORTED
                | SCTP_RECONFIG_SUPPORTED
                | SCTP_ASCONF_SUPPORTED
                | SCTP_AUTH_SUPPORTED
                | SCTP_ECN_SUPPORTED
                | SCTP_NRSACK_SUPPORTED
                | SCTP_PKTDROP_SUPPORTED => {
                    let id = asked(0);
                    let value = match option_name {
                        SCTP_CONTEXT => o.context,
                        SCTP_MAXSEG => match s.assoc_of(r, id) {
                            Ok(a) => a.engine.status().fragmentation_point as u32,
                            Err(_) => o.maxseg,
                        },
                        SCTP_MAX_BURST => o.max_burst,
                        SCTP_ENABLE_STREAM_RESET => o.stream_reset,
                        SCTP_PR_SUPPORTED => o.pr_supported.into(),
                        SCTP_RECONFIG_SUPPORTED => o.reconfig_supported.into(),
                        SCTP_ASCONF_SUPPORTED => o.asconf_supported.into(),
                        SCTP_AUTH_SUPPORTED => o.auth_supported.into(),
                        _ => 0,
                    };
                    unsafe {
                        put(
                            sctp_assoc_value {
                                assoc_id: id,
                                assoc_value: value,
                            },
                            v,
                            len,
                        )
                    }
                }
                SCTP_DELAYED_SACK => unsafe {
                    put(
                        sctp_sack_info {
                            sack_assoc_id: asked(0),
                            sack_delay: o.sack_delay,
                            sack_freq: o.sack_freq,
                        },
                        v,
                        len,
                    )
                },
                SCTP_FRAGMENT_INTERLEAVE => unsafe { put(o.fragment_interleave, v, len) },
                SCTP_PARTIAL_DELIVERY_POINT => unsafe { put(o.pd_point, v, len) },
                SCTP_AUTOCLOSE => unsafe { put(o.autoclose, v, len) },
                SCTP_REMOTE_UDP_ENCAPS_PORT => {
                    let mut i: sctp_udpencaps = unsafe { get(v, have)? };
                    i.sue_port = o.remote_udp_port.to_be();
                    unsafe { put(i, v, len) }
                }
                SCTP_ADAPTATION_LAYER => unsafe {
                    put(
                        sctp_setadaptation {
                            ssb_adaptation_ind: o.adaptation.unwrap_or(0),
                        },
                        v,
                        len,
                    )
                },
                SCTP_DEFAULT_SNDINFO => unsafe {
                    put(
                        sctp_sndinfo {
                            snd_sid: o.default_sid,
                            snd_flags: o.default_flags,
                            snd_ppid: o.default_ppid,
                            snd_context: o.default_context,
                            snd_assoc_id: asked(12),
                        },
                        v,
                        len,
                    )
                },
                SCTP_DEFAULT_PRINFO => unsafe {
                    put(
                        sctp_default_prinfo {
                            pr_policy: o.default_pr_policy,
                            pr_value: o.default_pr_value,
                            pr_assoc_id: asked(8),
                        },
                        v,
                        len,
                    )
                },
                SCTP_STATUS => {
                    let id = asked(0);
                    let a = s.assoc_of(r, id)?;
                    let st = a.engine.status();
                    let i = sctp_status {
                        sstat_assoc_id: a.id,
                        sstat_state: state_code(st.state),
                        sstat_rwnd: st.peer_rwnd,
                        sstat_unackdata: st.unacked_chunks.min(u16::MAX.into()) as u16,
                        sstat_penddata: st.pending_chunks.min(u16::MAX.into()) as u16,
                        sstat_instrms: st.inbound_streams,
                        sstat_outstrms: st.outbound_streams,
                        sstat_fragmentation_point: st.fragmentation_point as u32,
                        sstat_primary: paddrinfo(a.id, &st.primary),
                    };
                    unsafe { put(i, v, len) }
                }
                SCTP_GET_PEER_ADDR_INFO => {
                    let mut i: sctp_paddrinfo = unsafe { get(v, have)? };
                    let mut b = [0u8; size_of::<libc::sockaddr_storage>()];
                    // SAFETY: plain bytes of the caller's struct.
                    unsafe {
                        ptr::copy_nonoverlapping(
                            (&raw const i.spinfo_address).cast::<u8>(),
                            b.as_mut_ptr(),
                            b.len(),
                        );
                    }
                    let want = crate::sockaddr::read(&b)?.to_engine();
                    let a = s.assoc_of(r, i.spinfo_assoc_id)?;
                    let st = a.engine.status();
                    let p = st
                        .paths
                        .iter()
                        .find(|p| p.address == want)
                        .ok_or(libc::EINVAL)?;
                    i = paddrinfo(a.id, p);
                    unsafe { put(i, v, len) }
                }
                SCTP_GET_ASSOC_NUMBER => {
                    let n = s.assoc_ids(r)?.len() as u32;
                    unsafe { put(n, v, len) }
                }
                SCTP_GET_ASSOC_ID_LIST => {
                    let ids = s.assoc_ids(r)?;
                    let need = 4 + 4 * ids.len();
                    if (have as usize) < need || v.is_null() {
                        return Err(libc::EINVAL);
                    }
                    // SAFETY: room checked: a count then the ids.
                    unsafe {
                        let p = v.cast::<u32>();
                        ptr::write_unaligned(p, ids.len() as u32);
                        for (k, id) in ids.iter().enumerate() {
                            ptr::write_unaligned(p.add(1 + k), *id);
                        }
                        *len = need as libc::socklen_t;
                    }
                    Ok(())
                }
                _ => Err(libc::ENOPROTOOPT),
            }
            .map(|()| 0)
        })
    })
}

/// `usrsctp_opt_info` (RFC 6458 section 9.7, `sctp_opt_info`):
/// `usrsctp_getsockopt` with the association id written into the option's
/// struct first. Options without an association id fail with EINVAL.
///
/// # Safety
/// `arg` must hold `*size` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn usrsctp_opt_info(
    so: *mut crate::handle::socket,
    id: sctp_assoc_t,
    opt: c_int,
    arg: *mut c_void,
    size: *mut libc::socklen_t,
) -> c_int {
    use std::mem::offset_of;
    let off = match opt {
        SCTP_RTOINFO
        | SCTP_ASSOCINFO
        | SCTP_STATUS
        | SCTP_DELAYED_SACK
        | SCTP_CONTEXT
        | SCTP_MAXSEG
        | SCTP_MAX_BURST
        | SCTP_ENABLE_STREAM_RESET
        | SCTP_PR_SUPPORTED
        | SCTP_RECONFIG_SUPPORTED
        | SCTP_ASCONF_SUPPORTED
        | SCTP_AUTH_SUPPORTED
        | SCTP_ECN_SUPPORTED
        | SCTP_NRSACK_SUPPORTED
        | SCTP_PKTDROP_SUPPORTED => 0,
        SCTP_DEFAULT_SNDINFO => offset_of!(sctp_sndinfo, snd_assoc_id),
        SCTP_DEFAULT_PRINFO => offset_of!(sctp_default_prinfo, pr_assoc_id),
        SCTP_PEER_ADDR_PARAMS => offset_of!(sctp_paddrparams, spp_assoc_id),
        SCTP_GET_PEER_ADDR_INFO => offset_of!(sctp_paddrinfo, spinfo_assoc_id),
        _ => {
            super::set_errno(libc::EINVAL);
            return -1;
        }
    };
    if arg.is_null() || size.is_null() {
        super::set_errno(libc::EINVAL);
        return -1;
    }
    // SAFETY: the caller's contract; the id lies within the struct.
    unsafe {
        if (*size as usize) < off + 4 {
            super::set_errno(libc::EINVAL);
            return -1;
        }
        ptr::write_unaligned(arg.cast::<u8>().add(off).cast::<sctp_assoc_t>(), id);
        usrsctp_getsockopt(so, libc::IPPROTO_SCTP, opt, arg, size)
    }
}
