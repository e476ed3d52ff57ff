//! The application's own drawings and photos (图纸与照片) on its page —
//! the desk's, the reviewer's phone and the portal's: thumbnails opening
//! the full image, and for the applicant and the desk while it is reviewed
//! a plain multipart form (`server::renovation_files`), with what the last
//! upload came back with (`?attachments=saved`, `?attachment_error=<code>`).

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::repairs::PhotoError;
use crate::ui::query_text;

#[component]
pub fn Attachments(id: i64, attachments: Vec<i64>, can_add: bool) -> impl IntoView {
    let i18n = use_i18n();
    let saved = query_text("attachments")() == "saved";
    // Repairs' words, but for an application: its own limit, and one past its review.
    let error = PhotoError::parse(&query_text("attachment_error")()).map(|e| {
        let key = match e {
            PhotoError::TooMany => "renovation.attachment_too_many",
            PhotoError::Closed => "renovation.refused.not_attaching",
            other => other.key(),
        };
        use_i18n().t(key)
    });
    let empty = attachments.is_empty();
    let list = attachments
        .into_iter()
        .map(|a| {
            view! {
                <li><a href=format!("/renovations/attachments/{a}") target="_blank">
                    <img src=format!("/renovations/attachments/{a}/thumb") alt=use_i18n().t("renovation.attachments") loading="lazy" />
                </a></li>
            }
        })
        .collect_view();
    // Without the form (no longer theirs to add to), the refusal stands alone.
    let loose_error = (!can_add).then(|| error.clone()).flatten();
    view! {
        <section class="panel" id="attachments" aria-labelledby="attachments-title">
            <h2 id="attachments-title">{i18n.t("renovation.attachments")}</h2>
            {saved.then(|| view! { <p class="notice" role="status">{use_i18n().t("renovation.attachment_saved")}</p> })}
            {loose_error.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {empty.then(|| view! { <p class="empty">{use_i18n().t("renovation.no_attachments")}</p> })}
            <ul class="photos">{list}</ul>
            {can_add.then(|| {
                let invalid = error.is_some().then_some("true");
                // A plain multipart form: it works before the page hydrates.
                view! {
                    <form method="post" enctype="multipart/form-data"
                        action=format!("/renovations/{id}/attachments") class="photo-form">
                        <div class="field">
                            <label for="attachment-files">{use_i18n().t("renovation.add_attachments")}</label>
                            <input id="attachment-files" type="file" name="photo"
                                accept="image/jpeg,image/png,image/webp" multiple aria-invalid=invalid />
                            <p class="hint">{use_i18n().t("renovation.attachment_hint")}</p>
                            <p class="field-error" role="alert">{error.clone()}</p>
                        </div>
                        <button type="submit" class="small">{use_i18n().t("repairs.upload")}</button>
                    </form>
                }
            })}
        </section>
    }
}
