//! Renovations over HTTP: who reads and works which application. A resident
//! sees only their own house's, reviews nothing and edits no settings; a
//! clerk of another estate and a worker who is not a reviewer are refused; a
//! clerk cannot approve as engineering or as manager; a refused call writes
//! nothing; the pages open for the roles whose they are.

mod common;

use axum::http::StatusCode;
use common::desk::{desk, one, signed_in, text, urlencode, PASSWORD};

#[tokio::test]
async fn each_role_reads_and_works_only_what_renovation_gives_it() {
    let desk = desk().await;
    let jx = one(&desk, "select id from estate where code = 'JX'").await;
    let ch = one(&desk, "select id from estate where code = 'CH'").await;
    let submitted = one(
        &desk,
        "select id from renovation where state = 'submitted' order by id limit 1",
    )
    .await;
    let engineering = one(
        &desk,
        "select id from renovation where state = 'engineering' order by id limit 1",
    )
    .await;
    let approval = one(
        &desk,
        "select id from renovation where state = 'approval' order by id limit 1",
    )
    .await;
    let written = || one(&desk, "select count(*) from renovation_event");
    let audited = || {
        one(&desk, "select count(*) from audit_log where entity in ('renovation', 'renovation_worker', 'estate')")
    };
    let (written0, audited0) = (written().await, audited().await);

    let mut admin = signed_in(&desk, "admin", PASSWORD).await;
    let r = admin
        .call(
            "create_staff",
            &format!(
                "username=jx.reno&display_name={}&role=clerk&estates[]={jx}&password={}",
                urlencode("锦绣前台"),
                urlencode("Counter-Desk-2026!")
            ),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);

    // The resident (王建国, 1-1-101) and another estate's clerk: none of the demo's applications.
    for (who, password, status) in [
        ("13800000001", PASSWORD, StatusCode::NOT_FOUND),
        ("jx.reno", "Counter-Desk-2026!", StatusCode::FORBIDDEN),
    ] {
        let mut b = signed_in(&desk, who, password).await;
        for (call, body) in [
            ("get_renovation", format!("id={submitted}")),
            ("renovation_step", format!("id={submitted}&action=check")),
            (
                "renovation_step",
                format!(
                    "id={submitted}&action=withdraw&note={}",
                    urlencode("不装了")
                ),
            ),
        ] {
            let r = b.call(call, &body).await;
            let got = r.status();
            assert_eq!(got, status, "{who} {call}: {}", text(r).await);
        }
        for (call, body) in [
            ("get_renovations", format!("estate_id={ch}&filter=open")),
            (
                "reveal_renovation_contact",
                format!("id={submitted}&field=mobile"),
            ),
            ("get_renovation_reviews", String::new()),
            (
                "add_renovation_scope",
                format!("estate_id={ch}&name={}", urlencode("随便")),
            ),
            (
                "set_renovation_reviewer",
                format!("estate_id={ch}&account_id=1&reviewer=true"),
            ),
        ] {
            let r = b.call(call, &body).await;
            let got = r.status();
            let body = text(r).await;
            if who == "jx.reno" && call == "get_renovations" {
                // The other estate's clerk is shown their own estate instead.
                assert_eq!(got, StatusCode::OK, "{body}");
                assert!(!body.contains("ZX20"), "{who} {call}: {body}");
            } else {
                assert_eq!(got, StatusCode::FORBIDDEN, "{who} {call}: {body}");
            }
        }
    }
    // Security and maintenance neither apply nor open the form; a clerk edits no settings.
    let house = one(&desk, "select id from house where number = '1-1-101'").await;
    for who in ["security", "maintenance"] {
        let mut b = signed_in(&desk, who, PASSWORD).await;
        let r = b
            .call(
                "get_renovation_form",
                &format!("house_id={house}&estate_id={ch}&number="),
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
        let body = format!(
            "house_id={house}&contractor=x&licence_no=X1&foreman=y&foreman_mobile=13912345678\
             &planned_start={}&planned_end={}&items[]=1",
            app::db::time::desk_today(),
            app::db::time::desk_today()
        );
        let r = b.call("apply_renovation", &body).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
    }
    // The permit's check is for staff at the gate: a resident is refused, a guard told "unknown".
    let mut resident = signed_in(&desk, "13800000001", PASSWORD).await;
    let r = resident
        .call(
            "check_renovation_permit",
            "token=0123456789abcdef0123456789abcdef",
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = resident
        .call(
            "pay_renovation",
            &format!("id={submitted}&method=cash&received=1&request_key=x"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut guard = signed_in(&desk, "security", PASSWORD).await;
    let r = guard
        .call(
            "check_renovation_permit",
            "token=0123456789abcdef0123456789abcdef",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(text(r).await.trim(), "null");
    let r = guard
        .get("/desk/renovations/check/0123456789abcdef0123456789abcdef")
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = guard
        .call("get_renovation_permit", &format!("id={submitted}"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A worker who does not review; the clerk at engineering and approval steps.
    let mut worker = signed_in(&desk, "maintenance2", PASSWORD).await;
    let r = worker
        .call("get_renovation", &format!("id={engineering}"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = worker
        .call(
            "renovation_step",
            &format!("id={engineering}&action=approve"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut clerk = signed_in(&desk, "clerk", PASSWORD).await;
    let r = clerk
        .call(
            "renovation_step",
            &format!("id={engineering}&action=approve"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = clerk
        .call(
            "renovation_step",
            &format!("id={approval}&action=manager_approve"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = clerk
        .call(
            "add_renovation_scope",
            &format!("estate_id={ch}&name={}", urlencode("随便")),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A rejection without its reason names the field and writes nothing.
    let r = clerk
        .call("renovation_step", &format!("id={submitted}&action=reject"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(r).await.contains("note"));
    assert_eq!(
        written().await,
        written0,
        "refused calls wrote to the timeline"
    );
    // create_staff audits an account, not these entities.
    assert_eq!(
        audited().await,
        audited0,
        "refused calls wrote to the operation log"
    );

    // The reviewer works engineering on the phone; pages open for their roles.
    let mut engineer = signed_in(&desk, "maintenance", PASSWORD).await;
    let r = engineer.get("/jobs/renovations").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = text(r).await;
    assert!(page.contains("装修工程审核"), "{page}");
    let r = engineer
        .call(
            "renovation_step",
            &format!("id={engineering}&action=approve"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", text(r).await);
    for path in [
        "/desk/renovations",
        "/desk/renovations/setup",
        &format!("/desk/renovations/{submitted}"),
    ] {
        let r = clerk.get(path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let mut resident = signed_in(&desk, "13800000001", PASSWORD).await;
    let r = resident.get("/portal/renovations").await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = resident.get("/desk/renovations").await;
    assert_ne!(r.status(), StatusCode::OK, "a resident on the desk's list");
}
