//! Listing and searching contacts: typo-tolerant name search, exact phone and email-prefix lookup,
//! filters, sorting and cursor pagination, always within the actor's locations.
//!
//! Without a name query the database sorts and pages (keyset cursors over an index). With one,
//! the trigram index yields candidates, [`NameQuery`] ranks them, and the (at most
//! [`MAX_NAME_MATCHES`]) matches are filtered by the database and sorted and paged here. The
//! search box's usual case on SQLite (relevance, no other filter) goes further: the distances
//! of matching name words become a score the database ranks by, and only the page is read
//! ([`sqlite_ranked_page`]).

use std::cmp::Ordering;

use serde::Deserialize;

use super::{Row, attach_tags, text};
use crate::access::Permission;
use crate::input::Phone;
use crate::model::{Contact, ContactCount, ContactSort, ContactSource, Page};
use crate::name_match::{self, MIN_PROBE_CHARS, NameQuery};
use crate::on_db;
use crate::time::Timestamp;
use crate::{Actor, Backend, Db, DomainError, Pool};

pub const MAX_PAGE: u32 = 200;
pub const DEFAULT_PAGE: u32 = 50;
/// A name search keeps at most this many best matches.
pub const MAX_NAME_MATCHES: usize = 1000;
/// Candidates read from the trigram index before ranking.
const MAX_CANDIDATES: i64 = 5000;

/// List filters; every field optional. The `param` attributes are the rules [`check`]
/// enforces, for the OpenAPI document.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListFilter {
    /// A name (prefix, typos tolerated), the start of an email address, or a phone number (any
    /// format).
    #[param(max_length = 100, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub q: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub stage_id: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub location_id: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub owner_id: Option<String>,
    #[param(value_type = Option<ContactSource>, inline)]
    pub source: Option<String>,
    #[param(pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$")]
    pub tag: Option<String>,
    /// Contacts scored at least this (unscored contacts are left out).
    #[param(minimum = 0, maximum = 100)]
    pub warmness_min: Option<i32>,
    /// Contacts scored at most this; not below `warmness_min`.
    #[param(minimum = 0, maximum = 100)]
    pub warmness_max: Option<i32>,
    /// Default `relevance` with a name in `q`, else `newest`.
    #[param(value_type = Option<ContactSort>, inline)]
    pub sort: Option<String>,
    /// `next_cursor` (or `prev_cursor`, to go back) of the page before, unchanged.
    pub cursor: Option<String>,
    /// Contacts per page (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

/// What `q` asks for.
enum Lookup {
    Everyone,
    /// The start of an email address, lower-cased (a whole address is its own start).
    EmailPrefix(String),
    Phone(String),
    Name(NameQuery),
}

/// A bind value for dynamically assembled SQL.
enum Arg {
    Text(Option<String>),
    Int(i64),
    Bool(bool),
    Time(Timestamp),
}

#[derive(Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    /// A query that will be limited to the actor's locations: `$1` and `$2` are bound as
    /// [`in_actor_locations!`](crate::in_actor_locations) expects them.
    fn scoped(text: String, actor: &Actor) -> Sql {
        Sql {
            text,
            args: vec![Arg::Bool(actor.sees_every_location()), Arg::Text(Some(actor.user_id.clone()))],
        }
    }

    /// Adds a bind value and returns its placeholder.
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    /// Adds bind values and returns their placeholders, for an `IN (…)` list.
    fn args(&mut self, args: impl IntoIterator<Item = Arg>) -> String {
        let first = self.args.len() + 1;
        self.args.extend(args);
        crate::db::placeholders(first, self.args.len() + 1 - first)
    }
}

/// `$query` with every one of `$args` bound in turn.
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Text(value) => query.bind(value),
                Arg::Int(value) => query.bind(value),
                Arg::Bool(value) => query.bind(value),
                Arg::Time(value) => query.bind(value),
            };
        }
        query
    }};
}

macro_rules! fetch_rows_from {
    ($pool:expr, $sql:expr) => {{
        let sql: Sql = $sql;
        bind_args!(sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.text)), sql.args).fetch_all($pool).await?
    }};
}

async fn fetch_rows(db: &Db, sql: Sql) -> Result<Vec<Row>, DomainError> {
    Ok(on_db!(db, pool => fetch_rows_from!(pool, sql)))
}

