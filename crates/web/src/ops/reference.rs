//! The community's directory as every member reads it (the API's reference routes):
//! compounds, buildings and organisations, to show ids as people read them.

use roundtable_core::{BuildingId, CompoundId, GeoPoint, OrgId, OrgKind};
use roundtable_store::directory;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// The names of the caller's community, read in one database trip.
pub struct Names {
    pub compounds: Vec<(CompoundId, String)>,
    /// (id, compound, name)
    pub buildings: Vec<(BuildingId, CompoundId, String)>,
    /// (id, name, kind)
    pub orgs: Vec<(OrgId, String, OrgKind)>,
    /// Where the compounds lie, those whose position is known.
    pub places: Vec<(CompoundId, GeoPoint)>,
}

pub async fn names(state: &AppState, caller: &Caller) -> ApiResult<Names> {
    names_of(state, caller.actor.community).await
}

/// A community's names, for views without a caller (the public board).
pub async fn names_of(state: &AppState, community: roundtable_core::CommunityId) -> ApiResult<Names> {
    let (compounds, buildings, orgs) = state
        .db
        .run(move |conn| {
            Ok((
                directory::compounds(conn, community)?,
                directory::community_buildings(conn, community)?,
                directory::organisations(conn, community)?,
            ))
        })
        .await?;
    Ok(Names {
        places: compounds.iter().filter_map(|c| Some((c.id, c.location?))).collect(),
        compounds: compounds.into_iter().map(|c| (c.id, c.name)).collect(),
        buildings: buildings.into_iter().map(|b| (b.id, b.compound, b.name)).collect(),
        orgs: orgs.into_iter().map(|o| (o.id, o.name, o.kind)).collect(),
    })
}

impl Names {
    pub fn compound(&self, id: CompoundId) -> Option<&str> {
        self.compounds.iter().find(|(c, _)| *c == id).map(|(_, n)| n.as_str())
    }

    pub fn building(&self, id: BuildingId) -> Option<&str> {
        self.buildings.iter().find(|(b, ..)| *b == id).map(|(.., n)| n.as_str())
    }

    pub fn place(&self, id: CompoundId) -> Option<GeoPoint> {
        self.places.iter().find(|(c, _)| *c == id).map(|(_, p)| *p)
    }

    pub fn org(&self, id: OrgId) -> Option<&str> {
        self.orgs.iter().find(|(o, ..)| *o == id).map(|(_, n, _)| n.as_str())
    }

    /// The organisations an issue can be assigned to: (id, name).
    pub fn responsible(&self) -> impl Iterator<Item = (OrgId, &str)> {
        self.orgs
            .iter()
            .filter(|(.., k)| matches!(k, OrgKind::PropertyCompany | OrgKind::Unit))
            .map(|(id, name, _)| (*id, name.as_str()))
    }
}
