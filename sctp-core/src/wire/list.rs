//! Lists of fixed-size wire entries (gap-ack blocks, duplicate TSNs, stream
//! numbers) that are either borrowed from a received packet or from the
//! caller's slice, so neither parsing nor emitting allocates.

use core::fmt;

/// An entry of fixed size on the wire.
pub trait FixedEntry: Copy {
    /// Size of one entry in bytes.
    const SIZE: usize;
    /// Reads an entry from exactly [`Self::SIZE`] bytes.
    fn read(b: &[u8]) -> Self;
    /// Writes the entry into exactly [`Self::SIZE`] bytes.
    fn write(&self, b: &mut [u8]);
}

impl FixedEntry for u8 {
    const SIZE: usize = 1;
    fn read(b: &[u8]) -> Self {
        b[0]
    }
    fn write(&self, b: &mut [u8]) {
        b[0] = *self;
    }
}

impl FixedEntry for u16 {
    const SIZE: usize = 2;
    fn read(b: &[u8]) -> Self {
        Self::from_be_bytes([b[0], b[1]])
    }
    fn write(&self, b: &mut [u8]) {
        b.copy_from_slice(&self.to_be_bytes());
    }
}

impl FixedEntry for u32 {
    const SIZE: usize = 4;
    fn read(b: &[u8]) -> Self {
        Self::from_be_bytes([b[0], b[1], b[2], b[3]])
    }
    fn write(&self, b: &mut [u8]) {
        b.copy_from_slice(&self.to_be_bytes());
    }
}

impl FixedEntry for crate::Tsn {
    const SIZE: usize = 4;
    fn read(b: &[u8]) -> Self {
        Self(u32::read(b))
    }
    fn write(&self, b: &mut [u8]) {
        self.0.write(b);
    }
}

/// A list of [`FixedEntry`] values: wire bytes of a parsed packet, or a slice to emit.
#[derive(Clone, Copy)]
pub enum List<'a, T: FixedEntry> {
    /// Entries still in wire format (length is a multiple of `T::SIZE`).
    Wire(&'a [u8]),
    /// Entries supplied by the caller.
    Items(&'a [T]),
}

impl<'a, T: FixedEntry> List<'a, T> {
    /// The empty list.
    pub const EMPTY: Self = Self::Items(&[]);

    /// Borrows `bytes` as entries; they must be a whole number of entries.
    pub fn from_wire(bytes: &'a [u8], field: &'static str) -> Result<Self, super::Malformed> {
        if !bytes.len().is_multiple_of(T::SIZE) {
            return Err(super::Malformed::Ragged {
                field,
                len: bytes.len(),
                elem: T::SIZE,
            });
        }
        Ok(Self::Wire(bytes))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match self {
            Self::Wire(b) => b.len() / T::SIZE,
            Self::Items(s) => s.len(),
        }
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Size of the entries on the wire.
    pub fn wire_len(&self) -> usize {
        self.len() * T::SIZE
    }

    /// The entry at `index`, if any.
    pub fn get(&self, index: usize) -> Option<T> {
        match self {
            Self::Wire(b) => b.get(index * T::SIZE..(index + 1) * T::SIZE).map(T::read),
            Self::Items(s) => s.get(index).copied(),
        }
    }

    /// Iterates the entries.
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter {
            list: *self,
            index: 0,
        }
    }

    /// Writes the entries into `buf`, which is exactly [`Self::wire_len`] bytes.
    pub fn emit(&self, buf: &mut [u8]) {
        match self {
            Self::Wire(b) => buf.copy_from_slice(b),
            Self::Items(s) => {
                for (item, out) in s.iter().zip(buf.chunks_exact_mut(T::SIZE)) {
                    item.write(out);
                }
            }
        }
    }
}

/// Iterator over a [`List`].
#[derive(Clone)]
pub struct ListIter<'a, T: FixedEntry> {
    list: List<'a, T>,
    index: usize,
}

impl<T: FixedEntry> Iterator for ListIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        let item = self.list.get(self.index)?;
        self.index += 1;
        Some(item)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.list.len() - self.index;
        (n, Some(n))
    }
}

impl<T: FixedEntry> ExactSizeIterator for ListIter<'_, T> {}

impl<'a, T: FixedEntry> IntoIterator for &List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: FixedEntry + PartialEq> PartialEq for List<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: FixedEntry + Eq> Eq for List<'_, T> {}

impl<T: FixedEntry + fmt::Debug> fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: FixedEntry> Default for List<'_, T> {
    fn default() -> Self {
        Self::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_and_items_compare_equal() {
        let wire = [0, 1, 0, 2];
        let a: List<'_, u16> = List::from_wire(&wire, "x").unwrap();
        let b = List::Items(&[1u16, 2]);
        assert_eq!(a, b);
        let mut out = [0u8; 4];
        b.emit(&mut out);
        assert_eq!(out, wire);
        assert!(List::<u16>::from_wire(&[1, 2, 3], "x").is_err());
    }
}