/// The single number `sql` (a `SELECT COUNT(*) …`) answers.
async fn fetch_count(db: &Db, sql: Sql) -> Result<u64, DomainError> {
    let count: i64 = on_db!(db, pool => {
        bind_args!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.text)), sql.args).fetch_one(pool).await?
    });
    Ok(u64::try_from(count).unwrap_or(0))
}

async fn fetch_rows_sqlite(pool: &sqlx::SqlitePool, sql: Sql) -> Result<Vec<Row>, DomainError> {
    Ok(fetch_rows_from!(pool, sql))
}

/// Parsed and checked filter values.
struct Checked {
    lookup: Lookup,
    sort: ContactSort,
    limit: u32,
}

fn check(filter: &ListFilter) -> Result<Checked, DomainError> {
    let limit = filter.limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(DomainError::field("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    for (field, value) in [("warmness_min", filter.warmness_min), ("warmness_max", filter.warmness_max)] {
        if value.is_some_and(|w| !(0..=100).contains(&w)) {
            return Err(DomainError::field(field, "must be between 0 and 100"));
        }
    }
    if let (Some(min), Some(max)) = (filter.warmness_min, filter.warmness_max)
        && min > max
    {
        return Err(DomainError::field("warmness_max", "must not be below warmness_min"));
    }
    if filter.q.as_deref().is_some_and(|q| q.chars().count() > 100) {
        return Err(DomainError::field("q", "must be at most 100 characters"));
    }
    // Text compared in SQL: PostgreSQL refuses a NUL outright, so no control characters at all.
    for (field, value) in [
        ("q", &filter.q),
        ("stage_id", &filter.stage_id),
        ("location_id", &filter.location_id),
        ("owner_id", &filter.owner_id),
        ("tag", &filter.tag),
    ] {
        if value.as_deref().is_some_and(|v| v.chars().any(char::is_control)) {
            return Err(DomainError::field(field, "must not contain control characters"));
        }
    }
    if let Some(source) = filter.source.as_deref()
        && ContactSource::parse(source).is_none()
    {
        let all = ContactSource::ALL.map(ContactSource::as_str);
        return Err(DomainError::field("source", format!("must be one of {}", all.join(", "))));
    }
    let q = text(&filter.q);
    let lookup = match q {
        None => Lookup::Everyone,
        // "marguerite.v@" is how someone starts typing an address they half remember: what
        // comes before the "@" is the start of the address.
        Some(q) if q.contains('@') => Lookup::EmailPrefix(q.trim_end_matches('@').to_lowercase()),
        Some(q) => match Phone::parse(q) {
            Ok(phone) if q.chars().filter(char::is_ascii_digit).count() >= 6 => {
                Lookup::Phone(phone.as_str().to_owned())
            }
            _ => NameQuery::parse(q).map(Lookup::Name).unwrap_or(Lookup::Everyone),
        },
    };
    let by_name = matches!(lookup, Lookup::Name(_));
    // Relevance needs a name to rank by; without one it is the default order, newest first.
    let sort = match filter.sort.as_deref().map(ContactSort::parse) {
        None if by_name => ContactSort::Relevance,
        None => ContactSort::Newest,
        Some(Some(ContactSort::Relevance)) if !by_name => ContactSort::Newest,
        Some(Some(sort)) => sort,
        Some(None) => {
            let all = ContactSort::ALL.map(ContactSort::as_str);
            return Err(DomainError::field("sort", format!("must be one of {}", all.join(", "))));
        }
    };
    Ok(Checked { lookup, sort, limit })
}

/// The WHERE clause every list shares: not deleted, in the actor's locations (`sql` comes
/// from [`Sql::scoped`]), the filters.
fn base_conditions(sql: &mut Sql, filter: &ListFilter, lookup: &Lookup) {
    let mut conditions = vec![
        "deleted_at IS NULL".to_owned(),
        crate::in_actor_locations!("location_id", "$1", "$2").to_owned(),
    ];
    for (column, value) in [
        ("stage_id", &filter.stage_id),
        ("location_id", &filter.location_id),
        ("owner_id", &filter.owner_id),
        ("source", &filter.source),
    ] {
        if let Some(value) = text(value) {
            let p = sql.arg(Arg::Text(Some(value.to_owned())));
            conditions.push(format!("{column} = {p}"));
        }
    }
    if let Some(tag) = text(&filter.tag) {
        let p = sql.arg(Arg::Text(Some(tag.to_lowercase())));
        conditions.push(format!(
            "id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = {p})"
        ));
    }
    if let Some(min) = filter.warmness_min {
        let p = sql.arg(Arg::Int(min.into()));
        conditions.push(format!("warmness >= {p}"));
    }
    if let Some(max) = filter.warmness_max {
        let p = sql.arg(Arg::Int(max.into()));
        conditions.push(format!("warmness <= {p}"));
    }
    match lookup {
        Lookup::EmailPrefix(start) => {
            // One range on the contacts_email index: emails compare byte by byte on both
            // databases (migration 0008), and U+10FFFF sorts after every character.
            let from = sql.arg(Arg::Text(Some(start.clone())));
            let until = sql.arg(Arg::Text(Some(format!("{start}\u{10FFFF}"))));
            conditions.push(format!("email >= {from} AND email < {until}"));
        }
        Lookup::Phone(phone) => {
            let p = sql.arg(Arg::Text(Some(phone.clone())));
            conditions.push(format!("phone = {p}"));
        }
        Lookup::Everyone | Lookup::Name(_) => {}
    }
    sql.text.push_str(" WHERE ");
    sql.text.push_str(&conditions.join(" AND "));
}

/// Contacts matching the filter, `limit` (1..=200) per page.
pub async fn list(db: &Db, actor: &Actor, filter: ListFilter) -> Result<Page<Contact>, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let checked = check(&filter)?;
    let mut page = match &checked.lookup {
        Lookup::Name(query) => list_name_matches(db, actor, &filter, query, &checked).await?,
        _ => list_in_database_order(db, actor, &filter, &checked).await?,
    };
    attach_tags(db, &mut page.items).await?;
    Ok(Page {
        items: page.items.into_iter().map(Contact::from).collect(),
        next_cursor: page.next_cursor,
        prev_cursor: page.prev_cursor,
    })
}

