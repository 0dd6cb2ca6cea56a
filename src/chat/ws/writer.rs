//! The writing half of a chat socket: acknowledgements, and whatever the event bus says
//! changed. A new message (`Event::ChatMessage`) is taken from this node's copy of recent
//! messages when it has it, else read from the database; any other change of the chat reads
//! the chat again.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use rand::Rng;
use serde_json::json;
use tokio::sync::mpsc;

use super::{Conn, Side};
use crate::chat::lanes;
use crate::chat::store::{self, Chat, ChatMessage};
use crate::events::{Event, Topic, TopicReceiver};
use crate::i18n::Msg;

/// How often the writer looks without being told: whether the session behind the socket is
/// still current, and a waiting chat's estimated wait. Each socket starts at a random point of
/// the period, so that sockets opened together do not all look at once.
const LOOK_EVERY: Duration = Duration::from_secs(30);
/// Every this many looks the chat is read again even if no event said it changed: a message's
/// event goes out just after its commit (`EventBus::tell_soon`), and a node that dies in
/// between leaves it untold until the chat's next event or this.
const REREAD_EVERY_LOOKS: u32 = 10;

/// What the client was last told of the chat's state, to tell only changes.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shown {
    state: String,
    agent: Option<String>,
    place: Option<lanes::Place>,
}

pub(super) struct Writer {
    conn: Conn,
    /// The last message number sent to the client.
    last_seq: i64,
    /// The chat as last read (`None` until then).
    chat: Option<Chat>,
    shown: Option<Shown>,
    /// The department queue followed while the chat waits (positions move when others leave it).
    queue: Option<(i64, TopicReceiver)>,
}

type Sink = futures_util::stream::SplitSink<WebSocket, Message>;

