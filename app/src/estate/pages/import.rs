//! Importing the register: the upload page (a plain multipart form to the
//! server's `/desk/import`) and an import's report.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::common::Choice;
use crate::estate::api::{desk_estates, get_import};
use crate::estate::ImportStatus;
use crate::i18n::use_i18n;
use crate::ui::{load, SelectField};

/// `/desk/import`: upload a spreadsheet of houses and residents. A plain
/// multipart form (it works before hydration); the server answers with the report.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let estates = Resource::new(|| (), |_| desk_estates());
    let no_file = use_query_map().get_untracked().get("error").is_some();
    view! {
        <>
            <h1>{i18n.t("import.title")}</h1>
            <section class="panel narrow-form">
                <p>{i18n.t("import.intro")}</p>
                <p><a href="/desk/import/template.xlsx" download="">{i18n.t("import.template")}</a></p>
                {no_file.then(|| view! { <p class="form-error" role="alert">{use_i18n().t("import.no_file")}</p> })}
                <form method="post" action="/desk/import" enctype="multipart/form-data">
                    {load(move || estates, |list: Vec<Choice>| {
                        let options = list
                            .into_iter()
                            .map(|e| view! { <option value=e.id>{e.name}</option> })
                            .collect_view();
                        view! {
                            <SelectField label=use_i18n().t("estate.name") name="estate">
                                {options}
                            </SelectField>
                        }
                    })}
                    <div class="field">
                        <label for="f-import-file">{i18n.t("import.file")}</label>
                        <input id="f-import-file" name="file" type="file" accept=".xlsx,.csv" required=true />
                        <p class="hint">{i18n.t("import.file_hint")}</p>
                    </div>
                    <button type="submit" class="primary">{i18n.t("import.submit")}</button>
                </form>
            </section>
        </>
    }
}

/// `/desk/import/:id`: what an import did, or every reason it was refused.
#[component]
pub fn ImportReportPage() -> impl IntoView {
    let id = crate::ui::id_param();
    let report = Resource::new(id, get_import);
    load(
        move || report,
        |r| {
            let i18n = use_i18n();
            match r.status {
                        ImportStatus::Imported => view! {
                            <h1>{i18n.t("import.done_title")}</h1>
                            <p class="saved" role="status">
                                {i18n.f("import.done", &[
                                    ("file", &r.file_name),
                                    ("estate", &r.estate_name),
                                    ("rows", &r.row_count.to_string()),
                                    ("houses", &r.houses.to_string()),
                                    ("residents", &r.residents.to_string()),
                                    ("occupancies", &r.occupancies.to_string()),
                                    ("unchanged", &r.unchanged.to_string()),
                                ])}
                            </p>
                            <p>
                                <a class="button" href=format!("/desk/houses?estate={}", r.estate_id)>{i18n.t("house.list_title")}</a>
                                " "
                                <a class="button" href="/desk/import">{i18n.t("import.another")}</a>
                            </p>
                        }.into_any(),
                        ImportStatus::Rejected => {
                            let rows = r
                                .problems
                                .iter()
                                .map(|p| view! {
                                    <tr>
                                        <td>{p.sheet.clone()}</td>
                                        <td class="num">{(p.row > 0).then_some(p.row)}</td>
                                        <td>{p.column.clone()}</td>
                                        <td>{p.reason.clone()}</td>
                                    </tr>
                                })
                                .collect_view();
                            view! {
                                <h1>{i18n.t("import.rejected_title")}</h1>
                                <p class="form-error" role="alert">
                                    {i18n.f("import.rejected", &[("file", &r.file_name), ("n", &r.problems.len().to_string())])}
                                </p>
                                <div class="table-wrap">
                                    <table>
                                        <caption>{i18n.t("import.problems")}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{i18n.t("import.sheet")}</th>
                                                <th scope="col" class="num">{i18n.t("import.row")}</th>
                                                <th scope="col">{i18n.t("import.column")}</th>
                                                <th scope="col">{i18n.t("import.reason")}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                <p>
                                    <a class="button" href=format!("/desk/import/{}/report.xlsx", r.id) download="">{i18n.t("import.download_report")}</a>
                                    " "
                                    <a class="button primary" href="/desk/import">{i18n.t("import.again")}</a>
                                </p>
                            }.into_any()
                        }
        }
        },
    )
}
