//! This node's copy of what the portal's knowledge-base pages list: a portal's categories with
//! their names, and the titles of its published articles; and, as they are read, articles' HTML.
//!
//! A category page of a hundred articles read from the database would cost a hundred decoded
//! rows per request (see docs/benchmarks.md, "The stack's floor"); from memory it costs nothing.
//! Triggers bump the portal's `kb_versions` row on every change a reader could see (migration
//! 0021), and the copy is trusted until the event bus tells of a bump (`KbCache`): on
//! PostgreSQL the row notifies every node (migration 0028), on SQLite a poll reads the versions,
//! and this node's own edit forms forget the trust at once. So a change shows on every node
//! within moments, whoever made it (the management pages, another node, the command line, SQL
//! typed by hand).
//!
//! Votes do not bump the version (they would throw the copy away at every click), so the
//! "popular" list follows them within `MAX_AGE`; within longer for a knowledge base so large
//! that reading it takes a noticeable time (`Snapshot::max_age`).
//!
//! What one kind of reader sees in one language (a `View`) is worked out once per copy, when
//! first asked for.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Row;
use tokio::sync::broadcast::error::RecvError;

use super::{Reader, Visibility};
use crate::db::Db;
use crate::events::{Event, EventBus};
use crate::i18n::Lang;
use crate::web::state::AppState;

/// How long a copy serves when nothing a reader sees changed, so that "popular" follows votes.
const MAX_AGE: Duration = Duration::from_secs(60);
/// A copy is read again at most once in this many times the reading took: at 100,000 articles
/// reading takes about two seconds, so a node spends at most 1 % of its time on it.
const READS_PER_AGE: u32 = 100;
/// However long the reading took, votes show in the "popular" list within this.
const LONGEST_AGE: Duration = Duration::from_secs(600);
/// How many articles the home page lists as popular, and as recent.
pub const HOME_LIST: usize = 5;
/// How deep categories may nest before the walk up gives up (a loop typed by hand in SQL must
/// not hang a page).
const MAX_DEPTH: usize = 32;

/// A category with its names.
#[derive(Clone, Debug)]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub position: i64,
    /// (language, name, description), at least one.
    names: Vec<(Lang, String, String)>,
}

impl Category {
    /// The name in `lang`, else in the other language.
    pub fn name(&self, lang: Lang) -> &str {
        self.named(lang).map(|n| n.1.as_str()).unwrap_or_default()
    }

    pub fn description(&self, lang: Lang) -> &str {
        self.named(lang).map(|n| n.2.as_str()).unwrap_or_default()
    }

    fn named(&self, lang: Lang) -> Option<&(Lang, String, String)> {
        self.names.iter().find(|n| n.0 == lang).or(self.names.first())
    }
}

/// A published article, as lists show it.
#[derive(Clone, Debug)]
pub struct Article {
    pub id: i64,
    pub category_id: i64,
    pub language: Lang,
    /// The original's id: an article and its translations share it.
    pub group: i64,
    pub visibility: Visibility,
    pub title: String,
    pub helpful_yes: i64,
    pub published_at: i64,
    /// The title as lists sort it.
    sort_key: String,
}

impl Article {
    /// The article an article page shows, as its related articles and translations are found
    /// from (read from its row, which may be newer than this node's copy).
    pub fn new(id: i64, category_id: i64, language: Lang, group: i64, visibility: Visibility) -> Article {
        Article {
            id,
            category_id,
            language,
            group,
            visibility,
            title: String::new(),
            helpful_yes: 0,
            published_at: 0,
            sort_key: String::new(),
        }
    }
}

/// What one kind of reader sees in one language: one article per group of translations (the
/// reader's language when they may read it, else the other), per category.
#[derive(Debug, Default)]
pub struct View {
    /// The articles listed in each category (indexes into `Snapshot::articles`), by title.
    listed: HashMap<i64, Vec<usize>>,
    /// How many articles each category holds, with those of the categories below it.
    counts: HashMap<i64, usize>,
    pub popular: Vec<usize>,
    pub recent: Vec<usize>,
}

