//! Set-up pieces shared by the endpoint (which answers INIT statelessly
//! and opens cookies) and the association (which sends INIT, handles
//! collisions and restarts): state cookies, INIT parsing, the INIT ACK, and
//! the packet and chunk encoders. Below both, so neither imports the other.

pub(crate) mod auth;
pub(crate) mod cookie;
pub(crate) mod encode;
pub(crate) mod init;

pub(crate) use encode::{
    encode_abort_packet, encode_chunk, encode_error_chunk, encode_packet, encode_packet_of,
};
pub(crate) use init::{
    InitAckPlan, InitProblem, PeerInit, address_params, cookie_addresses, encode_init_ack_packet,
    init_params_bytes,
};
