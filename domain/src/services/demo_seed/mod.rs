//! `seed-demo`: a believable imaging clinic for trying the product and for the browser tests.
//!
//! Idempotent: a `settings` marker row is claimed in the same transaction as the data, so a
//! second run (or two runs at once on PostgreSQL) adds nothing. The data is generated from a
//! fixed seed, so every demo install shows the same clinic.

use chrono::{Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ulid::Ulid;

mod bookings;

use crate::on_db;
use crate::services::users;
use crate::time::Timestamp;
use crate::{Db, DomainError};

/// How many demo contacts are spread over the pipeline.
pub const DEMO_CONTACTS: usize = 200;
const SEED_MARKER: &str = "demo_seed.version";

/// What a `seed-demo` run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReport {
    /// True when the demo data was already there and nothing was added.
    pub already_seeded: bool,
    /// Sign-in accounts added (one per role).
    pub accounts: usize,
    pub contacts: usize,
    pub touchpoints: usize,
    pub tasks: usize,
    /// Bookings over the past and next three weeks.
    pub bookings: usize,
}

struct DemoLocation {
    name: &'static str,
    time_zone: &'static str,
    address: &'static str,
    phone: &'static str,
}

const LOCATIONS: [DemoLocation; 2] = [
    DemoLocation {
        name: "Sydney CBD",
        time_zone: "Australia/Sydney",
        address: "Level 3, 255 Pitt Street, Sydney NSW 2000",
        phone: "+61292000100",
    },
    DemoLocation {
        name: "Brisbane North",
        time_zone: "Australia/Brisbane",
        address: "14 Gympie Road, Chermside QLD 4032",
        phone: "+61730000200",
    },
];

/// (code, name, modality, minutes, price in cents, preparation, referral required)
type DemoService = (&'static str, &'static str, &'static str, i32, i64, Option<&'static str>, bool);
const SERVICES: [DemoService; 6] = [
    (
        "mri-knee",
        "MRI knee",
        "mri",
        30,
        42_000,
        Some("Remove all metal. Tell us about implants or pacemakers."),
        true,
    ),
    (
        "mri-brain",
        "MRI brain",
        "mri",
        45,
        55_000,
        Some("Remove all metal. Tell us about implants or pacemakers."),
        true,
    ),
    (
        "ct-abdomen",
        "CT abdomen and pelvis",
        "ct",
        20,
        38_000,
        Some("No food for 4 hours before; water is fine."),
        true,
    ),
    (
        "us-pelvis",
        "Pelvic ultrasound",
        "ultrasound",
        30,
        18_000,
        Some("Drink 1 litre of water an hour before and do not empty your bladder."),
        false,
    ),
    ("xray-chest", "Chest X-ray", "xray", 10, 6_500, None, false),
    (
        "mammo-screen",
        "Screening mammogram",
        "mammography",
        20,
        12_000,
        Some("Please do not wear deodorant or talcum powder."),
        false,
    ),
];

/// (email, display name, role, job title)
const STAFF: [(&str, &str, &str, &str); 9] = [
    ("amelia.hart@avatar.test", "Amelia Hart", "manager", "Practice manager"),
    ("josh.nguyen@avatar.test", "Josh Nguyen", "reception", "Receptionist"),
    ("priya.raman@avatar.test", "Priya Raman", "reception", "Receptionist"),
    ("tom.okafor@avatar.test", "Tom Okafor", "readonly", "MRI radiographer"),
    ("grace.lee@avatar.test", "Grace Lee", "readonly", "Sonographer"),
    ("ella.fitzgerald@avatar.test", "Ella Fitzgerald", "marketing", "Marketing coordinator"),
    ("hannah.brooks@avatar.test", "Hannah Brooks", "readonly", "MRI radiographer"),
    ("ravi.patel@avatar.test", "Ravi Patel", "readonly", "CT and X-ray radiographer"),
    ("mei.chen@avatar.test", "Mei Chen", "readonly", "Mammographer"),
];

const TAGS: [(&str, &str); 5] = [
    ("referral received", "emerald"),
    ("claustrophobic", "amber"),
    ("needs interpreter", "sky"),
    ("urgent", "rose"),
    ("returning patient", "violet"),
];

