//! Events as the short text PostgreSQL carries: a name and up to three numbers, `chat:3:41`.

use super::Event;

/// Between the events of one notification (no payload holds a space).
pub const TOLD_APART: char = ' ';

impl Event {
    /// The payload sent on the channel.
    pub fn payload(self) -> String {
        match self {
            Event::ConfigChanged => "config".into(),
            Event::Missed => "missed".into(),
            Event::Chat { portal_id, chat_id } => format!("chat:{portal_id}:{chat_id}"),
            Event::ChatMessage { portal_id, chat_id, seq } => format!("message:{portal_id}:{chat_id}:{seq}"),
            Event::Typing { portal_id, chat_id, agent } => format!("typing:{portal_id}:{chat_id}:{}", agent as i64),
            Event::Queue { portal_id, department_id } => format!("queue:{portal_id}:{department_id}"),
            Event::Agent { portal_id, staff_id } => format!("agent:{portal_id}:{staff_id}"),
            Event::TicketViewers { portal_id, ticket_id } => format!("viewers:{portal_id}:{ticket_id}"),
            Event::Kb { portal_id } => format!("kb:{portal_id}"),
            Event::SessionEnded { session_id } => format!("session:{session_id}"),
            Event::SignInsChanged => "signins".into(),
        }
    }

    /// The events of a notification: one, or several told together (`postgres::tell`), each
    /// `Err` with its text where this version does not know it.
    pub fn parse_told(notification: &str) -> impl Iterator<Item = Result<Event, &str>> {
        notification.split(TOLD_APART).map(|payload| Event::parse(payload).ok_or(payload))
    }

    /// Reads a payload; `None` for one this version does not know (a newer node's).
    pub fn parse(payload: &str) -> Option<Event> {
        let mut parts = payload.split(':');
        let name = parts.next()?;
        let numbers: Vec<i64> = parts.map(|p| p.parse().ok()).collect::<Option<_>>()?;
        let event = match (name, numbers.as_slice()) {
            ("config", []) => Event::ConfigChanged,
            ("missed", []) => Event::Missed,
            ("chat", &[portal_id, chat_id]) => Event::Chat { portal_id, chat_id },
            ("message", &[portal_id, chat_id, seq]) => Event::ChatMessage { portal_id, chat_id, seq },
            ("typing", &[portal_id, chat_id, agent @ (0 | 1)]) => {
                Event::Typing { portal_id, chat_id, agent: agent == 1 }
            }
            ("queue", &[portal_id, department_id]) => Event::Queue { portal_id, department_id },
            ("agent", &[portal_id, staff_id]) => Event::Agent { portal_id, staff_id },
            ("viewers", &[portal_id, ticket_id]) => Event::TicketViewers { portal_id, ticket_id },
            ("kb", &[portal_id]) => Event::Kb { portal_id },
            ("session", &[session_id]) => Event::SessionEnded { session_id },
            ("signins", []) => Event::SignInsChanged,
            _ => return None,
        };
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_reads_back_as_itself() {
        let all = [
            Event::ConfigChanged,
            Event::Missed,
            Event::Chat { portal_id: 3, chat_id: 41 },
            Event::ChatMessage { portal_id: 3, chat_id: 41, seq: 12 },
            Event::Typing { portal_id: 3, chat_id: 41, agent: true },
            Event::Typing { portal_id: 3, chat_id: 41, agent: false },
            Event::Queue { portal_id: 1, department_id: 2 },
            Event::Agent { portal_id: 1, staff_id: 9 },
            Event::TicketViewers { portal_id: 1, ticket_id: 7 },
            Event::Kb { portal_id: 5 },
            Event::SessionEnded { session_id: 77 },
            Event::SignInsChanged,
        ];
        for event in all {
            assert_eq!(Event::parse(&event.payload()), Some(event), "{}", event.payload());
        }
    }

    #[test]
    fn events_told_together_read_back_one_by_one() {
        let told = [
            Event::ChatMessage { portal_id: 3, chat_id: 41, seq: 12 },
            Event::Typing { portal_id: 3, chat_id: 41, agent: false },
            Event::ChatMessage { portal_id: 4, chat_id: 9, seq: 1 },
        ];
        let notification: Vec<String> = told.iter().map(|e| e.payload()).collect();
        let notification = notification.join(&TOLD_APART.to_string());
        let read: Vec<_> = Event::parse_told(&notification).collect();
        assert_eq!(read, told.map(Ok));
        let with_unknown: Vec<_> = Event::parse_told("kb:5 future:1 config").collect();
        assert_eq!(with_unknown, [Ok(Event::Kb { portal_id: 5 }), Err("future:1"), Ok(Event::ConfigChanged)]);
    }

    #[test]
    fn unknown_or_damaged_payloads_are_refused() {
        for payload in
            ["", "chat", "chat:1", "chat:1:x", "chat:1:2:3", "message:1:2", "typing:1:2:7", "newthing:1", "config:1"]
        {
            assert_eq!(Event::parse(payload), None, "{payload}");
        }
    }
}
