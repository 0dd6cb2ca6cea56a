//! Sending email over SMTP with lettre, and telling temporary failures (retry later) from
//! permanent ones (give up and say why).

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::Claimed;
use crate::config::{SmtpConfig, SmtpTls};

#[derive(Debug, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again later: connection refused, timeouts, 4xx answers.
    Temporary(String),
    /// Will not succeed: 5xx answers such as an unknown recipient, or an invalid address.
    Permanent(String),
}

#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    pub fn new(config: &SmtpConfig, from: &str) -> anyhow::Result<SmtpSender> {
        let from: Mailbox = from.parse().map_err(|e| {
            anyhow::anyhow!("FRONTDESK_MAIL_FROM {from:?} is not an address such as help@example.com: {e}")
        })?;
        let builder = match config.tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
            SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?,
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
        };
        let mut builder = builder.port(config.port).timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_string()));
        }
        Ok(SmtpSender { transport: builder.build(), from })
    }

    pub async fn send(&self, message: &Claimed) -> Result<(), SendError> {
        let mut from = self.from.clone();
        if let Some(name) = message.sender_name.as_ref().filter(|n| !n.trim().is_empty()) {
            from.name = Some(name.clone());
        }
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|e| SendError::Permanent(format!("the recipient address is not valid: {e}")))?;
        let body = match &message.html {
            Some(html) => MultiPart::alternative_plain_html(message.text.clone(), html.clone()),
            None => MultiPart::alternative_plain_html(message.text.clone(), String::new()),
        };
        // Stable across attempts (and nodes), so a receiver can drop a second copy.
        let domain = self.from.email.domain();
        let message_id = format!("<{}@{domain}>", message.message_key);
        let mut email = Message::builder().message_id(Some(message_id));
        if let Some(last) = message.thread_refs.last() {
            let references: Vec<String> = message.thread_refs.iter().map(|key| format!("<{key}@{domain}>")).collect();
            email = email.in_reply_to(format!("<{last}@{domain}>")).references(references.join(" "));
        }
        let email = email
            .from(from)
            .to(to)
            .subject(&message.subject)
            .multipart(body)
            .map_err(|e| SendError::Permanent(format!("the message could not be built: {e}")))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(describe(&e))),
            Err(e) => Err(SendError::Temporary(describe(&e))),
        }
    }
}

/// The error with its causes, as one line for the outbox page.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // lettre repeats the server's answer in its source; say each thing once.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
