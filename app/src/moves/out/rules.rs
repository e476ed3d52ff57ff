//! Move-out's rules, pure: which steps a case still misses, who may leave as
//! what, the house's status after, the settlement's sums in fen, and when a
//! case may complete with money owed (a manager's written override).

use super::{OutKind, OutStep};
use crate::estate::{HouseStatus, OccupancyRole};

/// What a case has done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutDone {
    pub leaving: bool,
    pub readings: bool,
    /// Billed, and nothing owed (or a manager's override).
    pub settlement: bool,
    /// No key out to anyone who leaves.
    pub keys: bool,
}

/// The steps still missing, in the desk's order.
pub fn missing(done: OutDone) -> Vec<OutStep> {
    [
        (OutStep::Leaving, done.leaving),
        (OutStep::Readings, done.readings),
        (OutStep::Settlement, done.settlement),
        (OutStep::Keys, done.keys),
    ]
    .into_iter()
    .filter(|(_, d)| !d)
    .map(|(s, _)| s)
    .collect()
}

/// Whether `leaving` (the roles of the occupants who leave) may leave as
/// `kind`, given `all` (the roles of everyone living there now). The key of
/// the message when not.
///
/// - a tenant leaving: tenants and family only, at least one tenant;
/// - a sale or an owner leaving: every owner and co-owner goes (the title
///   passes whole), and for a sale the buyer is named.
pub fn check_leaving(
    kind: OutKind,
    leaving: &[OccupancyRole],
    all: &[OccupancyRole],
    buyer_named: bool,
) -> Result<(), &'static str> {
    use OccupancyRole::*;
    if leaving.is_empty() {
        return Err("moves.out.invalid.nobody");
    }
    let owners = |roles: &[OccupancyRole]| roles.iter().filter(|r| matches!(r, Owner | CoOwner)).count();
    match kind {
        OutKind::TenantLeaves => {
            if leaving.iter().any(|r| matches!(r, Owner | CoOwner)) {
                return Err("moves.out.invalid.owner_as_tenant");
            }
            if !leaving.contains(&Tenant) {
                return Err("moves.out.invalid.no_tenant");
            }
        }
        OutKind::Sale | OutKind::OwnerLeaves => {
            if owners(all) == 0 {
                return Err("moves.out.invalid.no_owner");
            }
            if owners(leaving) != owners(all) {
                return Err("moves.out.invalid.all_owners");
            }
            if kind == OutKind::Sale && !buyer_named {
                return Err("moves.out.invalid.buyer");
            }
            // An owner leaving the house empty: nobody stays behind.
            if kind == OutKind::OwnerLeaves && leaving.len() != all.len() {
                return Err("moves.out.invalid.all_leave");
            }
        }
    }
    Ok(())
}

/// The house's status after the move-out (`None`: unchanged), given the
/// roles of those who stay. A sale keeps it: the buyer's move-in sets theirs;
/// a house under renovation stays so; a let house whose tenants all left is
/// empty (its owner lives elsewhere), one with a tenant staying stays let.
pub fn status_after(
    kind: OutKind,
    status: HouseStatus,
    staying: &[OccupancyRole],
) -> Option<HouseStatus> {
    use HouseStatus::*;
    let tenant_stays = staying.contains(&OccupancyRole::Tenant);
    match (kind, status) {
        (OutKind::Sale, _) | (_, Renovating | NotHandedOver | Vacant) => None,
        (OutKind::TenantLeaves, Let) if !tenant_stays => Some(Vacant),
        (OutKind::TenantLeaves, _) => None,
        (OutKind::OwnerLeaves, Occupied | Let) => Some(Vacant),
    }
}

/// A settlement's sums: what each line owes and its late fee (oldest due
/// first) against the prepaid balance, which settles lines whole, oldest
/// first, while it covers them (billing's rule, without late fees).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    pub lines_fen: i64,
    pub late_fen: i64,
    pub prepaid_offset_fen: i64,
    pub due_fen: i64,
    /// The prepaid balance left over (the house's, to refund or keep).
    pub left_fen: i64,
}

pub fn sums(lines: &[(i64, i64)], prepaid_fen: i64) -> Sums {
    let owed: Vec<i64> = lines.iter().map(|(o, _)| *o).filter(|o| *o > 0).collect();
    let covered = crate::billing::rules::prepaid_covers(&owed, prepaid_fen.max(0));
    let offset: i64 = owed.iter().take(covered).sum();
    let lines_fen: i64 = owed.iter().sum();
    // A line the balance settles carries no late fee (as a bill run's settlement).
    let late_fen: i64 = lines
        .iter()
        .filter(|(o, _)| *o > 0)
        .skip(covered)
        .map(|(_, l)| *l)
        .sum();
    Sums {
        lines_fen,
        late_fen,
        prepaid_offset_fen: offset,
        due_fen: lines_fen - offset + late_fen,
        left_fen: prepaid_fen.max(0) - offset,
    }
}

