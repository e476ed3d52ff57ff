//! An application's own drawings and photos (图纸与照片) on SQLite and
//! PostgreSQL: added by its applicant or the estate's desk while it is
//! reviewed — never by a reviewer, a resident of another house or a clerk of
//! another estate, nor once the permit is issued; ten at most, all of an
//! upload or none; each upload on the operation log; shown to whoever may
//! see the application; never changed or deleted.

mod common;

use app::common::Lang;
use app::error::AppError;
use app::i18n::tr;
use app::renovation::db::{self as reno, attachments};
use app::repairs::photo::{reencode, Encoded};
use common::keys::*;
use common::TestDb;

/// `n` photos as an upload's re-encoding leaves them.
fn photos(n: usize) -> Vec<Encoded> {
    let png = common::desk::png_photo();
    (0..n).map(|_| reencode(&png).expect("a photo")).collect()
}

/// The demo's first application in `state`.
async fn demo_app(c: &Counter, state: &str) -> i64 {
    one(
        &c.db,
        &format!("select id from renovation where state = '{state}' order by id limit 1"),
    )
    .await
}

/// The application's applicant, signed in to the portal.
async fn applicant(c: &Counter, id: i64) -> Person {
    let resident_id = one(
        &c.db,
        &format!("select applicant_id from renovation where id = {id}"),
    )
    .await;
    resident(&c.db, resident_id).await
}

/// The demo resident 王建国 (1-1-101), whose house has no demo application.
async fn neighbour(c: &Counter) -> Person {
    let resident_id = one(
        &c.db,
        "select id from resident where mobile = '13800000001'",
    )
    .await;
    resident(&c.db, resident_id).await
}

async fn kept(c: &Counter, id: i64) -> i64 {
    one(
        &c.db,
        &format!("select count(*) from renovation_attachment where renovation_id = {id}"),
    )
    .await
}

#[tokio::test]
async fn the_applicant_and_the_desk_add_drawings_which_the_reviewer_sees() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        // Back with its applicant for the waterproofing drawing.
        let id = demo_app(&c, "returned").await;
        let owner = applicant(&c, id).await;
        let engineer = staff(db, "maintenance", c.ch).await;

        let page = reno::page(&db.pool, &owner.caller, id)
            .await
            .expect("owner's page");
        assert!(
            page.can_add_attachments && page.attachments.is_empty(),
            "{e}"
        );
        assert_eq!(
            attachments::may_add(&db.pool, &owner.caller, id)
                .await
                .expect("may add"),
            attachments::MAX_ATTACHMENTS,
            "{e}"
        );
        attachments::add(db, &owner.actor, &owner.caller, id, photos(1))
            .await
            .expect("the applicant adds the drawing");
        attachments::add(db, &c.clerk.actor, &c.clerk.caller, id, photos(2))
            .await
            .expect("the desk adds two");
        assert_eq!(kept(&c, id).await, 3, "{e}");

        // The reviewer reads them on the phone, and adds none.
        let page = reno::page(&db.pool, &engineer.caller, id)
            .await
            .expect("reviewer's page");
        assert_eq!(page.attachments.len(), 3, "{e}");
        assert!(!page.can_add_attachments, "{e}");
        let r = attachments::add(db, &engineer.actor, &engineer.caller, id, photos(1)).await;
        forbidden(&r, "a reviewer adds drawings");
        let r = attachments::may_add(&db.pool, &engineer.caller, id).await;
        forbidden(&r, "a reviewer may add drawings");
        for (who, p) in [
            ("owner", &owner),
            ("engineer", &engineer),
            ("clerk", &c.clerk),
        ] {
            for thumb in [false, true] {
                let bytes = attachments::image(&db.pool, &p.caller, page.attachments[0], thumb)
                    .await
                    .unwrap_or_else(|err| panic!("{e} {who} sees it: {err:?}"));
                assert!(bytes.starts_with(&[0xFF, 0xD8]), "{e} {who}: a JPEG");
            }
        }
        // The desk's page offers the form too; both uploads are on the log.
        let desk = reno::page(&db.pool, &c.clerk.caller, id)
            .await
            .expect("desk's page");
        assert!(
            desk.can_add_attachments && desk.attachments == page.attachments,
            "{e}"
        );
        let logged = one(
            db,
            &format!(
                "select count(*) from audit_log where entity = 'renovation' and entity_id = '{id}' \
                 and action = 'renovation_attachments'"
            ),
        )
        .await;
        assert_eq!(logged, 2, "{e}");
    }
}

