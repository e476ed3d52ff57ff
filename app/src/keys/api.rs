//! Key custody's server functions, each one [`guarded`] call: reads need
//! `ViewKeys` (the desk and security) within the caller's estates; the
//! counter's writes (lending, returns, registering a key) need the desk;
//! cabinets and backup copies need `ManageKeys` (a backup copy, a manager).

use leptos::prelude::*;

use super::*;
#[cfg(feature = "ssr")]
use crate::common::Permission;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::guard::guarded;

#[cfg(feature = "ssr")]
fn ticked(value: &Option<String>) -> bool {
    value.as_ref().is_some_and(|v| !v.is_empty())
}

/// The key list of an estate (`filter`: a [`ListFilter`]'s text; anything else is all).
#[server(endpoint = "get_keys")]
pub async fn get_keys(estate_id: i64, filter: String) -> Result<KeyList, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        let filter = ListFilter::parse(&filter).unwrap_or(ListFilter::All);
        super::db::list(call.pool(), &call.caller, estate_id, filter).await
    })
    .await
}

/// The copy a tag names (typed, or sent by a scanner), in the caller's estates.
#[server(endpoint = "find_key")]
pub async fn find_key(tag: String) -> Result<Option<KeyCopyId>, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::find_tag(call.pool(), &call.caller.scope, &tag).await
    })
    .await
}

/// One copy's page.
#[server(endpoint = "get_key")]
pub async fn get_key(id: i64) -> Result<KeyPage, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::page(call.pool(), &call.caller, KeyCopyId(id)).await
    })
    .await
}

/// A cabinet's map of hooks.
#[server(endpoint = "get_cabinet")]
pub async fn get_cabinet(id: i64) -> Result<CabinetMap, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::cabinet_map(call.pool(), &call.caller, id).await
    })
    .await
}

/// The keys out of the cabinet now in the caller's estates (home pages).
#[server(endpoint = "get_keys_out")]
pub async fn get_keys_out() -> Result<KeysOut, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::out_now(call.pool(), &call.caller.scope).await
    })
    .await
}

/// Lost keys and backup copies used, for the manager and security.
#[server(endpoint = "get_key_reports")]
pub async fn get_key_reports() -> Result<Vec<KeyReport>, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::reports(call.pool(), &call.caller.scope).await
    })
    .await
}

/// The keys the signed-in worker holds (their phone).
#[server(endpoint = "get_my_keys")]
pub async fn get_my_keys() -> Result<KeysOut, AppError> {
    guarded(Permission::WorkJobs, move |call| async move {
        super::db::held_by(call.pool(), call.caller.account_id).await
    })
    .await
}

/// A house's keys (its page).
#[server(endpoint = "get_house_keys")]
pub async fn get_house_keys(house_id: i64) -> Result<KeysOut, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::of_house(call.pool(), &call.caller.scope, house_id).await
    })
    .await
}

/// The keys lent for a repair ticket (its page).
#[server(endpoint = "get_ticket_keys")]
pub async fn get_ticket_keys(ticket_id: i64) -> Result<Vec<LoanView>, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::for_ticket(call.pool(), &call.caller.scope, ticket_id).await
    })
    .await
}

/// The keys lent to a renovation's workers (its page).
#[server(endpoint = "get_renovation_keys")]
pub async fn get_renovation_keys(renovation_id: i64) -> Result<Vec<LoanView>, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::for_renovation(call.pool(), &call.caller.scope, renovation_id).await
    })
    .await
}