impl View {
    pub fn listed(&self, category_id: i64) -> &[usize] {
        self.listed.get(&category_id).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn count(&self, category_id: i64) -> usize {
        self.counts.get(&category_id).copied().unwrap_or(0)
    }
}

/// A portal's categories and published articles, as read at one version.
#[derive(Debug)]
pub struct Snapshot {
    version: i64,
    loaded: Instant,
    /// How long the copy serves when nothing a reader sees changed (`MAX_AGE`, or more when
    /// the reading was long).
    max_age: Duration,
    /// By position, then id.
    pub categories: Vec<Category>,
    pub articles: Vec<Article>,
    category_at: HashMap<i64, usize>,
    article_at: HashMap<i64, usize>,
    /// The articles of each category, whoever may read them, by title.
    in_category: HashMap<i64, Vec<usize>>,
    /// The members of each group of translations.
    groups: HashMap<i64, Vec<usize>>,
    /// Whether some article is for signed-in customers only (visitors are told to sign in).
    pub has_customers_only: bool,
    /// One per reader and language (`view_slot`).
    views: [OnceLock<View>; 6],
    /// Articles' stored HTML as pages read it, up to `BODIES_BUDGET` bytes.
    bodies: Mutex<Bodies>,
}

/// The bytes of articles' HTML one portal's copy keeps: the most read articles of a large
/// knowledge base fit, and a node's memory stays bounded however many articles there are.
const BODIES_BUDGET: usize = 16 << 20;

#[derive(Debug, Default)]
struct Bodies {
    html: HashMap<i64, Arc<str>>,
    bytes: usize,
}

fn view_slot(reader: Reader, lang: Lang) -> usize {
    let r = match reader {
        Reader::Visitor => 0,
        Reader::Customer => 1,
        Reader::Agent => 2,
    };
    r * 2 + usize::from(lang == Lang::PtBr)
}

impl Snapshot {
    fn fresh(&self) -> bool {
        self.loaded.elapsed() < self.max_age
    }

    pub fn category(&self, id: i64) -> Option<&Category> {
        self.category_at.get(&id).map(|i| &self.categories[*i])
    }

    pub fn article(&self, id: i64) -> Option<&Article> {
        self.article_at.get(&id).map(|i| &self.articles[*i])
    }

    /// The categories right below `parent` (top-level ones for `None`), in order.
    pub fn children(&self, parent: Option<i64>) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(move |c| c.parent_id == parent)
    }

    /// The category and those above it, from the top.
    pub fn path(&self, category_id: i64) -> Vec<&Category> {
        let mut path = Vec::new();
        let mut next = Some(category_id);
        while let Some(id) = next {
            let Some(category) = self.category(id) else { break };
            if path.len() == MAX_DEPTH {
                break;
            }
            path.push(category);
            next = category.parent_id;
        }
        path.reverse();
        path
    }

    /// The articles of `category_id` other than `article` and its translations, in its
    /// language, that `reader` may read: most found helpful first, then newest.
    pub fn related(&self, article: &Article, reader: Reader, limit: usize) -> Vec<&Article> {
        let mut related: Vec<&Article> = self
            .in_category
            .get(&article.category_id)
            .into_iter()
            .flatten()
            .map(|i| &self.articles[*i])
            .filter(|a| a.group != article.group && a.language == article.language && reader.may_read(a.visibility))
            .collect();
        related.sort_by_key(|a| std::cmp::Reverse((a.helpful_yes, a.published_at, a.id)));
        related.truncate(limit);
        related
    }

    /// The translations of `article` that `reader` may read.
    pub fn translations(&self, article: &Article, reader: Reader) -> Vec<&Article> {
        self.groups
            .get(&article.group)
            .into_iter()
            .flatten()
            .map(|i| &self.articles[*i])
            .filter(|a| a.id != article.id && reader.may_read(a.visibility))
            .collect()
    }

    /// What `reader` sees in `lang`.
    /// A published article's stored HTML: from memory, else read and kept while the budget
    /// allows. `None` when the article is no longer published. The row may be newer than this
    /// copy (a change not heard of yet), never older.
    pub async fn body(&self, db: &Db, portal_id: i64, id: i64) -> Result<Option<Arc<str>>, sqlx::Error> {
        if let Some(html) = self.bodies.lock().unwrap_or_else(|e| e.into_inner()).html.get(&id) {
            return Ok(Some(html.clone()));
        }
        let row = sqlx::query(
            "SELECT body_html FROM kb_articles WHERE portal_id = $1 AND id = $2 AND published_revision IS NOT NULL",
        )
        .bind(portal_id)
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let html: Arc<str> = row.try_get::<String, _>("body_html")?.into();
        let mut bodies = self.bodies.lock().unwrap_or_else(|e| e.into_inner());
        if bodies.bytes + html.len() <= BODIES_BUDGET {
            bodies.bytes += html.len();
            bodies.html.insert(id, html.clone());
        }
        Ok(Some(html))
    }

