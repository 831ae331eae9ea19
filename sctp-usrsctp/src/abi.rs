//! The layouts of usrsctp's public header `usrsctp.h` (Linux variant): every
//! struct, union, typedef and numeric `#define` a program uses with the
//! socket API, under the header's own names.
//!
//! `tests/layout.rs` compiles a C program against the installed header and
//! checks the size, alignment and every field offset of each type here, and
//! the value of every constant, against it.
//!
//! Flexible array members (`uint8_t x[]`) are zero-length arrays at the end
//! of their struct: they mark where the variable-length tail starts, and the
//! struct's size is that of the fixed part, as `sizeof` gives in C.
//!
//! Constants carry the type of the field or parameter they go into (socket
//! option names and `msg_flags` bits are `c_int`, notification types `u16`,
//! `snd_flags` bits `u16`, `spp_flags` bits `u32`, ...).
#![allow(non_camel_case_types)]

use libc::{c_int, c_uint, c_void, sockaddr, sockaddr_in, sockaddr_in6, sockaddr_storage};

// ---------------------------------------------------------------------------
// Basic types and addresses
// ---------------------------------------------------------------------------

/// Association identifier (`sctp_assoc_t`, a `uint32_t`).
pub type sctp_assoc_t = u32;

/// `MSG_NOTIFICATION`: `msg_flags` bit marking a received notification.
pub const MSG_NOTIFICATION: c_int = 0x2000;
/// `IPPROTO_SCTP`: the IANA protocol number of SCTP.
pub const IPPROTO_SCTP: c_int = 132;
/// `AF_CONN`: address family of [`sockaddr_conn`] (lower layer provided by the application).
pub const AF_CONN: c_int = 123;

/// SCTP common header of a packet (`struct sctp_common_header`, packed).
#[repr(C, packed)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_common_header {
    /// Source port (network byte order).
    pub source_port: u16,
    /// Destination port (network byte order).
    pub destination_port: u16,
    /// Verification tag (network byte order).
    pub verification_tag: u32,
    /// CRC32c checksum of the packet.
    pub crc32c: u32,
}

/// Address of family [`AF_CONN`] (`struct sockaddr_conn`; Linux has no `sconn_len`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sockaddr_conn {
    /// Address family, [`AF_CONN`].
    pub sconn_family: u16,
    /// Port (network byte order).
    pub sconn_port: u16,
    /// Application-chosen pointer identifying the lower-layer connection.
    pub sconn_addr: *mut c_void,
}

impl Default for sockaddr_conn {
    /// All zero, with a null `sconn_addr`.
    fn default() -> Self {
        Self {
            sconn_family: 0,
            sconn_port: 0,
            sconn_addr: core::ptr::null_mut(),
        }
    }
}

/// Any address usrsctp hands to callbacks (`union sctp_sockstore`).
#[repr(C)]
#[derive(Clone, Copy)]
pub union sctp_sockstore {
    /// IPv4 address.
    pub sin: sockaddr_in,
    /// IPv6 address.
    pub sin6: sockaddr_in6,
    /// [`AF_CONN`] address.
    pub sconn: sockaddr_conn,
    /// Generic view, to read the family.
    pub sa: sockaddr,
}

impl Default for sctp_sockstore {
    /// An all-zero IPv6 address, which covers every byte of the other variants.
    fn default() -> Self {
        Self {
            sin6: sockaddr_in6 {
                sin6_family: 0,
                sin6_port: 0,
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr { s6_addr: [0; 16] },
                sin6_scope_id: 0,
            },
        }
    }
}

/// `SCTP_FUTURE_ASSOC`: option applies to associations created later.
pub const SCTP_FUTURE_ASSOC: sctp_assoc_t = 0;
/// `SCTP_CURRENT_ASSOC`: option applies to all current associations.
pub const SCTP_CURRENT_ASSOC: sctp_assoc_t = 1;
/// `SCTP_ALL_ASSOC`: option applies to current and future associations.
pub const SCTP_ALL_ASSOC: sctp_assoc_t = 2;

/// `SCTP_EVENT_READ`: socket is readable (upcall / `usrsctp_get_events`).
pub const SCTP_EVENT_READ: c_int = 0x0001;
/// `SCTP_EVENT_WRITE`: socket is writable.
pub const SCTP_EVENT_WRITE: c_int = 0x0002;
/// `SCTP_EVENT_ERROR`: socket has an error pending.
pub const SCTP_EVENT_ERROR: c_int = 0x0004;

/// `SCTP_ALIGN_RESV_PAD`: reserved padding of the (BSD) `sctp_sndrcvinfo`.
pub const SCTP_ALIGN_RESV_PAD: usize = 92;
/// `SCTP_ALIGN_RESV_PAD_SHORT`: reserved padding of the (BSD) `sctp_extrcvinfo`.
pub const SCTP_ALIGN_RESV_PAD_SHORT: usize = 76;

// ---------------------------------------------------------------------------
// Ancillary data of usrsctp_sendv / usrsctp_recvv
// ---------------------------------------------------------------------------

/// Information about a received message (`struct sctp_rcvinfo`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_rcvinfo {
    /// Stream identifier.
    pub rcv_sid: u16,
    /// Stream sequence number.
    pub rcv_ssn: u16,
    /// Flags (`SCTP_UNORDERED`, ...).
    pub rcv_flags: u16,
    /// Payload protocol identifier (network byte order).
    pub rcv_ppid: u32,
    /// TSN of the (first) DATA chunk.
    pub rcv_tsn: u32,
    /// Cumulative TSN acknowledged.
    pub rcv_cumtsn: u32,
    /// Context set with `SCTP_CONTEXT`.
    pub rcv_context: u32,
    /// Association the message belongs to.
    pub rcv_assoc_id: sctp_assoc_t,
}

/// Information about the next message waiting (`struct sctp_nxtinfo`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_nxtinfo {
    /// Stream identifier.
    pub nxt_sid: u16,
    /// Flags (`SCTP_NEXT_MSG_*`).
    pub nxt_flags: u16,
    /// Payload protocol identifier (network byte order).
    pub nxt_ppid: u32,
    /// Length of the message.
    pub nxt_length: u32,
    /// Association the message belongs to.
    pub nxt_assoc_id: sctp_assoc_t,
}

/// `SCTP_NO_NEXT_MSG`: no next message.
pub const SCTP_NO_NEXT_MSG: u16 = 0x0000;
/// `SCTP_NEXT_MSG_AVAIL`: a next message is available.
pub const SCTP_NEXT_MSG_AVAIL: u16 = 0x0001;
/// `SCTP_NEXT_MSG_ISCOMPLETE`: the next message is complete.
pub const SCTP_NEXT_MSG_ISCOMPLETE: u16 = 0x0002;
/// `SCTP_NEXT_MSG_IS_UNORDERED`: the next message is unordered.
pub const SCTP_NEXT_MSG_IS_UNORDERED: u16 = 0x0004;
/// `SCTP_NEXT_MSG_IS_NOTIFICATION`: the next message is a notification.
pub const SCTP_NEXT_MSG_IS_NOTIFICATION: u16 = 0x0008;

/// Both receive infos (`struct sctp_recvv_rn`, for `SCTP_RECVV_RN`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_recvv_rn {
    /// Information about the received message.
    pub recvv_rcvinfo: sctp_rcvinfo,
    /// Information about the next message.
    pub recvv_nxtinfo: sctp_nxtinfo,
}

/// `SCTP_RECVV_NOINFO`: `usrsctp_recvv` returned no info.
pub const SCTP_RECVV_NOINFO: c_uint = 0;
/// `SCTP_RECVV_RCVINFO`: info is a [`sctp_rcvinfo`].
pub const SCTP_RECVV_RCVINFO: c_uint = 1;
/// `SCTP_RECVV_NXTINFO`: info is a [`sctp_nxtinfo`].
pub const SCTP_RECVV_NXTINFO: c_uint = 2;
/// `SCTP_RECVV_RN`: info is a [`sctp_recvv_rn`].
pub const SCTP_RECVV_RN: c_uint = 3;

/// `SCTP_SENDV_NOINFO`: `usrsctp_sendv` gets no info.
pub const SCTP_SENDV_NOINFO: c_uint = 0;
/// `SCTP_SENDV_SNDINFO`: info is a [`sctp_sndinfo`].
pub const SCTP_SENDV_SNDINFO: c_uint = 1;
/// `SCTP_SENDV_PRINFO`: info is a [`sctp_prinfo`].
pub const SCTP_SENDV_PRINFO: c_uint = 2;
/// `SCTP_SENDV_AUTHINFO`: info is a [`sctp_authinfo`].
pub const SCTP_SENDV_AUTHINFO: c_uint = 3;
/// `SCTP_SENDV_SPA`: info is a [`sctp_sendv_spa`].
pub const SCTP_SENDV_SPA: c_uint = 4;

/// `SCTP_SEND_SNDINFO_VALID`: `sendv_sndinfo` of [`sctp_sendv_spa`] is set.
pub const SCTP_SEND_SNDINFO_VALID: u32 = 0x0000_0001;
/// `SCTP_SEND_PRINFO_VALID`: `sendv_prinfo` of [`sctp_sendv_spa`] is set.
pub const SCTP_SEND_PRINFO_VALID: u32 = 0x0000_0002;
/// `SCTP_SEND_AUTHINFO_VALID`: `sendv_authinfo` of [`sctp_sendv_spa`] is set.
pub const SCTP_SEND_AUTHINFO_VALID: u32 = 0x0000_0004;

/// Result of a `SCTP_SENDALL` send (`struct sctp_snd_all_completes`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_snd_all_completes {
    /// Stream the message was sent on.
    pub sall_stream: u16,
    /// Send flags.
    pub sall_flags: u16,
    /// Payload protocol identifier.
    pub sall_ppid: u32,
    /// User context.
    pub sall_context: u32,
    /// Number of associations the message was sent on.
    pub sall_num_sent: u32,
    /// Number of associations the send failed on.
    pub sall_num_failed: u32,
}

