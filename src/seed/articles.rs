//! The seed's knowledge base: in each portal ten categories named in English and Portuguese, and
//! articles spread over them (nine tenths in the large portal, as tickets are): about seven in
//! ten in English and three in Portuguese, half of those translating an English article of the
//! same category; about one in six for signed-in customers only and one in six internal. Each
//! is published as revision 1, rendered and sanitised by the application's own renderer, and
//! has a few "helpful" votes from the portal's customers (the counters agree with the votes).
//! Written a batch at a time, each batch one transaction.

use rand::Rng;
use rand::SeedableRng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use sqlx::{AnyConnection, Row};

use super::SeedOptions;
use super::bulk::{self, Value};
use super::people::{SeededPeople, SeededPortal};
use crate::db::{Db, now};
use crate::kb::markdown;

/// Articles written per transaction.
const BATCH: u64 = 500;
const DAY: i64 = 86_400;

/// (English name, Portuguese name, article subjects in English and Portuguese, index for index)
type Topic = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

const TOPICS: [Topic; 10] = [
    (
        "Getting started",
        "Primeiros passos",
        &[
            ("Create your account", "Crie sua conta"),
            ("Invite your team", "Convide sua equipe"),
            ("Choose a plan", "Escolha um plano"),
            ("Tour of the dashboard", "Conheça o painel"),
        ],
    ),
    (
        "Account and sign-in",
        "Conta e acesso",
        &[
            ("Reset your password", "Redefina sua senha"),
            ("Turn on two-factor sign-in", "Ative a verificação em duas etapas"),
            ("Change your email address", "Altere seu endereço de e-mail"),
            ("Close your account", "Encerre sua conta"),
        ],
    ),
    (
        "Billing and invoices",
        "Cobrança e faturas",
        &[
            ("Download an invoice", "Baixe uma fatura"),
            ("Update your payment method", "Atualize a forma de pagamento"),
            ("Understand a duplicate charge", "Entenda uma cobrança duplicada"),
            ("Ask for a refund", "Peça um reembolso"),
        ],
    ),
    (
        "Orders and shipping",
        "Pedidos e entregas",
        &[
            ("Track an order", "Acompanhe um pedido"),
            ("Change a delivery address", "Altere o endereço de entrega"),
            ("Return a product", "Devolva um produto"),
            ("Report a damaged package", "Informe uma embalagem danificada"),
        ],
    ),
    (
        "Mobile app",
        "Aplicativo",
        &[
            ("Install the app", "Instale o aplicativo"),
            ("Fix the app closing on start", "Resolva o aplicativo que fecha ao abrir"),
            ("Turn on notifications", "Ative as notificações"),
            ("Use the app offline", "Use o aplicativo sem internet"),
        ],
    ),
    (
        "Integrations",
        "Integrações",
        &[
            ("Connect your calendar", "Conecte sua agenda"),
            ("Send data to a spreadsheet", "Envie dados para uma planilha"),
            ("Create an API key", "Crie uma chave de API"),
            ("Receive events by webhook", "Receba eventos por webhook"),
        ],
    ),
    (
        "Security and privacy",
        "Segurança e privacidade",
        &[
            ("See where you are signed in", "Veja onde você está conectado"),
            ("Download your data", "Baixe seus dados"),
            ("Report a suspicious email", "Denuncie um e-mail suspeito"),
            ("Set a strong password", "Crie uma senha forte"),
        ],
    ),
    (
        "Reports and exports",
        "Relatórios e exportações",
        &[
            ("Export to CSV", "Exporte para CSV"),
            ("Schedule a weekly report", "Agende um relatório semanal"),
            ("Filter a report by date", "Filtre um relatório por data"),
            ("Share a report", "Compartilhe um relatório"),
        ],
    ),
    (
        "Troubleshooting",
        "Solução de problemas",
        &[
            ("Clear your browser cache", "Limpe o cache do navegador"),
            ("Fix a slow dashboard", "Resolva um painel lento"),
            ("Emails that never arrive", "E-mails que nunca chegam"),
            ("Error messages explained", "Mensagens de erro explicadas"),
        ],
    ),
    (
        "Policies",
        "Políticas",
        &[
            ("Service level commitments", "Compromissos de nível de serviço"),
            ("Escalating an urgent case", "Como escalar um caso urgente"),
            ("Working hours and holidays", "Horário de atendimento e feriados"),
            ("Data retention", "Retenção de dados"),
        ],
    ),
];

