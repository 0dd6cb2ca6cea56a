//! Words for seeded tickets: subjects and messages that read like a help desk's, in English and
//! Portuguese, drawn from small lists so that a seed is the same on every run.

use rand::Rng;
use rand::seq::IndexedRandom;

const PROBLEMS: &[&str] = &[
    "Cannot sign in to the customer area",
    "Invoice charged twice this month",
    "The mobile app crashes on start",
    "Password reset email never arrives",
    "Export to CSV is missing columns",
    "VPN disconnects every few minutes",
    "Printer on the second floor is offline",
    "Order shows as shipped but nothing arrived",
    "Two-factor codes are rejected",
    "Dashboard loads very slowly",
    "Não consigo acessar minha conta",
    "Boleto gerado com valor errado",
    "O aplicativo fecha sozinho no Android",
    "Nota fiscal não chegou por e-mail",
];

const DETAILS: &[&str] = &[
    "It started yesterday after the update.",
    "I tried two browsers and cleared the cache.",
    "Several people in my team see the same thing.",
    "The error message says: \"something went wrong\".",
    "This is blocking our monthly closing.",
    "Começou ontem depois da atualização.",
    "Já tentei reiniciar o computador.",
];

const ANSWERS: &[&str] = &[
    "Thanks for writing. Could you tell us which version you are using?",
    "We found the cause and deployed a fix; please try again.",
    "I have refunded the duplicate charge; it shows in 3 to 5 days.",
    "Please send a screenshot of the error so we can look closer.",
    "Obrigado pelo contato. Pode nos enviar um print da tela?",
    "Corrigimos o problema; por favor, tente de novo.",
];

const FOLLOW_UPS: &[&str] = &[
    "Version 4.2 on Windows 11.",
    "It works now, thank you!",
    "Still the same here, unfortunately.",
    "Funcionou, obrigado!",
    "Here is the screenshot you asked for.",
];

const NOTES: &[&str] = &[
    "Known issue, linked to the release of last week.",
    "Customer is on the enterprise plan: prioritise.",
    "Checked the logs: the mail server bounced the message.",
];

pub fn subject(rng: &mut impl Rng) -> String {
    let base = *PROBLEMS.choose(rng).unwrap_or(&PROBLEMS[0]);
    // A reference number makes subjects distinct, as real ones mostly are.
    format!("{base} (ref. {})", rng.random_range(1000..99_999))
}

pub fn first_message(rng: &mut impl Rng) -> String {
    let a = *DETAILS.choose(rng).unwrap_or(&DETAILS[0]);
    let b = *DETAILS.choose(rng).unwrap_or(&DETAILS[1]);
    format!("Hello,\n\n{a}\n{b}\n\nThanks.")
}

pub fn answer(rng: &mut impl Rng) -> &'static str {
    ANSWERS.choose(rng).unwrap_or(&ANSWERS[0])
}

pub fn follow_up(rng: &mut impl Rng) -> &'static str {
    FOLLOW_UPS.choose(rng).unwrap_or(&FOLLOW_UPS[0])
}

pub fn note(rng: &mut impl Rng) -> &'static str {
    NOTES.choose(rng).unwrap_or(&NOTES[0])
}

const FIRST_NAMES: &[&str] = &["Ana", "Bruno", "Carla", "Diego", "Elena", "Felipe", "Grace", "Hugo", "Inês", "João"];
const LAST_NAMES: &[&str] = &["Silva", "Souza", "Smith", "Costa", "Johnson", "Pereira", "Lima", "Brown"];

pub fn person(rng: &mut impl Rng) -> String {
    let first = FIRST_NAMES.choose(rng).unwrap_or(&FIRST_NAMES[0]);
    let last = LAST_NAMES.choose(rng).unwrap_or(&LAST_NAMES[0]);
    format!("{first} {last}")
}
