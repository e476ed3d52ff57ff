//! Renovation's server functions, each one [`guarded`] call. The desk works
//! its estates' applications; an engineering reviewer (maintenance, named in
//! the estate's settings) reviews them on the phone; a resident applies for
//! their own house and follows it in the portal. Who may take which step is
//! the state machine's (`rules::decide`), asked by `db::act`.

use leptos::prelude::*;

use super::*;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;

/// The desk's list of an estate's applications.
#[server(endpoint = "get_renovations")]
pub async fn get_renovations(estate_id: i64, filter: String) -> Result<AppList, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let filter = ListFilter::parse(&filter).unwrap_or(ListFilter::Open);
        Ok(super::db::list(call.pool(), &call.caller, estate_id, filter).await?)
    })
    .await
}

/// The engineering reviews waiting for the calling reviewer.
#[server(endpoint = "get_renovation_reviews")]
pub async fn get_renovation_reviews() -> Result<Vec<AppRow>, AppError> {
    guarded(Permission::WorkJobs, move |call| async move {
        Ok(super::db::reviews(call.pool(), &call.caller).await?)
    })
    .await
}

/// One application, for the desk of its estate, its reviewers, and the
/// residents of its house (the page decides nothing: `db::who` does).
#[server(endpoint = "get_renovation")]
pub async fn get_renovation(id: i64) -> Result<AppPage, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        super::db::page(call.pool(), &call.caller, id).await
    })
    .await
}

/// The application form for a house (the desk's, or a resident's for their
/// own house); the desk may name the house by its number in an estate.
#[server(endpoint = "get_renovation_form")]
pub async fn get_renovation_form(
    house_id: i64,
    estate_id: i64,
    number: String,
) -> Result<ApplyPage, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        call.require_any(&[Permission::UseDesk, Permission::UsePortal])?;
        super::db::apply_page(call.db(), &call.caller, house_id, estate_id, &number).await
    })
    .await
}

/// A resident's applications and the houses they may apply for.
#[server(endpoint = "get_my_renovations")]
pub async fn get_my_renovations() -> Result<PortalApps, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        super::db::portal_page(call.pool(), &call.caller).await
    })
    .await
}

/// Pairs `ids[i]` with `values[i]` (a missing value is empty).
#[cfg(feature = "ssr")]
fn pairs(ids: Vec<i64>, values: &[String]) -> Vec<(i64, String)> {
    ids.into_iter()
        .enumerate()
        .map(|(i, id)| (id, values.get(i).cloned().unwrap_or_default()))
        .collect()
}

/// 提交装修申请. The form lists every scope item (`scope_ids[i]` with
/// `scope_notes[i]`) and ticks some (`items`); workers come as parallel lists.
/// At the desk `applicant_id` names the owner or tenant applying; in the
/// portal the caller applies for themselves.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "apply_renovation")]
pub async fn apply_renovation(
    house_id: i64,
    applicant_id: Option<i64>,
    contractor: String,
    licence_no: String,
    foreman: String,
    foreman_mobile: String,
    planned_start: String,
    planned_end: String,
    description: Option<String>,
    owner_consent: Option<String>,
    worker_names: Option<Vec<String>>,
    worker_mobiles: Option<Vec<String>>,
    worker_ids: Option<Vec<String>>,
    scope_ids: Option<Vec<i64>>,
    scope_notes: Option<Vec<String>>,
    items: Option<Vec<i64>>,
) -> Result<i64, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        call.require_any(&[Permission::UseDesk, Permission::UsePortal])?;
        let names = worker_names.unwrap_or_default();
        let mobiles = worker_mobiles.unwrap_or_default();
        let ids = worker_ids.unwrap_or_default();
        let rows = names.len().max(mobiles.len()).max(ids.len());
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        let workers = (0..rows)
            .map(|i| rules::WorkerForm {
                name: at(&names, i),
                mobile: at(&mobiles, i),
                id_number: at(&ids, i),
            })
            .collect();
        let ticked = items.unwrap_or_default();
        let notes = pairs(
            scope_ids.unwrap_or_default(),
            &scope_notes.unwrap_or_default(),
        );
        let items = ticked
            .iter()
            .map(|id| {
                let note = notes.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone());
                (*id, note.unwrap_or_default())
            })
            .collect();
        let form = rules::ApplicationForm {
            contractor,
            licence_no,
            foreman,
            foreman_mobile,
            planned_start,
            planned_end,
            description: description.unwrap_or_default(),
            owner_consent: owner_consent.unwrap_or_default(),
            workers,
            items,
        };
        let id = super::db::apply::apply(
            call.db(),
            &call.actor(),
            &call.caller,
            house_id,
            applicant_id.unwrap_or_default(),
            &form,
        )
        .await?;
        Ok(id)
    })
    .await
}