    pub fn view(&self, reader: Reader, lang: Lang) -> &View {
        self.views[view_slot(reader, lang)].get_or_init(|| self.build_view(reader, lang))
    }

    fn build_view(&self, reader: Reader, lang: Lang) -> View {
        // One article per group: the reader's language first, then the lowest id.
        let mut chosen: HashMap<i64, usize> = HashMap::new();
        for (i, a) in self.articles.iter().enumerate() {
            if !reader.may_read(a.visibility) {
                continue;
            }
            let better = match chosen.get(&a.group) {
                None => true,
                Some(&j) => {
                    let b = &self.articles[j];
                    (a.language != lang, a.id) < (b.language != lang, b.id)
                }
            };
            if better {
                chosen.insert(a.group, i);
            }
        }
        let mut shown: Vec<usize> = chosen.into_values().collect();
        shown.sort_by(|a, b| {
            let (a, b) = (&self.articles[*a], &self.articles[*b]);
            (&a.sort_key, a.id).cmp(&(&b.sort_key, b.id))
        });
        let mut view = View::default();
        for &i in &shown {
            let category = self.articles[i].category_id;
            view.listed.entry(category).or_default().push(i);
            for c in self.path(category) {
                *view.counts.entry(c.id).or_default() += 1;
            }
        }
        let mut by_votes = shown.clone();
        by_votes.retain(|i| self.articles[*i].helpful_yes > 0);
        by_votes.sort_by_key(|i| {
            let a = &self.articles[*i];
            std::cmp::Reverse((a.helpful_yes, a.published_at, a.id))
        });
        by_votes.truncate(HOME_LIST);
        view.popular = by_votes;
        let mut by_date = shown;
        by_date.sort_by_key(|i| {
            let a = &self.articles[*i];
            std::cmp::Reverse((a.published_at, a.id))
        });
        by_date.truncate(HOME_LIST);
        view.recent = by_date;
        view
    }
}

/// The copies of every portal this node has served, and whether each may be used without
/// asking the database.
///
/// A copy is trusted while no change was heard of since its version was last read: every change
/// a reader could see bumps the portal's version, which every node hears of on the event bus
/// (PostgreSQL: a trigger's notification; SQLite: this process's own pages, and a poll for the
/// command line's). So a page served from a trusted copy makes no statement at all. Nothing is
/// trusted while the bus may be missing events (`EventBus::is_live`).
#[derive(Debug, Default)]
pub struct KbCache {
    portals: RwLock<HashMap<i64, Arc<Snapshot>>>,
    /// One reading at a time, so that a burst of requests after a change reads the portal once.
    loading: tokio::sync::Mutex<()>,
    /// How many changes (of any portal) this node has heard of.
    changes: Arc<AtomicU64>,
    /// Per portal, the count of changes when its version was last read and matched its copy.
    trusted_at: RwLock<HashMap<i64, u64>>,
    /// Per portal, the searches answered at its current version.
    pub(super) searches: super::search_memo::SearchMemos,
}

