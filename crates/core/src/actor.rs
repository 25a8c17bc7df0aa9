//! Who is acting: a user, the roles they hold and the organisations they belong to.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::ids::{CommunityId, OrgId, UserId};
use crate::names::named_enum;

named_enum! {
    /// What a user may do in the system. A user may hold several.
    pub enum Role: "role" {
        /// Runs the deployment: accounts, organisations, compounds.
        Admin = "admin",
        /// Community party branch / residents' committee staff: agenda, meeting record, minutes.
        Secretary = "secretary",
        /// Owners' supervisory committee (业主监督委员会): raises issues, verifies fixes.
        Supervisor = "supervisor",
        /// Property company staff (物业公司): commits to and resolves assigned issues.
        Property = "property",
        /// Grid party secretary (网格党支部书记): the party branch of a compound.
        Grid = "grid",
        /// Building leader (楼栋长): an owner who speaks for the households of their
        /// buildings — sees those buildings' issues, raises on several owners' behalf
        /// (代报), invites the residents.
        BuildingLeader = "building_leader",
        /// A resident: reports problems and supports others' reports.
        Resident = "resident",
        /// The street office (街道): compares the communities of its street, read-only.
        Street = "street",
    }
}

impl Role {
    /// Whether the role works within one compound — its issues, its neighbours — so an
    /// account holding it belongs to a compound.
    pub fn works_in_compound(self) -> bool {
        matches!(self, Role::Resident | Role::Grid | Role::BuildingLeader)
    }

    /// Whether the role works the issues assigned to an organisation (property staff), so
    /// an account holding it belongs to one.
    pub fn works_for_org(self) -> bool {
        self == Role::Property
    }
}

named_enum! {
    /// The kinds of organisation that take part in the joint meeting.
    pub enum OrgKind: "organisation kind" {
        /// Community "big party committee" (社区大党委).
        PartyCommittee = "party_committee",
        /// Community party branch / residents' committee (社区党支部 / 居委会).
        ResidentsCommittee = "residents_committee",
        /// Owners' supervisory committee (业主监督委员会).
        SupervisoryCommittee = "supervisory_committee",
        /// Property company (物业公司).
        PropertyCompany = "property_company",
        /// Grid party branch (网格党支部).
        GridBranch = "grid_branch",
        /// Resident enterprise, unit or government department (驻区单位 / 职能部门).
        Unit = "unit",
    }
}

/// A user's membership of one organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org: OrgId,
    pub kind: OrgKind,
}

/// The authenticated party behind a request or a command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user: UserId,
    pub community: CommunityId,
    pub roles: BTreeSet<Role>,
    pub memberships: Vec<Membership>,
}

impl Actor {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_member_of(&self, org: OrgId) -> bool {
        self.memberships.iter().any(|m| m.org == org)
    }

    /// The organisation a user acts for by default: the first membership.
    pub fn primary_org(&self) -> Option<OrgId> {
        self.memberships.first().map(|m| m.org)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_unknown_names_list_the_choices() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        let err = "mayor".parse::<Role>().unwrap_err().to_string();
        assert!(err.starts_with("unknown role `mayor`"), "{err}");
        assert!(err.contains("secretary, supervisor"), "{err}");
    }
}
