//! Sending one email: the trait, and SMTP through lettre (`SMTP_URL`: `smtp://host:587?tls=required`
//! for STARTTLS, `smtps://host:465` for TLS, credentials in the URL), multipart text + HTML.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::SendError;

/// An email to send; our message id becomes its `Message-ID`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// An email provider.
#[async_trait::async_trait]
pub trait EmailProvider: Send + Sync + 'static {
    /// For settings pages and logs (`smtp`, `outbox`).
    fn name(&self) -> &'static str;

    async fn send(&self, email: &OutgoingEmail) -> Result<(), SendError>;
}

/// SMTP.
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Smtp {
    // The transport holds the credentials: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Smtp {
    /// From `SMTP_URL` and `EMAIL_FROM` (`Clinic <noreply@clinic.example>`). The error names
    /// what is wrong, never the URL (it holds a password).
    pub fn new(url: &str, from: &str, timeout: Duration) -> Result<Smtp, String> {
        let from: Mailbox = from.parse().map_err(|e| format!("EMAIL_FROM is not an address: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| "SMTP_URL is not an smtp:// or smtps:// URL".to_owned())?
            .timeout(Some(timeout))
            .build();
        Ok(Smtp { transport, from })
    }

    /// Checks `SMTP_URL` and `EMAIL_FROM` as [`Smtp::new`] would, without building the
    /// transport (which needs a running Tokio runtime): configuration is read before one starts.
    pub fn check(url: &str, from: &str) -> Result<(), String> {
        from.parse::<Mailbox>().map_err(|e| format!("EMAIL_FROM is not an address: {e}"))?;
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|_| "SMTP_URL is not an smtp:// or smtps:// URL".to_owned())?;
        Ok(())
    }

    fn message(&self, email: &OutgoingEmail) -> Result<Message, SendError> {
        let to: Mailbox = email.to.parse().map_err(|_| SendError::Refused("not an email address".into()))?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<{}@avatar-crm>", email.message_id)));
        let built = match &email.html {
            Some(html) => {
                builder.multipart(MultiPart::alternative_plain_html(email.text.clone(), html.clone()))
            }
            None => builder.singlepart(SinglePart::plain(email.text.clone())),
        };
        built.map_err(|e| SendError::Refused(format!("the message could not be built: {e}")))
    }
}

#[async_trait::async_trait]
impl EmailProvider for Smtp {
    fn name(&self) -> &'static str {
        "smtp"
    }

    async fn send(&self, email: &OutgoingEmail) -> Result<(), SendError> {
        let message = self.message(email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(error) => {
                let code = error.status().map(|c| c.to_string()).unwrap_or_default();
                Err(if code == "535" || code == "530" {
                    SendError::Configuration(format!("SMTP {code}: authentication failed"))
                } else if error.is_permanent() {
                    SendError::Refused(format!("SMTP {code}"))
                } else {
                    SendError::Unavailable(if code.is_empty() {
                        error.to_string()
                    } else {
                        format!("SMTP {code}")
                    })
                })
            }
        }
    }
}