/// How many contacts the filter finds (its `sort`, `cursor` and `limit` play no part). Kept
/// apart from [`list`] so that a page of results never waits for the count.
pub async fn count(db: &Db, actor: &Actor, filter: ListFilter) -> Result<ContactCount, DomainError> {
    actor.require(Permission::ContactsRead)?;
    let checked = check(&filter)?;
    let Lookup::Name(query) = &checked.lookup else {
        let mut sql = Sql::scoped("SELECT COUNT(*) FROM contacts".to_owned(), actor);
        base_conditions(&mut sql, &filter, &checked.lookup);
        return Ok(ContactCount { total: fetch_count(db, sql).await?, capped: false });
    };
    let ranked = name_match_ids(db, query).await?;
    let capped = ranked.len() >= MAX_NAME_MATCHES;
    if ranked.is_empty() || !has_other_filters(actor, &filter) {
        return Ok(ContactCount { total: ranked.len() as u64, capped });
    }
    let mut sql = Sql::scoped("SELECT COUNT(*) FROM contacts".to_owned(), actor);
    base_conditions(&mut sql, &filter, &checked.lookup);
    let list = sql.args(ranked.into_iter().map(|id| Arg::Text(Some(id))));
    sql.text.push_str(&format!(" AND id IN ({list})"));
    Ok(ContactCount { total: fetch_count(db, sql).await?, capped })
}

/// The offset cursor of the page before the one at `offset` (name matches page by offset).
fn offset_before(offset: usize, limit: usize) -> Option<String> {
    (offset > 0).then(|| format!("@{}", offset.saturating_sub(limit)))
}

