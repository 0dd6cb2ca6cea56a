//! What each ticket email says, in the language current when it is made (build it inside
//! `render_in(recipient's language, ..)`), and its plain-text and HTML parts.

use askama::Template;

use crate::i18n::Texts as _;
use crate::i18n::{Lang, Msg, t, t1};
use crate::outbox::{Email, Thread};

/// A message of the thread, shown in the email.
pub struct Quote {
    pub author: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "tickets/templates/emails/ticket.txt")]
struct TextPart<'a> {
    greeting: &'a str,
    paragraphs: &'a [String],
    quote: &'a Option<Quote>,
    action: &'a Option<(String, String)>,
    links: &'a [(String, String)],
    after: &'a [String],
    signature: &'a str,
}

#[derive(Template)]
#[template(path = "tickets/templates/emails/ticket.html")]
struct HtmlPart<'a> {
    subject: &'a str,
    greeting: &'a str,
    paragraphs: &'a [String],
    quote: &'a Option<Quote>,
    action: &'a Option<(String, String)>,
    links: &'a [(String, String)],
    after: &'a [String],
    signature: &'a str,
}

/// What the ticket is, for the words of its emails.
pub struct About<'a> {
    pub number: i64,
    pub subject: &'a str,
    /// The portal's name, which signs the email.
    pub place: &'a str,
    /// The link to the ticket for this recipient.
    pub url: &'a str,
}

impl About<'_> {
    /// A message that names the ticket's number and subject.
    fn msg(&self, key: &'static str) -> Msg {
        Msg::new(key).arg("number", self.number.to_string()).arg("subject", self.subject)
    }
}

/// One ticket email before it is rendered: always a greeting, words, a link to the ticket.
pub struct TicketEmail {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    quote: Option<Quote>,
    action: Option<(String, String)>,
    /// More links after the action (the rating links), each with its label.
    links: Vec<(String, String)>,
    after: Vec<String>,
    signature: String,
    lang: Lang,
}

impl TicketEmail {
    fn new(about: &About, subject_key: &'static str, name: &str, paragraph: Msg, action_key: &str) -> TicketEmail {
        TicketEmail {
            subject: about.msg(subject_key).to_string(),
            greeting: t1("email-greeting", "name", name),
            paragraphs: vec![paragraph.to_string()],
            quote: None,
            action: Some((t(action_key), about.url.to_string())),
            links: vec![],
            after: vec![],
            signature: about.place.to_string(),
            lang: Lang::current(),
        }
    }

    fn quoting(mut self, quote: Quote) -> Self {
        self.quote = Some(quote);
        self
    }

    fn then(mut self, key: &str) -> Self {
        self.after.push(t(key));
        self
    }

    /// The email to `to`, in the language it was made in, in the ticket's conversation.
    pub fn to(self, to: &str, portal_id: i64, sender_name: Option<String>, thread: Thread) -> Email {
        let text = TextPart {
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            quote: &self.quote,
            action: &self.action,
            links: &self.links,
            after: &self.after,
            signature: &self.signature,
        };
        let html = HtmlPart {
            subject: &self.subject,
            greeting: &self.greeting,
            paragraphs: &self.paragraphs,
            quote: &self.quote,
            action: &self.action,
            links: &self.links,
            after: &self.after,
            signature: &self.signature,
        };
        let (text, html) = crate::i18n::render_in(self.lang, || (text.render(), html.render()));
        Email {
            portal_id: Some(portal_id),
            to: to.to_string(),
            sender_name,
            subject: self.subject,
            text: text.expect("ticket email text renders"),
            html: html.expect("ticket email html renders"),
            thread: Some(thread),
        }
    }
}

// ---- to the requester -------------------------------------------------------------------------

/// "We received your request", with their first message.
pub fn received(about: &About, name: &str, first_message: &str) -> TicketEmail {
    let body = about.msg("ticket-email-received-body");
    TicketEmail::new(about, "ticket-email-received-subject", name, body, "ticket-email-follow")
        .quoting(Quote { author: t("ticket-email-your-message"), body: first_message.to_string() })
        .then("ticket-email-answer-on-page")
}

/// A public reply of the desk, with its text.
pub fn desk_reply(about: &About, name: &str, reply: Quote) -> TicketEmail {
    let body = about.msg("ticket-email-reply-body").arg("author", &reply.author);
    TicketEmail::new(about, "ticket-email-reply-subject", name, body, "ticket-email-follow")
        .quoting(reply)
        .then("ticket-email-answer-on-page")
}

