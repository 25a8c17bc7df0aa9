//! Places (a compound, a building of it) known to exist in a community, so that raising
//! an issue does not ask the database each time: that question was a hand-over to a
//! blocking thread and a round trip of its own before the write (docs/performance.md).
//! Compounds and buildings are never deleted nor moved to another community, so a place
//! once found stays true on every instance; only a place not found is asked again (it
//! may have been added since).

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;
use roundtable_core::{BuildingId, CommunityId, CompoundId};
use roundtable_store::{Db, StoreError, directory};

type Place = (CommunityId, CompoundId, Option<BuildingId>);

pub struct KnownPlaces {
    known: Mutex<LruCache<Place, ()>>,
}

impl Default for KnownPlaces {
    fn default() -> Self {
        KnownPlaces { known: Mutex::new(LruCache::new(NonZeroUsize::new(Self::CAPACITY).expect("not zero"))) }
    }
}

impl KnownPlaces {
    /// Places kept (a district has a few thousand buildings); the least recently used go.
    pub const CAPACITY: usize = 8_192;

    /// Whether the compound is one of `community`'s, and the building (if named) one of
    /// the compound's.
    pub async fn check(
        &self,
        db: &Db,
        community: CommunityId,
        compound: CompoundId,
        building: Option<BuildingId>,
    ) -> Result<(bool, bool), StoreError> {
        let place = (community, compound, building);
        if self.known().get(&place).is_some() {
            return Ok((true, true));
        }
        let found = db.run(move |conn| directory::place_exists(conn, community, compound, building)).await?;
        if found == (true, true) {
            self.known().put(place, ());
        }
        Ok(found)
    }

    fn known(&self) -> std::sync::MutexGuard<'_, LruCache<Place, ()>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }
}
