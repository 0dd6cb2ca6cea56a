//! Settings of the portal being worked in: one section per settings group of every feature
//! (`crate::web::settings`), the same keys and checks as `frontdesk portal set`.

use std::collections::HashMap;

use crate::web::extract::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::MsgQuery;
use crate::accounts::permissions::Permission;
use crate::auth::ManageUser;
use crate::error::AppResult;
use crate::i18n::{Lang, Msg, Texts as _};
use crate::web::csrf::{CsrfForm, CsrfToken};
use crate::web::layout::Shell;
use crate::web::settings::{self, FieldKind, Note, NoteAt, SettingSpec};
use crate::web::state::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "admin/templates/portal_settings.html")]
struct SettingsPage {
    shell: Shell,
    csrf: String,
    errors: Vec<Msg>,
    sections: Vec<Section>,
}

struct Section {
    id: &'static str,
    title: Option<String>,
    notes: Vec<NoteView>,
    fields: Vec<Field>,
}

/// One setting's field(s). `kind` says which of the other members apply: `text` (value,
/// max_len, placeholder, required), `number` (value), `checkbox` (checked), `select` (choices),
/// `boxes` (boxes), `secret` (max_len, placeholder).
#[derive(Default)]
struct Field {
    key: &'static str,
    label: String,
    kind: &'static str,
    value: String,
    max_len: Option<usize>,
    placeholder: String,
    required: bool,
    checked: bool,
    choices: Vec<Choice>,
    boxes: Vec<CheckBox>,
    /// The spec's note, then what the group adds under this field.
    notes: Vec<NoteView>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct CheckBox {
    name: String,
    label: String,
    checked: bool,
}

/// A note as the template shows it: `kind` is `text` (segments), `problem` (id, text) or
/// `copy` (id, label, text).
#[derive(Default)]
struct NoteView {
    kind: &'static str,
    id: &'static str,
    label: String,
    text: String,
    segments: Vec<settings::Segment>,
}

impl From<Note> for NoteView {
    fn from(note: Note) -> NoteView {
        match note {
            Note::Text(segments) => NoteView { kind: "text", segments, ..Default::default() },
            Note::Problem { id, text } => NoteView { kind: "problem", id, text, ..Default::default() },
            Note::Copy { id, label, value } => NoteView { kind: "copy", id, label, text: value, ..Default::default() },
        }
    }
}

/// A setting's field from its value, and whether a secret is stored.
fn field(spec: &SettingSpec, value: &str, secret_stored: bool, lang: Lang) -> Field {
    let choice = |v: &str, label: String| Choice { value: v.into(), label, selected: v == value };
    let base = Field { key: spec.key, label: lang.t(spec.label), ..Default::default() };
    match spec.kind {
        FieldKind::Text { max_len, placeholder, required } => {
            Field { kind: "text", value: value.into(), max_len, placeholder: placeholder.into(), required, ..base }
        }
        FieldKind::Number => Field { kind: "number", value: value.into(), ..base },
        FieldKind::Checkbox => Field { kind: "checkbox", checked: value == "true", ..base },
        FieldKind::Select(choices) => Field {
            kind: "select",
            choices: choices.iter().map(|c| choice(c.value, lang.t(c.label))).collect(),
            ..base
        },
        FieldKind::Language => {
            let automatic = choice("", lang.t("settings-language-auto"));
            let languages = Lang::ALL.into_iter().map(|l| choice(l.tag(), l.native_name().into()));
            Field { kind: "select", choices: std::iter::once(automatic).chain(languages).collect(), ..base }
        }
        FieldKind::Boxes { field_prefix, choices } => Field {
            kind: "boxes",
            boxes: choices
                .iter()
                .map(|c| CheckBox {
                    name: format!("{field_prefix}{}", c.value),
                    label: lang.t(c.label),
                    checked: value.split(',').any(|v| v == c.value),
                })
                .collect(),
            ..base
        },
        FieldKind::Secret { max_len } => Field {
            kind: "secret",
            max_len: Some(max_len),
            placeholder: lang.t(if secret_stored { "settings-secret-stored" } else { "settings-secret-not-set" }),
            ..base
        },
    }
}

/// The page's sections. `values` are the fields' values (stored, or as submitted); `stored`
/// what is stored (a secret's field is always empty, its placeholder says whether one is).
async fn sections(
    state: &AppState,
    user: &ManageUser,
    values: &HashMap<&str, String>,
    stored: &HashMap<&str, String>,
) -> AppResult<Vec<Section>> {
    let lang = Lang::current();
    let mut sections = Vec::new();
    for group in settings::groups() {
        let mut notes = match group.notes {
            Some(notes) => notes(state, &user.portal).await?,
            None => Vec::new(),
        };
        let fields = group
            .keys
            .iter()
            .map(|spec| {
                let value = values.get(spec.key).map(String::as_str).unwrap_or_default();
                let secret_stored = stored.get(spec.key).is_some_and(|v| !v.is_empty());
                let own = spec.note.map(|key| Note::Text(vec![settings::Segment { text: lang.t(key), code: false }]));
                let added = notes.iter().filter(|n| n.at == NoteAt::After(spec.key)).map(|n| n.note.clone());
                Field {
                    notes: own.into_iter().chain(added).map(NoteView::from).collect(),
                    ..field(spec, value, secret_stored, lang)
                }
            })
            .collect();
        notes.retain(|n| n.at == NoteAt::Start);
        sections.push(Section {
            id: group.id,
            title: group.title.map(|key| lang.t(key)),
            notes: notes.into_iter().map(|n| n.note.into()).collect(),
            fields,
        });
    }
    Ok(sections)
}

async fn stored_values(state: &AppState, user: &ManageUser) -> AppResult<HashMap<&'static str, String>> {
    Ok(settings::show_all(&state.db, &user.portal).await?.into_iter().collect())
}