/// Send parameters (`struct sctp_sndinfo`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_sndinfo {
    /// Stream identifier.
    pub snd_sid: u16,
    /// Flags (`SCTP_UNORDERED`, `SCTP_EOF`, ...).
    pub snd_flags: u16,
    /// Payload protocol identifier (network byte order).
    pub snd_ppid: u32,
    /// Context reported back in send-failure notifications.
    pub snd_context: u32,
    /// Association to send on (one-to-many sockets).
    pub snd_assoc_id: sctp_assoc_t,
}

/// Partial-reliability parameters (`struct sctp_prinfo`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_prinfo {
    /// Policy (`SCTP_PR_SCTP_*`).
    pub pr_policy: u16,
    /// Policy value (lifetime in ms, buffer bytes or retransmissions).
    pub pr_value: u32,
}

/// Authentication parameters (`struct sctp_authinfo`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_authinfo {
    /// Shared key to authenticate with.
    pub auth_keynumber: u16,
}

/// All send parameters at once (`struct sctp_sendv_spa`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_sendv_spa {
    /// Which parts are valid (`SCTP_SEND_*_VALID`).
    pub sendv_flags: u32,
    /// Send parameters.
    pub sendv_sndinfo: sctp_sndinfo,
    /// Partial-reliability parameters.
    pub sendv_prinfo: sctp_prinfo,
    /// Authentication parameters.
    pub sendv_authinfo: sctp_authinfo,
}

/// Remote UDP encapsulation port (`struct sctp_udpencaps`, `SCTP_REMOTE_UDP_ENCAPS_PORT`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sctp_udpencaps {
    /// Peer address the port applies to (wildcard for all).
    pub sue_address: sockaddr_storage,
    /// Association.
    pub sue_assoc_id: u32,
    /// Remote UDP port (network byte order), 0 to disable.
    pub sue_port: u16,
}

// ---------------------------------------------------------------------------
// Notifications
// ---------------------------------------------------------------------------

/// `SCTP_ASSOC_CHANGE`: notification type of [`sctp_assoc_change`].
pub const SCTP_ASSOC_CHANGE: u16 = 0x0001;
/// `SCTP_PEER_ADDR_CHANGE`: notification type of [`sctp_paddr_change`].
pub const SCTP_PEER_ADDR_CHANGE: u16 = 0x0002;
/// `SCTP_REMOTE_ERROR`: notification type of [`sctp_remote_error`].
pub const SCTP_REMOTE_ERROR: u16 = 0x0003;
/// `SCTP_SEND_FAILED`: notification type of the old `sctp_send_failed` (not in usrsctp.h).
pub const SCTP_SEND_FAILED: u16 = 0x0004;
/// `SCTP_SHUTDOWN_EVENT`: notification type of [`sctp_shutdown_event`].
pub const SCTP_SHUTDOWN_EVENT: u16 = 0x0005;
/// `SCTP_ADAPTATION_INDICATION`: notification type of [`sctp_adaptation_event`].
pub const SCTP_ADAPTATION_INDICATION: u16 = 0x0006;
/// `SCTP_PARTIAL_DELIVERY_EVENT`: notification type of [`sctp_pdapi_event`].
pub const SCTP_PARTIAL_DELIVERY_EVENT: u16 = 0x0007;
/// `SCTP_AUTHENTICATION_EVENT`: notification type of [`sctp_authkey_event`].
pub const SCTP_AUTHENTICATION_EVENT: u16 = 0x0008;
/// `SCTP_STREAM_RESET_EVENT`: notification type of [`sctp_stream_reset_event`].
pub const SCTP_STREAM_RESET_EVENT: u16 = 0x0009;
/// `SCTP_SENDER_DRY_EVENT`: notification type of [`sctp_sender_dry_event`].
pub const SCTP_SENDER_DRY_EVENT: u16 = 0x000a;
/// `SCTP_NOTIFICATIONS_STOPPED_EVENT`: notifications stopped (no struct of its own).
pub const SCTP_NOTIFICATIONS_STOPPED_EVENT: u16 = 0x000b;
/// `SCTP_ASSOC_RESET_EVENT`: notification type of [`sctp_assoc_reset_event`].
pub const SCTP_ASSOC_RESET_EVENT: u16 = 0x000c;
/// `SCTP_STREAM_CHANGE_EVENT`: notification type of [`sctp_stream_change_event`].
pub const SCTP_STREAM_CHANGE_EVENT: u16 = 0x000d;
/// `SCTP_SEND_FAILED_EVENT`: notification type of [`sctp_send_failed_event`].
pub const SCTP_SEND_FAILED_EVENT: u16 = 0x000e;

/// Association change notification (`struct sctp_assoc_change`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_assoc_change {
    /// [`SCTP_ASSOC_CHANGE`].
    pub sac_type: u16,
    /// Flags (none defined).
    pub sac_flags: u16,
    /// Length of the notification including `sac_info`.
    pub sac_length: u32,
    /// New state (`SCTP_COMM_UP`, ...).
    pub sac_state: u16,
    /// Error cause, if any.
    pub sac_error: u16,
    /// Number of outbound streams.
    pub sac_outbound_streams: u16,
    /// Number of inbound streams.
    pub sac_inbound_streams: u16,
    /// Association.
    pub sac_assoc_id: sctp_assoc_t,
    /// Flexible array (`uint8_t sac_info[]`): `SCTP_ASSOC_SUPPORTS_*` bytes or the ABORT chunk.
    pub sac_info: [u8; 0],
}

/// `SCTP_COMM_UP`: `sac_state` of a new association.
pub const SCTP_COMM_UP: u16 = 0x0001;
/// `SCTP_COMM_LOST`: `sac_state` of an association that failed.
pub const SCTP_COMM_LOST: u16 = 0x0002;
/// `SCTP_RESTART`: `sac_state` of a restarted association.
pub const SCTP_RESTART: u16 = 0x0003;
/// `SCTP_SHUTDOWN_COMP`: `sac_state` of an association shut down gracefully.
pub const SCTP_SHUTDOWN_COMP: u16 = 0x0004;
/// `SCTP_CANT_STR_ASSOC`: `sac_state` when the association could not be set up.
pub const SCTP_CANT_STR_ASSOC: u16 = 0x0005;

/// `SCTP_ASSOC_SUPPORTS_PR`: `sac_info` byte, peer supports PR-SCTP.
pub const SCTP_ASSOC_SUPPORTS_PR: u8 = 0x01;
/// `SCTP_ASSOC_SUPPORTS_AUTH`: `sac_info` byte, peer supports AUTH.
pub const SCTP_ASSOC_SUPPORTS_AUTH: u8 = 0x02;
/// `SCTP_ASSOC_SUPPORTS_ASCONF`: `sac_info` byte, peer supports ASCONF.
pub const SCTP_ASSOC_SUPPORTS_ASCONF: u8 = 0x03;
/// `SCTP_ASSOC_SUPPORTS_MULTIBUF`: `sac_info` byte, multiple buffers.
pub const SCTP_ASSOC_SUPPORTS_MULTIBUF: u8 = 0x04;
/// `SCTP_ASSOC_SUPPORTS_RE_CONFIG`: `sac_info` byte, peer supports RE-CONFIG.
pub const SCTP_ASSOC_SUPPORTS_RE_CONFIG: u8 = 0x05;
/// `SCTP_ASSOC_SUPPORTS_INTERLEAVING`: `sac_info` byte, peer supports I-DATA.
pub const SCTP_ASSOC_SUPPORTS_INTERLEAVING: u8 = 0x06;
/// `SCTP_ASSOC_SUPPORTS_MAX`: largest `SCTP_ASSOC_SUPPORTS_*` value.
pub const SCTP_ASSOC_SUPPORTS_MAX: u8 = 0x06;

/// Peer address change notification (`struct sctp_paddr_change`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sctp_paddr_change {
    /// [`SCTP_PEER_ADDR_CHANGE`].
    pub spc_type: u16,
    /// Flags (none defined).
    pub spc_flags: u16,
    /// Length of the notification.
    pub spc_length: u32,
    /// The peer address concerned.
    pub spc_aaddr: sockaddr_storage,
    /// New state (`SCTP_ADDR_*`).
    pub spc_state: u32,
    /// Error cause, if any.
    pub spc_error: u32,
    /// Association.
    pub spc_assoc_id: sctp_assoc_t,
    /// Padding.
    pub spc_padding: [u8; 4],
}

/// `SCTP_ADDR_AVAILABLE`: `spc_state`, address reachable.
pub const SCTP_ADDR_AVAILABLE: u32 = 0x0001;
/// `SCTP_ADDR_UNREACHABLE`: `spc_state`, address unreachable.
pub const SCTP_ADDR_UNREACHABLE: u32 = 0x0002;
/// `SCTP_ADDR_REMOVED`: `spc_state`, address removed.
pub const SCTP_ADDR_REMOVED: u32 = 0x0003;
/// `SCTP_ADDR_ADDED`: `spc_state`, address added.
pub const SCTP_ADDR_ADDED: u32 = 0x0004;
/// `SCTP_ADDR_MADE_PRIM`: `spc_state`, address became primary.
pub const SCTP_ADDR_MADE_PRIM: u32 = 0x0005;
/// `SCTP_ADDR_CONFIRMED`: `spc_state`, address confirmed.
pub const SCTP_ADDR_CONFIRMED: u32 = 0x0006;

/// Remote error notification (`struct sctp_remote_error`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_remote_error {
    /// [`SCTP_REMOTE_ERROR`].
    pub sre_type: u16,
    /// Flags (none defined).
    pub sre_flags: u16,
    /// Length of the notification including `sre_data`.
    pub sre_length: u32,
    /// Error cause code (network byte order).
    pub sre_error: u16,
    /// Association.
    pub sre_assoc_id: sctp_assoc_t,
    /// Flexible array (`uint8_t sre_data[]`): the ERROR chunk's causes.
    pub sre_data: [u8; 0],
}

