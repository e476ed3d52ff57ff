-- Key custody (钥匙管理), and the security role (安保 / 监控中心).
--
-- SQLite cannot change a CHECK constraint in place, so `account` is rebuilt
-- with the new role and the key-issuer grant. sqlx runs a SQLite migration
-- inside a transaction, where `foreign_keys = OFF` is ignored; deferring the
-- foreign-key checks to the commit instead lets the old table go and the new
-- one take its name before the references to `account` are checked again.
PRAGMA defer_foreign_keys = ON;

create temp table account_before as select * from account;
drop table account;

-- The rows wait in a copy while the table is made again under its own name:
-- dropping it leaves the rows that point at accounts (sessions, estates, the
-- audit log…) counted as deferred violations, and each account inserted back
-- settles its own, so the commit finds none.
create table account (
    id               integer primary key,
    role             text not null check (role in ('admin', 'manager', 'clerk', 'maintenance', 'resident', 'security')),
    username         text unique,
    mobile           text unique,
    display_name     text not null,
    password_hash    text not null,
    locale           text not null default 'zh' check (locale in ('zh', 'en')),
    disabled         integer not null default 0 check (disabled in (0, 1)),
    session_version  integer not null default 1,
    resident_id      integer,
    created_at       text not null,
    updated_at       text not null,
    -- A shift leader (值班组长) who may authorise key check-outs; managers always may.
    issues_keys      integer not null default 0 check (issues_keys in (0, 1)),
    check ((role = 'resident' and mobile is not null and username is null)
        or (role <> 'resident' and username is not null and mobile is null))
);
insert into account (id, role, username, mobile, display_name, password_hash, locale,
                     disabled, session_version, resident_id, created_at, updated_at)
select id, role, username, mobile, display_name, password_hash, locale,
       disabled, session_version, resident_id, created_at, updated_at
from account_before;
drop table account_before;

-- A key cabinet (钥匙柜) and its hooks: a grid of rows × columns, hook n
-- (1-based, row by row) labelled A01, A02 … (keys::rules::hook_label).
create table key_cabinet (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    name        text not null,
    place       text not null default '',
    hook_rows   integer not null check (hook_rows between 1 and 26),
    hook_cols   integer not null check (hook_cols between 1 and 40),
    created_at  text not null,
    unique (estate_id, name)
);