/// The ids of the best name matches, best first.
pub(super) async fn name_match_ids(db: &Db, query: &NameQuery) -> Result<Vec<String>, DomainError> {
    let groups = query.probe_groups();
    let candidates: Vec<(String, String, String)> = match (db.pool(), groups.is_empty()) {
        (_, true) => {
            // Too short for the trigram index: a prefix scan over the names.
            let prefix = format!("{}%", query.longest_word());
            on_db!(db, pool => sqlx::query_as(
                "SELECT id, first_name, last_name FROM contacts WHERE deleted_at IS NULL \
                 AND (lower(first_name) LIKE $1 OR lower(last_name) LIKE $1) LIMIT $2",
            ).bind(prefix).bind(MAX_CANDIDATES).fetch_all(pool).await?)
        }
        (Pool::Sqlite(pool), false) => {
            // The most selective query word fetches contacts through the lower(first_name /
            // last_name) indexes by its matching vocabulary entries.
            let mut narrowest: Option<Vec<(String, usize)>> = None;
            for (word, pieces) in query.probed_words() {
                let matching = vocabulary_matches(pool, word, &pieces).await?;
                if narrowest.as_ref().is_none_or(|n| matching.len() < n.len()) {
                    narrowest = Some(matching);
                }
            }
            let names: Vec<String> =
                narrowest.unwrap_or_default().into_iter().map(|(name, _)| name).collect();
            if names.is_empty() {
                Vec::new()
            } else {
                let list = crate::db::placeholders(1, names.len());
                // `+deleted_at` keeps the planner on the name indexes: without statistics it
                // would otherwise walk `contacts_deleted`, where nearly every row is NULL.
                let sql = format!(
                    "SELECT id, first_name, last_name FROM contacts WHERE +deleted_at IS NULL \
                     AND (lower(first_name) IN ({list}) OR lower(last_name) IN ({list})) LIMIT {MAX_CANDIDATES}"
                );
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for name in &names {
                    q = q.bind(name.as_str());
                }
                q.fetch_all(pool).await?
            }
        }
        (Pool::Postgres(pool), false) => {
            // pg_trgm's GIN index answers each LIKE '%piece%'; groups AND together.
            let mut patterns = Vec::new();
            let mut conditions = Vec::new();
            for group in &groups {
                let mut alternatives = Vec::new();
                for piece in group {
                    patterns.push(format!("%{piece}%"));
                    alternatives
                        .push(format!("lower(first_name || ' ' || last_name) LIKE ${}", patterns.len()));
                }
                conditions.push(format!("({})", alternatives.join(" OR ")));
            }
            let sql = format!(
                "SELECT id, first_name, last_name FROM contacts WHERE deleted_at IS NULL AND {} LIMIT {MAX_CANDIDATES}",
                conditions.join(" AND ")
            );
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for pattern in patterns {
                q = q.bind(pattern);
            }
            q.fetch_all(pool).await?
        }
    };
    debug_assert!(groups.iter().flatten().all(|p| p.chars().count() >= MIN_PROBE_CHARS));
    // Clinics see the same names again and again: score each distinct name once.
    let mut scores: std::collections::HashMap<(String, String), Option<usize>> =
        std::collections::HashMap::new();
    let mut scored: Vec<(usize, String, String, String)> = candidates
        .into_iter()
        .filter_map(|(id, first, last)| {
            let key = (last.to_lowercase(), first.to_lowercase());
            let score = match scores.get(&key) {
                Some(known) => *known,
                None => {
                    let fresh = query.score(&first, &last);
                    scores.insert(key.clone(), fresh);
                    fresh
                }
            };
            score.map(|score| (score, key.0, key.1, id))
        })
        .collect();
    scored.sort();
    scored.truncate(MAX_NAME_MATCHES);
    Ok(scored.into_iter().map(|(_, _, _, id)| id).collect())
}

/// Most vocabulary entries one query word may match (a short prefix such as "mar").
const MAX_VOCABULARY_MATCHES: usize = 2000;

/// The vocabulary entries (distinct lower-cased first and last names, see migration 0005) that
/// `word` matches, with their distance: the trigram index finds entries holding one of `pieces`,
/// and [`name_match::text_distance`] keeps those that really match.
async fn vocabulary_matches(
    pool: &sqlx::SqlitePool,
    word: &str,
    pieces: &[String],
) -> Result<Vec<(String, usize)>, DomainError> {
    let expression =
        pieces.iter().map(|p| format!("\"{}\"", p.replace('"', "\"\""))).collect::<Vec<_>>().join(" OR ");
    let entries: Vec<String> = sqlx::query_scalar(
        "SELECT word FROM name_words WHERE rowid IN \
         (SELECT rowid FROM name_words_trigram WHERE name_words_trigram MATCH $1)",
    )
    .bind(expression)
    .fetch_all(pool)
    .await?;
    Ok(entries
        .into_iter()
        .filter_map(|entry| name_match::text_distance(word, &entry).map(|distance| (entry, distance)))
        .take(MAX_VOCABULARY_MATCHES)
        .collect())
}