/// A manager's override of a settlement still owed: its reason, trimmed,
/// 4–200 characters. The key of the message when refused.
pub fn check_override(reason: &str) -> Result<String, &'static str> {
    let reason = reason.trim();
    let n = reason.chars().count();
    if n < 4 {
        return Err("moves.out.invalid.override_reason");
    }
    Ok(reason.chars().take(200).collect())
}

/// Whether a settlement is done: billed, and nothing owed — or owed with a
/// manager's override standing for at least that much.
pub fn settled(billed: bool, due_fen: i64, override_fen: Option<i64>) -> bool {
    billed && (due_fen == 0 || override_fen.is_some_and(|o| o >= due_fen))
}

#[cfg(test)]
mod tests {
    use super::*;
    use OccupancyRole::*;

    #[test]
    fn every_step_is_missing_until_done() {
        assert_eq!(missing(OutDone::default()).len(), 4);
        let all = OutDone {
            leaving: true,
            readings: true,
            settlement: true,
            keys: true,
        };
        assert!(missing(all).is_empty());
        assert_eq!(
            missing(OutDone { settlement: false, ..all }),
            vec![OutStep::Settlement]
        );
    }

    #[test]
    fn who_may_leave_as_what() {
        let house = [Owner, Tenant, Family];
        assert_eq!(check_leaving(OutKind::TenantLeaves, &[Tenant, Family], &house, false), Ok(()));
        assert_eq!(
            check_leaving(OutKind::TenantLeaves, &[Owner, Tenant], &house, false),
            Err("moves.out.invalid.owner_as_tenant")
        );
        assert_eq!(
            check_leaving(OutKind::TenantLeaves, &[Family], &house, false),
            Err("moves.out.invalid.no_tenant")
        );
        assert_eq!(check_leaving(OutKind::Sale, &[], &house, true), Err("moves.out.invalid.nobody"));
        let owners = [Owner, CoOwner, Family];
        assert_eq!(
            check_leaving(OutKind::Sale, &[Owner], &owners, true),
            Err("moves.out.invalid.all_owners")
        );
        assert_eq!(
            check_leaving(OutKind::Sale, &[Owner, CoOwner], &owners, false),
            Err("moves.out.invalid.buyer")
        );
        assert_eq!(check_leaving(OutKind::Sale, &[Owner, CoOwner], &owners, true), Ok(()));
        assert_eq!(
            check_leaving(OutKind::OwnerLeaves, &[Tenant], &[Tenant], false),
            Err("moves.out.invalid.no_owner")
        );
        assert_eq!(
            check_leaving(OutKind::OwnerLeaves, &[Owner], &[Owner, Tenant], false),
            Err("moves.out.invalid.all_leave")
        );
        assert_eq!(check_leaving(OutKind::OwnerLeaves, &[Owner, Family], &[Owner, Family], false), Ok(()));
    }

    #[test]
    fn the_house_after() {
        use HouseStatus::*;
        assert_eq!(status_after(OutKind::TenantLeaves, Let, &[Owner]), Some(Vacant));
        assert_eq!(status_after(OutKind::TenantLeaves, Let, &[Owner, Tenant]), None);
        assert_eq!(status_after(OutKind::TenantLeaves, Occupied, &[Owner]), None);
        assert_eq!(status_after(OutKind::OwnerLeaves, Occupied, &[]), Some(Vacant));
        assert_eq!(status_after(OutKind::Sale, Occupied, &[]), None);
        assert_eq!(status_after(OutKind::OwnerLeaves, Renovating, &[]), None);
    }

    #[test]
    fn settlement_sums_in_fen() {
        // 120.00 overdue with 3.60 late, 80.65 part month, nothing prepaid.
        let s = sums(&[(12_000, 360), (8_065, 0)], 0);
        assert_eq!((s.lines_fen, s.late_fen, s.due_fen, s.left_fen), (20_065, 360, 20_425, 0));
        // 150.00 prepaid settles the first line whole (and its late fee goes), not the second.
        let s = sums(&[(12_000, 360), (8_065, 0)], 15_000);
        assert_eq!((s.prepaid_offset_fen, s.due_fen, s.left_fen), (12_000, 8_065, 3_000));
        // Enough for both: nothing due, the rest left to refund.
        let s = sums(&[(12_000, 360), (8_065, 0)], 30_000);
        assert_eq!((s.due_fen, s.left_fen), (0, 9_935));
        // The balance stops at the first line it does not cover.
        let s = sums(&[(12_000, 0), (100, 0)], 5_000);
        assert_eq!((s.prepaid_offset_fen, s.due_fen), (0, 12_100));
    }

    #[test]
    fn an_override_needs_a_reason_and_covers_what_was_owed() {
        assert_eq!(check_override("  欠  "), Err("moves.out.invalid.override_reason"));
        assert_eq!(check_override(" 业主承诺月底前结清 ").as_deref(), Ok("业主承诺月底前结清"));
        assert!(settled(true, 0, None));
        assert!(!settled(false, 0, None));
        assert!(!settled(true, 100, None));
        assert!(settled(true, 100, Some(100)));
        // More came due after the override (a late fee ran up): not covered.
        assert!(!settled(true, 150, Some(100)));
    }
}
