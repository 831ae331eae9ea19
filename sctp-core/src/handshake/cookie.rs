//! Stateless state cookies (RFC 9260 section 5.1.3): everything needed to
//! build the association, sealed with HMAC-SHA256, so that an INIT costs the
//! server no memory until a valid COOKIE ECHO comes back.
//!
//! Keys rotate: each period of Valid.Cookie.Life has its own HMAC key, derived
//! from a random master key and the period number. The cookie's authenticated
//! creation time names the period, so the receiver knows which key to use
//! (section 5.1.3 suggests exactly this).
//!
//! The master key itself may be replaced (the endpoint's
//! `cookie_secret_rotation`): cookies sealed with the previous master key are
//! still opened until the next replacement, so none made just before a
//! rotation is lost; older ones are refused as forged.

use std::cell::RefCell;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Tsn, VerificationTag};

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const MAC_LEN: usize = 32;
/// Encoded length of a cookie's fixed fields: those below up to the
/// parameters, and the two parameter lengths.
const FIXED_LEN: usize = 1 + 8 + 4 + 1 + 16 + 2 + 2 + 4 * 5 + 8 + 2 + 2 + 1 + 2 + 2;
/// Encoded length of a cookie without peer parameters.
pub(crate) const COOKIE_LEN: usize = FIXED_LEN + MAC_LEN;
/// The most bytes of the peer's INIT parameters a cookie carries.
pub(crate) const MAX_PEER_PARAMS: usize = 1024;
/// The most bytes of our own INIT ACK parameters a cookie carries.
pub(crate) const MAX_LOCAL_PARAMS: usize = 128;

/// What a cookie carries: the TCB-to-be, the peer's address and the tie-tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CookieContents {
    /// When the cookie was made, in ms since the key's base instant.
    pub(crate) created_ms: u64,
    /// Lifetime granted, ms (Valid.Cookie.Life plus any preservative).
    pub(crate) lifetime_ms: u32,
    /// The peer's address and port the INIT came from.
    pub(crate) peer: SocketAddr,
    /// Our port.
    pub(crate) local_port: u16,
    /// Our verification tag (the peer must put it in its packets).
    pub(crate) local_vtag: VerificationTag,
    /// The peer's verification tag (its Initiate Tag).
    pub(crate) peer_vtag: VerificationTag,
    /// Our initial TSN.
    pub(crate) local_initial_tsn: Tsn,
    /// The peer's initial TSN.
    pub(crate) peer_initial_tsn: Tsn,
    /// The peer's advertised receiver window.
    pub(crate) peer_rwnd: u32,
    /// The tie-tag (section 5.2.2): a random nonce standing for the existing
    /// association's tags in a collision or restart, else 0. A nonce rather
    /// than the tags themselves, so the cookie does not reveal them.
    pub(crate) tie_tag: u64,
    /// Outbound streams after negotiation.
    pub(crate) outbound_streams: u16,
    /// Inbound streams after negotiation.
    pub(crate) inbound_streams: u16,
    /// Extensions both sides support (a bit set; none are negotiated yet).
    pub(crate) features: u8,
    /// Parameters of the peer's INIT the association needs later (its
    /// addresses, section 5.1.2; its AUTH parameters and Supported
    /// Extensions), as received; at most [`MAX_PEER_PARAMS`] bytes.
    pub(crate) peer_params: Vec<u8>,
    /// Our AUTH parameters of the INIT ACK (RFC 4895 section 6.1 needs our
    /// Random again when the COOKIE ECHO comes), as sent.
    pub(crate) local_params: Vec<u8>,
}

/// Why a COOKIE ECHO was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CookieError {
    /// Wrong length, version or MAC: silently discarded (section 5.1.5 step 1-2).
    Invalid,
    /// Authentic but expired by this many microseconds (section 5.1.5 step 3).
    Stale { staleness_us: u32 },
}

