//! The works' visits on the application's page: the form a reviewer (on the
//! phone) or the desk records a visit with, the visits newest first with
//! the violation each found, its deadline (an overdue one stands out) and
//! its record of being put right, and the visits' photos.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::renovation::api::{RecordRenovationVisit, RectifyRenovationViolation};
use crate::renovation::works::Flag;
use crate::renovation::{InspectionView, State};
use crate::ui::{field_error, form_error, query_text, Field, FormError, TextareaField};

/// What stands out about works, as a badge.
#[component]
pub fn FlagBadge(flag: Option<Flag>) -> impl IntoView {
    flag.map(|f| {
        view! { <span class=format!("badge flag-{}", f.as_str())>{use_i18n().t(f.key())}</span> }
    })
}

#[component]
pub fn Visits(
    id: i64,
    state: State,
    visits: Vec<InspectionView>,
    can_inspect: bool,
    next_visit: String,
    open_violations: i64,
    visit_due: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let record = ServerAction::<RecordRenovationVisit>::new();
    let rv = record.value();
    crate::ui::reload_on_success(rv, refresh);
    let rectify = ServerAction::<RectifyRenovationViolation>::new();
    let xv = rectify.value();
    crate::ui::reload_on_success(xv, refresh);
    // What the last photo upload came back with (`server::renovation_files`).
    let photos_flag = query_text("photos")();
    let photo_error = crate::repairs::PhotoError::parse(&query_text("photo_error")());
    let empty = visits.is_empty();
    let list = visits
        .into_iter()
        .map(|v| {
            let i18n = use_i18n();
            let visit_id = v.id;
            let violation = v.violation.clone().map(|x| {
                let vid = x.id;
                view! {
                    <div class="violation" class:overdue=x.overdue data-testid="violation">
                        <strong>{use_i18n().t("renovation.violation_short")} "："</strong>{x.text.clone()}
                        <div>
                            {use_i18n().t("renovation.deadline")} " " {x.deadline.clone()}
                            {x.overdue.then(|| view! { " " <span class="badge overdue">{use_i18n().t("renovation.overdue")}</span> })}
                            {(!x.rectified.is_empty()).then(|| view! {
                                " " <span class="badge on">{use_i18n().t("renovation.rectified")}</span>
                                " " <span class="muted">{x.rectified.clone()}</span>
                            })}
                        </div>
                        {x.can_rectify.then(|| view! {
                            <button type="button" class="small" on:click=move |_| {
                                rectify.dispatch(RectifyRenovationViolation { violation_id: vid });
                            }>{use_i18n().t("renovation.mark_rectified")}</button>
                        })}
                    </div>
                }
            });
            let photos = v
                .photos
                .iter()
                .map(|p| {
                    view! {
                        <li><a href=format!("/renovations/photos/{p}") target="_blank">
                            <img src=format!("/renovations/photos/{p}/thumb") alt=use_i18n().t("renovation.visits") loading="lazy" />
                        </a></li>
                    }
                })
                .collect_view();
            view! {
                <li id=format!("visit-{visit_id}")>
                    <span class="when">{v.at.clone()} " · " {v.inspector.clone()}</span>
                    <div class="prewrap">{v.note.clone()}</div>
                    {violation}
                    <ul class="photos">{photos}</ul>
                    {v.can_add_photos.then(|| {
                        let input = format!("photo-{visit_id}");
                        // A plain multipart form: it works before the page hydrates.
                        view! {
                            <form method="post" enctype="multipart/form-data"
                                action=format!("/renovations/visits/{visit_id}/photos") class="photo-form">
                                <div class="field">
                                    <label for=input.clone()>{i18n.t("renovation.add_photos")}</label>
                                    <input id=input type="file" name="photo" accept="image/*" multiple />
                                </div>
                                <button type="submit" class="small">{i18n.t("repairs.upload")}</button>
                            </form>
                        }
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="panel" id="visits" aria-labelledby="visits-title">
            <h2 id="visits-title">{i18n.t("renovation.visits")}</h2>
            {(photos_flag == "saved").then(|| view! { <p class="notice" role="status">{use_i18n().t("renovation.photo_saved")}</p> })}
            {photo_error.map(|e| {
                // Repairs' words, but for a visit: its own limit, and works no longer visited.
                let key = match e {
                    crate::repairs::PhotoError::TooMany => "renovation.photo_too_many",
                    crate::repairs::PhotoError::Closed => "renovation.refused.not_visited",
                    other => other.key(),
                };
                view! { <p class="field-error" role="alert">{use_i18n().t(key)}</p> }
            })}
            {(!next_visit.is_empty() || open_violations > 0).then(|| view! { <dl class="facts">
                {(!next_visit.is_empty()).then(|| view! {
                    <div><dt>{use_i18n().t("renovation.next_visit")}</dt>
                        <dd class:overdue=visit_due>{next_visit.clone()}
                            {visit_due.then(|| view! { " " <span class="badge flag-inspection_due">{use_i18n().t("renovation.flag.inspection_due")}</span> })}</dd></div>
                })}
                {(open_violations > 0).then(|| view! {
                    <div><dt>{use_i18n().t("renovation.violation_short")}</dt>
                        <dd data-testid="open-violations">{use_i18n().f("renovation.open_violations", &[("count", &open_violations.to_string())])}</dd></div>
                })}
            </dl> })}
            <FormError error=form_error(xv) />
            {can_inspect.then(|| view! {
                <h3>{use_i18n().t("renovation.visit_record")}</h3>
                <FormError error=form_error(rv) />
                <ActionForm action=record attr:class="visit-form">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="seen" value=state.as_str() />
                    <TextareaField label=use_i18n().t("renovation.visit_note") name="note" id="visit-note".to_string()
                        rows=2 required=true maxlength=500 error=field_error(rv, "note") />
                    <Field label=use_i18n().t("renovation.violation") name="violation"
                        error=field_error(rv, "violation") />
                    <Field label=use_i18n().t("renovation.deadline") name="deadline" kind="date"
                        error=field_error(rv, "deadline") />
                    <button type="submit" class="primary">{use_i18n().t("renovation.visit_record")}</button>
                </ActionForm>
            })}
            {empty.then(|| view! { <p class="empty">{use_i18n().t("renovation.no_visits")}</p> })}
            <ol class="timeline visits">{list}</ol>
        </section>
    }
}