/// Shutdown notification (`struct sctp_shutdown_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_shutdown_event {
    /// [`SCTP_SHUTDOWN_EVENT`].
    pub sse_type: u16,
    /// Flags (none defined).
    pub sse_flags: u16,
    /// Length of the notification.
    pub sse_length: u32,
    /// Association.
    pub sse_assoc_id: sctp_assoc_t,
}

/// Adaptation layer indication notification (`struct sctp_adaptation_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_adaptation_event {
    /// [`SCTP_ADAPTATION_INDICATION`].
    pub sai_type: u16,
    /// Flags (none defined).
    pub sai_flags: u16,
    /// Length of the notification.
    pub sai_length: u32,
    /// The peer's adaptation layer indication.
    pub sai_adaptation_ind: u32,
    /// Association.
    pub sai_assoc_id: sctp_assoc_t,
}

/// Partial delivery notification (`struct sctp_pdapi_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_pdapi_event {
    /// [`SCTP_PARTIAL_DELIVERY_EVENT`].
    pub pdapi_type: u16,
    /// Flags (none defined).
    pub pdapi_flags: u16,
    /// Length of the notification.
    pub pdapi_length: u32,
    /// What happened (`SCTP_PARTIAL_DELIVERY_ABORTED`).
    pub pdapi_indication: u32,
    /// Stream of the message.
    pub pdapi_stream: u32,
    /// Stream sequence number of the message.
    pub pdapi_seq: u32,
    /// Association.
    pub pdapi_assoc_id: sctp_assoc_t,
}

/// `SCTP_PARTIAL_DELIVERY_ABORTED`: `pdapi_indication`, delivery aborted.
pub const SCTP_PARTIAL_DELIVERY_ABORTED: u32 = 0x0001;

/// Authentication key notification (`struct sctp_authkey_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_authkey_event {
    /// [`SCTP_AUTHENTICATION_EVENT`].
    pub auth_type: u16,
    /// Flags (none defined).
    pub auth_flags: u16,
    /// Length of the notification.
    pub auth_length: u32,
    /// Key concerned.
    pub auth_keynumber: u16,
    /// What happened (`SCTP_AUTH_NEW_KEY`, ...).
    pub auth_indication: u32,
    /// Association.
    pub auth_assoc_id: sctp_assoc_t,
}

/// `SCTP_AUTH_NEW_KEY`: `auth_indication`, peer used a new key.
pub const SCTP_AUTH_NEW_KEY: u32 = 0x0001;
/// `SCTP_AUTH_NO_AUTH`: `auth_indication`, peer does not support AUTH.
pub const SCTP_AUTH_NO_AUTH: u32 = 0x0002;
/// `SCTP_AUTH_FREE_KEY`: `auth_indication`, a deactivated key is no longer used.
pub const SCTP_AUTH_FREE_KEY: u32 = 0x0003;

/// Sender dry notification (`struct sctp_sender_dry_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_sender_dry_event {
    /// [`SCTP_SENDER_DRY_EVENT`].
    pub sender_dry_type: u16,
    /// Flags (none defined).
    pub sender_dry_flags: u16,
    /// Length of the notification.
    pub sender_dry_length: u32,
    /// Association.
    pub sender_dry_assoc_id: sctp_assoc_t,
}

/// Stream reset notification (`struct sctp_stream_reset_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_stream_reset_event {
    /// [`SCTP_STREAM_RESET_EVENT`].
    pub strreset_type: u16,
    /// Flags (`SCTP_STREAM_RESET_INCOMING_SSN`, ...).
    pub strreset_flags: u16,
    /// Length of the notification including the stream list.
    pub strreset_length: u32,
    /// Association.
    pub strreset_assoc_id: sctp_assoc_t,
    /// Flexible array (`uint16_t strreset_stream_list[]`): the streams reset.
    pub strreset_stream_list: [u16; 0],
}

/// `SCTP_STREAM_RESET_INCOMING_SSN`: `strreset_flags`, incoming streams reset.
pub const SCTP_STREAM_RESET_INCOMING_SSN: u16 = 0x0001;
/// `SCTP_STREAM_RESET_OUTGOING_SSN`: `strreset_flags`, outgoing streams reset.
pub const SCTP_STREAM_RESET_OUTGOING_SSN: u16 = 0x0002;
/// `SCTP_STREAM_RESET_DENIED`: `strreset_flags`, the peer denied the reset.
pub const SCTP_STREAM_RESET_DENIED: u16 = 0x0004;
/// `SCTP_STREAM_RESET_FAILED`: `strreset_flags`, the reset failed.
pub const SCTP_STREAM_RESET_FAILED: u16 = 0x0008;
/// `SCTP_STREAM_CHANGED_DENIED`: `strreset_flags`, a stream change was denied.
pub const SCTP_STREAM_CHANGED_DENIED: u16 = 0x0010;

/// `SCTP_STREAM_RESET_INCOMING`: `srs_flags` of [`sctp_reset_streams`], reset incoming.
pub const SCTP_STREAM_RESET_INCOMING: u16 = 0x0001;
/// `SCTP_STREAM_RESET_OUTGOING`: `srs_flags` of [`sctp_reset_streams`], reset outgoing.
pub const SCTP_STREAM_RESET_OUTGOING: u16 = 0x0002;

/// Association reset notification (`struct sctp_assoc_reset_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_assoc_reset_event {
    /// [`SCTP_ASSOC_RESET_EVENT`].
    pub assocreset_type: u16,
    /// Flags (`SCTP_ASSOC_RESET_DENIED`, ...).
    pub assocreset_flags: u16,
    /// Length of the notification.
    pub assocreset_length: u32,
    /// Association.
    pub assocreset_assoc_id: sctp_assoc_t,
    /// New local TSN.
    pub assocreset_local_tsn: u32,
    /// New remote TSN.
    pub assocreset_remote_tsn: u32,
}

/// `SCTP_ASSOC_RESET_DENIED`: `assocreset_flags`, the peer denied the reset.
pub const SCTP_ASSOC_RESET_DENIED: u16 = 0x0004;
/// `SCTP_ASSOC_RESET_FAILED`: `assocreset_flags`, the reset failed.
pub const SCTP_ASSOC_RESET_FAILED: u16 = 0x0008;

/// Stream change notification (`struct sctp_stream_change_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_stream_change_event {
    /// [`SCTP_STREAM_CHANGE_EVENT`].
    pub strchange_type: u16,
    /// Flags (`SCTP_STREAM_CHANGE_DENIED`, ...).
    pub strchange_flags: u16,
    /// Length of the notification.
    pub strchange_length: u32,
    /// Association.
    pub strchange_assoc_id: sctp_assoc_t,
    /// New number of inbound streams.
    pub strchange_instrms: u16,
    /// New number of outbound streams.
    pub strchange_outstrms: u16,
}

/// `SCTP_STREAM_CHANGE_DENIED`: `strchange_flags`, the peer denied the change.
pub const SCTP_STREAM_CHANGE_DENIED: u16 = 0x0004;
/// `SCTP_STREAM_CHANGE_FAILED`: `strchange_flags`, the change failed.
pub const SCTP_STREAM_CHANGE_FAILED: u16 = 0x0008;

/// Send failure notification (`struct sctp_send_failed_event`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_send_failed_event {
    /// [`SCTP_SEND_FAILED_EVENT`].
    pub ssfe_type: u16,
    /// Flags (`SCTP_DATA_UNSENT` or `SCTP_DATA_SENT`).
    pub ssfe_flags: u16,
    /// Length of the notification including `ssfe_data`.
    pub ssfe_length: u32,
    /// Error cause.
    pub ssfe_error: u32,
    /// Send parameters of the failed message.
    pub ssfe_info: sctp_sndinfo,
    /// Association.
    pub ssfe_assoc_id: sctp_assoc_t,
    /// Flexible array (`uint8_t ssfe_data[]`): the undelivered payload.
    pub ssfe_data: [u8; 0],
}

/// `SCTP_DATA_UNSENT`: `ssfe_flags`, the data never went on the wire.
pub const SCTP_DATA_UNSENT: u16 = 0x0001;
/// `SCTP_DATA_SENT`: `ssfe_flags`, the data was on the wire.
pub const SCTP_DATA_SENT: u16 = 0x0002;

/// Notification subscription (`struct sctp_event`, option `SCTP_EVENT`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_event {
    /// Association (or `SCTP_FUTURE_ASSOC`, ...).
    pub se_assoc_id: sctp_assoc_t,
    /// Notification type.
    pub se_type: u16,
    /// Non-zero to subscribe, zero to unsubscribe.
    pub se_on: u8,
}

/// Header common to all notifications (`struct sctp_tlv`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_tlv {
    /// Notification type.
    pub sn_type: u16,
    /// Flags.
    pub sn_flags: u16,
    /// Length of the whole notification.
    pub sn_length: u32,
}

/// Any notification (`union sctp_notification`).
#[repr(C)]
#[derive(Clone, Copy)]
pub union sctp_notification {
    /// Common header, to read the type.
    pub sn_header: sctp_tlv,
    /// [`SCTP_ASSOC_CHANGE`].
    pub sn_assoc_change: sctp_assoc_change,
    /// [`SCTP_PEER_ADDR_CHANGE`].
    pub sn_paddr_change: sctp_paddr_change,
    /// [`SCTP_REMOTE_ERROR`].
    pub sn_remote_error: sctp_remote_error,
    /// [`SCTP_SHUTDOWN_EVENT`].
    pub sn_shutdown_event: sctp_shutdown_event,
    /// [`SCTP_ADAPTATION_INDICATION`].
    pub sn_adaptation_event: sctp_adaptation_event,
    /// [`SCTP_PARTIAL_DELIVERY_EVENT`].
    pub sn_pdapi_event: sctp_pdapi_event,
    /// [`SCTP_AUTHENTICATION_EVENT`].
    pub sn_auth_event: sctp_authkey_event,
    /// [`SCTP_SENDER_DRY_EVENT`].
    pub sn_sender_dry_event: sctp_sender_dry_event,
    /// [`SCTP_SEND_FAILED_EVENT`].
    pub sn_send_failed_event: sctp_send_failed_event,
    /// [`SCTP_STREAM_RESET_EVENT`].
    pub sn_strreset_event: sctp_stream_reset_event,
    /// [`SCTP_ASSOC_RESET_EVENT`].
    pub sn_assocreset_event: sctp_assoc_reset_event,
    /// [`SCTP_STREAM_CHANGE_EVENT`].
    pub sn_strchange_event: sctp_stream_change_event,
}