/// One page of the best name matches on SQLite, ranked by the database so that only the page
/// is read: every query word's matching vocabulary entries, grouped by distance, become a
/// score expression, and the most selective word's entries pick the candidates through the
/// name indexes. `None` when a word is too short for the index (the caller ranks in Rust).
async fn sqlite_ranked_page(
    pool: &sqlx::SqlitePool,
    query: &NameQuery,
    offset: usize,
    limit: usize,
) -> Result<Option<Page<Row>>, DomainError> {
    if !query.every_word_probed() {
        return Ok(None);
    }
    let take = limit.min(MAX_NAME_MATCHES.saturating_sub(offset));
    if take == 0 {
        return Ok(Some(Page { prev_cursor: offset_before(offset, limit), ..Page::empty() }));
    }
    let mut per_word = Vec::new();
    for (word, pieces) in query.probed_words() {
        let matching = vocabulary_matches(pool, word, &pieces).await?;
        if matching.is_empty() {
            // Every word must match: one that matches no name leaves nothing to list.
            return Ok(Some(Page::empty()));
        }
        per_word.push(matching);
    }
    let mut sql = Sql::default();
    // A word's score for a contact is its best distance to the first or the last name.
    const NO_MATCH: usize = 1000;
    let mut scores = Vec::new();
    let mut narrowest: Option<Vec<String>> = None;
    for matching in &per_word {
        let mut by_distance: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
        let mut placeholders = Vec::new();
        for (entry, distance) in matching {
            let p = sql.arg(Arg::Text(Some(entry.clone())));
            by_distance.entry(*distance).or_default().push(p.clone());
            placeholders.push(p);
        }
        let case = |column: &str| {
            let arms: String = by_distance
                .iter()
                .map(|(distance, list)| {
                    format!(" WHEN lower({column}) IN ({}) THEN {distance}", list.join(", "))
                })
                .collect();
            format!("CASE{arms} ELSE {NO_MATCH} END")
        };
        scores.push(format!("MIN({}, {})", case("first_name"), case("last_name")));
        if narrowest.as_ref().is_none_or(|n| placeholders.len() < n.len()) {
            narrowest = Some(placeholders);
        }
    }
    let list = narrowest.unwrap_or_default().join(", ");
    let limit_arg = sql.arg(Arg::Int(take as i64 + 1));
    let offset_arg = sql.arg(Arg::Int(offset as i64));
    // `+deleted_at` keeps the planner on the name indexes (see migration 0005).
    // Ranks on the sort keys alone, then reads the whole row for the page only.
    let columns: Vec<String> = super::COLUMNS.split(", ").map(|c| format!("c.{c}")).collect();
    sql.text = format!(
        "SELECT {columns} FROM (SELECT id, score, last, first FROM \
           (SELECT id, {score} AS score, lower(last_name) AS last, lower(first_name) AS first FROM contacts \
            WHERE +deleted_at IS NULL AND (lower(first_name) IN ({list}) OR lower(last_name) IN ({list}))) \
           WHERE score < {NO_MATCH} ORDER BY score, last, first, id LIMIT {limit_arg} OFFSET {offset_arg}) ranked \
         JOIN contacts c ON c.id = ranked.id ORDER BY ranked.score, ranked.last, ranked.first, ranked.id",
        columns = columns.join(", "),
        score = scores.join(" + "),
    );
    let mut rows = fetch_rows_sqlite(pool, sql).await?;
    let has_more = rows.len() > take && offset + take < MAX_NAME_MATCHES;
    rows.truncate(take);
    let next_cursor = has_more.then(|| format!("@{}", offset + take));
    Ok(Some(Page { items: rows, next_cursor, prev_cursor: offset_before(offset, limit) }))
}

/// Whether the filter narrows beyond the name (then the database must filter the matches).
fn has_other_filters(actor: &Actor, filter: &ListFilter) -> bool {
    !actor.sees_every_location()
        || [&filter.stage_id, &filter.location_id, &filter.owner_id, &filter.source, &filter.tag]
            .iter()
            .any(|f| text(f).is_some())
        || filter.warmness_min.is_some()
        || filter.warmness_max.is_some()
}

