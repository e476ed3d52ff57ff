-- Repair dispatch (报修 / 派工) and return visits (回访).
--
-- A ticket's state changes only through the state machine in
-- app/src/repairs/rules.rs; every change is one row of repair_event (the
-- ticket's timeline, append-only). Return visits and escalations are shared:
-- `subject_kind` names what was visited (a repair today, a complaint later).

-- Per-estate targets (minutes from report) and the one-off fee item paid repairs are charged to.
create table repair_setting (
    estate_id                  integer primary key references estate(id),
    urgent_response_minutes    integer not null check (urgent_response_minutes > 0),
    urgent_completion_minutes  integer not null check (urgent_completion_minutes > 0),
    normal_response_minutes    integer not null check (normal_response_minutes > 0),
    normal_completion_minutes  integer not null check (normal_completion_minutes > 0),
    charge_fee_item_id         integer references fee_item(id),
    updated_at                 text not null
);

-- Common areas a ticket can be about (楼栋大堂, 电梯, 花园 …), per estate.
create table repair_location (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    name        text not null,
    created_at  text not null,
    unique (estate_id, name)
);

-- What a maintenance worker can do (the categories they are suggested for), per
-- estate: a worker shared by two estates is set up by each estate's managers.
create table worker_skill (
    account_id  integer not null references account(id),
    estate_id   integer not null references estate(id),
    category    text not null check (category in ('water', 'electrical', 'doors_windows', 'lift', 'public_facility', 'other')),
    primary key (account_id, estate_id, category)
);

create table repair_ticket (
    id                  integer primary key,
    estate_id           integer not null references estate(id),
    -- a house, or a common area: exactly one
    house_id            integer references house(id),
    location_id         integer references repair_location(id),
    category            text not null check (category in ('water', 'electrical', 'doors_windows', 'lift', 'public_facility', 'other')),
    description         text not null,
    urgency             text not null check (urgency in ('urgent', 'normal')),
    paid                integer not null check (paid in (0, 1)),
    appointment_at      text,
    source              text not null check (source in ('phone', 'walk_in', 'portal', 'inspection')),
    reporter_name       text not null,
    reporter_phone      text not null,
    reporter_resident_id integer references resident(id),
    created_by          integer references account(id),
    status              text not null check (status in ('submitted', 'assigned', 'accepted', 'in_progress', 'done', 'closed', 'cancelled', 'reopened')),
    worker_id           integer references account(id),
    response_due_at     text not null,
    completion_due_at   text not null,
    created_at          text not null,
    assigned_at         text,
    accepted_at         text,
    started_at          text,
    done_at             text,
    closed_at           text,
    rework_count        integer not null default 0,
    work_notes          text not null default '',
    materials           text not null default '',
    labour_fen          integer not null default 0 check (labour_fen >= 0),
    materials_fen       integer not null default 0 check (materials_fen >= 0),
    bill_line_id        integer references bill_line(id),
    cancel_reason       text,
    check ((house_id is null) <> (location_id is null)),
    check (paid = 1 or (labour_fen = 0 and materials_fen = 0))
);
create index repair_ticket_estate on repair_ticket(estate_id, status, created_at);
create index repair_ticket_worker on repair_ticket(worker_id, status);
create index repair_ticket_house on repair_ticket(house_id);

-- The timeline: one row per transition (and per photo batch), never changed.
create table repair_event (
    id           integer primary key,
    ticket_id    integer not null references repair_ticket(id),
    action       text not null,
    from_status  text not null,
    to_status    text not null,
    actor_id     integer references account(id),
    actor_name   text not null,
    note         text not null default '',
    created_at   text not null
);
create index repair_event_ticket on repair_event(ticket_id, id);

-- Photos, re-encoded on the server as JPEG (EXIF and location stripped), with a thumbnail.
create table repair_photo (
    id          integer primary key,
    ticket_id   integer not null references repair_ticket(id),
    stage       text not null check (stage in ('report', 'work')),
    content     blob not null,
    thumb       blob not null,
    width       integer not null,
    height      integer not null,
    created_by  integer references account(id),
    created_at  text not null
);
create index repair_photo_ticket on repair_photo(ticket_id, id);

-- Return visits (回访): shared by repairs and, later, complaints. Never changed.
create table return_visit (
    id            integer primary key,
    estate_id     integer not null references estate(id),
    subject_kind  text not null check (subject_kind in ('repair', 'complaint')),
    subject_id    integer not null,
    channel       text not null check (channel in ('phone', 'portal')),
    rating        integer not null check (rating between 1 and 5),
    fixed         integer not null check (fixed in (0, 1)),
    comment       text not null default '',
    reopened      integer not null check (reopened in (0, 1)),
    escalated     integer not null check (escalated in (0, 1)),
    visited_by    integer references account(id),
    visitor_name  text not null,
    created_at    text not null
);
create index return_visit_subject on return_visit(subject_kind, subject_id);
create index return_visit_estate on return_visit(estate_id, created_at);

-- A poor visit goes to the managers' escalation list until one of them resolves it.
create table escalation (
    id               integer primary key,
    estate_id        integer not null references estate(id),
    subject_kind     text not null check (subject_kind in ('repair', 'complaint')),
    subject_id       integer not null,
    return_visit_id  integer not null references return_visit(id),
    comment          text not null default '',
    status           text not null check (status in ('open', 'resolved')),
    resolution       text,
    resolved_by      integer references account(id),
    resolved_at      text,
    created_at       text not null
);
create index escalation_estate on escalation(estate_id, status);

create trigger repair_event_no_update before update on repair_event
begin select raise(abort, 'repair_event is append-only'); end;
create trigger repair_event_no_delete before delete on repair_event
begin select raise(abort, 'repair_event is append-only'); end;
create trigger return_visit_no_update before update on return_visit
begin select raise(abort, 'return_visit is append-only'); end;
create trigger return_visit_no_delete before delete on return_visit
begin select raise(abort, 'return_visit is append-only'); end;