/// Old-style notification subscription (`struct sctp_event_subscribe`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_event_subscribe {
    /// Receive `sctp_sndrcvinfo` ancillary data.
    pub sctp_data_io_event: u8,
    /// [`SCTP_ASSOC_CHANGE`] notifications.
    pub sctp_association_event: u8,
    /// [`SCTP_PEER_ADDR_CHANGE`] notifications.
    pub sctp_address_event: u8,
    /// Send failure notifications.
    pub sctp_send_failure_event: u8,
    /// [`SCTP_REMOTE_ERROR`] notifications.
    pub sctp_peer_error_event: u8,
    /// [`SCTP_SHUTDOWN_EVENT`] notifications.
    pub sctp_shutdown_event: u8,
    /// [`SCTP_PARTIAL_DELIVERY_EVENT`] notifications.
    pub sctp_partial_delivery_event: u8,
    /// [`SCTP_ADAPTATION_INDICATION`] notifications.
    pub sctp_adaptation_layer_event: u8,
    /// [`SCTP_AUTHENTICATION_EVENT`] notifications.
    pub sctp_authentication_event: u8,
    /// [`SCTP_SENDER_DRY_EVENT`] notifications.
    pub sctp_sender_dry_event: u8,
    /// [`SCTP_STREAM_RESET_EVENT`] notifications.
    pub sctp_stream_reset_event: u8,
}

// ---------------------------------------------------------------------------
// Message flags and PR-SCTP policies
// ---------------------------------------------------------------------------

/// `SCTP_DATA_LAST_FRAG`: the tail of the message could not be sent.
pub const SCTP_DATA_LAST_FRAG: u16 = 0x0001;
/// `SCTP_DATA_NOT_FRAG`: the complete message could not be sent.
pub const SCTP_DATA_NOT_FRAG: u16 = 0x0003;
/// `SCTP_NOTIFICATION`: the next message is a notification.
pub const SCTP_NOTIFICATION: u16 = 0x0010;
/// `SCTP_COMPLETE`: the next message is complete.
pub const SCTP_COMPLETE: u16 = 0x0020;
/// `SCTP_EOF`: start a graceful shutdown after this message.
pub const SCTP_EOF: u16 = 0x0100;
/// `SCTP_ABORT`: abort the association.
pub const SCTP_ABORT: u16 = 0x0200;
/// `SCTP_UNORDERED`: the message is unordered.
pub const SCTP_UNORDERED: u16 = 0x0400;
/// `SCTP_ADDR_OVER`: override the primary destination address.
pub const SCTP_ADDR_OVER: u16 = 0x0800;
/// `SCTP_SENDALL`: send the message on all associations.
pub const SCTP_SENDALL: u16 = 0x1000;
/// `SCTP_EOR`: this send ends the message (explicit EOR mode).
pub const SCTP_EOR: u16 = 0x2000;
/// `SCTP_SACK_IMMEDIATELY`: set the I bit of the DATA chunk.
pub const SCTP_SACK_IMMEDIATELY: u16 = 0x4000;

/// `SCTP_PR_SCTP_NONE`: reliable transfer.
pub const SCTP_PR_SCTP_NONE: u16 = 0x0000;
/// `SCTP_PR_SCTP_TTL`: time-based partial reliability.
pub const SCTP_PR_SCTP_TTL: u16 = 0x0001;
/// `SCTP_PR_SCTP_BUF`: buffer-based partial reliability.
pub const SCTP_PR_SCTP_BUF: u16 = 0x0002;
/// `SCTP_PR_SCTP_RTX`: retransmission-count-based partial reliability.
pub const SCTP_PR_SCTP_RTX: u16 = 0x0003;

// ---------------------------------------------------------------------------
// Socket options (level IPPROTO_SCTP)
// ---------------------------------------------------------------------------

/// `SCTP_RTOINFO`: RTO parameters ([`sctp_rtoinfo`]).
pub const SCTP_RTOINFO: c_int = 0x0000_0001;
/// `SCTP_ASSOCINFO`: association parameters ([`sctp_assocparams`]).
pub const SCTP_ASSOCINFO: c_int = 0x0000_0002;
/// `SCTP_INITMSG`: INIT parameters ([`sctp_initmsg`]).
pub const SCTP_INITMSG: c_int = 0x0000_0003;
/// `SCTP_NODELAY`: disable Nagle (`int`).
pub const SCTP_NODELAY: c_int = 0x0000_0004;
/// `SCTP_AUTOCLOSE`: idle seconds before automatic close (`int`).
pub const SCTP_AUTOCLOSE: c_int = 0x0000_0005;
/// `SCTP_PRIMARY_ADDR`: primary destination address ([`sctp_setprim`]).
pub const SCTP_PRIMARY_ADDR: c_int = 0x0000_0007;
/// `SCTP_ADAPTATION_LAYER`: adaptation layer indication ([`sctp_setadaptation`]).
pub const SCTP_ADAPTATION_LAYER: c_int = 0x0000_0008;
/// `SCTP_DISABLE_FRAGMENTS`: refuse messages larger than the PMTU (`int`).
pub const SCTP_DISABLE_FRAGMENTS: c_int = 0x0000_0009;
/// `SCTP_PEER_ADDR_PARAMS`: per-path parameters ([`sctp_paddrparams`]).
pub const SCTP_PEER_ADDR_PARAMS: c_int = 0x0000_000a;
/// `SCTP_I_WANT_MAPPED_V4_ADDR`: report IPv4 addresses as mapped IPv6 (`int`).
pub const SCTP_I_WANT_MAPPED_V4_ADDR: c_int = 0x0000_000d;
/// `SCTP_MAXSEG`: maximum fragment size ([`sctp_assoc_value`]).
pub const SCTP_MAXSEG: c_int = 0x0000_000e;
/// `SCTP_DELAYED_SACK`: delayed SACK parameters ([`sctp_sack_info`]).
pub const SCTP_DELAYED_SACK: c_int = 0x0000_000f;
/// `SCTP_FRAGMENT_INTERLEAVE`: fragment interleave level (`int`).
pub const SCTP_FRAGMENT_INTERLEAVE: c_int = 0x0000_0010;
/// `SCTP_PARTIAL_DELIVERY_POINT`: partial delivery threshold (`uint32_t`).
pub const SCTP_PARTIAL_DELIVERY_POINT: c_int = 0x0000_0011;
/// `SCTP_HMAC_IDENT`: HMAC algorithms ([`sctp_hmacalgo`]).
pub const SCTP_HMAC_IDENT: c_int = 0x0000_0014;
/// `SCTP_AUTH_ACTIVE_KEY`: active shared key ([`sctp_authkeyid`]).
pub const SCTP_AUTH_ACTIVE_KEY: c_int = 0x0000_0015;
/// `SCTP_AUTO_ASCONF`: automatic ASCONF (`int`).
pub const SCTP_AUTO_ASCONF: c_int = 0x0000_0018;
/// `SCTP_MAX_BURST`: maximum burst ([`sctp_assoc_value`]).
pub const SCTP_MAX_BURST: c_int = 0x0000_0019;
/// `SCTP_CONTEXT`: default context ([`sctp_assoc_value`]).
pub const SCTP_CONTEXT: c_int = 0x0000_001a;
/// `SCTP_EXPLICIT_EOR`: explicit end-of-record mode (`int`).
pub const SCTP_EXPLICIT_EOR: c_int = 0x0000_001b;
/// `SCTP_REUSE_PORT`: allow port reuse (`int`).
pub const SCTP_REUSE_PORT: c_int = 0x0000_001c;
/// `SCTP_EVENT`: notification subscription ([`sctp_event`]).
pub const SCTP_EVENT: c_int = 0x0000_001e;
/// `SCTP_RECVRCVINFO`: receive [`sctp_rcvinfo`] with messages (`int`).
pub const SCTP_RECVRCVINFO: c_int = 0x0000_001f;
/// `SCTP_RECVNXTINFO`: receive [`sctp_nxtinfo`] with messages (`int`).
pub const SCTP_RECVNXTINFO: c_int = 0x0000_0020;
/// `SCTP_DEFAULT_SNDINFO`: default send parameters ([`sctp_sndinfo`]).
pub const SCTP_DEFAULT_SNDINFO: c_int = 0x0000_0021;
/// `SCTP_DEFAULT_PRINFO`: default PR-SCTP parameters ([`sctp_default_prinfo`]).
pub const SCTP_DEFAULT_PRINFO: c_int = 0x0000_0022;
/// `SCTP_REMOTE_UDP_ENCAPS_PORT`: remote UDP encapsulation port ([`sctp_udpencaps`]).
pub const SCTP_REMOTE_UDP_ENCAPS_PORT: c_int = 0x0000_0024;
/// `SCTP_ECN_SUPPORTED`: ECN support ([`sctp_assoc_value`]).
pub const SCTP_ECN_SUPPORTED: c_int = 0x0000_0025;
/// `SCTP_PR_SUPPORTED`: PR-SCTP support ([`sctp_assoc_value`]).
pub const SCTP_PR_SUPPORTED: c_int = 0x0000_0026;
/// `SCTP_AUTH_SUPPORTED`: AUTH support ([`sctp_assoc_value`]).
pub const SCTP_AUTH_SUPPORTED: c_int = 0x0000_0027;
/// `SCTP_ASCONF_SUPPORTED`: ASCONF support ([`sctp_assoc_value`]).
pub const SCTP_ASCONF_SUPPORTED: c_int = 0x0000_0028;
/// `SCTP_RECONFIG_SUPPORTED`: RE-CONFIG support ([`sctp_assoc_value`]).
pub const SCTP_RECONFIG_SUPPORTED: c_int = 0x0000_0029;
/// `SCTP_NRSACK_SUPPORTED`: NR-SACK support ([`sctp_assoc_value`]).
pub const SCTP_NRSACK_SUPPORTED: c_int = 0x0000_0030;
/// `SCTP_PKTDROP_SUPPORTED`: PKTDROP support ([`sctp_assoc_value`]).
pub const SCTP_PKTDROP_SUPPORTED: c_int = 0x0000_0031;
/// `SCTP_MAX_CWND`: congestion window limit ([`sctp_assoc_value`]).
pub const SCTP_MAX_CWND: c_int = 0x0000_0032;
/// `SCTP_ENABLE_STREAM_RESET`: allowed reconfiguration requests ([`sctp_assoc_value`]).
pub const SCTP_ENABLE_STREAM_RESET: c_int = 0x0000_0900;
/// `SCTP_PLUGGABLE_SS`: stream scheduler ([`sctp_assoc_value`]).
pub const SCTP_PLUGGABLE_SS: c_int = 0x0000_1203;
/// `SCTP_SS_VALUE`: per-stream scheduler value ([`sctp_stream_value`]).
pub const SCTP_SS_VALUE: c_int = 0x0000_1204;

