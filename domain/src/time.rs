//! `Timestamp`: an instant in UTC stored so both databases compare it correctly.
//!
//! PostgreSQL stores it as `timestamptz`. SQLite has no time type, and sqlx's own encoding of
//! `DateTime` there varies in width (`…:05+00:00` vs `…:05.5+00:00`), which breaks ordering and
//! range queries on the TEXT column; this type always writes a fixed-width RFC 3339 string
//! (`2026-11-27T06:53:10.000000Z`), so lexical order is time order.

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef};
use sqlx::sqlite::{SqliteArgumentsBuffer, SqliteTypeInfo, SqliteValueRef};
use sqlx::{Decode, Encode, Postgres, Sqlite, Type};

const SQLITE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// Now, to the microsecond: what both databases store, so a value read back equals the
    /// value written.
    pub fn now() -> Self {
        Timestamp(Utc::now().trunc_subsecs(6))
    }

    /// The text SQLite stores (for SQL that builds values itself, e.g. from JSON).
    pub fn sqlite_text(&self) -> String {
        self.0.format(SQLITE_FORMAT).to_string()
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Timestamp(value)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(value: Timestamp) -> Self {
        value.0
    }
}

impl Type<Sqlite> for Timestamp {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <DateTime<Utc> as Type<Sqlite>>::compatible(ty)
    }
}

impl Encode<'_, Sqlite> for Timestamp {
    fn encode_by_ref(&self, buf: &mut SqliteArgumentsBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Sqlite>::encode(self.sqlite_text(), buf)
    }
}

impl<'r> Decode<'r, Sqlite> for Timestamp {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Sqlite>>::decode(value).map(Timestamp)
    }
}

impl Type<Postgres> for Timestamp {
    fn type_info() -> PgTypeInfo {
        <DateTime<Utc> as Type<Postgres>>::type_info()
    }
}

impl Encode<'_, Postgres> for Timestamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Encode::<Postgres>::encode_by_ref(&self.0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for Timestamp {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <DateTime<Utc> as Decode<Postgres>>::decode(value).map(Timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_text_sorts_in_time_order_across_whole_and_fractional_seconds() {
        let whole = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 5).unwrap();
        let later = whole + chrono::Duration::milliseconds(500);
        let a = whole.format(SQLITE_FORMAT).to_string();
        let b = later.format(SQLITE_FORMAT).to_string();
        assert_eq!(a, "2026-03-01T10:00:05.000000Z");
        assert!(a < b, "{a} should sort before {b}");
        assert_eq!(a.len(), b.len());
    }

    #[test]
    fn now_has_the_precision_the_databases_store() {
        let now = Timestamp::now().0;
        assert_eq!(now.timestamp_subsec_nanos() % 1_000, 0);
    }
}