/// What sets subjects apart, in English and Portuguese, index for index.
const VARIANTS: &[(&str, &str)] = &[
    ("", ""),
    ("on Android", "no Android"),
    ("on iPhone", "no iPhone"),
    ("on the web", "na web"),
    ("for teams", "para equipes"),
    ("for administrators", "para administradores"),
    ("step by step", "passo a passo"),
    ("in the new version", "na nova versão"),
    ("when it fails", "quando dá erro"),
    ("for companies", "para empresas"),
];

const STEPS_EN: &[&str] = &[
    "Open **Settings** from the menu at the top right.",
    "Choose the account you want to change.",
    "Click **Save** and wait for the confirmation.",
    "Sign out and sign in again to see the change.",
    "Check your inbox for our message and follow its link.",
    "If nothing changes, clear your browser's cache and try again.",
];
const STEPS_PT: &[&str] = &[
    "Abra **Configurações** no menu no canto superior direito.",
    "Escolha a conta que você quer alterar.",
    "Clique em **Salvar** e aguarde a confirmação.",
    "Saia e entre de novo para ver a mudança.",
    "Verifique sua caixa de entrada e siga o link da nossa mensagem.",
    "Se nada mudar, limpe o cache do navegador e tente de novo.",
];
const NOTES_EN: &[&str] = &[
    "This works the same way on every plan.",
    "Administrators can do this for everyone in the company.",
    "Changes can take up to ten minutes to show everywhere.",
    "If you need help, open a ticket and tell us what you tried.",
];
const NOTES_PT: &[&str] = &[
    "Funciona do mesmo jeito em todos os planos.",
    "Administradores podem fazer isso por todos na empresa.",
    "As mudanças podem levar até dez minutos para aparecer em todo lugar.",
    "Se precisar de ajuda, abra um chamado e conte o que você já tentou.",
];

/// One article before it has an id.
struct Planned {
    category: usize,
    portuguese: bool,
    /// The index in its batch of the English article it translates.
    translates: Option<usize>,
    visibility: &'static str,
    title: String,
    markdown: String,
    published_at: i64,
    /// (customer index, helpful)
    votes: Vec<(usize, bool)>,
}

fn visibility(rng: &mut ChaCha8Rng) -> &'static str {
    match rng.random_range(0..100) {
        0..=66 => "public",
        67..=82 => "customers",
        _ => "internal",
    }
}

fn body(rng: &mut ChaCha8Rng, title: &str, portuguese: bool) -> String {
    let (steps, notes) = if portuguese { (STEPS_PT, NOTES_PT) } else { (STEPS_EN, NOTES_EN) };
    let (intro, how, good) = if portuguese {
        ("Este artigo explica como", "Como fazer", "Bom saber")
    } else {
        ("This article explains how to", "How to do it", "Good to know")
    };
    let mut text = format!("{intro} {}.\n\n## {how}\n\n", title.to_lowercase());
    for (i, step) in steps.choose_multiple(rng, 3).enumerate() {
        text.push_str(&format!("{}. {step}\n", i + 1));
    }
    text.push_str(&format!("\n## {good}\n\n"));
    for note in notes.choose_multiple(rng, 2) {
        text.push_str(&format!("- {note}\n"));
    }
    text
}

fn subject(topic: &Topic, n: usize, portuguese: bool) -> String {
    let subjects = topic.2;
    let (en, pt) = subjects[n % subjects.len()];
    let (ven, vpt) = VARIANTS[(n / subjects.len()) % VARIANTS.len()];
    let round = n / (subjects.len() * VARIANTS.len());
    let (base, variant) = if portuguese { (pt, vpt) } else { (en, ven) };
    let mut title = if variant.is_empty() { base.to_string() } else { format!("{base} {variant}") };
    if round > 0 {
        title.push_str(&format!(" ({})", round + 1));
    }
    title
}

fn votes(rng: &mut ChaCha8Rng, customers: usize) -> Vec<(usize, bool)> {
    let count = rng.random_range(0..=6usize).min(customers);
    rand::seq::index::sample(rng, customers, count).into_iter().map(|c| (c, rng.random_bool(0.8))).collect()
}

