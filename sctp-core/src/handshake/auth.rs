//! Authenticated chunks (RFC 4895): the Random, Chunk List and HMAC
//! Algorithm parameters each side sends in INIT or INIT ACK, the
//! association shared key computed from them (section 6.1), and the HMAC of
//! an AUTH chunk over the chunks that follow it (sections 6.2 and 6.3).

use std::cmp::Ordering;

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use thiserror::Error;

/// HMAC-SHA-1's identifier (RFC 4895 section 3.3; mandatory to support).
pub(crate) const HMAC_SHA1: u16 = 1;
/// HMAC-SHA-256's identifier.
pub(crate) const HMAC_SHA256: u16 = 3;
/// Our HMAC preference, sent in HMAC-ALGO: SHA-256, then the mandatory SHA-1.
pub(crate) const OUR_HMACS: [u16; 2] = [HMAC_SHA256, HMAC_SHA1];
/// The parameter types (RFC 4895 section 3).
const RANDOM: u16 = 0x8002;
const CHUNKS: u16 = 0x8003;
const HMAC_ALGO: u16 = 0x8004;
/// Bytes of our Random (RFC 4895 section 3.1 asks for at least 32).
pub(crate) const RANDOM_LEN: usize = 32;
/// The AUTH chunk's type.
pub(crate) const AUTH_CHUNK: u8 = 0x0f;

/// Bytes of an HMAC of algorithm `id`; `None` for an algorithm we do not have.
pub(crate) fn mac_len(id: u16) -> Option<usize> {
    match id {
        HMAC_SHA1 => Some(20),
        HMAC_SHA256 => Some(32),
        _ => None,
    }
}

/// Why a received AUTH chunk does not authenticate what follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub(crate) enum AuthError {
    /// An HMAC identifier we did not offer (answered with an Unsupported
    /// HMAC Identifier ERROR, RFC 4895 section 6.3).
    #[error("unsupported HMAC identifier {0}")]
    UnsupportedHmac(u16),
    /// A shared key identifier other than the only key, 0.
    #[error("unknown shared key identifier {0}")]
    UnknownKey(u16),
    /// Wrong HMAC length, or an AUTH chunk cut short.
    #[error("malformed AUTH chunk")]
    Malformed,
    /// The HMAC does not match.
    #[error("HMAC mismatch")]
    BadMac,
}

/// One side's three AUTH parameters as sent on the wire, without padding
/// between them: its key vector (RFC 4895 section 6.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct KeyVector(Vec<u8>);

impl KeyVector {
    /// Ours: `random`, the chunk types we want authenticated, our HMACs.
    pub(crate) fn ours(random: &[u8; RANDOM_LEN], chunks: &[u8]) -> Self {
        let mut v = Vec::with_capacity(4 + RANDOM_LEN + 4 + chunks.len() + 4 + 4);
        push_param(&mut v, RANDOM, random);
        push_param(&mut v, CHUNKS, chunks);
        let hmacs: Vec<u8> = OUR_HMACS.iter().flat_map(|h| h.to_be_bytes()).collect();
        push_param(&mut v, HMAC_ALGO, &hmacs);
        Self(v)
    }

    /// The peer's, from the raw parameters of its INIT or INIT ACK (each a
    /// whole TLV); `None` unless it sent a Random and an HMAC list with
    /// SHA-1 in it (RFC 4895 section 6.1: then AUTH is not used). The Chunk
    /// List may be absent (section 3.2): the peer then wants nothing
    /// authenticated, and the key vector goes without it.
    pub(crate) fn from_peer(random: &[u8], chunks: Option<&[u8]>, hmacs: &[u8]) -> Option<Self> {
        let ids = value(hmacs)?;
        if ids.len() % 2 != 0
            || !ids
                .chunks_exact(2)
                .any(|c| u16::from_be_bytes([c[0], c[1]]) == HMAC_SHA1)
        {
            return None;
        }
        value(random).filter(|r| !r.is_empty())?;
        let mut v = Vec::new();
        for tlv in [Some(random), chunks, Some(hmacs)].into_iter().flatten() {
            v.extend_from_slice(&tlv[..tlv_len(tlv)?]);
        }
        Some(Self(v))
    }

