//! A table of time records, laid out for serving millions of them.
//!
//! Rows live in an append-only arena: a row's *slot* never changes, so a stable v1
//! integer id can be derived from it, and removed rows simply become unreachable (deleted
//! records vanish from every listing; nothing points at them). A UUID index finds a row by
//! its v2 id, and `order` lists the live slots in the table's default order (the row's
//! [`Row::key`], then its id), kept sorted on every change so the default listing never
//! sorts. Other orders are built when first asked for and cached until the next change.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;
use uuid::Uuid;

/// What a table needs to know about its rows.
pub trait Row {
    /// The default order; ties are broken by id.
    type Key: Ord + Copy;
    fn id(&self) -> Uuid;
    fn key(&self) -> Self::Key;
}

/// See the module documentation.
#[derive(Clone)]
pub struct Table<T> {
    rows: Vec<T>,
    index: HashMap<Uuid, u32>,
    order: Vec<u32>,
    /// Bumped on every change; cached orders remember the version they were built for.
    version: u64,
    orders: OrderCache,
}

impl<T: Row> Default for Table<T> {
    fn default() -> Self {
        Table::from_rows(Vec::new())
    }
}

impl<T> fmt::Debug for Table<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Table")
            .field("live", &self.order.len())
            .field("slots", &self.rows.len())
            .field("version", &self.version)
            .finish()
    }
}

impl<T: Row> Table<T> {
    /// A table of `rows`; their slots are their positions.
    pub fn from_rows(rows: Vec<T>) -> Table<T> {
        let index = rows
            .iter()
            .enumerate()
            .map(|(slot, row)| (row.id(), slot as u32))
            .collect();
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        // Generated rows arrive almost in order; the standard sort is near-linear on that.
        order.sort_by_key(|&slot| sort_key(&rows[slot as usize]));
        Table {
            rows,
            index,
            order,
            version: 0,
            orders: OrderCache::default(),
        }
    }

    /// How many rows are live.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn get(&self, id: Uuid) -> Option<&T> {
        self.slot_of(id).map(|slot| &self.rows[slot as usize])
    }

    pub fn slot_of(&self, id: Uuid) -> Option<u32> {
        self.index.get(&id).copied()
    }

    /// The live row in `slot`, if any.
    pub fn live(&self, slot: u32) -> Option<&T> {
        let row = self.rows.get(slot as usize)?;
        (self.index.get(&row.id()) == Some(&slot)).then_some(row)
    }

    /// The row in a slot taken from [`Self::ordered`] or a cached order.
    pub fn row(&self, slot: u32) -> &T {
        &self.rows[slot as usize]
    }

    /// Live slots in the default order.
    pub fn ordered(&self) -> &[u32] {
        &self.order
    }

    /// Live rows in the default order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.order.iter().map(|&slot| &self.rows[slot as usize])
    }

    /// Index in [`Self::ordered`] of the first row whose key is not below `key`.
    pub fn position(&self, key: &T::Key) -> usize {
        self.order
            .partition_point(|&slot| self.rows[slot as usize].key() < *key)
    }

    /// Adds a row; returns its slot. The caller makes sure its id is new.
    pub fn insert(&mut self, row: T) -> u32 {
        let slot = self.rows.len() as u32;
        let at = self.insertion_point(&row);
        self.index.insert(row.id(), slot);
        self.rows.push(row);
        self.order.insert(at, slot);
        self.version += 1;
        slot
    }

    /// Changes a row in place and, if its key changed, moves it to its new place in the
    /// default order. The id must stay the same.
    pub fn update(&mut self, id: Uuid, change: impl FnOnce(&mut T)) -> Option<&T> {
        let slot = self.slot_of(id)?;
        let before = self.rows[slot as usize].key();
        let at = self.order_index(slot);
        change(&mut self.rows[slot as usize]);
        debug_assert_eq!(self.rows[slot as usize].id(), id, "a row keeps its id");
        if self.rows[slot as usize].key() != before {
            self.order.remove(at);
            let at = self.insertion_point(&self.rows[slot as usize]);
            self.order.insert(at, slot);
        }
        self.version += 1;
        Some(&self.rows[slot as usize])
    }

    /// Removes a row from every listing; returns it as it was.
    pub fn remove(&mut self, id: Uuid) -> Option<&T> {
        let slot = self.slot_of(id)?;
        let at = self.order_index(slot);
        self.order.remove(at);
        self.index.remove(&id);
        self.version += 1;
        Some(&self.rows[slot as usize])
    }

    /// Removes every row for which `keep` says no, in one pass.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        let before = self.order.len();
        let (rows, index) = (&self.rows, &mut self.index);
        self.order.retain(|&slot| {
            let row = &rows[slot as usize];
            let kept = keep(row);
            if !kept {
                index.remove(&row.id());
            }
            kept
        });
        if self.order.len() != before {
            self.version += 1;
        }
    }

    /// Live slots sorted by `key` (then id), built once per table version and shape.
    /// `shape` names the order (e.g. the `sort` parameter); equal shapes must mean equal keys.
    pub fn order_by<K: Ord>(&self, shape: &str, key: impl Fn(&T) -> K) -> Arc<[u32]> {
        if let Some(order) = self.orders.get(shape, self.version) {
            return order;
        }
        let mut order = self.order.clone();
        order.sort_by_cached_key(|&slot| {
            let row = &self.rows[slot as usize];
            (key(row), row.id())
        });
        let order: Arc<[u32]> = order.into();
        self.orders.put(shape, self.version, order.clone());
        order
    }

    fn insertion_point(&self, row: &T) -> usize {
        let key = sort_key(row);
        self.order
            .partition_point(|&slot| sort_key(&self.rows[slot as usize]) < key)
    }

    fn order_index(&self, slot: u32) -> usize {
        let key = sort_key(&self.rows[slot as usize]);
        let at = self
            .order
            .partition_point(|&s| sort_key(&self.rows[s as usize]) < key);
        debug_assert_eq!(self.order.get(at), Some(&slot));
        at
    }
}