/// Also the start of the benchmark generator's list.
pub const FIRST_NAMES: [&str; 40] = [
    "Olivia",
    "Liam",
    "Charlotte",
    "Noah",
    "Amelia",
    "Jack",
    "Isla",
    "William",
    "Mia",
    "Oliver",
    "Ava",
    "Leo",
    "Grace",
    "Henry",
    "Chloe",
    "Lucas",
    "Zoe",
    "Thomas",
    "Ruby",
    "James",
    "Aisha",
    "Wei",
    "Priya",
    "Mateo",
    "Fatima",
    "Hiroshi",
    "Sofia",
    "Arjun",
    "Mei",
    "Dimitri",
    "Hannah",
    "Samuel",
    "Leila",
    "Ethan",
    "Nikita",
    "Connor",
    "Ngaio",
    "Tariq",
    "Elena",
    "Kai",
];

pub const LAST_NAMES: [&str; 40] = [
    "Smith",
    "Jones",
    "Williams",
    "Brown",
    "Wilson",
    "Taylor",
    "Johnson",
    "White",
    "Martin",
    "Anderson",
    "Thompson",
    "Nguyen",
    "Thomas",
    "Walker",
    "Harris",
    "Lee",
    "Ryan",
    "Robinson",
    "Kelly",
    "King",
    "Pemberton",
    "Chen",
    "Patel",
    "Papadopoulos",
    "Rossi",
    "Kim",
    "O'Brien",
    "Singh",
    "Tran",
    "Murphy",
    "Campbell",
    "Stewart",
    "Mitchell",
    "Khan",
    "Garcia",
    "Novak",
    "Haddad",
    "Tanaka",
    "Fraser",
    "Kowalski",
];

const DOCTORS: [&str; 6] = [
    "Dr Helen Nguyen (Surry Hills Medical)",
    "Dr Marcus Reid (Chermside Family Practice)",
    "Dr Anika Bose (Pitt St Sports Medicine)",
    "Dr Robert Lam (Kedron GP Clinic)",
    "Dr Sarah O'Connell (Darlinghurst Women's Health)",
    "Dr Daniel Cho (North Sydney Orthopaedics)",
];

/// (requested modality, an enquiry note a receptionist might write)
const ENQUIRIES: [(&str, &str); 10] = [
    ("mri", "Knee pain after a netball fall; GP referral for MRI left knee."),
    ("mri", "Recurring headaches, referred for MRI brain. Asked about wait times."),
    ("ct", "Referred for CT abdomen, wants an early morning slot."),
    ("ultrasound", "Pelvic ultrasound, asked about preparation and cost."),
    ("xray", "Chest X-ray for a work medical, no referral yet."),
    ("mammography", "Due for a screening mammogram, last one two years ago."),
    ("mri", "Shoulder injury from surfing, physio suggested MRI."),
    ("ultrasound", "Thyroid ultrasound requested by endocrinologist."),
    ("ct", "CT sinus, asked whether bulk billing applies."),
    ("xray", "Wrist X-ray after a fall, wants a same-day walk-in."),
];

/// Stage ids from the first migration with the share of demo contacts in each.
const STAGE_WEIGHTS: [(&str, u32); 6] = [
    ("01K0STAGE00000000000000001", 25),
    ("01K0STAGE00000000000000002", 20),
    ("01K0STAGE00000000000000003", 20),
    ("01K0STAGE00000000000000004", 20),
    ("01K0STAGE00000000000000005", 8),
    ("01K0STAGE00000000000000006", 7),
];

const SOURCES: [&str; 5] = ["web_form", "referral", "phone", "campaign", "walk_in"];

const TOUCHPOINTS: [(&str, &str); 6] = [
    ("call", "Called to discuss the referral and preparation."),
    ("sms", "Sent booking link by SMS."),
    ("email", "Emailed preparation instructions."),
    ("note", "Patient prefers afternoon appointments."),
    ("call", "Left a voicemail; will try again tomorrow."),
    ("stage_change", "Moved along the pipeline."),
];

const TASK_TITLES: [&str; 5] = [
    "Call back about referral",
    "Confirm appointment time",
    "Send preparation instructions",
    "Check Medicare eligibility",
    "Follow up after scan",
];

fn pick_stage(rng: &mut StdRng) -> &'static str {
    let total: u32 = STAGE_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (id, weight) in STAGE_WEIGHTS {
        if roll < weight {
            return id;
        }
        roll -= weight;
    }
    STAGE_WEIGHTS[0].0
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// The demo sign-in password for the role accounts below. Demo only: documented in the README.
pub const DEMO_PASSWORD: &str = "avatar-demo";