impl KbCache {
    /// A cache that hears of changes on `bus`.
    pub fn following(bus: &EventBus) -> KbCache {
        let cache = KbCache::default();
        let changes = cache.changes.clone();
        let mut events = bus.subscribe();
        tokio::spawn(async move {
            loop {
                match events.recv().await {
                    Ok(Event::Kb { .. } | Event::Missed) | Err(RecvError::Lagged(_)) => {
                        changes.fetch_add(1, Ordering::AcqRel);
                    }
                    Ok(_) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
        cache
    }

    /// Something was changed through this node: trust nothing until versions are read again
    /// (other nodes hear of it from the database).
    pub fn changed(&self) {
        self.changes.fetch_add(1, Ordering::AcqRel);
    }

    fn current(&self, portal_id: i64, version: i64) -> Option<Arc<Snapshot>> {
        let portals = self.portals.read().unwrap_or_else(|e| e.into_inner());
        portals.get(&portal_id).filter(|s| s.version >= version && s.fresh()).cloned()
    }

    /// The portal's copy, however old.
    fn latest(&self, portal_id: i64) -> Option<Arc<Snapshot>> {
        self.portals.read().unwrap_or_else(|e| e.into_inner()).get(&portal_id).cloned()
    }

    fn trusted(&self, portal_id: i64, changes: u64) -> Option<Arc<Snapshot>> {
        if self.trusted_at.read().unwrap_or_else(|e| e.into_inner()).get(&portal_id) != Some(&changes) {
            return None;
        }
        let portals = self.portals.read().unwrap_or_else(|e| e.into_inner());
        portals.get(&portal_id).filter(|s| s.fresh()).cloned()
    }

    fn trust(&self, portal_id: i64, changes: u64) {
        self.trusted_at.write().unwrap_or_else(|e| e.into_inner()).insert(portal_id, changes);
    }
}

/// The portal's copy, read again only when a change may have been made since it was checked.
pub async fn current(state: &AppState, portal_id: i64) -> Result<Arc<Snapshot>, sqlx::Error> {
    let cache = &state.kb;
    // Counted before the version is read: a change heard of meanwhile voids the trust below.
    let changes = cache.changes.load(Ordering::Acquire);
    if state.events.is_live()
        && let Some(snapshot) = cache.trusted(portal_id, changes)
    {
        return Ok(snapshot);
    }
    let version = version(&state.db, portal_id).await?;
    let snapshot = snapshot(&state.db, cache, portal_id, version).await?;
    // An older copy served while another request reads the new one is not trusted.
    if snapshot.version >= version {
        cache.trust(portal_id, changes);
    }
    Ok(snapshot)
}

/// The portal's knowledge-base version as of now, without reading its copy: the trusted copy's
/// when there is one, else read (one small statement).
pub async fn current_version(state: &AppState, portal_id: i64) -> Result<i64, sqlx::Error> {
    let changes = state.kb.changes.load(Ordering::Acquire);
    if state.events.is_live()
        && let Some(snapshot) = state.kb.trusted(portal_id, changes)
    {
        return Ok(snapshot.version);
    }
    version(&state.db, portal_id).await
}

/// The portal's knowledge-base version: the statement every page makes first (0 for a portal
/// that never had a category or article).
pub async fn version(db: &Db, portal_id: i64) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT version FROM kb_versions WHERE portal_id = $1")
        .bind(portal_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(row) => row.try_get("version")?,
        None => 0,
    })
}

/// The portal's copy at `version` (or later), read from the database when this node has none;
/// while another request is reading it, the older copy this node has, if any.
pub async fn snapshot(db: &Db, cache: &KbCache, portal_id: i64, version: i64) -> Result<Arc<Snapshot>, sqlx::Error> {
    if let Some(snapshot) = cache.current(portal_id, version) {
        return Ok(snapshot);
    }
    let _one_at_a_time = match cache.loading.try_lock() {
        Ok(guard) => guard,
        // Another request is reading a copy (a second or more for 100,000 articles): meanwhile
        // the copy there is serves, rather than every reader waiting.
        Err(_) => match cache.latest(portal_id) {
            Some(older) => return Ok(older),
            None => cache.loading.lock().await,
        },
    };
    if let Some(snapshot) = cache.current(portal_id, version) {
        return Ok(snapshot);
    }
    let started = Instant::now();
    let mut snapshot = load(db, portal_id).await?;
    snapshot.max_age = (started.elapsed() * READS_PER_AGE).clamp(MAX_AGE, LONGEST_AGE);
    let snapshot = Arc::new(snapshot);
    cache.portals.write().unwrap_or_else(|e| e.into_inner()).insert(portal_id, snapshot.clone());
    Ok(snapshot)
}

/// Reads a portal's copy. The version is read first: a change landing during the reading
/// leaves a copy newer than its version says, which the next page reads again.
async fn load(db: &Db, portal_id: i64) -> Result<Snapshot, sqlx::Error> {
    let version = version(db, portal_id).await?;
    let categories = load_categories(db, portal_id).await?;
    let rows = sqlx::query(
        "SELECT id, category_id, language, translation_of, visibility, title, helpful_yes, published_at \
         FROM kb_articles WHERE portal_id = $1 AND published_revision IS NOT NULL",
    )
    .bind(portal_id)
    .fetch_all(db.pool())
    .await?;
    let mut articles = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let title: String = row.try_get("title")?;
        let visibility: String = row.try_get("visibility")?;
        let language: String = row.try_get("language")?;
        articles.push(Article {
            id,
            category_id: row.try_get("category_id")?,
            language: Lang::parse(&language).unwrap_or_default(),
            group: row.try_get::<Option<i64>, _>("translation_of")?.unwrap_or(id),
            visibility: Visibility::parse(&visibility).unwrap_or(Visibility::Internal),
            sort_key: title.to_lowercase(),
            title,
            helpful_yes: row.try_get("helpful_yes")?,
            published_at: row.try_get::<Option<i64>, _>("published_at")?.unwrap_or(0),
        });
    }
    articles.sort_by(|a, b| (&a.sort_key, a.id).cmp(&(&b.sort_key, b.id)));
    Ok(index(version, categories, articles))
}

async fn load_categories(db: &Db, portal_id: i64) -> Result<Vec<Category>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.id, c.parent_id, c.position, n.language, n.name, n.description FROM kb_categories c \
         JOIN kb_category_names n ON n.portal_id = c.portal_id AND n.category_id = c.id \
         WHERE c.portal_id = $1 ORDER BY c.position, c.id, n.language",
    )
    .bind(portal_id)
    .fetch_all(db.pool())
    .await?;
    let mut categories: Vec<Category> = Vec::new();
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let language: String = row.try_get("language")?;
        let name = (Lang::parse(&language).unwrap_or_default(), row.try_get("name")?, row.try_get("description")?);
        match categories.last_mut() {
            Some(last) if last.id == id => last.names.push(name),
            _ => categories.push(Category {
                id,
                parent_id: row.try_get("parent_id")?,
                position: row.try_get("position")?,
                names: vec![name],
            }),
        }
    }
    Ok(categories)
}