/// The desk marked the ticket resolved; with the links to rate it (good, bad), if given.
pub fn resolved(about: &About, name: &str, rate: Option<(&str, &str)>) -> TicketEmail {
    let body = about.msg("ticket-email-resolved-body");
    let mut email = TicketEmail::new(about, "ticket-email-resolved-subject", name, body, "ticket-email-follow");
    if let Some((good, bad)) = rate {
        email.paragraphs.push(t("ticket-rating-email-ask"));
        email.links = vec![(t("ticket-rating-good"), good.to_string()), (t("ticket-rating-bad"), bad.to_string())];
    }
    email
}

// ---- to agents --------------------------------------------------------------------------------

/// A new ticket in one of the agent's departments, with its first message.
pub fn new_ticket(about: &About, name: &str, department: &str, first: Quote) -> TicketEmail {
    let body = about.msg("ticket-email-new-body").arg("requester", &first.author).arg("department", department);
    TicketEmail::new(about, "ticket-email-new-subject", name, body, "ticket-email-open")
        .quoting(first)
        .then("ticket-email-preferences")
}

/// A ticket assigned to the agent, by someone else (`by`) or by the desk itself.
pub fn assigned(about: &About, name: &str, by: Option<&str>) -> TicketEmail {
    let body = match by {
        Some(actor) => about.msg("ticket-email-assigned-body").arg("actor", actor),
        None => about.msg("ticket-email-assigned-body-system"),
    };
    TicketEmail::new(about, "ticket-email-assigned-subject", name, body, "ticket-email-open")
        .then("ticket-email-preferences")
}

/// The customer replied on a ticket assigned to the agent.
pub fn customer_reply(about: &About, name: &str, reply: Quote) -> TicketEmail {
    let body = about.msg("ticket-email-customer-reply-body").arg("customer", &reply.author);
    TicketEmail::new(about, "ticket-email-customer-reply-subject", name, body, "ticket-email-open")
        .quoting(reply)
        .then("ticket-email-preferences")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn about() -> About<'static> {
        About { number: 1042, subject: "Printer <on fire>", place: "Acme", url: "https://help.test/tickets/1042" }
    }

    #[test]
    fn subjects_start_with_the_number_and_bodies_carry_the_text_escaped_in_html() {
        let quote = Quote { author: "Bob".into(), body: "Line one\n<b>two</b>".into() };
        let email = desk_reply(&about(), "Ana", quote).to("ana@x.test", 1, None, Thread::default());
        assert!(email.subject.starts_with("[#1042] "), "{}", email.subject);
        assert!(email.subject.contains("Printer <on fire>"), "{}", email.subject);
        assert!(email.text.contains("Line one\n<b>two</b>"), "{}", email.text);
        assert!(email.text.contains("https://help.test/tickets/1042"));
        assert!(email.html.contains("&#60;b&#62;two") || email.html.contains("&lt;b&gt;two"), "{}", email.html);
        assert!(!email.html.contains("<b>two"));
    }

    #[test]
    fn an_email_is_in_the_language_it_was_made_in() {
        let email = crate::i18n::render_in(Lang::PtBr, || resolved(&about(), "Ana", None));
        let email = email.to("ana@x.test", 1, None, Thread::default());
        assert!(email.subject.starts_with("[#1042] "), "{}", email.subject);
        assert!(email.text.contains("Olá, Ana!"), "{}", email.text);
        assert!(email.html.contains(r#"<html lang="pt-BR">"#));
    }

    #[test]
    fn every_email_finds_its_words_in_both_languages() {
        let quote = || Quote { author: "Bob".into(), body: "Hi".into() };
        for lang in Lang::ALL {
            let emails = crate::i18n::render_in(lang, || {
                [
                    received(&about(), "Ana", "Hi"),
                    desk_reply(&about(), "Ana", quote()),
                    resolved(&about(), "Ana", Some(("https://g.test", "https://b.test"))),
                    new_ticket(&about(), "Bob", "Support", quote()),
                    assigned(&about(), "Bob", Some("Carol")),
                    assigned(&about(), "Bob", None),
                    customer_reply(&about(), "Bob", quote()),
                ]
            });
            for email in emails {
                let email = email.to("x@x.test", 1, None, Thread::default());
                let all = format!("{}\n{}\n{}", email.subject, email.text, email.html);
                assert!(!all.contains("ticket-email-") && !all.contains("email-greeting"), "{lang}: {all}");
                assert!(email.subject.starts_with("[#1042] "), "{}", email.subject);
            }
        }
    }
}
