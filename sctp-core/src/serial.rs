//! Serial-number types with RFC 1982 wrap-around comparison.
//!
//! TSNs, SSNs, MIDs and FSNs wrap; comparing them as plain integers breaks at
//! the wrap point. These newtypes only offer serial comparisons (RFC 9260
//! section 1.6), so that bug cannot be written.

use core::cmp::Ordering;
use core::fmt;

macro_rules! serial_number {
    ($(#[$doc:meta])* $name:ident, $int:ty, $signed:ty) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(pub $int);

        impl $name {
            /// The number that follows this one, wrapping at the top of the range.
            #[inline]
            #[must_use]
            pub const fn next(self) -> Self {
                Self(self.0.wrapping_add(1))
            }

            /// The number that precedes this one, wrapping at zero.
            #[inline]
            #[must_use]
            pub const fn prev(self) -> Self {
                Self(self.0.wrapping_sub(1))
            }

            /// This number plus `n`, wrapping.
            #[inline]
            #[must_use]
            pub const fn add(self, n: $int) -> Self {
                Self(self.0.wrapping_add(n))
            }

            /// The signed distance from `other` to `self` (positive when `self` is newer).
            #[inline]
            pub const fn distance(self, other: Self) -> $signed {
                self.0.wrapping_sub(other.0) as $signed
            }

            /// Whether `self` comes strictly after `other` in serial order.
            #[inline]
            pub const fn is_after(self, other: Self) -> bool {
                self.distance(other) > 0
            }

            /// Whether `self` comes strictly before `other` in serial order.
            #[inline]
            pub const fn is_before(self, other: Self) -> bool {
                self.distance(other) < 0
            }
        }

        impl PartialOrd for $name {
            /// Serial comparison; numbers exactly half the range apart are unordered.
            #[inline]
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                let d = self.distance(*other);
                if d == 0 {
                    Some(Ordering::Equal)
                } else if d == <$signed>::MIN {
                    None
                } else if d > 0 {
                    Some(Ordering::Greater)
                } else {
                    Some(Ordering::Less)
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

serial_number!(
    /// Transmission Sequence Number (RFC 9260 section 3.3.1), 32-bit serial.
    Tsn, u32, i32
);
serial_number!(
    /// Stream Sequence Number of an ordered DATA chunk (RFC 9260 section 3.3.1), 16-bit serial.
    Ssn, u16, i16
);
serial_number!(
    /// Message Identifier of an I-DATA chunk (RFC 8260 section 2.1), 32-bit serial.
    Mid, u32, i32
);
serial_number!(
    /// Fragment Sequence Number of an I-DATA chunk (RFC 8260 section 2.1), 32-bit serial.
    Fsn, u32, i32
);

/// A verification tag (RFC 9260 section 8.5): compared for equality only.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VerificationTag(pub u32);

impl fmt::Debug for VerificationTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerificationTag({:#010x})", self.0)
    }
}

impl fmt::Display for VerificationTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#010x}", self.0)
    }
}

/// A stream identifier (RFC 9260 section 3.3.1).
pub type StreamId = u16;

/// A Payload Protocol Identifier (RFC 9260 section 3.3.1), opaque to SCTP.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
pub struct Ppid(pub u32);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9260_1_6_serial_comparison_wraps() {
        let top = Tsn(u32::MAX);
        assert!(top.next().is_after(top));
        assert_eq!(top.next(), Tsn(0));
        assert!(Tsn(5) > Tsn(u32::MAX - 5));
        assert!(Ssn(2) > Ssn(65_530));
        assert_eq!(Tsn(0).partial_cmp(&Tsn(1 << 31)), None);
        assert_eq!(Tsn(10).distance(Tsn(u32::MAX)), 11);
    }
}
