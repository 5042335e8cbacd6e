//! The background worker this instance runs: which handler each kind of job has. The queue and
//! its rules are in `domain::jobs`; handlers that reach providers (SMS, email) live beside them
//! in the domain, and are wired here with this instance's configuration.

use std::sync::Arc;

use domain::Db;
use domain::jobs::queue::{ClaimedJob, Failure};
use domain::jobs::worker::{Handler, Worker, WorkerConfig};
use domain::model::JobKind;
use domain::providers::clicksend::ClickSend;
use domain::providers::email::{EmailProvider, Smtp};
use domain::providers::outbox::{EmailOutbox, SmsOutbox};
use domain::providers::sms::SmsProvider;

use crate::config::{Config, EmailSettings, SmsSettings};

/// Does nothing: what the queue benchmark and a liveness check enqueue.
pub struct Noop;

#[async_trait::async_trait]
impl Handler for Noop {
    async fn run(&self, _job: &ClaimedJob) -> Result<(), Failure> {
        Ok(())
    }
}

/// The SMS provider `SMS_PROVIDER` names.
pub fn sms_provider(settings: &SmsSettings) -> Result<Arc<dyn SmsProvider>, String> {
    Ok(match settings {
        SmsSettings::Outbox => Arc::new(SmsOutbox),
        SmsSettings::ClickSend(config) => {
            Arc::new(ClickSend::new(config.clone()).map_err(|e| format!("the ClickSend client: {e}"))?)
        }
    })
}

/// The email provider `SMTP_URL` names (the outbox without it).
pub fn email_provider(settings: &EmailSettings) -> Result<Arc<dyn EmailProvider>, String> {
    Ok(match settings {
        EmailSettings::Outbox => Arc::new(EmailOutbox),
        EmailSettings::Smtp { url, from, timeout } => Arc::new(Smtp::new(url, from, *timeout)?),
    })
}

/// The relay staff email goes through; none with the outbox, where the kept copy is the email.
fn staff_email_relay(settings: &EmailSettings) -> Result<Option<Arc<dyn EmailProvider>>, String> {
    Ok(match settings {
        EmailSettings::Outbox => None,
        EmailSettings::Smtp { .. } => Some(email_provider(settings)?),
    })
}

/// The worker with every kind of job this server knows, sending through `config`'s providers.
pub fn build(
    db: Db,
    jobs: WorkerConfig,
    config: &Config,
    ai: std::sync::Arc<domain::services::ai::engine::Engine>,
) -> Result<Worker, String> {
    use domain::jobs::housekeeping::{RecoverLeases, RetentionSweep};
    use domain::services::ai::enrich::{EnrichContact, EnrichmentSweep};
    use domain::services::ai::warmness::{RecalculateWarmness, WarmnessSweep};
    use domain::services::bookings::reminders::{NoShowSweep, SendReminder};
    use domain::services::bookings::waitlist::OfferFreedTime;
    use domain::services::messages::deliver::{DeliverEmail, DeliverSms};
    use domain::services::outbox::DeliverStaffEmail;
    Ok(Worker::new(db.clone(), jobs)
        .handle(JobKind::Noop, Noop)
        .handle(JobKind::RecoverLeases, RecoverLeases(db.clone()))
        .handle(JobKind::RetentionSweep, RetentionSweep(db.clone()))
        .handle(JobKind::SendSms, DeliverSms { db: db.clone(), provider: sms_provider(&config.sms)? })
        .handle(JobKind::SendEmail, DeliverEmail { db: db.clone(), provider: email_provider(&config.email)? })
        .handle(JobKind::BookingReminder, SendReminder(db.clone()))
        .handle(JobKind::NoShowSweep, NoShowSweep(db.clone()))
        .handle(JobKind::RecalculateWarmness, RecalculateWarmness(db.clone()))
        .handle(JobKind::WarmnessSweep, WarmnessSweep(db.clone()))
        .handle(JobKind::EnrichContact, EnrichContact { db: db.clone(), engine: ai.clone() })
        .handle(JobKind::EnrichmentSweep, EnrichmentSweep { db: db.clone(), engine: ai })
        .handle(
            JobKind::WaitlistOffer,
            OfferFreedTime { db: db.clone(), links: config.patient_links.clone() },
        )
        .handle(JobKind::SendStaffEmail, DeliverStaffEmail { db, relay: staff_email_relay(&config.email)? }))
}