/// Check-out (领用) at the counter; returns the loan's id.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "lend_key")]
pub async fn lend_key(
    copy_id: i64,
    taker_kind: String,
    taker_account_id: Option<String>,
    taker_name: Option<String>,
    taker_phone: Option<String>,
    taker_id_number: Option<String>,
    purpose: String,
    ticket_id: Option<String>,
    renovation_id: Option<String>,
    note: Option<String>,
    authorised_by: Option<String>,
    due: String,
    signature: Option<String>,
    signed_on_paper: Option<String>,
) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let form = rules::LendForm {
            taker_kind,
            taker_account_id: taker_account_id.unwrap_or_default(),
            taker_name: taker_name.unwrap_or_default(),
            taker_phone: taker_phone.unwrap_or_default(),
            taker_id_number: taker_id_number.unwrap_or_default(),
            purpose,
            ticket_id: ticket_id.unwrap_or_default(),
            renovation_id: renovation_id.unwrap_or_default(),
            note: note.unwrap_or_default(),
            authorised_by: authorised_by.unwrap_or_default(),
            due,
            signed_on_paper: ticked(&signed_on_paper),
            signature: signature.unwrap_or_default(),
        };
        super::db::lend::lend(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            &form,
        )
        .await
    })
    .await
}

/// Return (归还): who brought it back and its condition.
#[server(endpoint = "return_key")]
pub async fn return_key(
    copy_id: i64,
    returned_by: String,
    condition: Option<String>,
    return_note: Option<String>,
) -> Result<CopyStatus, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::lend::give_back(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            &returned_by,
            &condition.unwrap_or_default(),
            &return_note.unwrap_or_default(),
        )
        .await
    })
    .await
}

/// The setup page: cabinets and what registering a key offers.
#[server(endpoint = "get_key_setup")]
pub async fn get_key_setup(estate_id: i64) -> Result<KeySetup, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::setup(call.pool(), &call.caller, estate_id).await
    })
    .await
}

#[server(endpoint = "add_key_cabinet")]
pub async fn add_key_cabinet(
    estate_id: i64,
    name: String,
    place: Option<String>,
    rows: String,
    cols: String,
) -> Result<i64, AppError> {
    guarded(Permission::ManageKeys, move |call| async move {
        super::db::register::add_cabinet(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            estate_id,
            &name,
            &place.unwrap_or_default(),
            &rows,
            &cols,
        )
        .await
    })
    .await
}

/// Registers a key with its copies (a clerk takes in an owner's key at the
/// counter; more than one copy is a manager's); returns the first copy's id.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "register_key")]
pub async fn register_key(
    estate_id: i64,
    kind: String,
    house_number: Option<String>,
    location_id: Option<String>,
    cabinet_id: Option<String>,
    hook: String,
    copies: String,
    reason: Option<String>,
    note: Option<String>,
) -> Result<KeyCopyId, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let form = super::db::register::NewKey {
            estate_id,
            kind,
            house_number: house_number.unwrap_or_default(),
            location_id: location_id.unwrap_or_default(),
            cabinet_id: cabinet_id.unwrap_or_default(),
            hook,
            copies,
            reason: reason.unwrap_or_default(),
            note: note.unwrap_or_default(),
        };
        super::db::register::register(call.db(), &call.actor(), &call.caller, call.lang(), &form)
            .await
    })
    .await
}

/// A backup copy (a manager's, with a reason).
#[server(endpoint = "add_key_copy")]
pub async fn add_key_copy(
    copy_id: i64,
    hook: String,
    reason: String,
) -> Result<KeyCopyId, AppError> {
    guarded(Permission::ManageKeys, move |call| async move {
        super::db::register::add_copy(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            &hook,
            &reason,
        )
        .await
    })
    .await
}

/// Records an owner's written authorisation of an entrusted key.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "authorise_key")]
pub async fn authorise_key(
    copy_id: i64,
    resident_id: Option<String>,
    scope: String,
    named_people: Option<String>,
    valid_from: String,
    valid_until: String,
) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::register::authorise(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            resident_id.and_then(|r| r.parse().ok()).unwrap_or(0),
            &scope,
            &named_people.unwrap_or_default(),
            &valid_from,
            &valid_until,
        )
        .await
    })
    .await
}

/// 挂失: a copy reported lost, with the circumstances.
#[server(endpoint = "report_key_lost")]
pub async fn report_key_lost(copy_id: i64, circumstances: String) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::incidents::report_lost(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            &circumstances,
        )
        .await
    })
    .await
}