/// One step of the state machine with the asker's words (`note`) and, for an
/// extension, the new end asked (`extend_to`).
#[server(endpoint = "renovation_step")]
pub async fn renovation_step(
    id: i64,
    action: String,
    seen: Option<String>,
    note: Option<String>,
    extend_to: Option<String>,
) -> Result<State, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        let action = super::Action::parse(&action).ok_or_else(|| {
            AppError::field(
                "action",
                crate::i18n::tr(call.lang(), "renovation.refused.not_now"),
            )
        })?;
        super::db::act::act_extending(
            call.db(),
            &call.actor(),
            &call.caller,
            id,
            action,
            seen.as_deref().and_then(State::parse),
            note.as_deref().unwrap_or_default(),
            extend_to.as_deref().unwrap_or_default(),
        )
        .await
    })
    .await
}

/// A visit (巡查) of works in progress, by a reviewer or the desk, with the
/// violation it found and its rectification deadline (if any). Returns the visit's id.
#[server(endpoint = "record_renovation_visit")]
pub async fn record_renovation_visit(
    id: i64,
    seen: Option<String>,
    note: String,
    violation: Option<String>,
    deadline: Option<String>,
) -> Result<i64, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        call.require_any(&[Permission::UseDesk, Permission::WorkJobs])?;
        let form = super::db::works::VisitForm {
            note,
            violation: violation.unwrap_or_default(),
            deadline: deadline.unwrap_or_default(),
        };
        super::db::works::inspect(
            call.db(),
            &call.actor(),
            &call.caller,
            id,
            seen.as_deref().and_then(State::parse),
            &form,
        )
        .await
    })
    .await
}

/// Records a violation found put right (at a later visit).
#[server(endpoint = "rectify_renovation_violation")]
pub async fn rectify_renovation_violation(violation_id: i64) -> Result<(), AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        call.require_any(&[Permission::UseDesk, Permission::WorkJobs])?;
        super::db::works::rectified(call.db(), &call.actor(), &call.caller, violation_id).await
    })
    .await
}

/// The full number (or ID number) of the foreman or a worker, for the desk; audited.
#[server(endpoint = "reveal_renovation_contact")]
pub async fn reveal_renovation_contact(
    id: i64,
    worker_id: Option<i64>,
    field: String,
) -> Result<String, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let field = crate::estate::PersonalField::parse(&field).ok_or(AppError::NotFound)?;
        super::db::reveal(
            call.pool(),
            &call.actor(),
            &call.caller,
            id,
            worker_id,
            field,
        )
        .await
    })
    .await
}

/// The estate's renovation settings.
#[server(endpoint = "get_renovation_setup")]
pub async fn get_renovation_setup(estate_id: i64) -> Result<Setup, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::setup::page(call.db(), &call.caller, estate_id).await
    })
    .await
}

#[server(endpoint = "add_renovation_scope")]
pub async fn add_renovation_scope(
    estate_id: i64,
    name: String,
    prohibited: Option<String>,
    rule: Option<String>,
) -> Result<(), AppError> {
    guarded(Permission::ManageRenovations, move |call| async move {
        let prohibited = prohibited.is_some_and(|v| !v.is_empty());
        super::db::setup::add_scope(
            call.db(),
            &call.actor(),
            &call.caller,
            estate_id,
            &name,
            prohibited,
            rule.as_deref().unwrap_or_default(),
        )
        .await
    })
    .await
}

#[server(endpoint = "retire_renovation_scope")]
pub async fn retire_renovation_scope(estate_id: i64, scope_id: i64) -> Result<(), AppError> {
    guarded(Permission::ManageRenovations, move |call| async move {
        super::db::setup::retire_scope(call.db(), &call.actor(), &call.caller, estate_id, scope_id)
            .await
    })
    .await
}

#[server(endpoint = "save_renovation_settings")]
pub async fn save_renovation_settings(
    estate_id: i64,
    inspection_days: String,
    work_hours: String,
) -> Result<(), AppError> {
    guarded(Permission::ManageRenovations, move |call| async move {
        super::db::setup::save(
            call.db(),
            &call.actor(),
            &call.caller,
            estate_id,
            &inspection_days,
            &work_hours,
        )
        .await
    })
    .await
}

#[server(endpoint = "set_renovation_reviewer")]
pub async fn set_renovation_reviewer(
    estate_id: i64,
    account_id: i64,
    reviewer: bool,
) -> Result<(), AppError> {
    guarded(Permission::ManageRenovations, move |call| async move {
        super::db::setup::set_reviewer(
            call.db(),
            &call.actor(),
            &call.caller,
            estate_id,
            account_id,
            reviewer,
        )
        .await
    })
    .await
}

