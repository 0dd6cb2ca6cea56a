//! The emails sign-in sends: invitations, password resets, "your password was changed". Each has
//! a plain-text and an HTML part made from one description, absolute links, and a subject that
//! says what it is.
//!
//! Each is written in its recipient's language (`recipient_language`): build it inside
//! `i18n::render_in(lang, ..)`; the description remembers the language and renders both parts in
//! it, wherever `to` is called.

use askama::Template;
use sqlx::{AnyConnection, Row};

use super::links::Purpose;
use crate::i18n::Texts as _;
use crate::i18n::{Lang, t, t1, t2};
use crate::outbox::Email;
use crate::portals::Portal;

#[derive(Template)]
#[template(path = "auth/templates/email.txt")]
struct TextPart<'a> {
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<(String, String)>,
    after: &'a [String],
    signature: &'a str,
}

#[derive(Template)]
#[template(path = "auth/templates/email.html")]
struct HtmlPart<'a> {
    subject: &'a str,
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<(String, String)>,
    after: &'a [String],
    signature: &'a str,
}

/// What an email says, before it is rendered into its two parts.
pub struct EmailContent {
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    /// Button label and absolute URL.
    pub action: Option<(String, String)>,
    pub after: Vec<String>,
    pub signature: String,
    /// The language it is written in (the one current when it was made).
    pub lang: Lang,
}

impl EmailContent {
    pub fn to(self, recipient: &str, portal_id: Option<i64>, sender_name: Option<String>) -> Email {
        let text = TextPart {
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            after: &self.after,
            signature: &self.signature,
        };
        let html = HtmlPart {
            subject: &self.subject,
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            after: &self.after,
            signature: &self.signature,
        };
        let (text, html) = crate::i18n::render_in(self.lang, || (text.render(), html.render()));
        let text = text.expect("email text template renders");
        let html = html.expect("email html template renders");
        Email { portal_id, to: recipient.to_string(), sender_name, subject: self.subject, text, html, thread: None }
    }
}

/// The language to write to someone in: their own choice, else their portal's default, else
/// English. Never the language of whoever caused the email.
pub fn recipient_language(own: Option<Lang>, portal: Option<&Portal>) -> Lang {
    own.or(portal.and_then(|p| p.default_language)).unwrap_or_default()
}

/// A staff member's own language, read in the caller's transaction (the account may be new).
pub async fn staff_language(conn: &mut AnyConnection, staff_id: i64) -> Result<Option<Lang>, sqlx::Error> {
    let row = sqlx::query("SELECT language FROM staff WHERE id = $1").bind(staff_id).fetch_optional(conn).await?;
    Ok(row.as_ref().map(|r| crate::portals::language_of(r, "language")).transpose()?.flatten())
}

/// A customer's own language, read in the caller's transaction.
pub async fn customer_language(conn: &mut AnyConnection, customer_id: i64) -> Result<Option<Lang>, sqlx::Error> {
    let row =
        sqlx::query("SELECT language FROM customers WHERE id = $1").bind(customer_id).fetch_optional(conn).await?;
    Ok(row.as_ref().map(|r| crate::portals::language_of(r, "language")).transpose()?.flatten())
}

/// The default language shared by every portal a staff member works in (when no single portal
/// is concerned); none when they differ or none is set.
pub async fn staff_portals_language(db: &crate::db::Db, staff_id: i64) -> Result<Option<Lang>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT p.default_language FROM staff_portals sp JOIN portals p ON p.id = sp.portal_id WHERE sp.staff_id = $1",
    )
    .bind(staff_id)
    .fetch_all(db.pool())
    .await?;
    let mut languages = rows.iter().map(|r| r.try_get::<Option<String>, _>("default_language"));
    let first = match languages.next() {
        Some(l) => l?,
        None => return Ok(None),
    };
    for other in languages {
        if other? != first {
            return Ok(None);
        }
    }
    Ok(first.as_deref().and_then(Lang::parse))
}

/// Where the email comes from, in words: the portal's name or the product's.
pub struct Origin<'a> {
    pub portal_name: Option<&'a str>,
}

impl Origin<'_> {
    fn place(&self) -> String {
        self.portal_name.unwrap_or("Frontdesk").to_string()
    }
    fn signature(&self) -> String {
        self.place()
    }
}

fn greeting(name: &str) -> String {
    t1("email-greeting", "name", name)
}

/// An email in the current language (see `render_in`).
fn content(subject: String, greeting: String, paragraphs: Vec<String>, origin: &Origin) -> EmailContent {
    EmailContent {
        subject,
        greeting,
        paragraphs,
        action: None,
        after: vec![],
        signature: origin.signature(),
        lang: Lang::current(),
    }
}

impl EmailContent {
    fn with_action(mut self, label: String, url: &str) -> Self {
        self.action = Some((label, url.to_string()));
        self
    }
    fn then(mut self, after: String) -> Self {
        self.after.push(after);
        self
    }
}

/// The words for a staff role in an invitation ("an administrator").
pub fn role_words(role: crate::accounts::permissions::Role) -> String {
    match role {
        crate::accounts::permissions::Role::Admin => t("email-invite-role-admin"),
        crate::accounts::permissions::Role::Agent => t("email-invite-role-agent"),
    }
}

