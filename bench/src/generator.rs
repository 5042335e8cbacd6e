//! 100,000 believable contacts: common Australian first names and surnames (so names repeat
//! as they do in a real clinic), unique mobiles and emails, every stage, both locations,
//! enquiries spread over two years.

use chrono::{Duration, Utc};
use domain::Db;
use domain::model::{ContactSource, Modality};
use domain::services::demo_seed;
use domain::time::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The demo clinic's names and the extra ones, each name once.
fn names(demo: &[&'static str], extra: &[&'static str]) -> Vec<&'static str> {
    demo.iter().chain(extra).copied().collect()
}

/// More first names, beside the demo clinic's own, for a 100k-contact clinic.
const EXTRA_FIRST_NAMES: [&str; 31] = [
    "Sophie",
    "Harrison",
    "Ella",
    "Matilda",
    "Hudson",
    "Evie",
    "Archie",
    "Willow",
    "Mason",
    "Harper",
    "Charlie",
    "Ivy",
    "Max",
    "Sienna",
    "Lachlan",
    "Georgia",
    "Cooper",
    "Mohammed",
    "Nguyen",
    "Linh",
    "Giorgos",
    "Eleni",
    "Marco",
    "Giulia",
    "Sean",
    "Siobhan",
    "Tane",
    "Aroha",
    "Katherine",
    "Bartholomew",
    "Evangeline",
];

/// More surnames, beside the demo clinic's own, for a 100k-contact clinic.
const EXTRA_LAST_NAMES: [&str; 50] = [
    "Davis",
    "Wright",
    "Evans",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Wang",
    "Le",
    "Russo",
    "MacDonald",
    "Fotheringham",
    "Quarrington",
    "Marchbanks",
    "Whitfield",
    "Ashworth",
    "Blackwood",
    "Cavanagh",
    "Delaney",
    "Ellison",
    "Fairweather",
    "Gallagher",
    "Hargreaves",
    "Iredale",
    "Jamieson",
    "Kensington",
    "Lockhart",
    "Montgomery",
    "Nicholson",
    "Oakley",
    "Prendergast",
    "Quinlan",
    "Rutherford",
    "Sutherland",
    "Templeton",
    "Underwood",
    "Vandermeer",
    "Wetherall",
    "Yarwood",
    "Zimmermann",
    "Abernethy",
    "Bellamy",
    "Castellano",
    "Dimitriou",
    "Esposito",
    "Fitzgerald",
    "Giannopoulos",
    "Hadley",
];

/// Stage ids with weights: most enquiries are early in the pipeline.
const STAGES: [(&str, u32); 6] = [
    ("01K0STAGE00000000000000001", 30),
    ("01K0STAGE00000000000000002", 20),
    ("01K0STAGE00000000000000003", 15),
    ("01K0STAGE00000000000000004", 20),
    ("01K0STAGE00000000000000005", 10),
    ("01K0STAGE00000000000000006", 5),
];

/// One generated contact: what search benchmarks query by.
#[derive(Clone, Debug)]
pub struct Generated {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub email: String,
}

/// Inserts `count` contacts (500 per statement) and returns them.
pub async fn contacts(db: &Db, count: usize, seed: u64) -> anyhow::Result<Vec<Generated>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let locations: Vec<String> = domain::on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM locations ORDER BY name").fetch_all(pool).await?
    });
    let total_weight: u32 = STAGES.iter().map(|(_, w)| w).sum();
    let now = Utc::now();
    let first_names = names(&demo_seed::FIRST_NAMES, &EXTRA_FIRST_NAMES);
    let last_names = names(&demo_seed::LAST_NAMES, &EXTRA_LAST_NAMES);
    let mut made = Vec::with_capacity(count);
    for start in (0..count).step_by(500) {
        let rows = (start..(start + 500).min(count))
            .map(|n| {
                let first = first_names[rng.random_range(0..first_names.len())];
                let last = last_names[rng.random_range(0..last_names.len())];
                let mut pick = rng.random_range(0..total_weight);
                let stage = STAGES
                    .iter()
                    .find(|(_, w)| {
                        if pick < *w {
                            true
                        } else {
                            pick -= w;
                            false
                        }
                    })
                    .map(|(s, _)| *s)
                    .unwrap_or(STAGES[0].0);
                let created = now - Duration::minutes(rng.random_range(0..(2 * 365 * 24 * 60)));
                let contact = Generated {
                    id: ulid::Ulid::from_datetime(created.into()).to_string(),
                    first_name: first.to_owned(),
                    last_name: last.to_owned(),
                    phone: format!("+614{:08}", 10_000_000 + n),
                    email: format!(
                        "{}.{}{}@example.com",
                        first.to_lowercase(),
                        last.to_lowercase().replace('\'', ""),
                        n
                    ),
                };
                let location = locations[rng.random_range(0..locations.len())].clone();
                let source = ContactSource::ALL[rng.random_range(0..ContactSource::ALL.len())].as_str();
                let modality = Modality::ALL[rng.random_range(0..Modality::ALL.len())].as_str();
                (contact, stage, location, source, modality, Timestamp(created))
            })
            .collect::<Vec<_>>();
        let placeholders: Vec<String> =
            (0..rows.len()).map(|i| format!("({})", domain::db::placeholders(i * 11 + 1, 11))).collect();
        let sql = format!(
            "INSERT INTO contacts (id, first_name, last_name, phone, email, source, requested_modality, stage_id, \
             location_id, created_at, updated_at) VALUES {}",
            placeholders.join(", ")
        );
        domain::on_db!(db, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (c, stage, location, source, modality, created) in &rows {
                query = query
                    .bind(c.id.clone()).bind(c.first_name.clone()).bind(c.last_name.clone()).bind(c.phone.clone())
                    .bind(c.email.clone()).bind(*source).bind(*modality).bind(*stage).bind(location.clone())
                    .bind(*created).bind(*created);
            }
            query.execute(pool).await?;
        });
        made.extend(rows.into_iter().map(|(c, ..)| c));
    }
    if let domain::Pool::Postgres(pool) = db.pool() {
        sqlx::query("ANALYZE contacts").execute(pool).await?;
    }
    Ok(made)
}