/// One sign-in account per role: (email, display name, role).
pub const DEMO_ACCOUNTS: [(&str, &str, &str); 5] = [
    ("admin@avatar.test", "Alex Admin", "admin"),
    ("manager@avatar.test", "Morgan Manager", "manager"),
    ("reception@avatar.test", "Riley Reception", "reception"),
    ("marketing@avatar.test", "Casey Marketing", "marketing"),
    ("readonly@avatar.test", "Robin Readonly", "readonly"),
];

/// Adds the per-role demo accounts that are missing (each run; cheap when they exist).
async fn seed_accounts(db: &Db) -> Result<usize, DomainError> {
    let mut added = 0;
    for (email, name, role) in DEMO_ACCOUNTS {
        let exists: Option<String> = on_db!(db, pool => {
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_optional(pool).await?
        });
        if exists.is_some() {
            continue;
        }
        let account = users::NewUser {
            email: email.into(),
            display_name: name.into(),
            role: role.into(),
            password: Some(DEMO_PASSWORD.into()),
            ..users::NewUser::default()
        };
        match users::create(db, None, account, &crate::RequestMeta::default()).await {
            Ok(_) => added += 1,
            // Another instance seeding at the same moment created it first.
            Err(DomainError::Conflict(_)) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(added)
}

/// Creates the demo clinic unless it is already there.
#[tracing::instrument(skip_all)]
pub async fn seed(db: &Db) -> Result<SeedReport, DomainError> {
    let accounts = seed_accounts(db).await?;
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(20_260_101);
    let mut report =
        SeedReport { already_seeded: false, accounts, contacts: 0, touchpoints: 0, tasks: 0, bookings: 0 };

    on_db!(db, pool => {
        let mut tx = pool.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, '1', $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(SEED_MARKER)
        .bind(Timestamp(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed == 0 {
            report.already_seeded = true;
            return Ok(report);
        }

        let mut location_ids = Vec::new();
        for location in &LOCATIONS {
            sqlx::query(
                "INSERT INTO locations (id, name, time_zone, address, phone, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (name) DO NOTHING",
            )
            .bind(Ulid::new().to_string())
            .bind(location.name)
            .bind(location.time_zone)
            .bind(location.address)
            .bind(location.phone)
            .bind(Timestamp(now))
            .execute(&mut *tx)
            .await?;
            let id: String = sqlx::query_scalar("SELECT id FROM locations WHERE name = $1")
                .bind(location.name)
                .fetch_one(&mut *tx)
                .await?;
            location_ids.push(id);
        }

        for (code, name, modality, minutes, price_cents, preparation, referral) in SERVICES {
            sqlx::query(
                "INSERT INTO services (id, code, name, modality, duration_minutes, price_cents, \
                 currency, preparation, referral_required, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'AUD', $7, $8, TRUE, $9) ON CONFLICT (code) DO NOTHING",
            )
            .bind(Ulid::new().to_string())
            .bind(code)
            .bind(name)
            .bind(modality)
            .bind(minutes)
            .bind(price_cents)
            .bind(preparation)
            .bind(referral)
            .bind(Timestamp(now))
            .execute(&mut *tx)
            .await?;
        }

        let mut staff_ids = Vec::new();
        for (email, display_name, role, job_title) in STAFF {
            sqlx::query(
                "INSERT INTO users (id, email, display_name, role, job_title, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, TRUE, $6) ON CONFLICT (email) DO NOTHING",
            )
            .bind(Ulid::new().to_string())
            .bind(email)
            .bind(display_name)
            .bind(role)
            .bind(job_title)
            .bind(Timestamp(now))
            .execute(&mut *tx)
            .await?;
            let id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&mut *tx)
                .await?;
            staff_ids.push(id);
        }
        // Reception and the manager own leads and tasks.
        let owners = &staff_ids[..3];

        let mut tag_ids = Vec::new();
        for (name, color) in TAGS {
            sqlx::query("INSERT INTO tags (id, name, color) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                .bind(Ulid::new().to_string())
                .bind(name)
                .bind(color)
                .execute(&mut *tx)
                .await?;
            let id: String = sqlx::query_scalar("SELECT id FROM tags WHERE name = $1")
                .bind(name)
                .fetch_one(&mut *tx)
                .await?;
            tag_ids.push(id);
        }

        for n in 0..DEMO_CONTACTS {
            let first = *pick(&mut rng, &FIRST_NAMES);
            let last = *pick(&mut rng, &LAST_NAMES);
            let (modality, note) = *pick(&mut rng, &ENQUIRIES);
            let source = *pick(&mut rng, &SOURCES);
            let stage = pick_stage(&mut rng);
            // Spread over the last 90 days, a few every week, newest first in the id order.
            let created = now - Duration::minutes(rng.random_range(30..90 * 24 * 60));
            let birth_year = rng.random_range(1945..2006);
            let birth = NaiveDate::from_ymd_opt(birth_year, rng.random_range(1..=12), rng.random_range(1..=28));
            let email_local: String = format!("{first}.{last}{n}")
                .to_lowercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect();
            let contact_id = Ulid::from_datetime(created.into()).to_string();
            let referring = (source == "referral" || rng.random_bool(0.4)).then(|| *pick(&mut rng, &DOCTORS));
            sqlx::query(
                "INSERT INTO contacts (id, first_name, last_name, phone, email, date_of_birth, source, \
                 referring_doctor, requested_modality, notes, stage_id, location_id, owner_id, warmness, \
                 sms_consent, email_consent, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, $15, $16, $16)",
            )
            .bind(&contact_id)
            .bind(first)
            .bind(last)
            .bind(format!("+614{:08}", rng.random_range(0..100_000_000u32)))
            .bind(format!("{email_local}@example.com"))
            .bind(birth)
            .bind(source)
            .bind(referring)
            .bind(modality)
            .bind(note)
            .bind(stage)
            .bind(pick(&mut rng, &location_ids))
            .bind(pick(&mut rng, owners))
            .bind(rng.random_bool(0.85))
            .bind(rng.random_bool(0.6))
            .bind(Timestamp(created))
            .execute(&mut *tx)
            .await?;
            report.contacts += 1;

            if rng.random_bool(0.35) {
                sqlx::query("INSERT INTO contact_tags (contact_id, tag_id) VALUES ($1, $2)")
                    .bind(&contact_id)
                    .bind(pick(&mut rng, &tag_ids))
                    .execute(&mut *tx)
                    .await?;
            }

            let touches = rng.random_range(1..=4);
            for t in 0..touches {
                let (kind, summary) = *pick(&mut rng, &TOUCHPOINTS);
                let at = created + Duration::hours(6 * (t + 1));
                sqlx::query(
                    "INSERT INTO touchpoints (id, contact_id, kind, summary, user_id, occurred_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(Ulid::new().to_string())
                .bind(&contact_id)
                .bind(kind)
                .bind(summary)
                .bind(pick(&mut rng, owners))
                .bind(Timestamp(at.min(now)))
                .execute(&mut *tx)
                .await?;
                report.touchpoints += 1;
            }

            if rng.random_bool(0.25) {
                // Due between three days ago (overdue) and a week ahead; some already done.
                let due = now + Duration::hours(rng.random_range(-72..168));
                let completed = rng.random_bool(0.3).then(|| Timestamp(now - Duration::hours(1)));
                sqlx::query(
                    "INSERT INTO tasks (id, contact_id, title, assignee_id, due_at, completed_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(Ulid::new().to_string())
                .bind(&contact_id)
                .bind(*pick(&mut rng, &TASK_TITLES))
                .bind(pick(&mut rng, owners))
                .bind(Timestamp(due))
                .bind(completed)
                .bind(Timestamp(created))
                .execute(&mut *tx)
                .await?;
                report.tasks += 1;
            }
        }
        tx.commit().await?;
    });
    if !report.already_seeded {
        report.bookings = bookings::seed(db, now).await?;
        // Scored as the nightly run would, from the records, timelines and bookings just made.
        crate::services::ai::warmness::sweep(db).await?;
        // Read as the nightly run would, by the built-in engine (seeding asks no model).
        let builtin = crate::services::ai::engine::Engine::builtin();
        crate::services::ai::enrich::sweep_unread(db, &builtin).await?;
    }
    tracing::info!(
        contacts = report.contacts,
        tasks = report.tasks,
        bookings = report.bookings,
        "demo data seeded"
    );
    Ok(report)
}