pub fn staff_invitation(
    name: &str,
    origin: &Origin,
    role: &str,
    link: &str,
    already_had_account: bool,
) -> EmailContent {
    let place = origin.place();
    let paragraphs = vec![
        t2("email-invite-staff-role", "role", role, "place", &place),
        if already_had_account { t("email-invite-staff-existing") } else { t("email-invite-staff-new") },
    ];
    let lifetime = Purpose::Invite.lifetime_text();
    content(t1("email-invite-staff-subject", "place", &place), greeting(name), paragraphs, origin)
        .with_action(t("email-set-password"), link)
        .then(t1("email-link-once-unexpected", "lifetime", lifetime))
}

pub fn customer_invitation(name: &str, origin: &Origin, link: &str) -> EmailContent {
    let place = origin.place();
    let lifetime = Purpose::Invite.lifetime_text();
    let paragraphs = vec![t1("email-invite-customer-body", "place", &place)];
    content(t1("email-invite-customer-subject", "place", &place), greeting(name), paragraphs, origin)
        .with_action(t("email-set-password"), link)
        .then(t1("email-link-once-unexpected", "lifetime", lifetime))
}

pub fn password_reset(name: &str, origin: &Origin, link: &str) -> EmailContent {
    let place = origin.place();
    let lifetime = Purpose::Reset.lifetime_text();
    let paragraphs = vec![t1("email-reset-body", "place", &place)];
    content(t1("email-reset-subject", "place", &place), greeting(name), paragraphs, origin)
        .with_action(t("email-reset-action"), link)
        .then(t1("email-reset-after", "lifetime", lifetime))
}

pub fn password_changed(
    name: &str,
    origin: &Origin,
    email: &str,
    sign_in_url: Option<&str>,
    others_signed_out: bool,
) -> EmailContent {
    let place = origin.place();
    let mut paragraphs = vec![t2("email-changed-body", "email", email, "place", &place)];
    if others_signed_out {
        paragraphs.push(t("email-changed-others"));
    }
    paragraphs.push(t("email-changed-links"));
    let mut email = content(t1("email-changed-subject", "place", &place), greeting(name), paragraphs, origin)
        .then(t("email-changed-after"));
    if let Some(url) = sign_in_url {
        email = email.with_action(t("email-changed-action"), url);
    }
    email
}

/// The answer to "Forgot your password?" for an account whose sign-in its organisation's
/// directory manages (Microsoft Entra ID): there is no Frontdesk password to reset.
pub fn self_managed(name: &str, origin: &Origin, sign_in_url: &str) -> EmailContent {
    let place = origin.place();
    let paragraphs = vec![t1("email-self-managed-asked", "place", &place), t("email-self-managed-body")];
    content(t1("email-self-managed-subject", "place", &place), greeting(name), paragraphs, origin)
        .with_action(t("email-self-managed-action"), sign_in_url)
        .then(t("email-self-managed-after"))
}

/// Tells a portal's administrators that someone signed in with Microsoft for the first time and
/// waits for their approval.
pub fn approval_needed(admin_name: &str, origin: &Origin, who: &str, email: &str, link: &str) -> EmailContent {
    let place = origin.place();
    let body = crate::i18n::Msg::new("email-approval-body").arg("who", who).arg("email", email).arg("place", &place);
    let paragraphs = vec![body.to_string(), t("email-approval-open")];
    content(t2("email-approval-subject", "who", who, "place", &place), greeting(admin_name), paragraphs, origin)
        .with_action(t("email-approval-action"), link)
}

/// Asks someone who already has a staff account to work in one more portal.
pub fn portal_invitation(name: &str, origin: &Origin, inviter: &str, role: &str, link: &str) -> EmailContent {
    let place = origin.place();
    let body = crate::i18n::Msg::new("email-portal-invite-body")
        .arg("inviter", inviter)
        .arg("place", &place)
        .arg("role", role);
    let paragraphs = vec![body.to_string(), t("email-portal-invite-how")];
    content(t2("email-portal-invite-subject", "inviter", inviter, "place", &place), greeting(name), paragraphs, origin)
        .with_action(t("email-portal-invite-action"), link)
        .then(t("email-portal-invite-after"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_parts_carry_the_link_and_html_is_escaped() {
        let origin = Origin { portal_name: Some("Acme <Support>") };
        let email =
            password_reset("Ana", &origin, "https://help.example.com/manage/password/abc").to("ana@x.test", None, None);
        assert_eq!(email.subject, "Reset your password for Acme <Support>");
        assert!(email.text.contains("https://help.example.com/manage/password/abc"));
        assert!(email.text.contains("Acme <Support>"));
        assert!(email.html.contains(r#"href="https://help.example.com/manage/password/abc""#));
        assert!(email.html.contains("Acme &#60;Support&#62;") || email.html.contains("Acme &lt;Support&gt;"));
    }

    #[test]
    fn an_email_is_written_in_the_language_it_was_made_in() {
        let origin = Origin { portal_name: Some("Acme") };
        let email = crate::i18n::render_in(Lang::PtBr, || password_reset("Ana", &origin, "https://x.test/p/abc")).to(
            "ana@x.test",
            None,
            None,
        );
        assert_eq!(email.subject, "Redefina sua senha de Acme");
        assert!(email.text.contains("Olá, Ana!"), "{}", email.text);
        assert!(email.html.contains(r#"<html lang="pt-BR">"#));
        assert!(email.html.contains("Se o botão não funcionar"));
        assert!(email.text.contains("1 hora"));
        let english = password_reset("Ana", &origin, "https://x.test/p/abc").to("ana@x.test", None, None);
        assert!(english.text.contains("Hello Ana,") && english.text.contains("expires in 1 hour."));
    }
}
