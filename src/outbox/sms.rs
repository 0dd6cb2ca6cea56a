//! Sending SMS through an HTTP gateway (a JSON or form endpoint, or Twilio's Messages API), and
//! telling temporary failures (connection, 429, 5xx: retry) from permanent ones (other 4xx).

use std::time::Duration;

use super::Claimed;
use super::smtp::SendError;
use crate::config::{SmsConfig, SmsFormat};

#[derive(Clone)]
pub struct SmsSender {
    client: reqwest::Client,
    config: SmsConfig,
}

impl SmsSender {
    pub fn new(config: &SmsConfig) -> anyhow::Result<SmsSender> {
        if config.format == SmsFormat::Twilio && (config.username.is_none() || config.password.is_none()) {
            anyhow::bail!(
                "the twilio SMS format needs FRONTDESK_SMS_USERNAME (account SID) and FRONTDESK_SMS_PASSWORD (auth token)"
            );
        }
        if config.format == SmsFormat::Twilio && config.from.is_none() {
            anyhow::bail!("the twilio SMS format needs FRONTDESK_SMS_FROM (the sending number)");
        }
        let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build()?;
        Ok(SmsSender { client, config: config.clone() })
    }

    pub async fn send(&self, message: &Claimed) -> Result<(), SendError> {
        let c = &self.config;
        let request = match c.format {
            SmsFormat::Json => {
                let body = serde_json::json!({ "to": message.recipient, "body": message.text, "from": c.from });
                self.client.post(c.url.clone()).json(&body)
            }
            SmsFormat::Form => {
                let mut form = vec![("to", message.recipient.as_str()), ("body", message.text.as_str())];
                if let Some(from) = &c.from {
                    form.push(("from", from));
                }
                self.client.post(c.url.clone()).form(&form)
            }
            SmsFormat::Twilio => {
                let sid = c.username.as_deref().unwrap_or_default();
                let url = format!("{}/2010-04-01/Accounts/{sid}/Messages.json", c.url.as_str().trim_end_matches('/'));
                let from = c.from.as_deref().unwrap_or_default();
                let form = [("To", message.recipient.as_str()), ("From", from), ("Body", message.text.as_str())];
                self.client.post(url).form(&form)
            }
        };
        let request = match (&c.token, &c.username, &c.password) {
            (Some(token), _, _) => request.bearer_auth(token.expose()),
            (None, Some(user), password) => request.basic_auth(user, password.as_ref().map(|p| p.expose())),
            _ => request,
        };
        let response =
            request.send().await.map_err(|e| SendError::Temporary(format!("SMS gateway unreachable: {e}")))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let detail: String = response.text().await.unwrap_or_default().chars().take(300).collect();
        let reason = format!("SMS gateway answered {status}: {detail}");
        if status.as_u16() == 429 || status.is_server_error() {
            Err(SendError::Temporary(reason))
        } else {
            Err(SendError::Permanent(reason))
        }
    }
}
