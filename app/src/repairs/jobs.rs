//! The maintenance worker's phone: their queue (my jobs, the pool) as the
//! home page, refreshed while it is open, and one job with its steps.

use leptos::prelude::*;

use super::api::*;
use super::pages::{StatusBadge, TicketFlags, TicketPage};
use super::*;
// Ours, not leptos::prelude::Action (a glob each).
use super::rules::Action;
use crate::i18n::use_i18n;
use crate::ui::{form_error, load, FormError};

/// How often the queue asks the server whether anything changed.
const POLL_SECONDS: u64 = 15;

/// `/jobs`: my jobs (urgent first, then by appointment) and the pool.
#[component]
pub fn JobsHome() -> impl IntoView {
    let i18n = use_i18n();
    let step = ServerAction::<TicketStep>::new();
    // `shown` bumps only when the queue really changed, so a card does not
    // jump under the worker's thumb every poll.
    let shown = RwSignal::new(0u32);
    let queue = Resource::new(move || (shown.get(), step.version().get()), |_| get_queue());
    let last_stamp = StoredValue::new(None::<String>);
    let poll = leptos::prelude::Action::new(|_: &()| get_queue());
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                poll.dispatch(());
            },
            std::time::Duration::from_secs(POLL_SECONDS),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(q)) = queue.get() {
            last_stamp.set_value(Some(q.stamp));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(q)) = poll.value().get() {
            if last_stamp.get_value().as_deref() != Some(q.stamp.as_str()) {
                shown.update(|s| *s += 1);
            }
        }
    });
    let v = step.value();
    view! {
        <>
            <h1>{i18n.t("jobs.title")}</h1>
            <crate::keys::pages::MyKeysPanel />
            <FormError error=form_error(v) />
            {load(move || queue, move |q| view! { <QueueView q step /> })}
        </>
    }
}

#[component]
fn QueueView(q: Queue, step: ServerAction<TicketStep>) -> impl IntoView {
    let i18n = use_i18n();
    let mine_empty = q.mine.is_empty();
    let pool_empty = q.pool.is_empty();
    let mine = q
        .mine
        .into_iter()
        .map(|r| view! { <JobCard r step mine=true /> })
        .collect_view();
    let pool = q
        .pool
        .into_iter()
        .map(|r| view! { <JobCard r step mine=false /> })
        .collect_view();
    view! {
        <section aria-labelledby="mine">
            <h2 id="mine">{i18n.t("jobs.mine")}</h2>
            {mine_empty.then(|| view! { <p class="empty">{use_i18n().t("jobs.empty")}</p> })}
            <ul class="job-cards">{mine}</ul>
        </section>
        <section aria-labelledby="pool">
            <h2 id="pool">{i18n.t("jobs.pool")}</h2>
            {pool_empty.then(|| view! { <p class="empty">{use_i18n().t("jobs.pool_empty")}</p> })}
            <ul class="job-cards">{pool}</ul>
        </section>
    }
}

/// One job: where, what, when, and the next step as one big button.
#[component]
fn JobCard(r: TicketRow, step: ServerAction<TicketStep>, mine: bool) -> impl IntoView {
    let i18n = use_i18n();
    let next = match (mine, r.status) {
        (false, _) => Some(Action::Pick),
        (true, Status::Assigned) => Some(Action::Accept),
        (true, Status::Accepted) => Some(Action::Start),
        _ => None,
    };
    let href = format!("/jobs/{}", r.id);
    view! {
        <li class="job-card" class:late=r.late.any()>
            <a class="job-link" href=href.clone()>
                <span class="job-place">{r.place.clone()}</span>
                <span class="job-cat">{i18n.t(r.category.key())}</span>
                <span class="job-desc">{r.description.clone()}</span>
                <span class="job-meta">
                    <StatusBadge status=r.status /> " "
                    <TicketFlags urgency=r.urgency late=r.late rework=r.rework_count paid=r.paid />
                    {r.appointment_at.clone().map(|a| view! { " " <span class="appt">{use_i18n().f("jobs.appointment", &[("at", &a)])}</span> })}
                </span>
            </a>
            {match next {
                Some(a) => view! {
                    <ActionForm action=step>
                        <input type="hidden" name="id" value=r.id />
                        <input type="hidden" name="action" value=a.as_str() />
                        <button type="submit" class="primary wide big">{use_i18n().t(a.key())}</button>
                    </ActionForm>
                }.into_any(),
                None => view! {
                    <a class="button primary wide big" href=href>{use_i18n().t("jobs.open_to_finish")}</a>
                }.into_any(),
            }}
        </li>
    }
}

/// `/jobs/:id`: one job with its steps, finish form and photos.
#[component]
pub fn JobPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <>
            <p class="crumbs"><a href="/jobs">{i18n.t("jobs.title")}</a></p>
            <TicketPage />
        </>
    }
}