pub async fn page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<MsgQuery>,
) -> AppResult<Response> {
    if !user.can(Permission::ManagePortalSettings) {
        // "Settings" in the avatar menu: staff who may not change the portal get their profile.
        return Ok(Redirect::to("/manage/profile").into_response());
    }
    let stored = stored_values(&state, &user).await?;
    let sections = sections(&state, &user, &stored, &stored).await?;
    let shell = Shell::new(&user, csrf.clone(), "/manage/settings", q.msg.as_deref());
    Ok(SettingsPage { shell, csrf, errors: vec![], sections }.into_response())
}

/// The value a group's setting gets from the submitted form; `None` keeps what is stored (an
/// empty secret field).
fn submitted(spec: &SettingSpec, form: &[(String, String)]) -> Option<String> {
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    Some(match spec.kind {
        FieldKind::Checkbox => field(spec.key).is_some().to_string(),
        FieldKind::Boxes { field_prefix, choices } => {
            let checked = choices.iter().filter(|c| field(&format!("{field_prefix}{}", c.value)).is_some());
            checked.map(|c| c.value).collect::<Vec<_>>().join(",")
        }
        FieldKind::Secret { .. } => field(spec.key).filter(|v| !v.is_empty())?.to_string(),
        FieldKind::Text { .. } | FieldKind::Number | FieldKind::Select(_) | FieldKind::Language => {
            field(spec.key).unwrap_or_default().to_string()
        }
    })
}

pub async fn save(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> AppResult<Response> {
    user.require(Permission::ManagePortalSettings)?;
    // Every group's settings, in page order, as one change.
    let pairs: Vec<(&'static str, String)> = settings::groups()
        .into_iter()
        .flat_map(|group| group.keys)
        .filter_map(|spec| submitted(spec, &form).map(|value| (spec.key, value)))
        .collect();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let errors = settings::set_many(&state.db, &state.settings_context(), &user.portal, &refs).await?;
    if errors.is_empty() {
        tracing::info!(staff_id = user.staff.id, portal = %user.portal.slug, "portal settings saved");
        return Ok(Redirect::to("/manage/settings?msg=saved").into_response());
    }
    let stored = stored_values(&state, &user).await?;
    let values: HashMap<&str, String> = pairs.into_iter().collect();
    let sections = sections(&state, &user, &values, &stored).await?;
    let shell = Shell::new(&user, csrf.clone(), "/manage/settings", None);
    let page = SettingsPage { shell, csrf, errors, sections };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
