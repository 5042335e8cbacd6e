//! Who is asking: every service call that reads or changes clinic data takes an `Actor` and
//! checks it, so server functions and REST routes share one policy.

use crate::DomainError;
use crate::access::{Permission, Role};

/// Which locations an actor may see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocationScope {
    All,
    Only(Vec<String>),
}

/// The one SQL condition for "the location in `$column` is one the actor may see", for
/// `concat!` into a query. Bind [`Actor::sees_every_location`] at placeholder `$all` and the
/// actor's user id at `$user`. A row without a location is visible only to actors who see
/// every location; add `OR … IS NULL` where such rows are clinic-wide (tasks without a contact).
#[macro_export]
macro_rules! in_actor_locations {
    ($column:literal, $all:literal, $user:literal) => {
        concat!(
            "(",
            $all,
            " OR ",
            $column,
            " IN (SELECT location_id FROM user_locations WHERE user_id = ",
            $user,
            "))"
        )
    };
}

impl LocationScope {
    pub fn includes(&self, location_id: &str) -> bool {
        match self {
            LocationScope::All => true,
            LocationScope::Only(ids) => ids.iter().any(|id| id == location_id),
        }
    }
}

/// How the actor proved who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session; its id, so a password change can keep this one and end the others.
    Session {
        session_id: String,
    },
    ApiToken {
        token_id: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub locations: LocationScope,
    pub via: AuthMethod,
}

impl Actor {
    pub fn require(&self, permission: Permission) -> Result<(), DomainError> {
        if self.role.allows(permission) { Ok(()) } else { Err(DomainError::Forbidden(permission)) }
    }

    /// Bound where [`in_actor_locations!`] says `$all`.
    pub fn sees_every_location(&self) -> bool {
        self.locations == LocationScope::All
    }

    /// Whether a record at `location_id` (or at none) is one this actor may see: the Rust
    /// twin of [`in_actor_locations!`] for records already loaded.
    pub fn may_see(&self, location_id: Option<&str>) -> bool {
        match (&self.locations, location_id) {
            (LocationScope::All, _) => true,
            (LocationScope::Only(_), None) => false,
            (scope, Some(id)) => scope.includes(id),
        }
    }

    pub fn token_id(&self) -> Option<&str> {
        match &self.via {
            AuthMethod::ApiToken { token_id } => Some(token_id),
            AuthMethod::Session { .. } => None,
        }
    }

    /// The browser session this request came with, if it came with one.
    pub fn session_id(&self) -> Option<&str> {
        match &self.via {
            AuthMethod::Session { session_id } => Some(session_id),
            AuthMethod::ApiToken { .. } => None,
        }
    }
}