    /// The parameters to append to an INIT or INIT ACK, padded as parameters are.
    pub(crate) fn padded_params(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.len() + 8);
        let mut rest = &self.0[..];
        while let Some(len) = tlv_len(rest) {
            out.extend_from_slice(&rest[..len]);
            out.resize(out.len().next_multiple_of(4), 0);
            rest = &rest[len..];
        }
        out
    }

    fn param(&self, ty: u16) -> Option<&[u8]> {
        let mut rest = &self.0[..];
        while let Some(len) = tlv_len(rest) {
            if u16::from_be_bytes([rest[0], rest[1]]) == ty {
                return rest.get(4..len);
            }
            rest = &rest[len..];
        }
        None
    }

    /// The chunk types this side wants authenticated.
    pub(crate) fn chunks(&self) -> &[u8] {
        self.param(CHUNKS).unwrap_or_default()
    }

    /// This side's HMAC identifiers, in its order of preference.
    pub(crate) fn hmacs(&self) -> impl Iterator<Item = u16> + '_ {
        self.param(HMAC_ALGO)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
    }

    /// The raw bytes (for a state cookie).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes back raw bytes [`KeyVector::as_bytes`] gave.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }
}

/// The value of the TLV at the start of `tlv`.
fn value(tlv: &[u8]) -> Option<&[u8]> {
    tlv.get(4..tlv_len(tlv)?)
}

fn push_param(v: &mut Vec<u8>, ty: u16, value: &[u8]) {
    v.extend_from_slice(&ty.to_be_bytes());
    v.extend_from_slice(&((4 + value.len()) as u16).to_be_bytes());
    v.extend_from_slice(value);
}

/// The length field of the TLV at the start of `b`, if it fits.
fn tlv_len(b: &[u8]) -> Option<usize> {
    let len = usize::from(u16::from_be_bytes([*b.get(2)?, *b.get(3)?]));
    (len >= 4 && len <= b.len()).then_some(len)
}

