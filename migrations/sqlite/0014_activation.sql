-- Portal access (住户开通, issue 15): activation codes the desk hands a
-- resident, and one account for every resident record of that person.
--
-- A resident record belongs to one estate, so a person living in two estates
-- (or registered twice) has two records; their one account (signed in by
-- mobile) is linked to each of them here, and sees the houses of all of them.
-- A record belongs to at most one account.
create table account_resident (
    account_id   integer not null references account(id),
    resident_id  integer not null references resident(id),
    linked_at    text not null,
    primary key (account_id, resident_id)
);
create unique index account_resident_one_account on account_resident(resident_id);

-- Accounts before this step: their one record. Only a resident account's
-- record that exists; were two accounts on one record, the earlier keeps it.
insert into account_resident (account_id, resident_id, linked_at)
select min(a.id), a.resident_id, min(a.created_at)
from account a join resident r on r.id = a.resident_id
where a.role = 'resident'
group by a.resident_id;

-- `account.resident_id` stays the account's first record (the one it was
-- opened for), and is always one of its linked records: whoever sets it —
-- the demo, the generator, a test's fixture, the activation — links it too.
create trigger account_primary_resident_linked after insert on account
when new.resident_id is not null
begin
    insert into account_resident (account_id, resident_id, linked_at)
    select new.id, new.resident_id, new.created_at
    where not exists (select 1 from account_resident
                      where account_id = new.id and resident_id = new.resident_id);
end;
create trigger account_primary_resident_relinked after update of resident_id on account
when new.resident_id is not null
begin
    insert into account_resident (account_id, resident_id, linked_at)
    select new.id, new.resident_id, new.updated_at
    where not exists (select 1 from account_resident
                      where account_id = new.id and resident_id = new.resident_id);
end;

-- An activation code (开通码): eight digits, stored only as an argon2id hash
-- (auth::activation says why), valid 14 days, used once. Issuing a new code
-- for a resident record revokes the one still unused, so each record has at
-- most one live code (the partial unique index).
create table activation_code (
    id               integer primary key,
    resident_id      integer not null references resident(id),
    estate_id        integer not null references estate(id),
    code_hash        text not null,
    purpose          text not null check (purpose in ('move_in', 'desk')),
    issued_by        integer references account(id),
    issued_at        text not null,
    expires_at       text not null,
    used_at          text,
    used_by_account  integer references account(id),
    revoked_at       text,
    check (expires_at > issued_at),
    check (used_at is null or revoked_at is null),
    check (used_by_account is null or used_at is not null)
);
create unique index activation_code_live on activation_code(resident_id)
    where used_at is null and revoked_at is null;
create index activation_code_estate on activation_code(estate_id, issued_at);