/// A batch of `size` articles, `made` being how many the portal has had so far (so that
/// subjects keep apart across batches).
fn plan(rng: &mut ChaCha8Rng, size: usize, made: usize, customers: usize, now: i64) -> Vec<Planned> {
    let mut batch: Vec<Planned> = Vec::with_capacity(size);
    for i in 0..size {
        let category = (made + i) % TOPICS.len();
        let n = (made + i) / TOPICS.len();
        let portuguese = rng.random_bool(0.3);
        // Half the Portuguese articles translate the English one just before them in the same
        // category (same subject, same visibility), when it is in this batch and untranslated.
        let original = (portuguese && rng.random_bool(0.5))
            .then(|| batch.iter().rposition(|p| p.category == category && !p.portuguese))
            .flatten()
            .filter(|&o| !batch.iter().any(|p| p.translates == Some(o)));
        let (title, visibility) = match original {
            Some(o) => (subject(&TOPICS[category], (made + o) / TOPICS.len(), true), batch[o].visibility),
            None => (subject(&TOPICS[category], n, portuguese), visibility(rng)),
        };
        let published_at = now - rng.random_range(0..730) * DAY - rng.random_range(0..DAY);
        batch.push(Planned {
            category,
            portuguese,
            translates: original,
            visibility,
            markdown: body(rng, &title, portuguese),
            title,
            published_at,
            votes: votes(rng, customers),
        });
    }
    batch
}

/// Seeds every portal's knowledge base; calls `progress` with the articles written so far.
pub async fn seed(
    db: &Db,
    options: &SeedOptions,
    people: &SeededPeople,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, sqlx::Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x6b62_6172_7469);
    let large = ((options.articles as f64 * super::people::LARGE_SHARE).round() as u64).min(options.articles);
    let now = now();
    let mut written = 0;
    for (portal, count) in people.portals.iter().zip([large, options.articles - large]) {
        if count == 0 {
            continue;
        }
        let categories = categories(db, portal.id, now).await?;
        let mut made = 0;
        while made < count {
            let size = (count - made).min(BATCH) as usize;
            let batch = plan(&mut rng, size, made as usize, portal.customers.len(), now);
            write_batch(db, portal, &categories, &batch).await?;
            made += size as u64;
            written += size as u64;
            progress(written);
        }
        crate::search::refill_article_copy(db, portal.id).await?;
    }
    Ok(written)
}

/// The portal's ten categories (those of an earlier seed again, found by their English name).
async fn categories(db: &Db, portal_id: i64, now: i64) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = Vec::with_capacity(TOPICS.len());
    let mut tx = db.writer().begin().await?;
    for (position, (en, pt, _)) in TOPICS.iter().enumerate() {
        let found = sqlx::query(
            "SELECT c.id FROM kb_categories c JOIN kb_category_names n ON n.portal_id = c.portal_id AND n.category_id = c.id \
             WHERE c.portal_id = $1 AND c.parent_id IS NULL AND n.language = 'en' AND n.name = $2",
        )
        .bind(portal_id)
        .bind(*en)
        .fetch_optional(&mut *tx)
        .await?;
        let id = match found {
            Some(row) => row.try_get("id")?,
            None => {
                let new = crate::kb::store::NewCategory {
                    portal_id,
                    parent_id: None,
                    position: position as i64,
                    language: "en",
                    name: en,
                    description: "",
                };
                let id = crate::kb::store::create_category(&mut tx, &new, now).await?;
                crate::kb::store::set_category_name(&mut tx, portal_id, id, "pt-BR", pt, "").await?;
                id
            }
        };
        ids.push(id);
    }
    tx.commit().await?;
    Ok(ids)
}

