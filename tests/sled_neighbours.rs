//! The vendored sled's `Tree::get_le` and `Tree::get_gt` (vendor/sled/ONEDOOR.md,
//! patch 11) find the neighbour of a key in place, without the iterator's copy
//! of the leaf. Every read of a run in the store goes through them, so they
//! must answer exactly as sled's iterators do: over many leaves, after
//! removals (a leaf whose first keys are gone sends them to the leaf before or
//! after), for keys stored, between and beyond them.

use std::ops::Bound;

use proptest::prelude::*;

fn key(n: u16, tail: u8) -> Vec<u8> {
    let mut k = n.to_be_bytes().to_vec();
    k.extend(std::iter::repeat_n(b'k', usize::from(tail % 4)));
    k
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn neighbours_found_in_place_are_the_iterators(
        stored in proptest::collection::btree_set((0u16..4000, any::<u8>()), 200..900),
        removed_every in 2usize..5,
        probes in proptest::collection::vec((0u16..4100, any::<u8>()), 200),
    ) {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let tree = db.open_tree("runs").unwrap();
        let keys: Vec<Vec<u8>> = stored.iter().map(|&(n, t)| key(n, t)).collect();
        for (i, k) in keys.iter().enumerate() {
            tree.insert(k, vec![(i % 251) as u8; 40 + i % 300]).unwrap();
        }
        // Runs of removals: whole leaves lose their first keys, some leaves all of theirs.
        for (i, k) in keys.iter().enumerate() {
            if (i / 7) % removed_every == 0 {
                tree.remove(k).unwrap();
            }
        }
        let mut asked: Vec<Vec<u8>> = probes.iter().map(|&(n, t)| key(n, t)).collect();
        for k in &keys {
            asked.push(k.clone());
            let mut below = k.clone();
            below.pop();
            asked.push(below);
            let mut above = k.clone();
            above.push(0);
            asked.push(above);
        }
        asked.push(Vec::new());
        asked.push(vec![0xff; 8]);
        for k in &asked {
            let le = tree.get_le(k).unwrap();
            let iter_le = tree.range::<&[u8], _>(..=k.as_slice()).next_back().transpose().unwrap();
            prop_assert_eq!(le, iter_le, "get_le({:?})", k);
            let gt = tree.get_gt(k).unwrap();
            let iter_gt =
                tree.range::<&[u8], _>((Bound::Excluded(k.as_slice()), Bound::Unbounded)).next().transpose().unwrap();
            prop_assert_eq!(gt, iter_gt, "get_gt({:?})", k);
        }
    }
}

#[test]
fn an_empty_tree_has_no_neighbours() {
    let db = sled::Config::new().temporary(true).open().unwrap();
    let tree = db.open_tree("runs").unwrap();
    assert_eq!(tree.get_le(b"any").unwrap(), None);
    assert_eq!(tree.get_gt(b"any").unwrap(), None);
    assert_eq!(tree.get_le([]).unwrap(), None);
    tree.insert(b"m", b"1").unwrap();
    assert_eq!(tree.get_le(b"a").unwrap(), None);
    assert_eq!(tree.get_le(b"m").unwrap().map(|(k, _)| k.to_vec()), Some(b"m".to_vec()));
    assert_eq!(tree.get_gt(b"m").unwrap(), None);
    assert_eq!(tree.get_gt(b"a").unwrap().map(|(k, _)| k.to_vec()), Some(b"m".to_vec()));
}