async fn next_queue_event(queue: &mut Option<(i64, TopicReceiver)>) -> Option<Event> {
    match queue {
        Some((_, receiver)) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

/// The next word of the socket's session (none for a visitor's token: it never comes).
async fn next_session_event(session: &mut Option<TopicReceiver>) -> Option<Event> {
    match session {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

impl Writer {
    pub(super) fn new(conn: Conn, after: i64) -> Writer {
        Writer { conn, last_seq: after, chat: None, shown: None, queue: None }
    }

    pub(super) async fn run(
        &mut self,
        sink: &mut Sink,
        outgoing: &mut mpsc::Receiver<String>,
        mut events: TopicReceiver,
    ) {
        // The session's end closes the socket at once (the look below is only the fallback).
        let mut session = (self.conn.session.session_id())
            .map(|session_id| self.conn.state.events.subscribe_to(Topic::Session { session_id }));
        // Read once its end can be heard of: an end before the read is seen in it, one after is
        // told. What it says spares the first message a read (`session::SessionWord`).
        if !self.conn.session_alive().await {
            let _ = self.signed_out(sink).await;
            return;
        }
        if self.refresh(sink).await.is_err() {
            return;
        }
        let first = LOOK_EVERY.mul_f64(rand::rng().random_range(0.1..1.0));
        let mut look = tokio::time::interval_at(tokio::time::Instant::now() + first, LOOK_EVERY);
        let mut looks = 0u32;
        loop {
            let done = tokio::select! {
                frame = outgoing.recv() => match frame {
                    Some(frame) => send(sink, frame).await,
                    None => Err(()),
                },
                event = events.recv() => match event {
                    Some(Event::Typing { agent, .. }) => self.typing(sink, agent).await,
                    Some(Event::ChatMessage { seq, .. }) => self.message(sink, seq).await,
                    Some(_) => self.refresh(sink).await,
                    None => Err(()),
                },
                event = next_queue_event(&mut self.queue) => match event {
                    Some(_) => self.refresh(sink).await,
                    None => Err(()),
                },
                // Ended: the database is asked at once, which closes the socket. Events lost
                // (every socket hears that at once, when a node's `LISTEN` reconnects) wait for
                // the look. Either way what was known is forgotten: the look and the next
                // message ask the database.
                event = next_session_event(&mut session) => {
                    self.conn.session.forget();
                    match event {
                        Some(Event::Missed) => Ok(()),
                        Some(_) => self.look(sink, false).await,
                        None => Err(()),
                    }
                },
                _ = look.tick() => {
                    looks += 1;
                    self.look(sink, looks.is_multiple_of(REREAD_EVERY_LOOKS)).await
                }
            };
            if done.is_err() {
                return;
            }
        }
    }

    /// Ends the socket once its session has; otherwise re-estimates a waiting chat's wait.
    async fn look(&mut self, sink: &mut Sink, reread: bool) -> Result<(), ()> {
        if !self.conn.session_alive().await {
            return self.signed_out(sink).await;
        }
        if reread || self.queue.is_some() { self.refresh(sink).await } else { Ok(()) }
    }

    /// Tells the client its session has ended; the socket ends with it.
    async fn signed_out(&self, sink: &mut Sink) -> Result<(), ()> {
        let _ = send(sink, super::signed_out_frame(self.conn.lang)).await;
        Err(())
    }

    /// Message `seq` was added: sends it and any before it not yet sent.
    async fn message(&mut self, sink: &mut Sink, seq: i64) -> Result<(), ()> {
        if seq <= self.last_seq {
            return Ok(());
        }
        let Some(chat) = self.chat.as_ref() else { return self.refresh(sink).await };
        let c = &self.conn;
        let recent = match c.state.chat_messages.between(c.portal_id, c.chat_id, self.last_seq, seq) {
            Some(recent) => recent,
            None => {
                // Read with the other chats' messages waiting to be read (`read_batch`).
                let Some(read) = c.state.chat_reader.after(c.portal_id, c.chat_id, self.last_seq).await else {
                    // The database is away: the next event or look tries again.
                    return Ok(());
                };
                c.state.chat_messages.remember(c.portal_id, c.chat_id, &read);
                read.into_iter().map(Arc::new).collect()
            }
        };
        for m in &recent {
            send(sink, message_frame(c, chat, m).to_string()).await?;
            self.last_seq = m.seq;
        }
        // A page full of messages: there may be more.
        if self.last_seq < seq { self.refresh(sink).await } else { Ok(()) }
    }

    /// Typing from the other side is passed on; one's own is not echoed.
    async fn typing(&mut self, sink: &mut Sink, agent: bool) -> Result<(), ()> {
        if agent == self.conn.side.is_agent_side() {
            return Ok(());
        }
        send(sink, json!({"type": "typing", "agent": agent}).to_string()).await
    }

    /// Sends the messages after the last one sent, then the state if it changed.
    async fn refresh(&mut self, sink: &mut Sink) -> Result<(), ()> {
        let c = &self.conn;
        let Ok(Some(chat)) = store::load(&c.state.db, c.portal_id, c.chat_id).await else {
            // The database is away: the next event or look tries again.
            return Ok(());
        };
        self.chat = Some(chat.clone());
        // Transferred to someone else: this agent reads no further. Moved to a department its
        // supervisor does not see, or their rights taken away: nor do they.
        let refused = match (c.side, &c.supervisor) {
            (Side::Agent { staff_id }, _) if chat.agent_id != Some(staff_id) => Some("chat-error-not-yours"),
            (_, Some(user)) if !crate::chat::supervise::still_supervises(&c.state, user, chat.department_id).await => {
                Some("chat-error-no-access")
            }
            _ => None,
        };
        if let Some(key) = refused {
            let msg = Msg::new(key).in_lang(c.lang);
            let _ = send(sink, json!({"type": "error", "message": msg, "client_id": null}).to_string()).await;
            return Err(());
        }
        // The chat's own count says whether there is anything new to read (a look usually has not).
        while chat.last_seq > self.last_seq {
            let Ok(messages) = store::messages_after(&c.state.db, c.portal_id, c.chat_id, self.last_seq).await else {
                return Ok(());
            };
            c.state.chat_messages.remember(c.portal_id, c.chat_id, &messages);
            let full = messages.len() as i64 == store::PAGE;
            for m in &messages {
                send(sink, message_frame(c, &chat, m).to_string()).await?;
                self.last_seq = m.seq;
            }
            if !full {
                break;
            }
        }
        self.follow_queue(&chat);
        let c = &self.conn;
        let place = if matches!(chat.state.as_str(), "waiting" | "offered") {
            lanes::queue_place(&c.state, c.portal_id, c.chat_id).await.ok().flatten()
        } else {
            None
        };
        let shown = Shown { state: chat.state.clone(), agent: chat.agent_name.clone(), place };
        if self.shown.as_ref() != Some(&shown) {
            send(sink, state_frame(&shown).to_string()).await?;
            self.shown = Some(shown);
        }
        Ok(())
    }

    /// Follows the department's queue while the chat waits in it (a transfer changes which).
    fn follow_queue(&mut self, chat: &Chat) {
        let waiting = chat.state == "waiting" || chat.state == "offered";
        match (&self.queue, waiting) {
            (Some((department, _)), true) if *department == chat.department_id => {}
            (_, true) => {
                let topic = Topic::Queue { portal_id: chat.portal_id, department_id: chat.department_id };
                self.queue = Some((chat.department_id, self.conn.state.events.subscribe_to(topic)));
            }
            (_, false) => self.queue = None,
        }
    }
}

/// A client that stopped reading ends the socket (`sockets::SEND_WITHIN`), not hold it.
async fn send(sink: &mut Sink, frame: String) -> Result<(), ()> {
    if crate::web::sockets::send_within(sink, Message::Text(frame.into())).await { Ok(()) } else { Err(()) }
}

fn state_frame(shown: &Shown) -> serde_json::Value {
    json!({
        "type": "state",
        "state": shown.state,
        "position": shown.place.map(|p| p.position),
        "wait_secs": shown.place.and_then(|p| p.wait_secs),
        "agent": shown.agent,
    })
}

/// A message as a client receives it: the text in the reader's language (system lines).
fn message_frame(c: &Conn, chat: &Chat, m: &ChatMessage) -> serde_json::Value {
    let name = match m.author.as_str() {
        "customer" => Some(chat.requester_name.clone()),
        "agent" => m.staff_name.clone(),
        _ => None,
    };
    let file = m.file.as_ref().map(|f| {
        json!({
            "id": f.id,
            "name": f.filename,
            "size": crate::tickets::downloads::human_size(f.size),
            "url": format!("{}/{}", c.files_base, f.id),
        })
    });
    json!({
        "type": "message",
        "seq": m.seq,
        "author": m.author,
        "name": name,
        "body": m.text_in(c.lang),
        "client_id": m.client_id,
        "at": m.created_at,
        "file": file,
    })
}
