//! The article form of management: its fields, their checks, and the editor page built from an
//! article (or for a new one). The handlers are in `manage_articles.rs`.

use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::Visibility;
use super::manage::{ACTIVE, Choice, LANGUAGES, language_choices, language_label, one_line, visibility_choices};
use super::manage_categories::{self as categories, Category};
use super::manage_queries::{self as queries, ArticleFile, EditorArticle, TranslationRefusal};
use crate::auth::ManageUser;
use crate::error::AppResult;
use crate::i18n::{Msg, Texts as _, t};
use crate::tickets::{settings, uploads};
use crate::web::layout::Shell;
use crate::web::state::AppState;

pub const TITLE_MAX_CHARS: usize = 200;
/// The longest article, in characters of Markdown (a long manual page; the form's text field
/// takes 96 KiB at most in any case).
pub const MARKDOWN_MAX_CHARS: usize = 60_000;

#[derive(Deserialize, Default, Clone, Debug)]
pub struct ArticleForm {
    #[serde(default)]
    pub title: String,
    /// The Markdown (`body`: a multi-line field, see `web::input`).
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub visibility: String,
    /// The id of the original this article translates, or empty.
    #[serde(default)]
    pub translation_of: String,
    /// `save` (the draft) or `publish`.
    #[serde(default)]
    pub action: String,
}

impl ArticleForm {
    pub fn publishing(&self) -> bool {
        self.action == "publish"
    }
}

/// A form that passed its checks.
pub struct Valid {
    pub title: String,
    pub markdown: String,
    pub language: &'static str,
    pub category_id: i64,
    pub visibility: Visibility,
    pub translation_of: Option<i64>,
}

/// Checks the form for the article `article_id` (None for a new one) of the portal.
pub async fn check(
    state: &AppState,
    portal_id: i64,
    article_id: Option<i64>,
    form: &ArticleForm,
    categories: &[Category],
) -> AppResult<Result<Valid, Vec<Msg>>> {
    let mut errors = Vec::new();
    let title = match one_line(&form.title, TITLE_MAX_CHARS) {
        Ok(Some(title)) => title,
        Ok(None) => {
            errors.push(Msg::new("kb-manage-article-title-required"));
            String::new()
        }
        Err(_) => {
            errors.push(Msg::new("kb-manage-article-title-invalid").arg("max", TITLE_MAX_CHARS));
            String::new()
        }
    };
    let markdown = form.body.replace("\r\n", "\n");
    if markdown.chars().count() > MARKDOWN_MAX_CHARS {
        errors.push(Msg::new("kb-manage-article-body-too-long").arg("max", MARKDOWN_MAX_CHARS));
    } else if form.publishing() && markdown.trim().is_empty() {
        errors.push(Msg::new("kb-manage-article-body-required"));
    }
    let language = LANGUAGES.into_iter().find(|l| *l == form.language).unwrap_or_else(|| {
        errors.push(Msg::new("kb-manage-article-language-unknown"));
        "en"
    });
    let category_id = form.category.parse::<i64>().ok().filter(|id| categories.iter().any(|c| c.id == *id));
    if category_id.is_none() {
        errors.push(Msg::new("kb-manage-article-category-unknown"));
    }
    let visibility = Visibility::parse(&form.visibility).unwrap_or_else(|| {
        errors.push(Msg::new("kb-manage-article-visibility-unknown"));
        Visibility::Internal
    });
    let translation_of = match form.translation_of.trim() {
        "" => None,
        raw => match raw.trim_start_matches('#').parse::<i64>() {
            Ok(original) => {
                match queries::check_translation(&state.db, portal_id, article_id, language, original).await? {
                    Ok(()) => Some(original),
                    Err(refusal) => {
                        errors.push(translation_message(refusal));
                        None
                    }
                }
            }
            Err(_) => {
                errors.push(translation_message(TranslationRefusal::Unknown));
                None
            }
        },
    };
    // An original may not take the language of one of its translations.
    if let (None, Some(id)) = (translation_of, article_id)
        && queries::has_translation_in(&state.db, portal_id, id, language).await?
    {
        errors.push(Msg::new("kb-manage-translation-language-used"));
    }
    Ok(match (errors.is_empty(), category_id) {
        (true, Some(category_id)) => Ok(Valid { title, markdown, language, category_id, visibility, translation_of }),
        _ => Err(errors),
    })
}

fn translation_message(refusal: TranslationRefusal) -> Msg {
    Msg::new(match refusal {
        TranslationRefusal::Unknown => "kb-manage-translation-unknown",
        TranslationRefusal::NotAnOriginal => "kb-manage-translation-not-original",
        TranslationRefusal::HasTranslations => "kb-manage-translation-has-translations",
        TranslationRefusal::SameLanguage => "kb-manage-translation-same-language",
        TranslationRefusal::Taken => "kb-manage-translation-taken",
    })
}