/// 收取装修费用: the estate's charges raised and paid on one receipt.
#[server(endpoint = "pay_renovation")]
pub async fn pay_renovation(
    id: i64,
    method: String,
    received: String,
    request_key: String,
) -> Result<String, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::money::pay(
            call.db(),
            &call.actor(),
            &call.caller,
            id,
            &method,
            &received,
            &request_key,
        )
        .await
    })
    .await
}

/// 发放装修许可证, once paid and nothing else owed.
#[server(endpoint = "issue_renovation_permit")]
pub async fn issue_renovation_permit(id: i64) -> Result<String, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::money::issue_permit(call.db(), &call.actor(), &call.caller, id).await
    })
    .await
}

/// Charges an item on renovations approved from now on (or changes its amount).
#[server(endpoint = "set_renovation_charge")]
pub async fn set_renovation_charge(
    estate_id: i64,
    fee_item_id: i64,
    amount: String,
) -> Result<(), AppError> {
    guarded(Permission::ManageRenovations, move |call| async move {
        super::db::money::set_charge(
            call.db(),
            &call.actor(),
            &call.caller,
            estate_id,
            fee_item_id,
            &amount,
        )
        .await
    })
    .await
}

#[server(endpoint = "remove_renovation_charge")]
pub async fn remove_renovation_charge(estate_id: i64, fee_item_id: i64) -> Result<(), AppError> {
    guarded(Permission::ManageRenovations, move |call| async move {
        super::db::money::remove_charge(
            call.db(),
            &call.actor(),
            &call.caller,
            estate_id,
            fee_item_id,
        )
        .await
    })
    .await
}

/// The printed permit and the workers' passes, for the desk of the estate.
#[server(endpoint = "get_renovation_permit")]
pub async fn get_renovation_permit(id: i64) -> Result<PermitSheet, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let mut sheet = super::db::permit::sheet(call.pool(), &call.caller, id).await?;
        sheet.qr_svg = crate::keys::print::page_qr_svg(&sheet.check_path).await?;
        Ok(sheet)
    })
    .await
}

/// The staff's check of a permit's QR code (a guard at the gate, the desk).
#[server(endpoint = "check_renovation_permit")]
pub async fn check_renovation_permit(token: String) -> Result<Option<PermitSheet>, AppError> {
    guarded(Permission::CheckPasses, move |call| async move {
        super::db::permit::check(call.pool(), &call.caller, &token).await
    })
    .await
}

/// Proposes a deduction from the deposit (a reviewer or the desk), on a visit of the works.
#[server(endpoint = "propose_renovation_deduction")]
pub async fn propose_renovation_deduction(
    id: i64,
    item: String,
    amount: String,
    visit_id: Option<String>,
) -> Result<i64, AppError> {
    guarded(Permission::SignedIn, move |call| async move {
        call.require_any(&[Permission::UseDesk, Permission::WorkJobs])?;
        let visit = visit_id
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    AppError::field(
                        "visit_id",
                        crate::i18n::tr(call.lang(), "renovation.invalid.visit"),
                    )
                })
            })
            .transpose()?;
        super::db::refund::propose(
            call.db(),
            &call.actor(),
            &call.caller,
            id,
            &item,
            &amount,
            visit,
        )
        .await
    })
    .await
}

/// A manager's decision on a proposed deduction (`decision`: approve or reject).
#[server(endpoint = "decide_renovation_deduction")]
pub async fn decide_renovation_deduction(
    deduction_id: i64,
    decision: String,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let approve = match decision.as_str() {
            "approve" => true,
            "reject" => false,
            _ => return Err(AppError::NotFound),
        };
        super::db::refund::decide(
            call.db(),
            &call.actor(),
            &call.caller,
            deduction_id,
            approve,
        )
        .await
    })
    .await
}

/// 退还押金并结案: the deposit paid back less the approved deductions. Returns the refund's number.
#[server(endpoint = "refund_renovation_deposit")]
pub async fn refund_renovation_deposit(
    id: i64,
    method: String,
    payee: Option<String>,
    expected_fen: i64,
    request_key: String,
) -> Result<String, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::refund::refund(
            call.db(),
            &call.actor(),
            &call.caller,
            id,
            &method,
            payee.as_deref().unwrap_or_default(),
            expected_fen,
            &request_key,
        )
        .await
    })
    .await
}

/// A manager reverses a mistaken refund (冲红), with the reason.
#[server(endpoint = "reverse_renovation_refund")]
pub async fn reverse_renovation_refund(id: i64, reason: String) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::refund::reverse_refund(call.db(), &call.actor(), &call.caller, id, &reason).await
    })
    .await
}

/// The printed refund slip (退款单), for the desk.
#[server(endpoint = "get_renovation_refund_slip")]
pub async fn get_renovation_refund_slip(refund_id: i64) -> Result<RefundSlip, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::deposit::slip(call.pool(), &call.caller, refund_id).await
    })
    .await
}