fn sort_key<T: Row>(row: &T) -> (T::Key, Uuid) {
    (row.key(), row.id())
}

/// An order built for a shape at a table version.
type CachedOrder = (String, u64, Arc<[u32]>);

/// A few recently used orders; cloning a table starts with none.
#[derive(Default)]
struct OrderCache(Mutex<Vec<CachedOrder>>);

/// Orders kept at once; each costs 4 bytes per row.
const CACHED_ORDERS: usize = 4;

impl OrderCache {
    fn get(&self, shape: &str, version: u64) -> Option<Arc<[u32]>> {
        self.0
            .lock()
            .iter()
            .find(|(s, v, _)| s == shape && *v == version)
            .map(|(_, _, order)| order.clone())
    }

    fn put(&self, shape: &str, version: u64, order: Arc<[u32]>) {
        let mut orders = self.0.lock();
        orders.retain(|(s, v, _)| s != shape && *v == version);
        if orders.len() == CACHED_ORDERS {
            orders.remove(0);
        }
        orders.push((shape.to_owned(), version, order));
    }
}

impl Clone for OrderCache {
    fn clone(&self) -> Self {
        OrderCache::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone)]
    struct Item {
        id: Uuid,
        key: i32,
    }

    impl Row for Item {
        type Key = i32;
        fn id(&self) -> Uuid {
            self.id
        }
        fn key(&self) -> i32 {
            self.key
        }
    }

    fn item(n: u128, key: i32) -> Item {
        Item {
            id: Uuid::from_u128(n),
            key,
        }
    }

    fn keys(table: &Table<Item>) -> Vec<i32> {
        table.iter().map(|i| i.key).collect()
    }

    #[test]
    fn the_default_order_survives_inserts_updates_and_removals() {
        let mut table = Table::from_rows(vec![item(1, 30), item(2, 10), item(3, 20)]);
        assert_eq!(keys(&table), [10, 20, 30]);
        let slot = table.insert(item(4, 15));
        assert_eq!(slot, 3, "slots are never reused");
        assert_eq!(keys(&table), [10, 15, 20, 30]);
        table.update(Uuid::from_u128(1), |i| i.key = 5);
        assert_eq!(keys(&table), [5, 10, 15, 20]);
        assert_eq!(table.remove(Uuid::from_u128(2)).map(|i| i.key), Some(10));
        assert_eq!(keys(&table), [5, 15, 20]);
        assert!(table.get(Uuid::from_u128(2)).is_none());
        assert!(table.live(1).is_none(), "a removed row's slot is dead");
        assert_eq!(table.live(0).map(|i| i.key), Some(5));
        assert_eq!(table.position(&15), 1);
    }

    #[test]
    fn other_orders_are_cached_until_the_next_change() {
        let mut table = Table::from_rows(vec![item(1, 1), item(2, 2), item(3, 3)]);
        let descending = table.order_by("desc", |i| -i.key);
        assert_eq!(&*descending, &[2, 1, 0]);
        assert!(Arc::ptr_eq(
            &descending,
            &table.order_by("desc", |i| -i.key)
        ));
        table.insert(item(4, 4));
        assert_eq!(&*table.order_by("desc", |i| -i.key), &[3, 2, 1, 0]);
    }
}