/// 换锁: the lock change that closes a loss; a cost the resident bears is billed to the house.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "record_lock_change")]
pub async fn record_lock_change(
    copy_id: i64,
    changed_on: String,
    changed_by: String,
    cost: Option<String>,
    resident_pays: Option<String>,
    fee_item_id: Option<String>,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        let change = super::db::incidents::LockChange {
            changed_on,
            changed_by,
            cost: cost.unwrap_or_default(),
            resident_pays: ticked(&resident_pays),
            fee_item_id: fee_item_id.unwrap_or_default(),
        };
        super::db::incidents::lock_changed(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            &change,
        )
        .await
    })
    .await
}

/// 停用: a copy in the cabinet taken out of use, with a reason.
#[server(endpoint = "retire_key")]
pub async fn retire_key(copy_id: i64, reason: String) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::incidents::retire(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            &reason,
        )
        .await
    })
    .await
}

/// The owner takes their entrusted key back at the desk (revoking the authorisation).
#[server(endpoint = "hand_key_back")]
pub async fn hand_key_back(
    copy_id: i64,
    resident_id: Option<String>,
    signature: Option<String>,
    signed_on_paper: Option<String>,
) -> Result<(), AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::owner::hand_back(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            KeyCopyId(copy_id),
            resident_id.and_then(|r| r.parse().ok()).unwrap_or(0),
            &signature.unwrap_or_default(),
            ticked(&signed_on_paper),
        )
        .await
    })
    .await
}

/// The portal: the caller's entrusted keys and each use of them.
#[server(endpoint = "get_my_entrusted_keys")]
pub async fn get_my_entrusted_keys() -> Result<Vec<OwnerKey>, AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        super::db::owner::portal_keys(call.pool(), &call.caller).await
    })
    .await
}

/// The portal: the owner revokes their authorisation.
#[server(endpoint = "revoke_my_key")]
pub async fn revoke_my_key(key_set_id: i64) -> Result<(), AppError> {
    guarded(Permission::UsePortal, move |call| async move {
        super::db::owner::revoke_in_portal(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            key_set_id,
        )
        .await
    })
    .await
}

/// 盘点: starts a count of a cabinet; returns the count's id.
#[server(endpoint = "start_key_count")]
pub async fn start_key_count(cabinet_id: i64) -> Result<i64, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::counts::start(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            cabinet_id,
        )
        .await
    })
    .await
}

/// Ticks a key found during a count (its tag; the hook it hangs on, empty for its own).
#[server(endpoint = "tick_key")]
pub async fn tick_key(
    count_id: i64,
    tag: String,
    hook: Option<String>,
) -> Result<CountOutcome, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::counts::tick(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            count_id,
            &tag,
            &hook.unwrap_or_default(),
        )
        .await
    })
    .await
}

/// Closes a count, recording every discrepancy; the counter signs.
#[server(endpoint = "close_key_count")]
pub async fn close_key_count(
    count_id: i64,
    signed_name: String,
    signature: Option<String>,
    signed_on_paper: Option<String>,
) -> Result<Vec<CountLine>, AppError> {
    guarded(Permission::UseDesk, move |call| async move {
        super::db::counts::close(
            call.db(),
            &call.actor(),
            &call.caller,
            call.lang(),
            count_id,
            &signed_name,
            &signature.unwrap_or_default(),
            ticked(&signed_on_paper),
        )
        .await
    })
    .await
}

#[server(endpoint = "get_key_count")]
pub async fn get_key_count(id: i64) -> Result<CountPage, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::counts::page(call.pool(), &call.caller, id).await
    })
    .await
}

#[server(endpoint = "get_cabinet_counts")]
pub async fn get_cabinet_counts(cabinet_id: i64) -> Result<Vec<CountSummary>, AppError> {
    guarded(Permission::ViewKeys, move |call| async move {
        super::db::counts::of_cabinet(call.pool(), &call.caller, cabinet_id).await
    })
    .await
}