-- A key (one lock's key set): what it opens — a house, or a common area of
-- the estate's location list — and why the centre holds it.
create table key_set (
    id           integer primary key,
    estate_id    integer not null references estate(id),
    kind         text not null check (kind in ('unhanded', 'entrusted', 'facility')),
    house_id     integer references house(id),
    location_id  integer references repair_location(id),
    note         text not null default '',
    created_by   integer references account(id),
    created_at   text not null,
    check ((house_id is null) <> (location_id is null)),
    check ((kind = 'facility') = (location_id is not null))
);
create index key_set_estate on key_set(estate_id);
create index key_set_house on key_set(house_id);

-- Each physical copy on its own: its tag (printed with a QR code), its hook,
-- its status. Copy 1 is the working key; later copies are backups, each
-- registered with a manager's approval and a reason.
create table key_copy (
    id           integer primary key,
    key_set_id   integer not null references key_set(id),
    estate_id    integer not null references estate(id),
    copy_no      integer not null check (copy_no >= 1),
    tag          text not null unique,
    cabinet_id   integer not null references key_cabinet(id),
    hook         integer not null check (hook >= 1),
    status       text not null check (status in ('in_cabinet', 'out', 'lost', 'retired')),
    reason       text not null default '',
    approved_by  integer references account(id),
    created_at   text not null,
    unique (key_set_id, copy_no),
    check (copy_no = 1 or approved_by is not null)
);
-- One live copy per hook.
create unique index key_copy_hook on key_copy(cabinet_id, hook) where status in ('in_cabinet', 'out');
create index key_copy_estate on key_copy(estate_id, status);

-- An owner's written authorisation of an entrusted key (托管授权书).
create table key_authorisation (
    id            integer primary key,
    key_set_id    integer not null references key_set(id),
    estate_id     integer not null references estate(id),
    resident_id   integer not null references resident(id),
    scope         text not null check (scope in ('repairs', 'emergencies', 'named')),
    named_people  text not null default '',
    valid_from    text not null,
    valid_until   text not null,
    paper         blob,
    paper_thumb   blob,
    created_by    integer references account(id),
    created_at    text not null,
    revoked_at    text,
    revoked_by    integer references account(id),
    check (valid_from <= valid_until),
    check (scope <> 'named' or named_people <> '')
);
create index key_authorisation_set on key_authorisation(key_set_id, id);

-- A check-out (领用) and, once, its return (归还). One open loan per copy.
create table key_loan (
    id                integer primary key,
    copy_id           integer not null references key_copy(id),
    estate_id         integer not null references estate(id),
    taker_kind        text not null check (taker_kind in ('staff', 'worker', 'resident')),
    taker_account_id  integer references account(id),
    taker_resident_id integer references resident(id),
    taker_name        text not null,
    taker_phone       text not null default '',
    taker_id_number   text,
    purpose           text not null check (purpose in ('repair', 'renovation', 'inspection', 'emergency', 'other', 'owner_return')),
    ticket_id         integer references repair_ticket(id),
    note              text not null default '',
    authorisation_id  integer references key_authorisation(id),
    authorised_by     integer not null references account(id),
    lent_by           integer not null references account(id),
    out_at            text not null,
    due_at            text,
    signature         blob,
    signed_on_paper   integer not null check (signed_on_paper in (0, 1)),
    returned_at       text,
    returned_by_name  text,
    received_by       integer references account(id),
    condition         text check (condition in ('good', 'damaged')),
    return_note       text not null default '',
    check (signature is not null or signed_on_paper = 1),
    check (purpose <> 'repair' or ticket_id is not null),
    check (purpose = 'owner_return' or due_at is not null),
    check ((returned_at is null) = (condition is null))
);
create unique index key_loan_open on key_loan(copy_id) where returned_at is null;
create index key_loan_estate_open on key_loan(estate_id, returned_at, due_at);
create index key_loan_ticket on key_loan(ticket_id);
create index key_loan_taker on key_loan(taker_account_id, returned_at);

-- A lost key or a backup copy used: reported to the manager and to security.
create table key_incident (
    id               integer primary key,
    estate_id        integer not null references estate(id),
    copy_id          integer not null references key_copy(id),
    kind             text not null check (kind in ('lost', 'backup_used')),
    loan_id          integer references key_loan(id),
    circumstances    text not null default '',
    reported_by      integer references account(id),
    reported_at      text not null,
    lock_changed_on  text,
    lock_changed_by  text,
    cost_fen         integer check (cost_fen >= 0),
    resident_pays    integer not null default 0 check (resident_pays in (0, 1)),
    bill_line_id     integer references bill_line(id),
    closed_at        text
);
create index key_incident_estate on key_incident(estate_id, closed_at);

-- A count (盘点) of one cabinet, and what it found, line by line.
create table key_count (
    id           integer primary key,
    estate_id    integer not null references estate(id),
    cabinet_id   integer not null references key_cabinet(id),
    started_by   integer references account(id),
    started_at   text not null,
    closed_by    integer references account(id),
    closed_at    text,
    signed_name  text,
    signature    blob
);
create unique index key_count_open on key_count(cabinet_id) where closed_at is null;
create table key_count_line (
    id          integer primary key,
    count_id    integer not null references key_count(id),
    copy_id     integer references key_copy(id),
    tag         text not null,
    hook        integer,
    outcome     text not null check (outcome in ('found', 'wrong_hook', 'missing', 'unknown', 'on_loan')),
    created_at  text not null
);
create index key_count_line_count on key_count_line(count_id, id);

-- The key log: every registration, loan, return, loss and count, never changed.
create table key_event (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    key_set_id  integer not null references key_set(id),
    copy_id     integer references key_copy(id),
    loan_id     integer references key_loan(id),
    action      text not null,
    actor_id    integer references account(id),
    actor_name  text not null,
    note        text not null default '',
    created_at  text not null
);
create index key_event_set on key_event(key_set_id, id);

create trigger key_event_no_update before update on key_event
begin select raise(abort, 'key_event is append-only'); end;
create trigger key_event_no_delete before delete on key_event
begin select raise(abort, 'key_event is append-only'); end;
create trigger key_count_line_no_update before update on key_count_line
begin select raise(abort, 'key_count_line is append-only'); end;
create trigger key_count_line_no_delete before delete on key_count_line
begin select raise(abort, 'key_count_line is append-only'); end;
-- A loan is written once at check-out and once at its return; never again, never deleted.
create trigger key_loan_no_delete before delete on key_loan
begin select raise(abort, 'key_loan is never deleted'); end;
-- (While open, only the return's own columns may be written.)
create trigger key_loan_once_returned before update on key_loan
when old.returned_at is not null
  or new.copy_id is not old.copy_id
  or new.estate_id is not old.estate_id
  or new.taker_kind is not old.taker_kind
  or new.taker_account_id is not old.taker_account_id
  or new.taker_resident_id is not old.taker_resident_id
  or new.taker_name is not old.taker_name
  or new.taker_phone is not old.taker_phone
  or new.taker_id_number is not old.taker_id_number
  or new.purpose is not old.purpose
  or new.ticket_id is not old.ticket_id
  or new.note is not old.note
  or new.authorisation_id is not old.authorisation_id
  or new.authorised_by is not old.authorised_by
  or new.lent_by is not old.lent_by
  or new.out_at is not old.out_at
  or new.due_at is not old.due_at
  or new.signature is not old.signature
  or new.signed_on_paper is not old.signed_on_paper
begin select raise(abort, 'a key loan changes only by its return'); end;