/// `SCTP_STATUS`: association status ([`sctp_status`], read-only).
pub const SCTP_STATUS: c_int = 0x0000_0100;
/// `SCTP_GET_PEER_ADDR_INFO`: path information ([`sctp_paddrinfo`], read-only).
pub const SCTP_GET_PEER_ADDR_INFO: c_int = 0x0000_0101;
/// `SCTP_PEER_AUTH_CHUNKS`: chunks the peer authenticates ([`sctp_authchunks`], read-only).
pub const SCTP_PEER_AUTH_CHUNKS: c_int = 0x0000_0102;
/// `SCTP_LOCAL_AUTH_CHUNKS`: chunks we authenticate ([`sctp_authchunks`], read-only).
pub const SCTP_LOCAL_AUTH_CHUNKS: c_int = 0x0000_0103;
/// `SCTP_GET_ASSOC_NUMBER`: number of associations (`uint32_t`, read-only).
pub const SCTP_GET_ASSOC_NUMBER: c_int = 0x0000_0104;
/// `SCTP_GET_ASSOC_ID_LIST`: association identifiers ([`sctp_assoc_ids`], read-only).
pub const SCTP_GET_ASSOC_ID_LIST: c_int = 0x0000_0105;
/// `SCTP_TIMEOUTS`: timeout counters ([`sctp_timeouts`], read-only).
pub const SCTP_TIMEOUTS: c_int = 0x0000_0106;
/// `SCTP_PR_STREAM_STATUS`: PR-SCTP counters of a stream ([`sctp_prstatus`], read-only).
pub const SCTP_PR_STREAM_STATUS: c_int = 0x0000_0107;
/// `SCTP_PR_ASSOC_STATUS`: PR-SCTP counters of an association ([`sctp_prstatus`], read-only).
pub const SCTP_PR_ASSOC_STATUS: c_int = 0x0000_0108;

/// `SCTP_SET_PEER_PRIMARY_ADDR`: ask the peer to change primary ([`sctp_setpeerprim`], write-only).
pub const SCTP_SET_PEER_PRIMARY_ADDR: c_int = 0x0000_0006;
/// `SCTP_AUTH_CHUNK`: add a chunk type to authenticate ([`sctp_authchunk`], write-only).
pub const SCTP_AUTH_CHUNK: c_int = 0x0000_0012;
/// `SCTP_AUTH_KEY`: set a shared key ([`sctp_authkey`], write-only).
pub const SCTP_AUTH_KEY: c_int = 0x0000_0013;
/// `SCTP_AUTH_DEACTIVATE_KEY`: deactivate a shared key ([`sctp_authkeyid`], write-only).
pub const SCTP_AUTH_DEACTIVATE_KEY: c_int = 0x0000_001d;
/// `SCTP_AUTH_DELETE_KEY`: delete a shared key ([`sctp_authkeyid`], write-only).
pub const SCTP_AUTH_DELETE_KEY: c_int = 0x0000_0016;
/// `SCTP_RESET_STREAMS`: reset streams ([`sctp_reset_streams`], write-only).
pub const SCTP_RESET_STREAMS: c_int = 0x0000_0901;
/// `SCTP_RESET_ASSOC`: reset the association ([`sctp_assoc_t`], write-only).
pub const SCTP_RESET_ASSOC: c_int = 0x0000_0902;
/// `SCTP_ADD_STREAMS`: add streams ([`sctp_add_streams`], write-only).
pub const SCTP_ADD_STREAMS: c_int = 0x0000_0903;

// ---------------------------------------------------------------------------
// Socket option structures
// ---------------------------------------------------------------------------

/// INIT parameters (`struct sctp_initmsg`, option `SCTP_INITMSG`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_initmsg {
    /// Number of outbound streams requested.
    pub sinit_num_ostreams: u16,
    /// Maximum number of inbound streams accepted.
    pub sinit_max_instreams: u16,
    /// Maximum INIT retransmissions.
    pub sinit_max_attempts: u16,
    /// Maximum INIT retransmission timeout in ms.
    pub sinit_max_init_timeo: u16,
}

/// RTO parameters (`struct sctp_rtoinfo`, option `SCTP_RTOINFO`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_rtoinfo {
    /// Association.
    pub srto_assoc_id: sctp_assoc_t,
    /// Initial RTO in ms.
    pub srto_initial: u32,
    /// Maximum RTO in ms.
    pub srto_max: u32,
    /// Minimum RTO in ms.
    pub srto_min: u32,
}

/// Association parameters (`struct sctp_assocparams`, option `SCTP_ASSOCINFO`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_assocparams {
    /// Association.
    pub sasoc_assoc_id: sctp_assoc_t,
    /// Peer's receive window.
    pub sasoc_peer_rwnd: u32,
    /// Local receive window.
    pub sasoc_local_rwnd: u32,
    /// Cookie lifetime in ms.
    pub sasoc_cookie_life: u32,
    /// Maximum association retransmissions.
    pub sasoc_asocmaxrxt: u16,
    /// Number of peer addresses.
    pub sasoc_number_peer_destinations: u16,
}

/// Primary address (`struct sctp_setprim`, option `SCTP_PRIMARY_ADDR`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sctp_setprim {
    /// Peer address to use as primary.
    pub ssp_addr: sockaddr_storage,
    /// Association.
    pub ssp_assoc_id: sctp_assoc_t,
    /// Padding.
    pub ssp_padding: [u8; 4],
}

/// Adaptation layer indication (`struct sctp_setadaptation`, option `SCTP_ADAPTATION_LAYER`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_setadaptation {
    /// Indication sent to the peer.
    pub ssb_adaptation_ind: u32,
}

/// Path parameters (`struct sctp_paddrparams`, option `SCTP_PEER_ADDR_PARAMS`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sctp_paddrparams {
    /// Peer address (wildcard for all paths).
    pub spp_address: sockaddr_storage,
    /// Association.
    pub spp_assoc_id: sctp_assoc_t,
    /// Heartbeat interval in ms.
    pub spp_hbinterval: u32,
    /// Path MTU.
    pub spp_pathmtu: u32,
    /// Flags (`SPP_*`).
    pub spp_flags: u32,
    /// IPv6 flow label.
    pub spp_ipv6_flowlabel: u32,
    /// Maximum path retransmissions.
    pub spp_pathmaxrxt: u16,
    /// DSCP.
    pub spp_dscp: u8,
}

/// `SPP_HB_ENABLE`: enable heartbeats.
pub const SPP_HB_ENABLE: u32 = 0x0000_0001;
/// `SPP_HB_DISABLE`: disable heartbeats.
pub const SPP_HB_DISABLE: u32 = 0x0000_0002;
/// `SPP_HB_DEMAND`: send a heartbeat now.
pub const SPP_HB_DEMAND: u32 = 0x0000_0004;
/// `SPP_PMTUD_ENABLE`: enable path MTU discovery.
pub const SPP_PMTUD_ENABLE: u32 = 0x0000_0008;
/// `SPP_PMTUD_DISABLE`: disable path MTU discovery (use `spp_pathmtu`).
pub const SPP_PMTUD_DISABLE: u32 = 0x0000_0010;
/// `SPP_HB_TIME_IS_ZERO`: set the heartbeat interval to zero.
pub const SPP_HB_TIME_IS_ZERO: u32 = 0x0000_0080;
/// `SPP_IPV6_FLOWLABEL`: `spp_ipv6_flowlabel` is valid.
pub const SPP_IPV6_FLOWLABEL: u32 = 0x0000_0100;
/// `SPP_DSCP`: `spp_dscp` is valid.
pub const SPP_DSCP: u32 = 0x0000_0200;

/// Generic association value (`struct sctp_assoc_value`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_assoc_value {
    /// Association.
    pub assoc_id: sctp_assoc_t,
    /// Value.
    pub assoc_value: u32,
}

/// `SCTP_ENABLE_RESET_STREAM_REQ`: allow stream reset requests.
pub const SCTP_ENABLE_RESET_STREAM_REQ: u32 = 0x0000_0001;
/// `SCTP_ENABLE_RESET_ASSOC_REQ`: allow association reset requests.
pub const SCTP_ENABLE_RESET_ASSOC_REQ: u32 = 0x0000_0002;
/// `SCTP_ENABLE_CHANGE_ASSOC_REQ`: allow add-streams requests.
pub const SCTP_ENABLE_CHANGE_ASSOC_REQ: u32 = 0x0000_0004;
/// `SCTP_ENABLE_VALUE_MASK`: all `SCTP_ENABLE_*_REQ` bits.
pub const SCTP_ENABLE_VALUE_MASK: u32 = 0x0000_0007;