fn index(version: i64, categories: Vec<Category>, articles: Vec<Article>) -> Snapshot {
    let category_at = categories.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let article_at = articles.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
    let mut in_category: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut groups: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, a) in articles.iter().enumerate() {
        in_category.entry(a.category_id).or_default().push(i);
        groups.entry(a.group).or_default().push(i);
    }
    let has_customers_only =
        articles.iter().any(|a| Reader::Customer.may_read(a.visibility) && !Reader::Visitor.may_read(a.visibility));
    Snapshot {
        version,
        loaded: Instant::now(),
        max_age: MAX_AGE,
        categories,
        articles,
        category_at,
        article_at,
        in_category,
        groups,
        has_customers_only,
        views: Default::default(),
        bodies: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: i64, category_id: i64, language: Lang, group: i64, visibility: Visibility, title: &str) -> Article {
        Article {
            id,
            category_id,
            language,
            group,
            visibility,
            title: title.into(),
            helpful_yes: id,
            published_at: 100 + id,
            sort_key: title.to_lowercase(),
        }
    }

    fn category(id: i64, parent_id: Option<i64>) -> Category {
        Category { id, parent_id, position: 0, names: vec![(Lang::En, format!("c{id}"), String::new())] }
    }

    #[test]
    fn a_view_lists_one_article_per_translation_in_the_readers_language_and_counts_subcategories() {
        let mut articles = vec![
            article(1, 10, Lang::En, 1, Visibility::Public, "Billing"),
            article(2, 10, Lang::PtBr, 1, Visibility::Public, "Cobrança"),
            article(3, 11, Lang::En, 3, Visibility::Internal, "Escalations"),
            article(4, 11, Lang::PtBr, 4, Visibility::Customers, "Contratos"),
        ];
        articles.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
        let s = index(1, vec![category(10, None), category(11, Some(10))], articles);
        let titles = |v: &View, c: i64| v.listed(c).iter().map(|i| s.articles[*i].title.clone()).collect::<Vec<_>>();

        let visitor_pt = s.view(Reader::Visitor, Lang::PtBr);
        assert_eq!(titles(visitor_pt, 10), ["Cobrança"]);
        assert_eq!(titles(visitor_pt, 11), Vec::<String>::new());
        assert_eq!(visitor_pt.count(10), 1);

        let customer_en = s.view(Reader::Customer, Lang::En);
        assert_eq!(titles(customer_en, 10), ["Billing"]);
        // No English version: the Portuguese one is listed.
        assert_eq!(titles(customer_en, 11), ["Contratos"]);
        assert_eq!(customer_en.count(10), 2);

        let agent = s.view(Reader::Agent, Lang::En);
        assert_eq!(agent.count(10), 3);
        assert_eq!(agent.count(11), 2);
        assert_eq!(agent.recent.first().map(|i| s.articles[*i].id), Some(4));
    }

    #[test]
    fn a_loop_of_categories_typed_by_hand_ends() {
        let s = index(1, vec![category(1, Some(2)), category(2, Some(1))], vec![]);
        assert_eq!(s.path(1).len(), MAX_DEPTH);
    }
}
