//! Merkle trees in the manner of Certificate Transparency (RFC 6962 §2.1,
//! RFC 9162 §2.1): a batch screen commits to every row's result with one
//! root in its chained audit record, and any row can be shown to be part
//! of it with a short audit path (⌈log₂ n⌉ hashes).
//!
//! - leaf hash: SHA-256(0x00 ‖ leaf bytes);
//! - interior node: SHA-256(0x01 ‖ left ‖ right);
//! - MTH of n > 1 leaves: node(MTH(first k), MTH(rest)) where k is the
//!   largest power of two below n; MTH of no leaves: SHA-256("").
//!
//! The distinct prefixes keep a leaf from being passed off as a node.
//! [`RootBuilder`] computes the same root streaming, in O(log n) memory,
//! so a batch of millions of rows never holds its leaves.

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// SHA-256(0x00 ‖ data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of an empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// MTH over leaf hashes.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path of leaf `index` (0-based) in the tree of `leaves`,
/// nearest sibling first; `None` when `index` is out of range.
pub fn audit_path(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    fn walk(leaves: &[Hash], m: usize, path: &mut Vec<Hash>) {
        let n = leaves.len();
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            walk(&leaves[..k], m, path);
            path.push(root(&leaves[k..]));
        } else {
            walk(&leaves[k..], m - k, path);
            path.push(root(&leaves[..k]));
        }
    }
    walk(leaves, index, &mut path);
    Some(path)
}

/// A whole tree kept level by level, for many proofs over one batch: level
/// 0 holds the leaves, each next level pairs neighbours left to right and
/// carries an odd last node up unchanged, which is RFC 6962's shape.
/// Building it costs n − 1 node hashes; each path then costs nothing.
pub struct Tree {
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    pub fn new(leaves: Vec<Hash>) -> Tree {
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let prev = levels.last().map(Vec::as_slice).unwrap_or_default();
            let next: Vec<Hash> = prev
                .chunks(2)
                .map(|p| match p {
                    [l, r] => node_hash(l, r),
                    [one] => *one,
                    _ => unreachable!("chunks(2) yields one or two"),
                })
                .collect();
            levels.push(next);
        }
        Tree { levels }
    }

    /// Leaves in the tree.
    pub fn len(&self) -> usize {
        self.levels[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn leaf(&self, index: usize) -> Option<&Hash> {
        self.levels[0].get(index)
    }

    pub fn root(&self) -> Hash {
        match self.levels.last() {
            Some(top) if top.len() == 1 => top[0],
            _ => empty_root(),
        }
    }

    /// The audit path of leaf `index`, nearest sibling first (the same as
    /// [`audit_path`]).
    pub fn path(&self, index: usize) -> Option<Vec<Hash>> {
        if index >= self.len() {
            return None;
        }
        let mut out = Vec::new();
        let mut i = index;
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = i ^ 1;
            if sibling < level.len() {
                out.push(level[sibling]);
            }
            i >>= 1;
        }
        Some(out)
    }
}

/// Whether `leaf` is leaf `index` of a tree of `size` leaves with root
/// `root`, given its audit path (RFC 9162 §2.1.3.2).
pub fn verify_path(leaf: &Hash, index: u64, size: u64, path: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && &r == root
}

/// Computes the MTH of leaves pushed one at a time, keeping one hash per
/// level: the tree of n leaves is its perfect subtrees (one per set bit of
/// n, largest first) joined right to left, which is exactly RFC 6962's
/// shape.
#[derive(Clone, Debug, Default)]
pub struct RootBuilder {
    /// Perfect subtrees, largest first: (height, hash).
    stack: Vec<(u32, Hash)>,
    count: u64,
}

impl RootBuilder {
    pub fn push(&mut self, leaf: Hash) {
        let mut cur = (0u32, leaf);
        while let Some(&(h, ref top)) = self.stack.last() {
            if h != cur.0 {
                break;
            }
            cur = (h + 1, node_hash(top, &cur.1));
            self.stack.pop();
        }
        self.stack.push(cur);
        self.count += 1;
    }

    /// Leaves pushed so far.
    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The root of the leaves pushed so far.
    pub fn root(&self) -> Hash {
        let mut it = self.stack.iter().rev();
        let Some(&(_, last)) = it.next() else {
            return empty_root();
        };
        it.fold(last, |acc, (_, left)| node_hash(left, &acc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("row {i}").as_bytes()))
            .collect()
    }

    #[test]
    fn streaming_root_equals_the_recursive_definition() {
        for n in 0..70 {
            let l = leaves(n);
            let mut b = RootBuilder::default();
            for x in &l {
                b.push(*x);
            }
            assert_eq!(b.root(), root(&l), "n = {n}");
        }
    }

    #[test]
    fn rfc6962_shape_for_three_leaves() {
        let l = leaves(3);
        let expected = node_hash(&node_hash(&l[0], &l[1]), &l[2]);
        assert_eq!(root(&l), expected);
        assert_eq!(audit_path(&l, 2).unwrap(), vec![node_hash(&l[0], &l[1])]);
        assert_eq!(audit_path(&l, 0).unwrap(), vec![l[1], l[2]]);
    }

    #[test]
    fn every_path_verifies_and_a_wrong_leaf_or_index_does_not() {
        for n in 1..40 {
            let l = leaves(n);
            let r = root(&l);
            for i in 0..n {
                let p = audit_path(&l, i).unwrap();
                assert!(verify_path(&l[i], i as u64, n as u64, &p, &r), "{i}/{n}");
                let other = leaf_hash(b"forged");
                assert!(!verify_path(&other, i as u64, n as u64, &p, &r));
                if n > 1 {
                    let j = (i + 1) % n;
                    assert!(
                        !verify_path(&l[i], j as u64, n as u64, &p, &r),
                        "{i}->{j}/{n}"
                    );
                }
            }
            assert!(audit_path(&l, n).is_none());
        }
    }

    #[test]
    fn the_level_tree_gives_the_recursive_root_and_paths() {
        for n in 0..70 {
            let l = leaves(n);
            let t = Tree::new(l.clone());
            assert_eq!(t.root(), root(&l), "n = {n}");
            for i in 0..n {
                assert_eq!(t.path(i), audit_path(&l, i), "{i}/{n}");
            }
            assert!(t.path(n).is_none());
        }
    }

    #[test]
    fn the_leaf_and_node_prefixes_differ() {
        let a = leaf_hash(b"x");
        let joined = [a, a].concat();
        assert_ne!(leaf_hash(&joined), node_hash(&a, &a));
    }
}
