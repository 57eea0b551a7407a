//! Packed runs: a sorted map of small items (case records, index entries)
//! kept in few, larger sled entries, so sled holds thousands of entries where
//! it would hold millions. sled 0.34 keeps state for every page in memory and
//! splits a leaf above 16 entries, so what a tree costs at open, in memory and
//! on disk follows its number of entries, not its bytes.
//!
//! A tree of runs: each sled entry is one run, keyed by the lowest key it may
//! hold; a run holds the items from its key up to the next run's key, in key
//! order. The first run's key is empty, so every item has a run. A run that
//! grows past its tree's size is split (the items appended at its end go to
//! a new run, anything else splits in the middle); a run that shrinks below a
//! quarter of it takes in the run after it. The size stays far below sled's
//! blob threshold (about 128 KiB for a whole leaf of up to 17 entries, see
//! DESIGN.md Durability), so no run is ever written to an unsynced blob file.
//!
//! Encoding: `[format 1][item count][items]`, each item `[key bytes shared
//! with the previous key][rest of the key's length][rest of the key][value's
//! length][value]`, the numbers as LEB128 varints. Keys of one run share long
//! prefixes (an ID number, a day), so they take little room.

use std::ops::ControlFlow;

const FORMAT: u8 = 1;

/// What an item adds to a run's size, beyond its key and value (three varints, at most).
const ITEM_OVERHEAD: usize = 3;

/// Items, key and value, in key order.
pub type Items = Vec<(Vec<u8>, Vec<u8>)>;

/// A run, decoded: its items in key order, and its size as encoded (at most).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Run {
    items: Items,
    size: usize,
}

/// A run that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRun(pub &'static str);

fn item_size(key: &[u8], value: &[u8]) -> usize {
    key.len() + value.len() + ITEM_OVERHEAD
}

impl Run {
    pub fn decode(bytes: &[u8]) -> Result<Run, BadRun> {
        let mut run = Run::default();
        each(bytes, |key, value| {
            run.size += item_size(key, value);
            run.items.push((key.to_vec(), value.to_vec()));
            ControlFlow::Continue(())
        })?;
        Ok(run)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size + 8);
        out.push(FORMAT);
        put_varint(&mut out, self.items.len() as u64);
        let mut previous: &[u8] = &[];
        for (key, value) in &self.items {
            let shared = previous.iter().zip(key).take_while(|(a, b)| a == b).count();
            put_varint(&mut out, shared as u64);
            put_varint(&mut out, (key.len() - shared) as u64);
            out.extend_from_slice(&key[shared..]);
            put_varint(&mut out, value.len() as u64);
            out.extend_from_slice(value);
            previous = key;
        }
        out
    }

    pub fn items(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The encoded size, at most (shared key prefixes make it smaller).
    pub fn size(&self) -> usize {
        self.size
    }

    fn position(&self, key: &[u8]) -> Result<usize, usize> {
        self.items.binary_search_by(|(k, _)| k.as_slice().cmp(key))
    }

    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.position(key).ok().map(|i| self.items[i].1.as_slice())
    }

    /// Puts an item in (or replaces it); returns its place among the items.
    pub fn put(&mut self, key: &[u8], value: &[u8]) -> usize {
        match self.position(key) {
            Ok(i) => {
                self.size = self.size - self.items[i].1.len() + value.len();
                self.items[i].1 = value.to_vec();
                i
            }
            Err(i) => {
                self.size += item_size(key, value);
                self.items.insert(i, (key.to_vec(), value.to_vec()));
                i
            }
        }
    }

    /// The size of the items before place `at`.
    pub fn size_before(&self, at: usize) -> usize {
        self.items.iter().take(at).map(|(k, v)| item_size(k, v)).sum()
    }

    /// Splits the run before place `at` (`0 < at < len`): the items from
    /// there on become the upper run.
    pub fn split_before(&mut self, at: usize) -> Run {
        let at = at.clamp(1, self.items.len().saturating_sub(1).max(1)).min(self.items.len());
        let upper: Items = self.items.split_off(at);
        let upper_size = upper.iter().map(|(k, v)| item_size(k, v)).sum();
        self.size -= upper_size;
        Run { items: upper, size: upper_size }
    }

    /// Takes an item out; whether it was there.
    pub fn remove(&mut self, key: &[u8]) -> bool {
        match self.position(key) {
            Ok(i) => {
                let (k, v) = self.items.remove(i);
                self.size -= item_size(&k, &v);
                true
            }
            Err(_) => false,
        }
    }

    /// Splits a run grown past its size: returns the upper part, to become a
    /// run of its own (keyed by its first key). After an item appended at the
    /// end, only that last item moves (runs filled in key order stay full);
    /// otherwise the run is cut in the middle of its bytes.
    /// A run of one item is never split.
    pub fn split(&mut self, appended: bool) -> Run {
        let last = self.items.len().saturating_sub(1);
        let at = if appended {
            last
        } else {
            let mut bytes = 0;
            let half = self.size / 2;
            self.items
                .iter()
                .position(|(k, v)| {
                    bytes += item_size(k, v);
                    bytes > half
                })
                .unwrap_or(last)
        };
        self.split_before(at)
    }

    /// Takes in every item of the run after this one.
    pub fn absorb(&mut self, next: Run) {
        self.size += next.size;
        self.items.extend(next.items);
    }

    /// The first key, if any.
    pub fn first_key(&self) -> Option<&[u8]> {
        self.items.first().map(|(k, _)| k.as_slice())
    }
}