/// Stream reset request (`struct sctp_reset_streams`, option `SCTP_RESET_STREAMS`).
///
/// Header of a variable-length struct: `srs_stream_list` is the C flexible
/// array member `uint16_t srs_stream_list[]`, `srs_number_streams` entries
/// follow the header in memory.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_reset_streams {
    /// Association.
    pub srs_assoc_id: sctp_assoc_t,
    /// Direction (`SCTP_STREAM_RESET_INCOMING` / `_OUTGOING`).
    pub srs_flags: u16,
    /// Number of streams in the list, 0 for all streams.
    pub srs_number_streams: u16,
    /// Flexible array (`uint16_t srs_stream_list[]`): the streams to reset.
    pub srs_stream_list: [u16; 0],
}

/// Add-streams request (`struct sctp_add_streams`, option `SCTP_ADD_STREAMS`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_add_streams {
    /// Association.
    pub sas_assoc_id: sctp_assoc_t,
    /// Number of inbound streams to add.
    pub sas_instrms: u16,
    /// Number of outbound streams to add.
    pub sas_outstrms: u16,
}

/// HMAC algorithms (`struct sctp_hmacalgo`, option `SCTP_HMAC_IDENT`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_hmacalgo {
    /// Number of identifiers in the list.
    pub shmac_number_of_idents: u32,
    /// Flexible array (`uint16_t shmac_idents[]`): `SCTP_AUTH_HMAC_ID_*` values.
    pub shmac_idents: [u16; 0],
}

/// `SCTP_AUTH_HMAC_ID_RSVD`: reserved HMAC identifier.
pub const SCTP_AUTH_HMAC_ID_RSVD: u16 = 0x0000;
/// `SCTP_AUTH_HMAC_ID_SHA1`: HMAC-SHA1 (default, mandatory).
pub const SCTP_AUTH_HMAC_ID_SHA1: u16 = 0x0001;
/// `SCTP_AUTH_HMAC_ID_SHA256`: HMAC-SHA256.
pub const SCTP_AUTH_HMAC_ID_SHA256: u16 = 0x0003;
/// `SCTP_AUTH_HMAC_ID_SHA224`: HMAC-SHA224.
pub const SCTP_AUTH_HMAC_ID_SHA224: u16 = 0x0004;
/// `SCTP_AUTH_HMAC_ID_SHA384`: HMAC-SHA384.
pub const SCTP_AUTH_HMAC_ID_SHA384: u16 = 0x0005;
/// `SCTP_AUTH_HMAC_ID_SHA512`: HMAC-SHA512.
pub const SCTP_AUTH_HMAC_ID_SHA512: u16 = 0x0006;

/// Delayed SACK parameters (`struct sctp_sack_info`, option `SCTP_DELAYED_SACK`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_sack_info {
    /// Association.
    pub sack_assoc_id: sctp_assoc_t,
    /// SACK delay in ms.
    pub sack_delay: u32,
    /// Packets received before a SACK is sent.
    pub sack_freq: u32,
}

/// Default PR-SCTP parameters (`struct sctp_default_prinfo`, option `SCTP_DEFAULT_PRINFO`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_default_prinfo {
    /// Policy (`SCTP_PR_SCTP_*`).
    pub pr_policy: u16,
    /// Policy value.
    pub pr_value: u32,
    /// Association.
    pub pr_assoc_id: sctp_assoc_t,
}

/// Path information (`struct sctp_paddrinfo`, option `SCTP_GET_PEER_ADDR_INFO`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sctp_paddrinfo {
    /// Peer address.
    pub spinfo_address: sockaddr_storage,
    /// Association.
    pub spinfo_assoc_id: sctp_assoc_t,
    /// Path state (`SCTP_ACTIVE`, `SCTP_INACTIVE`, `SCTP_UNCONFIRMED`).
    pub spinfo_state: i32,
    /// Congestion window.
    pub spinfo_cwnd: u32,
    /// Smoothed RTT in ms.
    pub spinfo_srtt: u32,
    /// Current RTO in ms.
    pub spinfo_rto: u32,
    /// Path MTU.
    pub spinfo_mtu: u32,
}

/// Association status (`struct sctp_status`, option `SCTP_STATUS`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sctp_status {
    /// Association.
    pub sstat_assoc_id: sctp_assoc_t,
    /// Association state (`SCTP_CLOSED`, ..., `SCTP_SHUTDOWN_PENDING`).
    pub sstat_state: i32,
    /// Peer's receive window.
    pub sstat_rwnd: u32,
    /// Number of unacknowledged DATA chunks.
    pub sstat_unackdata: u16,
    /// Number of DATA chunks pending delivery.
    pub sstat_penddata: u16,
    /// Number of inbound streams.
    pub sstat_instrms: u16,
    /// Number of outbound streams.
    pub sstat_outstrms: u16,
    /// Fragmentation point.
    pub sstat_fragmentation_point: u32,
    /// Primary path.
    pub sstat_primary: sctp_paddrinfo,
}

/// `SCTP_CLOSED`: `sstat_state`, closed.
pub const SCTP_CLOSED: i32 = 0x0000;
/// `SCTP_BOUND`: `sstat_state`, bound.
pub const SCTP_BOUND: i32 = 0x1000;
/// `SCTP_LISTEN`: `sstat_state`, listening.
pub const SCTP_LISTEN: i32 = 0x2000;
/// `SCTP_COOKIE_WAIT`: `sstat_state`, INIT sent.
pub const SCTP_COOKIE_WAIT: i32 = 0x0002;
/// `SCTP_COOKIE_ECHOED`: `sstat_state`, COOKIE ECHO sent.
pub const SCTP_COOKIE_ECHOED: i32 = 0x0004;
/// `SCTP_ESTABLISHED`: `sstat_state`, established.
pub const SCTP_ESTABLISHED: i32 = 0x0008;
/// `SCTP_SHUTDOWN_SENT`: `sstat_state`, SHUTDOWN sent.
pub const SCTP_SHUTDOWN_SENT: i32 = 0x0010;
/// `SCTP_SHUTDOWN_RECEIVED`: `sstat_state`, SHUTDOWN received.
pub const SCTP_SHUTDOWN_RECEIVED: i32 = 0x0020;
/// `SCTP_SHUTDOWN_ACK_SENT`: `sstat_state`, SHUTDOWN ACK sent.
pub const SCTP_SHUTDOWN_ACK_SENT: i32 = 0x0040;
/// `SCTP_SHUTDOWN_PENDING`: `sstat_state`, shutdown pending until data is sent.
pub const SCTP_SHUTDOWN_PENDING: i32 = 0x0080;

/// `SCTP_ACTIVE`: `spinfo_state`, path reachable.
pub const SCTP_ACTIVE: i32 = 0x0001;
/// `SCTP_INACTIVE`: `spinfo_state`, path unreachable.
pub const SCTP_INACTIVE: i32 = 0x0002;
/// `SCTP_UNCONFIRMED`: `spinfo_state`, path not confirmed yet.
pub const SCTP_UNCONFIRMED: i32 = 0x0200;

/// Authenticated chunk types (`struct sctp_authchunks`, options `SCTP_*_AUTH_CHUNKS`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_authchunks {
    /// Association.
    pub gauth_assoc_id: sctp_assoc_t,
    /// Flexible array (`uint8_t gauth_chunks[]`): chunk types.
    pub gauth_chunks: [u8; 0],
}

/// Association identifiers (`struct sctp_assoc_ids`, option `SCTP_GET_ASSOC_ID_LIST`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_assoc_ids {
    /// Number of identifiers in the list.
    pub gaids_number_of_ids: u32,
    /// Flexible array (`sctp_assoc_t gaids_assoc_id[]`): the identifiers.
    pub gaids_assoc_id: [sctp_assoc_t; 0],
}

/// Peer primary request (`struct sctp_setpeerprim`, option `SCTP_SET_PEER_PRIMARY_ADDR`).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct sctp_setpeerprim {
    /// Local address the peer should use as primary.
    pub sspp_addr: sockaddr_storage,
    /// Association.
    pub sspp_assoc_id: sctp_assoc_t,
    /// Padding.
    pub sspp_padding: [u8; 4],
}

/// Chunk type to authenticate (`struct sctp_authchunk`, option `SCTP_AUTH_CHUNK`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_authchunk {
    /// Chunk type.
    pub sauth_chunk: u8,
}

/// Verification tags (`struct sctp_get_nonce_values`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_get_nonce_values {
    /// Association.
    pub gn_assoc_id: sctp_assoc_t,
    /// Peer's verification tag.
    pub gn_peers_tag: u32,
    /// Local verification tag.
    pub gn_local_tag: u32,
}

// ---------------------------------------------------------------------------
// Chunk types
// ---------------------------------------------------------------------------

