//! The queue page: the queue menu (the agent's queues and saved views, each with a count capped
//! at `queues::COUNT_CAP`), the filters form, a page of tickets with a checkbox each for bulk
//! actions, and the links to the next page. Everything it shows is limited to the portal and
//! the agent's scope; a saved view's filters go through the same scope.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::filters::{QueueQuery, format_cursor, parse_cursor, parse_filters, parse_status};
use super::ticket::Choice;
use super::{PAGE_SIZE, QueueLink, Row, priority_label, row_view, status_label};
use crate::auth::ManageUser;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::{Msg, Texts as _, t};
use crate::tickets::access::{self, Scope};
use crate::tickets::queues::{self, Filters, Queue, Selection, Sort, StatusFilter};
use crate::tickets::views::{self, SavedView};
use crate::tickets::{Priority, Status};
use crate::web::csrf::CsrfToken;
use crate::web::extract::Query;
use crate::web::layout::Shell;
use crate::web::state::AppState;

/// A saved view in the queue menu.
pub struct ViewLink {
    pub id: i64,
    pub name: String,
    pub count: String,
    pub shared: bool,
    pub current: bool,
}

/// The view being shown, with what its viewer may do to it.
pub struct CurrentView {
    pub id: i64,
    pub name: String,
    pub editable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets/templates/manage_queue.html")]
struct QueuePage {
    shell: Shell,
    queues: Vec<QueueLink>,
    views: Vec<ViewLink>,
    view: Option<CurrentView>,
    queue: String,
    status: &'static str,
    statuses: Vec<(&'static str, String)>,
    /// The filters as typed, by field name, for the form.
    typed: QueueQuery,
    lists: Lists,
    /// The canonical filter string (saved by "save as view").
    canonical: String,
    /// The query of this page's links (filters or view), without the cursor.
    base: String,
    rows: Vec<Row>,
    next: Option<String>,
    first_page: bool,
    /// Every checkbox ticked (the "select all" link, which needs no script).
    select_all: bool,
    may_answer: bool,
    may_share: bool,
}

/// The choices of the page's selects.
struct Lists {
    /// For the filters: the priorities, the departments in scope, the portal's staff, the sorts.
    priorities: Vec<Choice>,
    departments: Vec<Choice>,
    assignees: Vec<Choice>,
    sorts: Vec<Choice>,
    /// For the bulk form: every department of the portal and its staff, statuses, priorities.
    move_to: Vec<Choice>,
    staff: Vec<Choice>,
    bulk_statuses: Vec<Choice>,
    bulk_priorities: Vec<Choice>,
}

impl Lists {
    fn new(typed: &QueueQuery, sort: Sort, departments: &[(i64, String)], scope: &Scope, staff: &Names) -> Lists {
        let priorities = || Priority::ALL.iter().map(|p| (p.as_str().to_string(), priority_label(*p)));
        let all_departments = || departments.iter().map(|(id, n)| (id.to_string(), n.clone()));
        let in_scope = all_departments().filter(|(id, _)| id.parse().is_ok_and(|id| scope.allows_department(id)));
        Lists {
            priorities: choices(priorities(), &typed.value("priority")),
            departments: choices(in_scope, &typed.value("department")),
            assignees: choices(staff_choices(staff, Some(t("desk-unassigned"))).into_iter(), &typed.value("assignee")),
            sorts: choices(Sort::ALL.iter().map(|s| (s.as_str().to_string(), sort_label(*s))), sort.as_str()),
            move_to: choices(all_departments(), ""),
            staff: choices(staff_choices(staff, None).into_iter(), ""),
            bulk_statuses: choices(Status::ALL.iter().map(|s| (s.as_str().to_string(), status_label(*s))), ""),
            bulk_priorities: choices(priorities(), ""),
        }
    }
}

type Names = std::collections::HashMap<i64, String>;

/// The queues the agent has, as (code, queue, label).
fn queues_of(user: &ManageUser, scope: &Scope, departments: &[(i64, String)]) -> Vec<(String, Queue, String)> {
    let mut list = vec![
        ("mine".to_string(), Queue::Mine(user.staff.id), t("desk-queue-mine")),
        ("unassigned".to_string(), Queue::Unassigned, t("desk-queue-unassigned")),
    ];
    for (id, name) in departments.iter().filter(|(id, _)| scope.allows_department(*id)) {
        list.push((format!("d{id}"), Queue::Department(*id), name.clone()));
    }
    if *scope == Scope::WholePortal {
        list.push(("all".to_string(), Queue::All, t("desk-queue-all")));
    }
    list
}

/// A saved view's queue, whoever looks at it: the scope still applies to it, so "all" is all the
/// viewer sees, and another department's queue is empty for those outside it.
fn view_queue(user: &ManageUser, code: &str) -> Queue {
    match code {
        "mine" => Queue::Mine(user.staff.id),
        "unassigned" => Queue::Unassigned,
        other => match other.strip_prefix('d').and_then(|id| id.parse().ok()) {
            Some(id) => Queue::Department(id),
            None => Queue::All,
        },
    }
}

/// The menu's queues with their counts (of the statuses shown, without the filters): exact,
/// from the counters the database keeps (`dashboard::counts`), one small query for them all.
async fn queue_links(
    db: &Db,
    portal_id: i64,
    staff_id: i64,
    scope: &Scope,
    available: &[(String, Queue, String)],
    status: StatusFilter,
    current: &str,
) -> AppResult<Vec<QueueLink>> {
    let counters = crate::tickets::dashboard::counts::rows(db, portal_id, staff_id).await?;
    Ok(available
        .iter()
        .map(|(code, queue, label)| {
            let n = crate::tickets::dashboard::counts::queue_total(&counters, scope, *queue, status);
            QueueLink { code: code.clone(), label: label.clone(), count: n.to_string(), current: code == current }
        })
        .collect())
}

/// The customer filter also finds the tickets of the customer account with that address.
async fn with_customer(db: &Db, portal_id: i64, mut filters: Filters) -> AppResult<Filters> {
    if let Some(customer) = filters.customer.as_mut() {
        let email = crate::accounts::Email::parse(&customer.email).map_err(AppError::bad_request)?;
        let found = crate::accounts::customers::by_email(db, portal_id, &email).await?;
        customer.customer_id = found.map(|c| c.id);
    }
    Ok(filters)
}

/// What a page shows, read from its address or from the saved view it names.
struct Shown {
    query: QueueQuery,
    view: Option<SavedView>,
    queue: Queue,
    status: (StatusFilter, &'static str),
    filters: Filters,
}

async fn shown(
    state: &AppState,
    user: &ManageUser,
    q: &QueueQuery,
    available: &[(String, Queue, String)],
    saved: &[SavedView],
) -> AppResult<Shown> {
    let view = match q.view.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(raw) => match saved.iter().find(|v| v.id.to_string() == raw) {
            Some(listed) => Some(listed.clone()),
            // Past the menu's length: still the viewer's to open.
            None => Some(views::find_visible(&state.db, user, raw).await?),
        },
        None => None,
    };
    let query = match &view {
        Some(v) => QueueQuery::from_canonical(&v.query)?,
        None => q.clone(),
    };
    let code = query.value("queue");
    let code = if code.is_empty() { "mine".to_string() } else { code };
    let queue = match available.iter().find(|(c, _, _)| *c == code) {
        Some((_, queue, _)) => *queue,
        // An address names only the agent's own queues: another department's is not found.
        None if view.is_none() => return Err(AppError::NotFound),
        None => view_queue(user, &code),
    };
    let status =
        parse_status(query.status.as_deref()).ok_or_else(|| AppError::bad_request(Msg::new("desk-bad-status")))?;
    let filters = with_customer(&state.db, user.portal.id, parse_filters(&query)?).await?;
    Ok(Shown { query, view, queue, status, filters })
}

/// The menu's views with their capped counts; a view whose filters no longer read counts 0.
async fn view_links(
    state: &AppState,
    user: &ManageUser,
    scope: &Scope,
    saved: &[SavedView],
    current: Option<i64>,
) -> AppResult<Vec<ViewLink>> {
    let mut links = Vec::with_capacity(saved.len());
    for v in saved {
        let parsed = QueueQuery::from_canonical(&v.query)
            .and_then(|q| Ok((parse_status(q.status.as_deref()), parse_filters(&q)?, q)));
        let count = match parsed {
            Ok((Some((status, _)), filters, q)) => {
                let filters = with_customer(&state.db, user.portal.id, filters).await?;
                let selection = Selection { queue: view_queue(user, &q.value("queue")), status, filters: &filters };
                queues::count_capped(&state.db, user.portal.id, scope, selection).await?
            }
            _ => 0,
        };
        let (id, name, shared) = (v.id, v.name.clone(), v.department_id.is_some());
        links.push(ViewLink { id, name, count: queues::count_label(count), shared, current: current == Some(id) });
    }
    Ok(links)
}

pub async fn queue_page(
    State(state): State<AppState>,
    user: ManageUser,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<QueueQuery>,
) -> AppResult<Response> {
    let portal_id = user.portal.id;
    let scope = access::scope(&state.db, &user).await?;
    let departments: Vec<(i64, String)> =
        crate::accounts::departments::list(&state.db, portal_id).await?.into_iter().map(|d| (d.id, d.name)).collect();
    let available = queues_of(&user, &scope, &departments);
    let saved = views::visible(&state.db, &user).await?;
    let shown = shown(&state, &user, &q, &available, &saved).await?;
    let filters = &shown.filters;
    // A number typed into the filters goes straight to that ticket, when the agent sees it.
    if let (Some(number), None, None) = (filters.number, &shown.view, &q.after) {
        let mut conn = state.db.pool().acquire().await?;
        if crate::tickets::manage_queries::find(&mut conn, portal_id, &scope, number).await?.is_some() {
            return Ok(Redirect::to(&format!("/manage/tickets/{number}")).into_response());
        }
    }
    let after = parse_cursor(q.after.as_deref(), filters.sort)?;
    let selection = Selection { queue: shown.queue, status: shown.status.0, filters };
    let mut rows = queues::page(&state.db, portal_id, &scope, selection, after, PAGE_SIZE + 1).await?;
    let next = if rows.len() as i64 > PAGE_SIZE {
        rows.truncate(PAGE_SIZE as usize);
        rows.last().map(|r| format_cursor(r.cursor(filters.sort), filters.sort))
    } else {
        None
    };
    let code = shown.query.value("queue");
    let current_queue = if shown.view.is_some() {
        ""
    } else if code.is_empty() {
        "mine"
    } else {
        code.as_str()
    };
    let queue_links =
        queue_links(&state.db, portal_id, user.staff.id, &scope, &available, shown.status.0, current_queue).await?;
    let current_view = shown.view.as_ref().map(|v| v.id);
    let view_links = view_links(&state, &user, &scope, &saved, current_view).await?;
    let names = crate::tickets::manage_queries::names(&state.db, portal_id).await?;
    let base = match &shown.view {
        Some(v) => format!("view={}", v.id),
        None => shown.query.canonical(),
    };
    let typed = shown.query.clone();
    let page = QueuePage {
        shell: Shell::new(&user, csrf, "/manage/tickets", None),
        queues: queue_links,
        views: view_links,
        view: shown.view.as_ref().map(|v| CurrentView {
            id: v.id,
            name: v.name.clone(),
            editable: views::may_edit(&user, v),
        }),
        queue: if code.is_empty() { "mine".into() } else { code },
        status: shown.status.1,
        statuses: status_choices(),
        lists: Lists::new(&typed, filters.sort, &departments, &scope, &names.1),
        canonical: shown.query.canonical(),
        base,
        rows: rows.into_iter().map(|r| row_view(r, &names)).collect(),
        next,
        first_page: after.is_none(),
        select_all: q.select.as_deref() == Some("all"),
        may_answer: access::may_answer(&user),
        may_share: views::may_share(&user),
        typed,
    };
    Ok(page.into_response())
}

fn sort_label(sort: Sort) -> String {
    match sort {
        Sort::Activity => t("ticket-queue-sort-activity"),
        Sort::Created => t("ticket-queue-sort-created"),
        Sort::Priority => t("ticket-queue-sort-priority"),
    }
}

fn choices(all: impl Iterator<Item = (String, String)>, selected: &str) -> Vec<Choice> {
    all.map(|(value, label)| Choice { selected: value == selected, value, label }).collect()
}

/// The portal's staff by name, with "none" (unassigned) first when `nobody` is given.
fn staff_choices(staff: &Names, nobody: Option<String>) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = staff.iter().map(|(id, name)| (id.to_string(), name.clone())).collect();
    list.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    if let Some(label) = nobody {
        list.insert(0, ("none".into(), label));
    }
    list
}

fn status_choices() -> Vec<(&'static str, String)> {
    let mut list = vec![("active", t("desk-filter-active"))];
    list.extend(Status::ALL.into_iter().map(|s| (s.as_str(), status_label(s))));
    list.push(("any", t("desk-filter-any")));
    list
}
