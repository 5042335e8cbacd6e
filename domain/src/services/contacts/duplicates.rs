//! Finding contacts that may be the same person: the same phone number or email, or a
//! similar name (every word within the typo allowance of search) where the dates of birth do
//! not say otherwise.

use super::Row;
use crate::access::Permission;
use crate::model::{DuplicateMatch, DuplicateReason};
use crate::name_match::NameQuery;
use crate::on_db;
use crate::{Actor, Db, DomainError};

/// At most this many matches are reported.
const MAX_MATCHES: usize = 10;

/// Who a contact could be confused with (identified by what the new or stored record holds).
pub(super) struct Probe<'a> {
    pub exclude_id: Option<&'a str>,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub date_of_birth: Option<chrono::NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct Candidate {
    id: String,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    location_id: Option<String>,
    date_of_birth: Option<chrono::NaiveDate>,
}

/// Live contacts the actor may see that match `probe` by phone, email or similar name;
/// exact matches first.
pub(super) async fn find(
    db: &Db,
    actor: &Actor,
    probe: &Probe<'_>,
) -> Result<Vec<DuplicateMatch>, DomainError> {
    let exact: Vec<Candidate> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, first_name, last_name, phone, location_id, date_of_birth FROM contacts \
         WHERE deleted_at IS NULL AND (phone = $1 OR email = $2) LIMIT 50",
    )
    .bind(probe.phone)
    .bind(probe.email)
    .fetch_all(pool)
    .await?);
    let mut matches: Vec<DuplicateMatch> = Vec::new();
    let push = |candidate: &Candidate, reason: DuplicateReason, matches: &mut Vec<DuplicateMatch>| {
        if Some(candidate.id.as_str()) != probe.exclude_id
            && actor.may_see(candidate.location_id.as_deref())
            && !matches.iter().any(|m| m.contact_id == candidate.id)
        {
            matches.push(DuplicateMatch {
                contact_id: candidate.id.clone(),
                name: format!("{} {}", candidate.first_name, candidate.last_name),
                reason,
            });
        }
    };
    for candidate in &exact {
        let reason = if probe.phone.is_some() && candidate.phone.as_deref() == probe.phone {
            DuplicateReason::Phone
        } else {
            DuplicateReason::Email
        };
        push(candidate, reason, &mut matches);
    }
    // A similar name needs both a first and a last name to mean anything.
    if !probe.first_name.trim().is_empty()
        && !probe.last_name.trim().is_empty()
        && let Some(query) = NameQuery::parse(&format!("{} {}", probe.first_name, probe.last_name))
    {
        let ids = super::search::name_match_ids(db, &query).await?;
        let ids: Vec<&String> = ids.iter().take(50).collect();
        if !ids.is_empty() {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT id, first_name, last_name, phone, location_id, date_of_birth FROM contacts WHERE id IN ({})",
                crate::db::placeholders(1, ids.len())
            ));
            let mut similar: Vec<Candidate> = on_db!(db, pool => {
                let mut query = sqlx::query_as(sql);
                for id in &ids {
                    query = query.bind(id.as_str());
                }
                query.fetch_all(pool).await?
            });
            similar.sort_by_key(|c| ids.iter().position(|id| **id == c.id));
            for candidate in &similar {
                // The same words in both names, not just one shared surname.
                let same_length =
                    crate::name_match::words(&format!("{} {}", candidate.first_name, candidate.last_name))
                        .len()
                        == crate::name_match::words(&format!("{} {}", probe.first_name, probe.last_name))
                            .len();
                // Two people with the same name and different birthdays are two people; a
                // missing date says nothing either way.
                let other_birthday = matches!(
                    (candidate.date_of_birth, probe.date_of_birth),
                    (Some(theirs), Some(ours)) if theirs != ours
                );
                if same_length && !other_birthday {
                    push(candidate, DuplicateReason::Name, &mut matches);
                }
            }
        }
    }
    matches.truncate(MAX_MATCHES);
    Ok(matches)
}

/// Contacts that may be the same person as contact `id`.
pub async fn for_contact(db: &Db, actor: &Actor, id: &str) -> Result<Vec<DuplicateMatch>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let row: Row = super::load(db, actor, id, false).await?;
    let probe = Probe {
        exclude_id: Some(&row.id),
        first_name: &row.first_name,
        last_name: &row.last_name,
        phone: row.phone.as_deref(),
        email: row.email.as_deref(),
        date_of_birth: row.date_of_birth,
    };
    find(db, actor, &probe).await
}