async fn list_name_matches(
    db: &Db,
    actor: &Actor,
    filter: &ListFilter,
    query: &NameQuery,
    checked: &Checked,
) -> Result<Page<Row>, DomainError> {
    let offset = match text(&filter.cursor) {
        None => 0,
        Some(cursor) => cursor
            .strip_prefix('@')
            .and_then(|n| n.parse::<usize>().ok())
            // Name matches stop at MAX_NAME_MATCHES, so no real cursor points further.
            .filter(|offset| *offset <= MAX_NAME_MATCHES)
            .ok_or_else(|| DomainError::field("cursor", "is not a cursor from a previous page"))?,
    };
    let plain_search = checked.sort == ContactSort::Relevance && !has_other_filters(actor, filter);
    if plain_search
        && let Pool::Sqlite(pool) = db.pool()
        && let Some(page) = sqlite_ranked_page(pool, query, offset, checked.limit as usize).await?
    {
        return Ok(page);
    }
    let ranked = name_match_ids(db, query).await?;
    if ranked.is_empty() {
        return Ok(Page::empty());
    }
    let limit = checked.limit as usize;
    let prev_cursor = offset_before(offset, limit);
    if plain_search {
        // The usual search box: page through the ranking and read only the page's rows.
        let page_ids: Vec<&String> = ranked.iter().skip(offset).take(limit).collect();
        if page_ids.is_empty() {
            return Ok(Page { prev_cursor, ..Page::empty() });
        }
        let mut sql = Sql {
            text: format!("SELECT {} FROM contacts WHERE deleted_at IS NULL", super::COLUMNS),
            args: Vec::new(),
        };
        let list = sql.args(page_ids.iter().map(|id| Arg::Text(Some((*id).clone()))));
        sql.text.push_str(&format!(" AND id IN ({list})"));
        let mut rows = fetch_rows(db, sql).await?;
        rows.sort_by_key(|row| page_ids.iter().position(|id| **id == row.id));
        let next_cursor = (ranked.len() > offset + limit).then(|| format!("@{}", offset + limit));
        return Ok(Page { items: rows, next_cursor, prev_cursor });
    }
    let mut sql = Sql::scoped(format!("SELECT {} FROM contacts", super::COLUMNS), actor);
    base_conditions(&mut sql, filter, &checked.lookup);
    let list = sql.args(ranked.iter().map(|id| Arg::Text(Some(id.clone()))));
    sql.text.push_str(&format!(" AND id IN ({list})"));
    let mut rows = fetch_rows(db, sql).await?;
    let rank = |id: &str| ranked.iter().position(|r| r == id).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| match checked.sort {
        ContactSort::Relevance => rank(&a.id).cmp(&rank(&b.id)),
        sort => compare(sort, a, b),
    });
    let next_cursor = (rows.len() > offset + limit).then(|| format!("@{}", offset + limit));
    let items = rows.into_iter().skip(offset).take(limit).collect();
    Ok(Page { items, next_cursor, prev_cursor })
}

/// The order the database uses for each sort, for sorting name matches the same way.
fn compare(sort: ContactSort, a: &Row, b: &Row) -> Ordering {
    let name = |r: &Row| (r.last_name.to_lowercase(), r.first_name.to_lowercase());
    match sort {
        ContactSort::Relevance | ContactSort::Newest => b.id.cmp(&a.id),
        ContactSort::Oldest => a.id.cmp(&b.id),
        ContactSort::Name => name(a).cmp(&name(b)).then_with(|| a.id.cmp(&b.id)),
        ContactSort::Updated => (b.updated_at.0, &b.id).cmp(&(a.updated_at.0, &a.id)),
        ContactSort::Warmness => (b.warmness.unwrap_or(-1), &b.id).cmp(&(a.warmness.unwrap_or(-1), &a.id)),
    }
}