// ---- the page ----------------------------------------------------------------------------------

pub struct FileView {
    pub id: i64,
    pub filename: String,
    pub size: String,
    /// What to paste into the Markdown to show or link the file.
    pub snippet: String,
}

/// A file's Markdown, relative to the article's own address so that it works wherever the
/// article is read: `/portal/{slug}/kb/articles/{id}`, the portal's own host
/// (`/kb/articles/{id}`), and this editor (`/manage/kb/articles/{id}`), each of which serves
/// `{id}/files/{file}` below it.
pub fn snippet(article_id: i64, f: &ArticleFile) -> String {
    let alt: String = f.filename.chars().filter(|c| !matches!(c, '[' | ']' | '\\')).collect();
    let bang = if f.is_image() { "!" } else { "" };
    format!("{bang}[{alt}]({article_id}/files/{})", f.id)
}

/// The article's HTML for a page of this editor that is not at the article's own address: its
/// files' relative links made absolute (the HTML is sanitised already; only the known prefix
/// changes).
pub fn html_for_editor(article_id: i64, html: &str) -> String {
    let relative = format!("=\"{article_id}/files/");
    html.replace(&relative, &format!("=\"/manage/kb/articles/{article_id}/files/"))
}

pub struct TranslationView {
    pub id: i64,
    pub language: String,
    pub title: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kb/templates/manage_article.html")]
pub struct EditPage {
    pub shell: Shell,
    /// None for a new article.
    pub id: Option<i64>,
    pub form: ArticleForm,
    pub errors: Vec<Msg>,
    pub categories: Vec<Choice>,
    pub languages: Vec<Choice>,
    pub visibilities: Vec<Choice>,
    pub state: String,
    pub published: bool,
    pub has_changes: bool,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    pub translations: Vec<TranslationView>,
    /// The languages it has no version in yet (for "write the … version").
    pub missing_languages: Vec<Choice>,
    pub files: Vec<FileView>,
    /// The draft rendered as readers will see it once published (sanitised).
    pub preview: String,
    pub limits: uploads::FileLimits,
    pub title_max: usize,
}

/// The state of an article in words.
pub fn state_label(a: &EditorArticle) -> String {
    match (a.published_revision.is_some(), a.has_changes()) {
        (false, _) => t("kb-manage-state-draft"),
        (true, false) => t("kb-manage-state-published"),
        (true, true) => t("kb-manage-state-changes"),
    }
}

/// The editor page, for `article` (None for a new one) holding `form`.
pub async fn page(
    state: &AppState,
    user: &ManageUser,
    csrf: String,
    msg: Option<&str>,
    article: Option<&EditorArticle>,
    form: ArticleForm,
    errors: Vec<Msg>,
) -> AppResult<EditPage> {
    let portal_id = user.portal.id;
    let all = categories::all(&state.db, portal_id).await?;
    let (files, translations) = match article {
        Some(a) => {
            (queries::files(&state.db, portal_id, a.id).await?, queries::translations(&state.db, portal_id, a).await?)
        }
        None => (vec![], vec![]),
    };
    let id = article.map(|a| a.id);
    let preview = super::markdown::render(&form.body).html;
    let missing_languages = match article {
        Some(a) => LANGUAGES
            .iter()
            .filter(|l| **l != a.language && !translations.iter().any(|(_, lang, _)| lang == *l))
            .map(|l| Choice { value: l.to_string(), label: language_label(l), selected: false })
            .collect(),
        None => vec![],
    };
    Ok(EditPage {
        shell: Shell::new(user, csrf, ACTIVE, msg),
        id,
        categories: categories::choices(&all, form.category.parse().ok(), None),
        languages: language_choices(&form.language),
        visibilities: visibility_choices(&form.visibility),
        state: article.map(state_label).unwrap_or_else(|| t("kb-manage-state-new")),
        published: article.is_some_and(|a| a.published_revision.is_some()),
        has_changes: article.is_some_and(EditorArticle::has_changes),
        helpful_yes: article.map_or(0, |a| a.helpful_yes),
        helpful_no: article.map_or(0, |a| a.helpful_no),
        translations: translations
            .into_iter()
            .map(|(id, lang, title)| TranslationView { id, language: language_label(&lang), title })
            .collect(),
        missing_languages,
        files: files
            .iter()
            .map(|f| FileView {
                id: f.id,
                filename: f.filename.clone(),
                size: crate::tickets::downloads::human_size(f.size),
                snippet: id.map(|id| snippet(id, f)).unwrap_or_default(),
            })
            .collect(),
        preview: id.map_or(preview.clone(), |id| html_for_editor(id, &preview)),
        limits: settings::load(&state.db, portal_id).await?.into(),
        form,
        errors,
        title_max: TITLE_MAX_CHARS,
    })
}
