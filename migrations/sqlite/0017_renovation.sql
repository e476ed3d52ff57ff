-- Renovation approvals (装修管理, issue 16), part 1: the application (装修申请)
-- with its contractor, workers and scope, the estate's scope items (some
-- prohibited, each with the rule that forbids it), the engineering reviewers,
-- and one state machine whose every transition is an append-only event.

-- An estate's renovation settings: how often works in progress are inspected,
-- the working hours the permit prints.
create table renovation_setting (
    estate_id        integer primary key references estate(id),
    inspection_days  integer not null check (inspection_days between 1 and 90),
    work_hours       text not null,
    updated_by       integer references account(id),
    updated_at       text not null
);

-- The estate's list of scope items (施工项目). A prohibited item is refused
-- at once with its rule; `code` names the items every estate starts with
-- (their names and rules are shown in the reader's language).
create table renovation_scope (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    code        text,
    name        text not null,
    prohibited  integer not null default 0 check (prohibited in (0, 1)),
    rule        text not null default '',
    position    integer not null,
    retired_at  text,
    created_at  text not null,
    unique (estate_id, code)
);
create index renovation_scope_estate on renovation_scope(estate_id, position);

-- Maintenance staff who may do the engineering review (工程审核) in an estate.
create table renovation_reviewer (
    estate_id   integer not null references estate(id),
    account_id  integer not null references account(id),
    primary key (estate_id, account_id)
);

create table renovation (
    id                 integer primary key,
    estate_id          integer not null references estate(id),
    house_id           integer not null references house(id),
    app_no             text not null unique,
    state              text not null check (state in ('submitted', 'returned', 'engineering', 'approval', 'payment',
                                                      'works', 'extension', 'suspended', 'acceptance', 'rectifying',
                                                      'refund', 'closed', 'rejected', 'withdrawn')),
    channel            text not null check (channel in ('desk', 'portal')),
    -- who applies: a resident of the house (an owner, or a tenant with the owner's consent)
    applicant_id       integer not null references resident(id),
    applicant_role     text not null check (applicant_role in ('owner', 'co_owner', 'tenant')),
    owner_consent      text not null default '',
    contractor         text not null,
    licence_no         text not null,
    foreman            text not null,
    foreman_mobile     text not null,
    planned_start      text not null,
    planned_end        text not null,
    description        text not null default '',
    -- the last review's words to the applicant (what is missing, why rejected)
    last_reason        text not null default '',
    created_by         integer references account(id),
    created_at         text not null,
    updated_at         text not null
);
-- One application under way per house at a time.
create unique index renovation_one_open on renovation(house_id)
    where state not in ('closed', 'rejected', 'withdrawn');
create index renovation_estate on renovation(estate_id, state);

create table renovation_worker (
    id              integer primary key,
    renovation_id   integer not null references renovation(id),
    name            text not null,
    mobile          text not null,
    id_number       text not null,
    position        integer not null
);
create index renovation_worker_app on renovation_worker(renovation_id);

create table renovation_item (
    renovation_id  integer not null references renovation(id),
    scope_id       integer not null references renovation_scope(id),
    note           text not null default '',
    primary key (renovation_id, scope_id)
);

-- Every transition: who, when, from what to what, and their words. Append-only:
-- the timeline is the application's history.
create table renovation_event (
    id              integer primary key,
    renovation_id   integer not null references renovation(id),
    action          text not null,
    from_state      text,
    to_state        text not null,
    account_id      integer references account(id),
    actor_name      text not null,
    -- staff (the portal names them only as the service centre), or the applicant
    by_staff        integer not null check (by_staff in (0, 1)),
    note            text not null default '',
    at              text not null
);
create index renovation_event_app on renovation_event(renovation_id, id);
create trigger renovation_event_no_update before update on renovation_event
begin
    select raise(abort, 'renovation_event is append-only');
end;
create trigger renovation_event_no_delete before delete on renovation_event
begin
    select raise(abort, 'renovation_event is append-only');
end;