/// The endpoint's cookie key: a random master key and the instant that
/// cookie timestamps count from. Cheap to clone; associations keep one to
/// answer INIT collisions.
#[derive(Clone)]
pub(crate) struct CookieKey {
    master: Arc<[u8; 32]>,
    /// The master key before the latest rotation, still accepted for opening.
    previous: Option<Arc<[u8; 32]>>,
    base: Instant,
    period_ms: u64,
    /// The MAC keyed for the current master key and period, once derived:
    /// deriving it costs a handful of SHA-256 blocks per cookie otherwise.
    keyed: RefCell<Option<(u64, HmacSha256)>>,
}

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieKey")
            .field("period_ms", &self.period_ms)
            .finish_non_exhaustive()
    }
}

impl CookieKey {
    /// A key with the given master secret, counting time from `base`,
    /// changing every `period`.
    pub(crate) fn new(master: [u8; 32], base: Instant, period: Duration) -> Self {
        Self {
            master: Arc::new(master),
            previous: None,
            base,
            period_ms: (period.as_millis() as u64).max(1),
            keyed: RefCell::new(None),
        }
    }

    /// Milliseconds since the base instant.
    pub(crate) fn now_ms(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.base).as_millis() as u64
    }

    /// Replaces the master key; cookies sealed with the one it replaces are
    /// still opened until the next rotation.
    pub(crate) fn rotate(&mut self, master: [u8; 32]) {
        let old = std::mem::replace(&mut self.master, Arc::new(master));
        self.previous = Some(old);
        self.keyed = RefCell::new(None);
    }

    /// The MAC under the current master key for a cookie created at
    /// `created_ms`.
    fn mac_for(&self, created_ms: u64) -> HmacSha256 {
        let period = created_ms / self.period_ms;
        let mut keyed = self.keyed.borrow_mut();
        match &*keyed {
            Some((p, mac)) if *p == period => mac.clone(),
            _ => {
                let mac = Self::mac_with(&self.master, self.period_ms, created_ms);
                *keyed = Some((period, mac.clone()));
                mac
            }
        }
    }

    fn mac_with(master: &[u8; 32], period_ms: u64, created_ms: u64) -> HmacSha256 {
        let period = created_ms / period_ms;
        let mut derive =
            HmacSha256::new_from_slice(&master[..]).expect("HMAC takes any key length");
        derive.update(b"sctp state cookie key");
        derive.update(&period.to_be_bytes());
        let key = derive.finalize().into_bytes();
        HmacSha256::new_from_slice(&key).expect("HMAC takes any key length")
    }

    /// Encodes and seals `c`.
    pub(crate) fn seal(&self, c: &CookieContents) -> Vec<u8> {
        let params = &c.peer_params[..c.peer_params.len().min(MAX_PEER_PARAMS)];
        let local = &c.local_params[..c.local_params.len().min(MAX_LOCAL_PARAMS)];
        let mut out = vec![0u8; COOKIE_LEN + params.len() + local.len()];
        let mut w = Writer {
            buf: &mut out,
            pos: 0,
        };
        w.put(&[VERSION]);
        w.put(&c.created_ms.to_be_bytes());
        w.put(&c.lifetime_ms.to_be_bytes());
        let (family, ip) = match c.peer.ip() {
            IpAddr::V4(v4) => (4u8, v4.to_ipv6_mapped()),
            IpAddr::V6(v6) => (6u8, v6),
        };
        w.put(&[family]);
        w.put(&ip.octets());
        w.put(&c.peer.port().to_be_bytes());
        w.put(&c.local_port.to_be_bytes());
        for v in [
            c.local_vtag.0,
            c.peer_vtag.0,
            c.local_initial_tsn.0,
            c.peer_initial_tsn.0,
            c.peer_rwnd,
        ] {
            w.put(&v.to_be_bytes());
        }
        w.put(&c.tie_tag.to_be_bytes());
        w.put(&c.outbound_streams.to_be_bytes());
        w.put(&c.inbound_streams.to_be_bytes());
        w.put(&[c.features]);
        w.put(&(params.len() as u16).to_be_bytes());
        w.put(&(local.len() as u16).to_be_bytes());
        w.put(params);
        w.put(local);
        let body = w.pos;
        let mut mac = self.mac_for(c.created_ms);
        mac.update(&out[..body]);
        out[body..].copy_from_slice(&mac.finalize().into_bytes());
        out
    }

    /// Checks and decodes a cookie received at `now` (section 5.1.5 steps 1-3).
    pub(crate) fn open(&self, cookie: &[u8], now: Instant) -> Result<CookieContents, CookieError> {
        self.open_inner(cookie, Some(now))
    }

    /// Checks the MAC and decodes a cookie without judging its age (to
    /// address the Stale Cookie ERROR to the right tag).
    pub(crate) fn open_ignoring_age(&self, cookie: &[u8]) -> Result<CookieContents, CookieError> {
        self.open_inner(cookie, None)
    }

    fn open_inner(
        &self,
        cookie: &[u8],
        now: Option<Instant>,
    ) -> Result<CookieContents, CookieError> {
        if cookie.len() < COOKIE_LEN
            || cookie.len() > COOKIE_LEN + MAX_PEER_PARAMS + MAX_LOCAL_PARAMS
        {
            return Err(CookieError::Invalid);
        }
        let (body, tag) = cookie.split_at(cookie.len() - MAC_LEN);
        let mut r = Reader { buf: body, pos: 0 };
        if r.u8() != VERSION {
            return Err(CookieError::Invalid);
        }
        let created_ms = r.u64();
        // Step 1-2: the MAC, in constant time, before trusting any field;
        // with the current master key, else the one before the last rotation.
        let verifies = |mut mac: HmacSha256| {
            mac.update(body);
            mac.verify_slice(tag).is_ok()
        };
        if !verifies(self.mac_for(created_ms))
            && !self
                .previous
                .as_deref()
                .is_some_and(|old| verifies(Self::mac_with(old, self.period_ms, created_ms)))
        {
            return Err(CookieError::Invalid);
        }
        let lifetime_ms = r.u32();
        let family = r.u8();
        let ip = Ipv6Addr::from(r.array::<16>());
        let ip = match family {
            4 => IpAddr::V4(ip.to_ipv4_mapped().ok_or(CookieError::Invalid)?),
            6 => IpAddr::V6(ip),
            _ => return Err(CookieError::Invalid),
        };
        let peer = SocketAddr::new(ip, r.u16());
        let c = CookieContents {
            created_ms,
            lifetime_ms,
            peer,
            local_port: r.u16(),
            local_vtag: VerificationTag(r.u32()),
            peer_vtag: VerificationTag(r.u32()),
            local_initial_tsn: Tsn(r.u32()),
            peer_initial_tsn: Tsn(r.u32()),
            peer_rwnd: r.u32(),
            tie_tag: r.u64(),
            outbound_streams: r.u16(),
            inbound_streams: r.u16(),
            features: r.u8(),
            peer_params: Vec::new(),
            local_params: Vec::new(),
        };
        let mut c = c;
        let peer_len = usize::from(r.u16());
        let local_len = usize::from(r.u16());
        if FIXED_LEN + peer_len + local_len != body.len() {
            return Err(CookieError::Invalid);
        }
        c.peer_params = body[FIXED_LEN..FIXED_LEN + peer_len].to_vec();
        c.local_params = body[FIXED_LEN + peer_len..].to_vec();
        // Step 3: expired cookies are answered with Stale Cookie.
        let Some(now) = now else { return Ok(c) };
        let age_ms = self.now_ms(now).saturating_sub(created_ms);
        if age_ms > u64::from(lifetime_ms) {
            let staleness_us = (age_ms - u64::from(lifetime_ms)).saturating_mul(1000);
            return Err(CookieError::Stale {
                staleness_us: u32::try_from(staleness_us).unwrap_or(u32::MAX),
            });
        }
        Ok(c)
    }
}

struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        self.buf[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
    }
}

/// Reads fixed fields from a buffer whose length was checked up front.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        a
    }
    fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes(self.array())
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.array())
    }
    fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.array())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(created_ms: u64) -> CookieContents {
        CookieContents {
            created_ms,
            lifetime_ms: 60_000,
            peer: "198.18.0.2:2905".parse().unwrap(),
            local_port: 2905,
            local_vtag: VerificationTag(0x1111_1111),
            peer_vtag: VerificationTag(0x2222_2222),
            local_initial_tsn: Tsn(7),
            peer_initial_tsn: Tsn(u32::MAX),
            peer_rwnd: 65_536,
            tie_tag: 0,
            outbound_streams: 10,
            inbound_streams: 17,
            features: 0b101,
            peer_params: vec![0, 5, 0, 8, 198, 18, 1, 2],
            local_params: vec![0x80, 2, 0, 6, 1, 2],
        }
    }

    #[test]
    fn rfc9260_5_1_3_cookie_round_trip() {
        let base = crate::test_epoch();
        let key = CookieKey::new([7; 32], base, Duration::from_secs(60));
        let c = sample(1234);
        let sealed = key.seal(&c);
        assert_eq!(key.open(&sealed, base + Duration::from_millis(2000)), Ok(c));
        let bare = CookieContents {
            peer_params: Vec::new(),
            local_params: Vec::new(),
            ..sample(1234)
        };
        assert_eq!(key.open(&key.seal(&bare), base), Ok(bare));
    }

    #[test]
    fn rfc9260_5_1_5_forged_and_bit_flipped_cookies_are_invalid() {
        let base = crate::test_epoch();
        let key = CookieKey::new([7; 32], base, Duration::from_secs(60));
        let sealed = key.seal(&sample(0));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x40;
            assert_eq!(key.open(&bad, base), Err(CookieError::Invalid), "byte {i}");
        }
        let other = CookieKey::new([8; 32], base, Duration::from_secs(60));
        assert_eq!(other.open(&sealed, base), Err(CookieError::Invalid));
        assert_eq!(key.open(&sealed[1..], base), Err(CookieError::Invalid));
    }

    #[test]
    fn rfc9260_5_1_5_expired_cookie_is_stale_with_measure() {
        let base = crate::test_epoch();
        let key = CookieKey::new([7; 32], base, Duration::from_secs(60));
        let sealed = key.seal(&sample(0));
        assert_eq!(
            key.open(&sealed, base + Duration::from_millis(60_500)),
            Err(CookieError::Stale {
                staleness_us: 500_000
            })
        );
    }

    #[test]
    fn rfc9260_5_1_3_master_key_rotation_keeps_only_the_previous_key() {
        let base = crate::test_epoch();
        let mut key = CookieKey::new([7; 32], base, Duration::from_secs(60));
        let old = key.seal(&sample(0));
        key.rotate([8; 32]);
        let newer = key.seal(&sample(0));
        assert!(key.open(&old, base).is_ok());
        assert!(key.open(&newer, base).is_ok());
        key.rotate([9; 32]);
        assert_eq!(key.open(&old, base), Err(CookieError::Invalid));
        assert!(key.open(&newer, base).is_ok());
    }

    #[test]
    fn keys_rotate_per_period_but_old_cookies_still_verify() {
        let base = crate::test_epoch();
        let key = CookieKey::new([7; 32], base, Duration::from_secs(10));
        let a = key.seal(&sample(1_000));
        let b = key.seal(&sample(11_000));
        // Same contents apart from the time, different periods: different MAC keys.
        assert_ne!(a[a.len() - MAC_LEN..], b[b.len() - MAC_LEN..]);
        assert!(key.open(&a, base + Duration::from_secs(12)).is_ok());
        assert!(key.open(&b, base + Duration::from_secs(12)).is_ok());
    }
}