/// Compares two key vectors as big-endian numbers (RFC 4895 section 6.1).
fn compare_as_numbers(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |v: &[u8]| -> usize { v.iter().take_while(|&&x| x == 0).count() };
    let (a, b) = (&a[strip(a)..], &b[strip(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The negotiated AUTH state of an association.
#[derive(Clone)]
pub(crate) struct AssocAuth {
    /// The association shared key (RFC 4895 section 6.1), key id 0.
    key: Vec<u8>,
    /// Chunk types the peer wants us to authenticate.
    peer_chunks: Vec<u8>,
    /// The HMAC we send with: the first of the peer's list we have.
    send_hmac: u16,
}

impl std::fmt::Debug for AssocAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssocAuth")
            .field("peer_chunks", &self.peer_chunks)
            .field("send_hmac", &self.send_hmac)
            .finish_non_exhaustive()
    }
}

impl AssocAuth {
    /// The shared state from both key vectors and the endpoint-pair shared
    /// key (empty unless configured, RFC 4895 section 6.1).
    pub(crate) fn new(ours: &KeyVector, peers: &KeyVector, endpoint_key: &[u8]) -> Option<Self> {
        let send_hmac = peers.hmacs().find(|h| OUR_HMACS.contains(h))?;
        let (first, second) = match compare_as_numbers(ours.as_bytes(), peers.as_bytes()) {
            Ordering::Less => (ours.as_bytes(), peers.as_bytes()),
            Ordering::Greater => (peers.as_bytes(), ours.as_bytes()),
            // Equal as numbers: the shorter first.
            Ordering::Equal if ours.as_bytes().len() <= peers.as_bytes().len() => {
                (ours.as_bytes(), peers.as_bytes())
            }
            Ordering::Equal => (peers.as_bytes(), ours.as_bytes()),
        };
        let key = [endpoint_key, first, second].concat();
        // Section 6.1: INIT, INIT ACK, SHUTDOWN COMPLETE and AUTH are never
        // authenticated, whatever a Chunk List says.
        let never = [1u8, 2, 14, AUTH_CHUNK];
        Some(Self {
            key,
            peer_chunks: peers
                .chunks()
                .iter()
                .copied()
                .filter(|t| !never.contains(t))
                .collect(),
            send_hmac,
        })
    }

    /// Whether a chunk of this type we send must follow an AUTH chunk.
    pub(crate) fn must_sign(&self, chunk_type: u8) -> bool {
        self.peer_chunks.contains(&chunk_type)
    }

    /// The AUTH chunk we send: header and an all-zero HMAC, to be signed.
    pub(crate) fn auth_chunk(&self) -> Vec<u8> {
        let mac = mac_len(self.send_hmac).unwrap_or(20);
        let len = 8 + mac;
        let mut c = vec![0u8; len];
        c[0] = AUTH_CHUNK;
        c[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        c[6..8].copy_from_slice(&self.send_hmac.to_be_bytes());
        c
    }

    /// Fills in the HMAC of the AUTH chunk at `offset` of `packet` (common
    /// header included): over that chunk, its HMAC zero, and everything after it.
    pub(crate) fn sign(&self, packet: &mut [u8], offset: usize) {
        let Some(len) = mac_len(self.send_hmac) else {
            return;
        };
        let mac = compute(self.send_hmac, &self.key, &packet[offset..]);
        packet[offset + 8..offset + 8 + len].copy_from_slice(&mac[..len]);
    }

    /// Checks the AUTH chunk at `offset` of `packet` (RFC 4895 section 6.3).
    pub(crate) fn verify(&self, packet: &[u8], offset: usize) -> Result<(), AuthError> {
        let chunk = packet.get(offset..).ok_or(AuthError::Malformed)?;
        if chunk.len() < 8 {
            return Err(AuthError::Malformed);
        }
        let key_id = u16::from_be_bytes([chunk[4], chunk[5]]);
        let hmac_id = u16::from_be_bytes([chunk[6], chunk[7]]);
        let len = usize::from(u16::from_be_bytes([chunk[2], chunk[3]]));
        let Some(mac) = mac_len(hmac_id).filter(|_| OUR_HMACS.contains(&hmac_id)) else {
            return Err(AuthError::UnsupportedHmac(hmac_id));
        };
        if key_id != 0 {
            return Err(AuthError::UnknownKey(key_id));
        }
        if len != 8 + mac || chunk.len() < len {
            return Err(AuthError::Malformed);
        }
        let mut zeroed = chunk.to_vec();
        zeroed[8..len].fill(0);
        let got = &chunk[8..len];
        let ok = match hmac_id {
            HMAC_SHA1 => mac_of::<Hmac<Sha1>>(&self.key, &zeroed).verify_slice(got),
            _ => mac_of::<Hmac<Sha256>>(&self.key, &zeroed).verify_slice(got),
        };
        ok.map_err(|_| AuthError::BadMac)
    }
}

fn mac_of<M: Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> M {
    let mut m = <M as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m
}

fn compute(id: u16, key: &[u8], data: &[u8]) -> Vec<u8> {
    match id {
        HMAC_SHA1 => mac_of::<Hmac<Sha1>>(key, data)
            .finalize()
            .into_bytes()
            .to_vec(),
        _ => mac_of::<Hmac<Sha256>>(key, data)
            .finalize()
            .into_bytes()
            .to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Known answers computed with `openssl dgst -mac HMAC` (RFC 2104 / 4231 style).
    #[test]
    fn rfc4895_6_2_hmac_known_answers() {
        let key = b"key";
        let data = b"The quick brown fox jumps over the lazy dog";
        assert_eq!(
            compute(HMAC_SHA1, key, data),
            hex("de7c9b85b8b78aa6bc8a7a36f70a90701c9db4d9")
        );
        assert_eq!(
            compute(HMAC_SHA256, key, data),
            hex("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        );
    }

    #[test]
    fn rfc4895_6_1_key_vectors_compare_as_numbers() {
        assert_eq!(compare_as_numbers(&[1, 2], &[1, 3]), Ordering::Less);
        assert_eq!(compare_as_numbers(&[0, 0, 9], &[1, 0]), Ordering::Less);
        assert_eq!(compare_as_numbers(&[0, 5], &[5]), Ordering::Equal);
        assert_eq!(compare_as_numbers(&[2, 0], &[9]), Ordering::Greater);
    }

    fn pair() -> (AssocAuth, AssocAuth) {
        let a = KeyVector::ours(&[1; RANDOM_LEN], &[0xc1, 0x80]);
        let b = KeyVector::ours(&[2; RANDOM_LEN], &[0xc1]);
        let a_at_b = peer_view(&a);
        let b_at_a = peer_view(&b);
        (
            AssocAuth::new(&a, &b_at_a, &[]).unwrap(),
            AssocAuth::new(&b, &a_at_b, &[]).unwrap(),
        )
    }

    /// What the other side parses out of `v`'s parameters.
    fn peer_view(v: &KeyVector) -> KeyVector {
        let p = v.padded_params();
        let mut tlvs = Vec::new();
        let mut rest = &p[..];
        while let Some(len) = tlv_len(rest) {
            tlvs.push(&rest[..len]);
            rest = &rest[len.next_multiple_of(4).min(rest.len())..];
        }
        KeyVector::from_peer(tlvs[0], Some(tlvs[1]), tlvs[2]).unwrap()
    }

    #[test]
    fn rfc4895_6_1_both_sides_derive_the_same_key() {
        let (a, b) = pair();
        assert_eq!(a.key, b.key);
        assert_eq!(a.send_hmac, HMAC_SHA256);
        assert!(a.must_sign(0xc1) && !a.must_sign(0x80));
        assert!(b.must_sign(0x80));
    }

    fn signed(a: &AssocAuth) -> Vec<u8> {
        let mut p = vec![0u8; 12];
        p.extend(a.auth_chunk());
        p.extend_from_slice(&[0xc1, 0, 0, 8, 0, 0, 0, 1]);
        a.sign(&mut p, 12);
        p
    }

    #[test]
    fn rfc4895_6_2_signed_by_one_side_verifies_on_the_other() {
        let (a, b) = pair();
        let p = signed(&a);
        assert_eq!(b.verify(&p, 12), Ok(()));
    }

    #[test]
    fn rfc4895_6_3_a_changed_byte_fails() {
        let (a, b) = pair();
        let p = signed(&a);
        for i in 12..p.len() {
            let mut bad = p.clone();
            bad[i] ^= 0x10;
            assert!(b.verify(&bad, 12).is_err(), "byte {i}");
        }
    }

    #[test]
    fn rfc4895_6_3_unsupported_hmac_and_unknown_key() {
        let (a, b) = pair();
        let mut p = signed(&a);
        p[12 + 6..12 + 8].copy_from_slice(&2u16.to_be_bytes());
        assert_eq!(b.verify(&p, 12), Err(AuthError::UnsupportedHmac(2)));
        let mut p = signed(&a);
        p[12 + 4..12 + 6].copy_from_slice(&1u16.to_be_bytes());
        assert_eq!(b.verify(&p, 12), Err(AuthError::UnknownKey(1)));
        let p = signed(&a);
        assert_eq!(b.verify(&p[..30], 12), Err(AuthError::Malformed));
    }

    #[test]
    fn rfc4895_6_1_peer_without_sha1_does_not_use_auth() {
        let mut hmacs = Vec::new();
        push_param(&mut hmacs, HMAC_ALGO, &3u16.to_be_bytes());
        let mut random = Vec::new();
        push_param(&mut random, RANDOM, &[7; 32]);
        let mut chunks = Vec::new();
        push_param(&mut chunks, CHUNKS, &[0xc1]);
        assert!(KeyVector::from_peer(&random, Some(&chunks), &hmacs).is_none());
    }

    #[test]
    fn rfc4895_3_2_chunk_list_is_optional_and_never_names_init_or_auth() {
        let mut random = Vec::new();
        push_param(&mut random, RANDOM, &[7; 32]);
        let mut hmacs = Vec::new();
        push_param(&mut hmacs, HMAC_ALGO, &[0, 1]);
        let peer = KeyVector::from_peer(&random, None, &hmacs).expect("no Chunk List is fine");
        let ours = KeyVector::ours(&[1; RANDOM_LEN], &[0xc1]);
        let a = AssocAuth::new(&ours, &peer, &[]).unwrap();
        assert_eq!(a.send_hmac, HMAC_SHA1);
        assert!(!a.must_sign(0xc1));
        let mut chunks = Vec::new();
        push_param(&mut chunks, CHUNKS, &[1, 2, 14, 15, 0xc1]);
        let peer = KeyVector::from_peer(&random, Some(&chunks), &hmacs).unwrap();
        let a = AssocAuth::new(&ours, &peer, &[]).unwrap();
        assert_eq!(a.peer_chunks, [0xc1]);
    }
}