/// `SCTP_DATA`: DATA chunk type.
pub const SCTP_DATA: u8 = 0x00;
/// `SCTP_INITIATION`: INIT chunk type.
pub const SCTP_INITIATION: u8 = 0x01;
/// `SCTP_INITIATION_ACK`: INIT ACK chunk type.
pub const SCTP_INITIATION_ACK: u8 = 0x02;
/// `SCTP_SELECTIVE_ACK`: SACK chunk type.
pub const SCTP_SELECTIVE_ACK: u8 = 0x03;
/// `SCTP_HEARTBEAT_REQUEST`: HEARTBEAT chunk type.
pub const SCTP_HEARTBEAT_REQUEST: u8 = 0x04;
/// `SCTP_HEARTBEAT_ACK`: HEARTBEAT ACK chunk type.
pub const SCTP_HEARTBEAT_ACK: u8 = 0x05;
/// `SCTP_ABORT_ASSOCIATION`: ABORT chunk type.
pub const SCTP_ABORT_ASSOCIATION: u8 = 0x06;
/// `SCTP_SHUTDOWN`: SHUTDOWN chunk type.
pub const SCTP_SHUTDOWN: u8 = 0x07;
/// `SCTP_SHUTDOWN_ACK`: SHUTDOWN ACK chunk type.
pub const SCTP_SHUTDOWN_ACK: u8 = 0x08;
/// `SCTP_OPERATION_ERROR`: ERROR chunk type.
pub const SCTP_OPERATION_ERROR: u8 = 0x09;
/// `SCTP_COOKIE_ECHO`: COOKIE ECHO chunk type.
pub const SCTP_COOKIE_ECHO: u8 = 0x0a;
/// `SCTP_COOKIE_ACK`: COOKIE ACK chunk type.
pub const SCTP_COOKIE_ACK: u8 = 0x0b;
/// `SCTP_ECN_ECHO`: ECNE chunk type.
pub const SCTP_ECN_ECHO: u8 = 0x0c;
/// `SCTP_ECN_CWR`: CWR chunk type.
pub const SCTP_ECN_CWR: u8 = 0x0d;
/// `SCTP_SHUTDOWN_COMPLETE`: SHUTDOWN COMPLETE chunk type.
pub const SCTP_SHUTDOWN_COMPLETE: u8 = 0x0e;
/// `SCTP_AUTHENTICATION`: AUTH chunk type (RFC 4895).
pub const SCTP_AUTHENTICATION: u8 = 0x0f;
/// `SCTP_NR_SELECTIVE_ACK`: NR-SACK chunk type.
pub const SCTP_NR_SELECTIVE_ACK: u8 = 0x10;
/// `SCTP_ASCONF_ACK`: ASCONF ACK chunk type (RFC 5061).
pub const SCTP_ASCONF_ACK: u8 = 0x80;
/// `SCTP_PACKET_DROPPED`: PKTDROP chunk type.
pub const SCTP_PACKET_DROPPED: u8 = 0x81;
/// `SCTP_STREAM_RESET`: RE-CONFIG chunk type.
pub const SCTP_STREAM_RESET: u8 = 0x82;
/// `SCTP_PAD_CHUNK`: PAD chunk type (RFC 4820).
pub const SCTP_PAD_CHUNK: u8 = 0x84;
/// `SCTP_FORWARD_CUM_TSN`: FORWARD TSN chunk type (RFC 3758).
pub const SCTP_FORWARD_CUM_TSN: u8 = 0xc0;
/// `SCTP_ASCONF`: ASCONF chunk type (RFC 5061).
pub const SCTP_ASCONF: u8 = 0xc1;

// ---------------------------------------------------------------------------
// More option structures
// ---------------------------------------------------------------------------

/// Shared key (`struct sctp_authkey`, option `SCTP_AUTH_KEY`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_authkey {
    /// Association.
    pub sca_assoc_id: sctp_assoc_t,
    /// Key identifier.
    pub sca_keynumber: u16,
    /// Length of the key in bytes.
    pub sca_keylength: u16,
    /// Flexible array (`uint8_t sca_key[]`): the key.
    pub sca_key: [u8; 0],
}

/// Key identifier (`struct sctp_authkeyid`, options `SCTP_AUTH_ACTIVE_KEY`, ...).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_authkeyid {
    /// Association.
    pub scact_assoc_id: sctp_assoc_t,
    /// Key identifier.
    pub scact_keynumber: u16,
}

/// Congestion control option (`struct sctp_cc_option`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_cc_option {
    /// Option (`SCTP_CC_OPT_*`).
    pub option: c_int,
    /// Association and value.
    pub aid_value: sctp_assoc_value,
}

/// Per-stream value (`struct sctp_stream_value`, option `SCTP_SS_VALUE`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_stream_value {
    /// Association.
    pub assoc_id: sctp_assoc_t,
    /// Stream identifier.
    pub stream_id: u16,
    /// Value (scheduler priority, ...).
    pub stream_value: u16,
}

/// Timeout counters (`struct sctp_timeouts`, option `SCTP_TIMEOUTS`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_timeouts {
    /// Association.
    pub stimo_assoc_id: sctp_assoc_t,
    /// INIT timeouts.
    pub stimo_init: u32,
    /// DATA timeouts.
    pub stimo_data: u32,
    /// SACK timeouts.
    pub stimo_sack: u32,
    /// SHUTDOWN timeouts.
    pub stimo_shutdown: u32,
    /// HEARTBEAT timeouts.
    pub stimo_heartbeat: u32,
    /// COOKIE ECHO timeouts.
    pub stimo_cookie: u32,
    /// SHUTDOWN ACK timeouts.
    pub stimo_shutdownack: u32,
}

/// PR-SCTP counters (`struct sctp_prstatus`, options `SCTP_PR_*_STATUS`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_prstatus {
    /// Association.
    pub sprstat_assoc_id: sctp_assoc_t,
    /// Stream identifier.
    pub sprstat_sid: u16,
    /// Policy (`SCTP_PR_SCTP_*`).
    pub sprstat_policy: u16,
    /// Messages abandoned before being sent.
    pub sprstat_abandoned_unsent: u64,
    /// Messages abandoned after being sent.
    pub sprstat_abandoned_sent: u64,
}

/// `SCTP_CC_RFC2581`: standard TCP-like congestion control.
pub const SCTP_CC_RFC2581: u32 = 0x0000_0000;
/// `SCTP_CC_HSTCP`: High Speed TCP congestion control.
pub const SCTP_CC_HSTCP: u32 = 0x0000_0001;
/// `SCTP_CC_HTCP`: H-TCP congestion control.
pub const SCTP_CC_HTCP: u32 = 0x0000_0002;
/// `SCTP_CC_RTCC`: RTCC congestion control.
pub const SCTP_CC_RTCC: u32 = 0x0000_0003;

/// `SCTP_CC_OPT_RTCC_SETMODE`: `sctp_cc_option.option`, RTCC mode.
pub const SCTP_CC_OPT_RTCC_SETMODE: c_int = 0x0000_2000;
/// `SCTP_CC_OPT_USE_DCCC_EC`: `sctp_cc_option.option`, DCCC ECN.
pub const SCTP_CC_OPT_USE_DCCC_EC: c_int = 0x0000_2001;
/// `SCTP_CC_OPT_STEADY_STEP`: `sctp_cc_option.option`, steady step.
pub const SCTP_CC_OPT_STEADY_STEP: c_int = 0x0000_2002;

/// `SCTP_CMT_OFF`: concurrent multipath transfer off.
pub const SCTP_CMT_OFF: u32 = 0;
/// `SCTP_CMT_BASE`: basic CMT.
pub const SCTP_CMT_BASE: u32 = 1;
/// `SCTP_CMT_RPV1`: CMT with resource pooling, variant 1.
pub const SCTP_CMT_RPV1: u32 = 2;
/// `SCTP_CMT_RPV2`: CMT with resource pooling, variant 2.
pub const SCTP_CMT_RPV2: u32 = 3;
/// `SCTP_CMT_MPTCP`: MPTCP-like CMT.
pub const SCTP_CMT_MPTCP: u32 = 4;
/// `SCTP_CMT_MAX`: largest `SCTP_CMT_*` value.
pub const SCTP_CMT_MAX: u32 = SCTP_CMT_MPTCP;

/// `SCTP_SS_DEFAULT`: default (simple round-robin) stream scheduler.
pub const SCTP_SS_DEFAULT: u32 = 0x0000_0000;
/// `SCTP_SS_ROUND_ROBIN`: round-robin stream scheduler.
pub const SCTP_SS_ROUND_ROBIN: u32 = 0x0000_0001;
/// `SCTP_SS_ROUND_ROBIN_PACKET`: round-robin per packet stream scheduler.
pub const SCTP_SS_ROUND_ROBIN_PACKET: u32 = 0x0000_0002;
/// `SCTP_SS_PRIORITY`: priority stream scheduler.
pub const SCTP_SS_PRIORITY: u32 = 0x0000_0003;
/// `SCTP_SS_FAIR_BANDWITH`: fair bandwidth stream scheduler (header's spelling).
pub const SCTP_SS_FAIR_BANDWITH: u32 = 0x0000_0004;
/// `SCTP_SS_FIRST_COME`: first-come first-serve stream scheduler.
pub const SCTP_SS_FIRST_COME: u32 = 0x0000_0005;

// ---------------------------------------------------------------------------
// Function arguments
// ---------------------------------------------------------------------------

/// `SCTP_BINDX_ADD_ADDR`: `usrsctp_bindx` flag, add the addresses.
pub const SCTP_BINDX_ADD_ADDR: c_int = 0x0000_8001;
/// `SCTP_BINDX_REM_ADDR`: `usrsctp_bindx` flag, remove the addresses.
pub const SCTP_BINDX_REM_ADDR: c_int = 0x0000_8002;

/// `SCTP_DUMP_OUTBOUND`: `usrsctp_dumppacket` direction, outbound.
pub const SCTP_DUMP_OUTBOUND: c_int = 1;
/// `SCTP_DUMP_INBOUND`: `usrsctp_dumppacket` direction, inbound.
pub const SCTP_DUMP_INBOUND: c_int = 0;

/// `SCTP_DEBUG_NONE`: `usrsctp_sysctl_set_sctp_debug_on` value, no debug output.
pub const SCTP_DEBUG_NONE: u32 = 0x0000_0000;
/// `SCTP_DEBUG_ALL`: `usrsctp_sysctl_set_sctp_debug_on` value, all debug output.
pub const SCTP_DEBUG_ALL: u32 = 0xffff_ffff;

// ---------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------

/// Time stamp of the statistics (`struct sctp_timeval`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctp_timeval {
    /// Seconds.
    pub tv_sec: u32,
    /// Microseconds.
    pub tv_usec: u32,
}

