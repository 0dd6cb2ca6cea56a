use super::*;
use crate::auth::sessions::{Realm, Subject};

const LIMITS: SessionLimits = SessionLimits { idle_secs: 1800, absolute_secs: 86_400 };

fn session(id: i64, last_seen_at: i64) -> Session {
    Session {
        id,
        realm: Realm::Portal,
        subject: Subject::Customer(id * 10),
        portal_id: Some(1),
        created_at: last_seen_at,
        last_seen_at,
        expires_at: last_seen_at + LIMITS.absolute_secs,
        user_agent: String::new(),
        ip: String::new(),
        sso_portal_id: None,
    }
}

fn customer(id: i64) -> Customer {
    Customer {
        id,
        portal_id: 1,
        email: format!("c{id}@example.com"),
        name: format!("Customer {id}"),
        mobile: None,
        password_hash: None,
        must_change_password: false,
        disabled_at: None,
        language: None,
    }
}

fn kept(memory: &mut Memory, id: i64, t: i64) {
    let before = BeforeReading(memory.generation);
    memory.keep(before, format!("hash{id}"), &session(id, t), &customer(id * 10));
}

#[test]
fn a_session_read_lately_serves_until_its_seen_at_time_is_due() {
    let mut memory = Memory::default();
    kept(&mut memory, 1, 1000);
    let (s, c) = memory.get("hash1", LIMITS, 1000).expect("kept");
    assert_eq!((s.id, c.id), (1, 10));
    assert!(memory.get("hash1", LIMITS, 1059).is_some());
    assert!(memory.get("hash1", LIMITS, 1060).is_none(), "its seen-at time is due: read (and write) it again");
    assert!(memory.get("hash2", LIMITS, 1000).is_none());
}

#[test]
fn a_session_past_its_lifetime_is_not_served() {
    let mut memory = Memory::default();
    let mut old = session(1, 1000);
    old.expires_at = 1010;
    memory.keep(BeforeReading(0), "hash1".into(), &old, &customer(10));
    assert!(memory.get("hash1", LIMITS, 1009).is_some());
    assert!(memory.get("hash1", LIMITS, 1010).is_none());
}

#[test]
fn a_read_made_before_something_was_forgotten_is_not_kept() {
    let mut memory = Memory::default();
    let before = BeforeReading(memory.generation);
    memory.forget_session(99);
    memory.keep(before, "hash1".into(), &session(1, 1000), &customer(10));
    assert!(memory.get("hash1", LIMITS, 1000).is_none());
    let before = BeforeReading(memory.generation);
    memory.forget_all();
    memory.keep(before, "hash1".into(), &session(1, 1000), &customer(10));
    assert!(memory.get("hash1", LIMITS, 1000).is_none());
}

#[test]
fn an_ended_session_is_forgotten_and_the_others_kept() {
    let mut memory = Memory::default();
    kept(&mut memory, 1, 1000);
    kept(&mut memory, 2, 1000);
    memory.forget_session(1);
    assert!(memory.get("hash1", LIMITS, 1000).is_none());
    assert!(memory.get("hash2", LIMITS, 1000).is_some());
    memory.forget_all();
    assert!(memory.get("hash2", LIMITS, 1000).is_none());
}

#[test]
fn a_full_memory_makes_room() {
    let mut memory = Memory::default();
    for id in 0..MAX_ENTRIES as i64 + 5 {
        kept(&mut memory, id, 1000);
    }
    assert!(memory.by_token.len() <= MAX_ENTRIES);
    assert_eq!(memory.token_of.len(), memory.by_token.len());
    assert!(memory.get(&format!("hash{}", MAX_ENTRIES + 4), LIMITS, 1000).is_some(), "the newest is kept");
}

#[test]
fn a_session_cookie_of_either_realm_is_told_from_others() {
    let with = |cookie: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, cookie.parse().unwrap());
        carries_a_session(&headers)
    };
    assert!(with("fd_portal_3=abc"));
    assert!(with("csrf=x; fd_manage=abc"));
    assert!(with("csrf=x;__Host-fd_portal_12=abc"));
    assert!(!with("csrf=x; lang=pt-BR"));
    assert!(!with("csrf=fd_portal_3"), "a value is not a name");
    assert!(!carries_a_session(&HeaderMap::new()));
}
