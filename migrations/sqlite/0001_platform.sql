-- Platform: estates, accounts, their estates, and the audit log.
-- Any-safe types (see app/src/db.rs): ids and money as integers, flags 0/1,
-- timestamps as RFC 3339 UTC text in one fixed format, so they sort.

create table estate (
    id          integer primary key,
    code        text not null unique,
    name        text not null,
    created_at  text not null
);

-- Staff log in by username, residents by mobile; exactly one of the two is set.
create table account (
    id               integer primary key,
    role             text not null check (role in ('admin', 'manager', 'clerk', 'maintenance', 'resident')),
    username         text unique,
    mobile           text unique,
    display_name     text not null,
    password_hash    text not null,
    locale           text not null default 'zh' check (locale in ('zh', 'en')),
    disabled         integer not null default 0 check (disabled in (0, 1)),
    -- Bumped when the account is disabled or its password reset: every session
    -- carries the version it was opened under and dies when they differ.
    session_version  integer not null default 1,
    resident_id      integer,
    created_at       text not null,
    updated_at       text not null,
    check ((role = 'resident' and mobile is not null and username is null)
        or (role <> 'resident' and username is not null and mobile is null))
);

-- Which estates a member of staff works for (admins see every estate).
create table account_estate (
    account_id  integer not null references account(id),
    estate_id   integer not null references estate(id),
    primary key (account_id, estate_id)
);
create index account_estate_estate on account_estate(estate_id);

-- Operation log (操作日志): append-only, enforced by the triggers below.
create table audit_log (
    id          integer primary key,
    at          text not null,
    actor_id    integer references account(id),
    actor_name  text not null,
    ip          text,
    estate_id   integer references estate(id),
    entity      text not null,
    entity_id   text,
    action      text not null,
    before      text,
    after       text
);
create index audit_log_at on audit_log(at);
create index audit_log_estate_at on audit_log(estate_id, at);
create index audit_log_actor_at on audit_log(actor_id, at);

create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