/// Keyset pagination: a cursor holds a row's sort key, hex-encoded JSON. A next-page cursor
/// is the last row's key; a previous-page cursor is [`BACK`] and the first row's key.
async fn list_in_database_order(
    db: &Db,
    actor: &Actor,
    filter: &ListFilter,
    checked: &Checked,
) -> Result<Page<Row>, DomainError> {
    let bad_cursor = || DomainError::field("cursor", "is not a cursor from a previous page");
    let (after, backward): (Option<Vec<serde_json::Value>>, bool) = match text(&filter.cursor) {
        None => (None, false),
        Some(cursor) => match cursor.strip_prefix(BACK) {
            Some(key) => (Some(decode_cursor(key).ok_or_else(bad_cursor)?), true),
            None => (Some(decode_cursor(cursor).ok_or_else(bad_cursor)?), false),
        },
    };
    let collate = match db.backend() {
        Backend::Sqlite => "",
        // Byte order, like SQLite's, and the order of the `contacts_name_order` index.
        Backend::Postgres => " COLLATE \"C\"",
    };
    let (key_columns, descending): (Vec<String>, bool) = match checked.sort {
        ContactSort::Relevance | ContactSort::Newest => (vec!["id".to_owned()], true),
        ContactSort::Oldest => (vec!["id".to_owned()], false),
        ContactSort::Name => (
            vec![
                format!("lower(last_name){collate}"),
                format!("lower(first_name){collate}"),
                format!("id{collate}"),
            ],
            false,
        ),
        ContactSort::Updated => (vec!["updated_at".into(), "id".into()], true),
        ContactSort::Warmness => (vec!["COALESCE(warmness, -1)".into(), "id".into()], true),
    };
    // Going back reads the list in reverse from the cursor, then turns the page round.
    let reading_descending = descending != backward;
    let direction = if reading_descending { "DESC" } else { "ASC" };
    let order = key_columns.iter().map(|c| format!("{c} {direction}")).collect::<Vec<_>>().join(", ");
    let mut sql = Sql::scoped(format!("SELECT {} FROM contacts", super::COLUMNS), actor);
    base_conditions(&mut sql, filter, &checked.lookup);
    let from_cursor = after.is_some();
    if let Some(values) = after {
        if values.len() != key_columns.len() {
            return Err(bad_cursor());
        }
        let mut placeholders = Vec::new();
        for (column, value) in key_columns.iter().zip(values) {
            let arg = match value {
                serde_json::Value::String(s) if column == "updated_at" => {
                    Arg::Time(Timestamp(s.parse().map_err(|_| bad_cursor())?))
                }
                serde_json::Value::String(s) => Arg::Text(Some(s)),
                serde_json::Value::Number(n) => Arg::Int(n.as_i64().ok_or_else(bad_cursor)?),
                _ => return Err(bad_cursor()),
            };
            placeholders.push(sql.arg(arg));
        }
        let comparison = if reading_descending { "<" } else { ">" };
        sql.text.push_str(&format!(
            " AND ({}) {comparison} ({})",
            key_columns.join(", "),
            placeholders.join(", ")
        ));
    }
    let limit = sql.arg(Arg::Int(i64::from(checked.limit) + 1));
    sql.text.push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
    let mut rows = fetch_rows(db, sql).await?;
    let more_that_way = rows.len() > checked.limit as usize;
    rows.truncate(checked.limit as usize);
    let key = |row: Option<&Row>| row.map(|row| encode_cursor(cursor_key(checked.sort, row)));
    if backward {
        rows.reverse();
        // A page reached by going back has the page it came from after it.
        let next_cursor = key(rows.last());
        let prev_cursor = if more_that_way { key(rows.first()).map(|k| format!("{BACK}{k}")) } else { None };
        return Ok(Page { items: rows, next_cursor, prev_cursor });
    }
    let next_cursor = if more_that_way { key(rows.last()) } else { None };
    let prev_cursor = if from_cursor { key(rows.first()).map(|k| format!("{BACK}{k}")) } else { None };
    Ok(Page { items: rows, next_cursor, prev_cursor })
}

/// What starts a cursor that goes back a page.
const BACK: char = '-';

fn cursor_key(sort: ContactSort, row: &Row) -> Vec<serde_json::Value> {
    use serde_json::Value;
    let id = Value::String(row.id.clone());
    match sort {
        ContactSort::Relevance | ContactSort::Newest | ContactSort::Oldest => vec![id],
        ContactSort::Name => {
            vec![row.last_name.to_lowercase().into(), row.first_name.to_lowercase().into(), id]
        }
        ContactSort::Updated => vec![row.updated_at.0.to_rfc3339().into(), id],
        ContactSort::Warmness => vec![i64::from(row.warmness.unwrap_or(-1)).into(), id],
    }
}

fn encode_cursor(key: Vec<serde_json::Value>) -> String {
    let json = serde_json::Value::Array(key).to_string();
    json.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str) -> Option<Vec<serde_json::Value>> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 2000 {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..cursor.len()).step_by(2).map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok()).collect();
    match serde_json::from_slice(&bytes?).ok()? {
        serde_json::Value::Array(values) => Some(values),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let key = vec![serde_json::Value::from("o'brien"), serde_json::Value::from("01K")];
        assert_eq!(decode_cursor(&encode_cursor(key.clone())), Some(key));
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor("7b7d"), None, "an object is not a key");
    }
}
