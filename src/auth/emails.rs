//! The emails sign-in sends: invitations, password resets, "your password was changed". Each has
//! a plain-text and an HTML part made from one description, absolute links, and a subject that
//! says what it is.

use askama::Template;

use super::links::Purpose;
use crate::outbox::Email;

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
}

impl EmailContent {
    pub fn to(self, recipient: &str, portal_id: Option<i64>, sender_name: Option<String>) -> Email {
        let text = TextPart {
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            after: &self.after,
            signature: &self.signature,
        }
        .render()
        .expect("email text template renders");
        let html = HtmlPart {
            subject: &self.subject,
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            action: &self.action,
            after: &self.after,
            signature: &self.signature,
        }
        .render()
        .expect("email html template renders");
        Email { portal_id, to: recipient.to_string(), sender_name, subject: self.subject, text, html }
    }
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

pub fn staff_invitation(
    name: &str,
    origin: &Origin,
    role: &str,
    link: &str,
    already_had_account: bool,
) -> EmailContent {
    let place = origin.place();
    let mut paragraphs = vec![format!("You have been made {role} in {place}.")];
    if already_had_account {
        paragraphs.push(
            "Set your password with the link below. The password you set is the one you use everywhere you work \
             in Frontdesk; until you set it, your current password keeps working."
                .into(),
        );
    } else {
        paragraphs.push(
            "Choose your password with the link below; then sign in to the management interface with your email \
             address and that password."
                .into(),
        );
    }
    EmailContent {
        subject: format!("Set your password for {place}"),
        greeting: format!("Hello {name},"),
        paragraphs,
        action: Some(("Set your password".into(), link.into())),
        after: vec![format!(
            "The link works once and expires in {}. If you did not expect this email, you can ignore it.",
            Purpose::Invite.lifetime_text()
        )],
        signature: origin.signature(),
    }
}

pub fn customer_invitation(name: &str, origin: &Origin, link: &str) -> EmailContent {
    let place = origin.place();
    EmailContent {
        subject: format!("Your account at {place}"),
        greeting: format!("Hello {name},"),
        paragraphs: vec![format!(
            "An account has been created for you at {place}. Choose your password with the link below to sign in \
             and follow your requests."
        )],
        action: Some(("Set your password".into(), link.into())),
        after: vec![format!(
            "The link works once and expires in {}. If you did not expect this email, you can ignore it.",
            Purpose::Invite.lifetime_text()
        )],
        signature: origin.signature(),
    }
}

pub fn password_reset(name: &str, origin: &Origin, link: &str) -> EmailContent {
    let place = origin.place();
    EmailContent {
        subject: format!("Reset your password for {place}"),
        greeting: format!("Hello {name},"),
        paragraphs: vec![format!(
            "Someone, hopefully you, asked to reset the password of your account at {place}. Choose a new password \
             with the link below."
        )],
        action: Some(("Choose a new password".into(), link.into())),
        after: vec![format!(
            "The link works once and expires in {}. If you did not ask for it, ignore this email: your password \
                 stays as it is.",
            Purpose::Reset.lifetime_text()
        )],
        signature: origin.signature(),
    }
}

pub fn password_changed(
    name: &str,
    origin: &Origin,
    email: &str,
    sign_in_url: Option<&str>,
    others_signed_out: bool,
) -> EmailContent {
    let place = origin.place();
    let mut paragraphs = vec![format!("The password of your account {email} at {place} has just been changed.")];
    if others_signed_out {
        paragraphs.push("Every other session of your account has been signed out.".into());
    }
    paragraphs.push("Links sent to you earlier to set or reset your password no longer work.".into());
    EmailContent {
        subject: format!("Your password for {place} was changed"),
        greeting: format!("Hello {name},"),
        paragraphs,
        action: sign_in_url.map(|url| ("Sign in".into(), url.into())),
        after: vec!["If you did not change it, contact your administrator at once.".into()],
        signature: origin.signature(),
    }
}

/// The answer to "Forgot your password?" for an account whose sign-in its organisation's
/// directory manages (Microsoft Entra ID): there is no Frontdesk password to reset.
pub fn self_managed(name: &str, origin: &Origin, sign_in_url: &str) -> EmailContent {
    let place = origin.place();
    EmailContent {
        subject: format!("About your password for {place}"),
        greeting: format!("Hello {name},"),
        paragraphs: vec![
            format!("Someone, hopefully you, asked to reset the password of your account at {place}."),
            format!(
                "{} You sign in with your Microsoft account, so there is no Frontdesk password to reset.",
                crate::sso::SELF_MANAGED
            ),
        ],
        action: Some(("Sign in with Microsoft".into(), sign_in_url.into())),
        after: vec!["If you did not ask for this, you can ignore this email.".into()],
        signature: origin.signature(),
    }
}

/// Tells a portal's administrators that someone signed in with Microsoft for the first time and
/// waits for their approval.
pub fn approval_needed(admin_name: &str, origin: &Origin, who: &str, email: &str, link: &str) -> EmailContent {
    let place = origin.place();
    EmailContent {
        subject: format!("{who} is waiting for approval in {place}"),
        greeting: format!("Hello {admin_name},"),
        paragraphs: vec![
            format!(
                "{who} ({email}) signed in to {place} with Microsoft for the first time. An agent account with no                  permissions was created for them; they cannot sign in until an administrator approves it."
            ),
            "Open the account to approve it, give it permissions and departments, or disable it.".into(),
        ],
        action: Some(("Review the account".into(), link.into())),
        after: vec![],
        signature: origin.signature(),
    }
}

/// Asks someone who already has a staff account to work in one more portal.
pub fn portal_invitation(name: &str, origin: &Origin, inviter: &str, role: &str, link: &str) -> EmailContent {
    let place = origin.place();
    EmailContent {
        subject: format!("{inviter} invites you to work in {place}"),
        greeting: format!("Hello {name},"),
        paragraphs: vec![
            format!("{inviter} invites you to work in {place} as {role}, with the Frontdesk account you already have."),
            "Sign in as usual and accept or decline the invitation. Nothing changes until you accept.".into(),
        ],
        action: Some(("See the invitation".into(), link.into())),
        after: vec!["If you do not know why you got this, decline it or ignore this email.".into()],
        signature: origin.signature(),
    }
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
}
