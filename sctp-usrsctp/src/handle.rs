//! Socket handles: what `usrsctp_socket` returns to C. The value encodes a
//! slot and its generation and is never dereferenced, so a handle used
//! after `usrsctp_close` is recognised and refused with EBADF.

/// usrsctp's opaque `struct socket`; C only ever holds pointers to it.
#[repr(C)]
pub struct socket {
    _opaque: [u8; 0],
}

/// A socket slot and the generation it had when the handle was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct SockRef {
    /// Slot index.
    pub(crate) index: u32,
    /// The slot's generation.
    pub(crate) generation: u32,
}

impl SockRef {
    /// The value C sees (never 0).
    pub(crate) fn to_raw(self) -> usize {
        (((self.generation as u64) << 32) | (self.index as u64 + 1)) as usize
    }

    /// Reads a value C gave back; `None` for NULL or a value we never made.
    pub(crate) fn from_raw(raw: usize) -> Option<Self> {
        let raw = raw as u64;
        let index = (raw & 0xffff_ffff).checked_sub(1)?;
        Some(Self {
            index: index as u32,
            generation: (raw >> 32) as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_round_trip() {
        let r = SockRef {
            index: 7,
            generation: 3,
        };
        assert_eq!(SockRef::from_raw(r.to_raw()), Some(r));
        assert_eq!(SockRef::from_raw(0), None);
    }
}