#[tokio::test]
async fn another_house_another_estate_and_a_granted_permit_add_nothing() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let id = demo_app(&c, "submitted").await;
        attachments::add(db, &c.clerk.actor, &c.clerk.caller, id, photos(1))
            .await
            .expect("the desk adds one");
        let attachment = one(db, "select max(id) from renovation_attachment").await;
        let audited = || {
            one(
                db,
                "select count(*) from audit_log where action = 'renovation_attachments'",
            )
        };
        let audited0 = audited().await;

        // Another house's resident is not told the application exists.
        let neighbour = neighbour(&c).await;
        let r = attachments::add(db, &neighbour.actor, &neighbour.caller, id, photos(1)).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{e}: {r:?}");
        let r = attachments::may_add(&db.pool, &neighbour.caller, id).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{e}: {r:?}");
        let r = attachments::image(&db.pool, &neighbour.caller, attachment, true).await;
        assert!(matches!(r, Err(AppError::NotFound)), "{e}: {r:?}");
        // Another estate's clerk is refused.
        let jx_clerk = new_staff(db, "jx-clerk", "锦绣前台", "clerk", c.jx).await;
        let r = attachments::add(db, &jx_clerk.actor, &jx_clerk.caller, id, photos(1)).await;
        forbidden(&r, "another estate's clerk adds");
        let r = attachments::image(&db.pool, &jx_clerk.caller, attachment, false).await;
        forbidden(&r, "another estate's clerk sees");
        assert_eq!(kept(&c, id).await, 1, "{e}");

        // Under a permit: neither the desk nor the applicant adds any more.
        let works = demo_app(&c, "works").await;
        let owner = applicant(&c, works).await;
        let not_now = tr(Lang::Zh, "renovation.refused.not_attaching");
        for (who, p) in [("clerk", &c.clerk), ("owner", &owner)] {
            let r = attachments::add(db, &p.actor, &p.caller, works, photos(1)).await;
            assert_eq!(rule(&r), not_now, "{e} {who}");
            let r = attachments::may_add(&db.pool, &p.caller, works).await;
            assert_eq!(rule(&r), not_now, "{e} {who} may add");
            let page = reno::page(&db.pool, &p.caller, works).await.expect("page");
            assert!(!page.can_add_attachments, "{e} {who}");
        }
        assert_eq!(kept(&c, works).await, 0, "{e}");
        assert_eq!(audited().await, audited0, "{e}: refusals log nothing");
    }
}

#[tokio::test]
async fn an_application_keeps_ten_which_never_change() {
    for t in TestDb::both().await {
        let c = counter(&t).await;
        let e = c.engine;
        let db = &c.db;
        let id = demo_app(&c, "returned").await;
        let clerk = &c.clerk;
        attachments::add(db, &clerk.actor, &clerk.caller, id, photos(4))
            .await
            .expect("four");
        // Seven more would be eleven: none of them is kept.
        let r = attachments::add(db, &clerk.actor, &clerk.caller, id, photos(7)).await;
        assert!(field_error(&r, "photo").contains("10"), "{e}");
        assert_eq!(kept(&c, id).await, 4, "{e}: all or none");
        attachments::add(db, &clerk.actor, &clerk.caller, id, photos(6))
            .await
            .expect("up to ten");
        assert_eq!(
            attachments::may_add(&db.pool, &clerk.caller, id)
                .await
                .expect("room"),
            0,
            "{e}"
        );
        let r = attachments::add(db, &clerk.actor, &clerk.caller, id, photos(1)).await;
        assert_eq!(
            field_error(&r, "photo"),
            tr(Lang::Zh, "renovation.attachment_too_many"),
            "{e}"
        );
        assert_eq!(kept(&c, id).await, 10, "{e}");

        // Append-only on both engines.
        refused(
            db,
            e,
            "update renovation_attachment set width = 1",
            "append-only",
        )
        .await;
        refused(db, e, "delete from renovation_attachment", "append-only").await;
        assert_eq!(kept(&c, id).await, 10, "{e}");
    }
}