/// Stack-wide statistics (`struct sctpstat`, `usrsctp_get_stat`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct sctpstat {
    /// Time of the last discontinuity of the counters.
    pub sctps_discontinuitytime: sctp_timeval,
    /// Associations currently established.
    pub sctps_currestab: u32,
    /// Associations actively opened.
    pub sctps_activeestab: u32,
    /// Associations restarted.
    pub sctps_restartestab: u32,
    /// Associations set up by an INIT collision.
    pub sctps_collisionestab: u32,
    /// Associations passively opened.
    pub sctps_passiveestab: u32,
    /// Associations aborted.
    pub sctps_aborted: u32,
    /// Associations shut down gracefully.
    pub sctps_shutdown: u32,
    /// Out-of-the-blue packets received.
    pub sctps_outoftheblue: u32,
    /// Packets received with a bad checksum.
    pub sctps_checksumerrors: u32,
    /// Control chunks sent.
    pub sctps_outcontrolchunks: u32,
    /// Ordered DATA chunks sent.
    pub sctps_outorderchunks: u32,
    /// Unordered DATA chunks sent.
    pub sctps_outunorderchunks: u32,
    /// Control chunks received.
    pub sctps_incontrolchunks: u32,
    /// Ordered DATA chunks received.
    pub sctps_inorderchunks: u32,
    /// Unordered DATA chunks received.
    pub sctps_inunorderchunks: u32,
    /// User messages fragmented.
    pub sctps_fragusrmsgs: u32,
    /// User messages reassembled.
    pub sctps_reasmusrmsgs: u32,
    /// Packets sent.
    pub sctps_outpackets: u32,
    /// Packets received.
    pub sctps_inpackets: u32,
    /// Input packets.
    pub sctps_recvpackets: u32,
    /// Input datagrams.
    pub sctps_recvdatagrams: u32,
    /// Input packets with DATA.
    pub sctps_recvpktwithdata: u32,
    /// Input SACK chunks.
    pub sctps_recvsacks: u32,
    /// Input DATA chunks.
    pub sctps_recvdata: u32,
    /// Input duplicate DATA chunks.
    pub sctps_recvdupdata: u32,
    /// Input HEARTBEAT chunks.
    pub sctps_recvheartbeat: u32,
    /// Input HEARTBEAT ACK chunks.
    pub sctps_recvheartbeatack: u32,
    /// Input ECNE chunks.
    pub sctps_recvecne: u32,
    /// Input AUTH chunks.
    pub sctps_recvauth: u32,
    /// Input chunks missing AUTH.
    pub sctps_recvauthmissing: u32,
    /// Invalid HMAC identifiers received.
    pub sctps_recvivalhmacid: u32,
    /// Invalid key identifiers received.
    pub sctps_recvivalkeyid: u32,
    /// Authentication failures.
    pub sctps_recvauthfailed: u32,
    /// Fast-path receives of a single chunk.
    pub sctps_recvexpress: u32,
    /// Fast-path receives of multi-part data.
    pub sctps_recvexpressm: u32,
    /// Spare (formerly `sctps_recvnocrc`).
    pub sctps_recv_spare: u32,
    /// Input packets with a software-checked CRC.
    pub sctps_recvswcrc: u32,
    /// Input packets with a hardware-checked CRC.
    pub sctps_recvhwcrc: u32,
    /// Output packets.
    pub sctps_sendpackets: u32,
    /// Output SACK chunks.
    pub sctps_sendsacks: u32,
    /// Output DATA chunks.
    pub sctps_senddata: u32,
    /// Output retransmitted DATA chunks.
    pub sctps_sendretransdata: u32,
    /// Output fast-retransmitted DATA chunks.
    pub sctps_sendfastretrans: u32,
    /// Fast retransmissions of the same chunk more than once.
    pub sctps_sendmultfastretrans: u32,
    /// Output HEARTBEAT chunks.
    pub sctps_sendheartbeat: u32,
    /// Output ECNE chunks.
    pub sctps_sendecne: u32,
    /// Output AUTH chunks.
    pub sctps_sendauth: u32,
    /// Output errors of the lower layer.
    pub sctps_senderrors: u32,
    /// Spare (formerly `sctps_sendnocrc`).
    pub sctps_send_spare: u32,
    /// Output packets with a software CRC.
    pub sctps_sendswcrc: u32,
    /// Output packets with a hardware CRC.
    pub sctps_sendhwcrc: u32,
    /// PKTDROP reports from a middle box.
    pub sctps_pdrpfmbox: u32,
    /// PKTDROP reports from an end host.
    pub sctps_pdrpfehos: u32,
    /// PKTDROP reports with data.
    pub sctps_pdrpmbda: u32,
    /// PKTDROP reports, non-data, non-end-host.
    pub sctps_pdrpmbct: u32,
    /// PKTDROP reports, bandwidth report only.
    pub sctps_pdrpbwrpt: u32,
    /// PKTDROP reports too short for a chunk header.
    pub sctps_pdrpcrupt: u32,
    /// PKTDROP reports without enough data to confirm.
    pub sctps_pdrpnedat: u32,
    /// PKTDROP reports where processing stopped.
    pub sctps_pdrppdbrk: u32,
    /// PKTDROP reports whose TSN was not found.
    pub sctps_pdrptsnnf: u32,
    /// PKTDROP reports needing a reverse TSN lookup.
    pub sctps_pdrpdnfnd: u32,
    /// PKTDROP reports confirming a zero window (end host).
    pub sctps_pdrpdiwnp: u32,
    /// PKTDROP reports confirming no space (middle box).
    pub sctps_pdrpdizrw: u32,
    /// PKTDROP reports whose data did not match the TSN.
    pub sctps_pdrpbadd: u32,
    /// TSNs marked for fast retransmission by PKTDROP.
    pub sctps_pdrpmark: u32,
    /// Iterator timer expirations.
    pub sctps_timoiterator: u32,
    /// T3 DATA timer expirations.
    pub sctps_timodata: u32,
    /// Window probe timer expirations.
    pub sctps_timowindowprobe: u32,
    /// INIT timer expirations.
    pub sctps_timoinit: u32,
    /// SACK timer expirations.
    pub sctps_timosack: u32,
    /// SHUTDOWN timer expirations.
    pub sctps_timoshutdown: u32,
    /// HEARTBEAT timer expirations.
    pub sctps_timoheartbeat: u32,
    /// COOKIE timer expirations.
    pub sctps_timocookie: u32,
    /// Cookie secret changes.
    pub sctps_timosecret: u32,
    /// PMTU timer expirations.
    pub sctps_timopathmtu: u32,
    /// SHUTDOWN ACK timer expirations.
    pub sctps_timoshutdownack: u32,
    /// Shutdown guard timer expirations.
    pub sctps_timoshutdownguard: u32,
    /// Stream reset timer expirations.
    pub sctps_timostrmrst: u32,
    /// Early fast retransmit timer expirations.
    pub sctps_timoearlyfr: u32,
    /// ASCONF timer expirations.
    pub sctps_timoasconf: u32,
    /// Deleted-primary timer expirations.
    pub sctps_timodelprim: u32,
    /// Autoclose timer expirations.
    pub sctps_timoautoclose: u32,
    /// Association free timer expirations.
    pub sctps_timoassockill: u32,
    /// Endpoint free timer expirations.
    pub sctps_timoinpkill: u32,
    /// Spare (former early fast retransmit counters).
    pub sctps_spare: [u32; 11],
    /// Packets shorter than the header.
    pub sctps_hdrops: u32,
    /// Checksum errors.
    pub sctps_badsum: u32,
    /// Packets for which no endpoint exists.
    pub sctps_noport: u32,
    /// Packets with a bad verification tag.
    pub sctps_badvtag: u32,
    /// Chunks with a bad stream identifier.
    pub sctps_badsid: u32,
    /// Out-of-memory events.
    pub sctps_nomem: u32,
    /// Multiple fast retransmissions within an RTT.
    pub sctps_fastretransinrtt: u32,
    /// Chunks marked for retransmission.
    pub sctps_markedretrans: u32,
    /// Sends Nagle allowed.
    pub sctps_naglesent: u32,
    /// Sends Nagle held back.
    pub sctps_naglequeued: u32,
    /// Sends held back by max burst.
    pub sctps_maxburstqueued: u32,
    /// Sends queued for lack of interface memory or after a send error.
    pub sctps_ifnomemqueued: u32,
    /// Window probes sent.
    pub sctps_windowprobed: u32,
    /// Output errors that clamped the next user send.
    pub sctps_lowlevelerr: u32,
    /// Output errors caused by a user send.
    pub sctps_lowlevelerrusr: u32,
    /// DATA dropped at the chunk limit.
    pub sctps_datadropchklmt: u32,
    /// DATA dropped at the receive window limit.
    pub sctps_datadroprwnd: u32,
    /// Congestion window reductions by ECN.
    pub sctps_ecnereducedcwnd: u32,
    /// Express lookups by verification tag.
    pub sctps_vtagexpress: u32,
    /// Collisions in the express lookup.
    pub sctps_vtagbogus: u32,
    /// Times the sender ran dry on the primary path.
    pub sctps_primary_randry: u32,
    /// Times the sender ran dry with CMT.
    pub sctps_cmt_randry: u32,
    /// SACKs processed the slow way.
    pub sctps_slowpath_sack: u32,
    /// Window-update-only SACKs sent.
    pub sctps_wu_sacks_sent: u32,
    /// Sends with non-zero flags.
    pub sctps_sends_with_flags: u32,
    /// Unordered sends.
    pub sctps_sends_with_unord: u32,
    /// Sends with the EOF flag.
    pub sctps_sends_with_eof: u32,
    /// Sends with the ABORT flag.
    pub sctps_sends_with_abort: u32,
    /// Protocol drain calls.
    pub sctps_protocol_drain_calls: u32,
    /// Protocol drains done.
    pub sctps_protocol_drains_done: u32,
    /// Receives with peek.
    pub sctps_read_peeks: u32,
    /// Cached chunks used.
    pub sctps_cached_chk: u32,
    /// Cached stream output queues used.
    pub sctps_cached_strmoq: u32,
    /// Unread messages abandoned by close.
    pub sctps_left_abandon: u32,
    /// Unused.
    pub sctps_send_burst_avoid: u32,
    /// Sends held back by a full congestion window.
    pub sctps_send_cwnd_avoid: u32,
    /// Mapping array overruns by FORWARD TSN.
    pub sctps_fwdtsn_map_over: u32,
    /// ECN chunks queued or updated on the send queue.
    pub sctps_queue_upd_ecne: u32,
    /// Reserved for future counters.
    pub sctps_reserved: [u32; 31],
}