/// Writes a batch in one transaction: originals first, then translations (which name them),
/// then the revisions and votes.
async fn write_batch(db: &Db, portal: &SeededPortal, categories: &[i64], batch: &[Planned]) -> Result<(), sqlx::Error> {
    let mut tx = db.writer().begin().await?;
    crate::search::defer_article_copy(&mut tx, db.backend()).await?;
    let rendered: Vec<markdown::Rendered> = batch.iter().map(|p| markdown::render(&p.markdown)).collect();
    let mut ids = vec![0i64; batch.len()];
    for translations in [false, true] {
        let chosen: Vec<usize> = (0..batch.len()).filter(|&i| batch[i].translates.is_some() == translations).collect();
        if chosen.is_empty() {
            continue;
        }
        let before = max_id(&mut tx, portal.id).await?;
        let rows: Vec<Vec<Value>> =
            chosen.iter().map(|&i| article_row(portal.id, categories, &batch[i], &rendered[i], &ids)).collect();
        bulk::insert(&mut tx, "kb_articles", &ARTICLE_COLUMNS, &rows).await?;
        let new_ids = ids_after(&mut tx, portal.id, before).await?;
        if new_ids.len() != chosen.len() {
            return Err(sqlx::Error::Protocol("another writer added articles while the seed ran".into()));
        }
        for (i, id) in chosen.into_iter().zip(new_ids) {
            ids[i] = id;
        }
    }
    let revisions: Vec<Vec<Value>> = batch
        .iter()
        .zip(&rendered)
        .zip(&ids)
        .map(|((p, r), id)| {
            vec![
                portal.id.into(),
                (*id).into(),
                1.into(),
                p.title.as_str().into(),
                p.markdown.as_str().into(),
                r.html.as_str().into(),
                "Seed".into(),
                p.published_at.into(),
            ]
        })
        .collect();
    let columns =
        ["portal_id", "article_id", "number", "title", "body_markdown", "body_html", "author_name", "created_at"];
    bulk::insert(&mut tx, "kb_revisions", &columns, &revisions).await?;
    let votes: Vec<Vec<Value>> = batch
        .iter()
        .zip(&ids)
        .flat_map(|(p, id)| {
            p.votes.iter().map(move |(customer, helpful)| {
                vec![
                    portal.id.into(),
                    (*id).into(),
                    format!("customer:{}", portal.customers[*customer].id).into(),
                    i64::from(*helpful).into(),
                    p.published_at.into(),
                ]
            })
        })
        .collect();
    let columns = ["portal_id", "article_id", "voter", "helpful", "created_at"];
    bulk::insert(&mut tx, "kb_votes", &columns, &votes).await?;
    tx.commit().await
}

const ARTICLE_COLUMNS: [&str; 14] = [
    "portal_id",
    "category_id",
    "language",
    "translation_of",
    "visibility",
    "title",
    "body_html",
    "body_text",
    "published_revision",
    "published_at",
    "helpful_yes",
    "helpful_no",
    "created_at",
    "updated_at",
];

fn article_row(portal_id: i64, categories: &[i64], p: &Planned, r: &markdown::Rendered, ids: &[i64]) -> Vec<Value> {
    let yes = p.votes.iter().filter(|v| v.1).count() as i64;
    let no = p.votes.len() as i64 - yes;
    vec![
        portal_id.into(),
        categories[p.category].into(),
        (if p.portuguese { "pt-BR" } else { "en" }).into(),
        p.translates.map(|o| ids[o]).into(),
        p.visibility.into(),
        p.title.as_str().into(),
        r.html.as_str().into(),
        r.text.as_str().into(),
        1.into(),
        p.published_at.into(),
        yes.into(),
        no.into(),
        (p.published_at - DAY).into(),
        p.published_at.into(),
    ]
}

async fn max_id(conn: &mut AnyConnection, portal_id: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT MAX(id) AS id FROM kb_articles WHERE portal_id = $1")
        .bind(portal_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<Option<i64>, _>("id")?.unwrap_or(0))
}

/// The ids of the articles written since `before`, in the order they were written.
async fn ids_after(conn: &mut AnyConnection, portal_id: i64, before: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows = sqlx::query("SELECT id FROM kb_articles WHERE portal_id = $1 AND id > $2 ORDER BY id")
        .bind(portal_id)
        .bind(before)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| r.try_get("id")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_keep_apart_and_translations_share_theirs() {
        let topic = &TOPICS[1];
        let many: std::collections::HashSet<String> = (0..200).map(|n| subject(topic, n, false)).collect();
        assert_eq!(many.len(), 200);
        assert_eq!(subject(topic, 0, true), "Redefina sua senha");
        assert_eq!(subject(topic, 5, false), "Turn on two-factor sign-in on Android");
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let batch = plan(&mut rng, 300, 0, 10, 1_000_000_000);
        for p in batch.iter().filter(|p| p.translates.is_some()) {
            let o = &batch[p.translates.unwrap()];
            assert!(p.portuguese && !o.portuguese && o.category == p.category && o.visibility == p.visibility);
        }
    }
}