/// Walks the items of an encoded run in key order without decoding them all:
/// `f` gets each key and value and says whether to go on.
pub fn each(bytes: &[u8], mut f: impl FnMut(&[u8], &[u8]) -> ControlFlow<()>) -> Result<(), BadRun> {
    let (&format, mut rest) = bytes.split_first().ok_or(BadRun("an empty run"))?;
    if format != FORMAT {
        return Err(BadRun("a run of a format this onedoor does not know"));
    }
    let count = take_varint(&mut rest)?;
    let mut key: Vec<u8> = Vec::new();
    for _ in 0..count {
        let shared = take_varint(&mut rest)? as usize;
        let more = take_varint(&mut rest)? as usize;
        if shared > key.len() {
            return Err(BadRun("a run's key shares more than the key before it"));
        }
        key.truncate(shared);
        key.extend_from_slice(take(&mut rest, more)?);
        let len = take_varint(&mut rest)? as usize;
        let value = take(&mut rest, len)?;
        if f(&key, value).is_break() {
            return Ok(());
        }
    }
    if !rest.is_empty() {
        return Err(BadRun("a run has stray bytes at its end"));
    }
    Ok(())
}

/// The number of items of an encoded run, read from its head.
pub fn count(bytes: &[u8]) -> Result<u64, BadRun> {
    match bytes.split_first() {
        Some((&FORMAT, mut rest)) => take_varint(&mut rest),
        Some(_) => Err(BadRun("a run of a format this onedoor does not know")),
        None => Err(BadRun("an empty run")),
    }
}

/// The value of `key` in an encoded run.
pub fn find(bytes: &[u8], key: &[u8]) -> Result<Option<Vec<u8>>, BadRun> {
    let mut found = None;
    each(bytes, |k, v| match k.cmp(key) {
        std::cmp::Ordering::Less => ControlFlow::Continue(()),
        std::cmp::Ordering::Equal => {
            found = Some(v.to_vec());
            ControlFlow::Break(())
        }
        std::cmp::Ordering::Greater => ControlFlow::Break(()),
    })?;
    Ok(found)
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], BadRun> {
    if rest.len() < n {
        return Err(BadRun("a run is cut short"));
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn take_varint(rest: &mut &[u8]) -> Result<u64, BadRun> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, tail) = rest.split_first().ok_or(BadRun("a run is cut short"))?;
        *rest = tail;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(BadRun("a run holds a number that is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run_of(items: &[(&str, &str)]) -> Run {
        let mut r = Run::default();
        for (k, v) in items {
            r.put(k.as_bytes(), v.as_bytes());
        }
        r
    }

    #[test]
    fn a_run_comes_back_from_its_bytes_with_shared_key_prefixes_stored_once() {
        let r = run_of(&[("320106199001010011-a", "x"), ("320106199001010011-b", "yy"), ("9", "")]);
        let bytes = r.encode();
        assert!(bytes.len() < r.size(), "{} bytes for {} at most", bytes.len(), r.size());
        assert_eq!(Run::decode(&bytes).unwrap(), r);
        assert_eq!(find(&bytes, b"320106199001010011-b").unwrap().as_deref(), Some(&b"yy"[..]));
        assert_eq!(find(&bytes, b"320106199001010011-c").unwrap(), None);
        assert_eq!(count(&bytes).unwrap(), 3);
    }

    #[test]
    fn a_damaged_run_is_an_error_never_a_panic() {
        let bytes = run_of(&[("aaaa", "1111"), ("aaab", "2222")]).encode();
        for cut in 0..bytes.len() {
            assert!(Run::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut other = bytes.clone();
        other[0] = 7;
        assert!(Run::decode(&other).is_err());
        let mut longer = bytes;
        longer.push(0);
        assert!(Run::decode(&longer).is_err());
    }

    #[test]
    fn appending_in_key_order_leaves_full_runs_behind() {
        let mut r = Run::default();
        for i in 0..10u8 {
            assert_eq!(r.put(&[i], b"v"), usize::from(i));
        }
        let upper = r.split(true);
        assert_eq!((r.len(), upper.len()), (9, 1));
        let mut r = run_of(&[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]);
        let upper = r.split(false);
        assert_eq!(upper.first_key(), Some(&b"c"[..]));
        let mut r = run_of(&[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]);
        assert_eq!(r.size_before(1), r.size() / 4);
        let upper = r.split_before(1);
        assert_eq!((r.items().len(), upper.first_key()), (1, Some(&b"b"[..])));
        assert_eq!(r.size() + upper.size(), run_of(&[("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]).size());
    }

    proptest! {
        /// Whatever is put and removed, a run is the sorted map of what
        /// remains, through its bytes too.
        #[test]
        fn a_run_is_a_sorted_map(ops in proptest::collection::vec((any::<bool>(), proptest::collection::vec(0u8..4, 0..6), proptest::collection::vec(any::<u8>(), 0..300)), 0..60)) {
            let mut run = Run::default();
            let mut model = std::collections::BTreeMap::new();
            for (put, key, value) in ops {
                if put {
                    run.put(&key, &value);
                    model.insert(key, value);
                } else {
                    prop_assert_eq!(run.remove(&key), model.remove(&key).is_some());
                }
            }
            let expected: Vec<(Vec<u8>, Vec<u8>)> = model.into_iter().collect();
            prop_assert_eq!(run.items(), expected.as_slice());
            let back = Run::decode(&run.encode()).unwrap();
            prop_assert_eq!(&back, &run);
            prop_assert!(run.encode().len() <= run.size() + 12);
        }
    }
}
