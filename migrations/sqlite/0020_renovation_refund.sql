-- The renovation deposit's refund (issue 16, part 3): deductions (扣款)
-- proposed against the deposit and decided by a manager, and the refund
-- (退押金) — money out, with its own number — reversed like a payment.

-- A deduction: an item and an amount, on the visit it rests on; proposed,
-- then approved or not by a manager who did not propose it.
create table renovation_deduction (
    id              integer primary key,
    renovation_id   integer not null references renovation(id),
    item            text not null check (length(item) > 0),
    amount_fen      integer not null check (amount_fen > 0),
    inspection_id   integer references renovation_inspection(id),
    state           text not null check (state in ('pending', 'approved', 'rejected')),
    proposed_by     integer not null references account(id),
    proposed_name   text not null,
    proposed_at     text not null,
    decided_by      integer references account(id),
    decided_name    text,
    decided_at      text,
    -- the income line it became at the refund (once, whatever is reversed after)
    line_id         integer references bill_line(id),
    check (decided_by is null or decided_by <> proposed_by)
);
create index renovation_deduction_app on renovation_deduction(renovation_id);
-- Decided once: a pending deduction is approved or rejected, then only its line is added.
create trigger renovation_deduction_decided_once before update on renovation_deduction
when new.item <> old.item or new.amount_fen <> old.amount_fen or new.inspection_id is not old.inspection_id
     or new.proposed_by <> old.proposed_by or new.renovation_id <> old.renovation_id
     or (old.state <> 'pending' and (new.state <> old.state or new.decided_by is not old.decided_by
                                     or new.decided_at is not old.decided_at))
     or (old.line_id is not null and new.line_id is not old.line_id)
begin
    select raise(abort, 'a deduction is decided once');
end;
create trigger renovation_deduction_no_delete before delete on renovation_deduction
begin
    select raise(abort, 'renovation_deduction is append-only');
end;

-- Refund numbers (退款单号): gap-free per estate and year, like receipts'.
create table refund_sequence (
    estate_id  integer not null references estate(id),
    year       integer not null,
    last_no    integer not null,
    primary key (estate_id, year)
);

-- Money out: a deposit paid back, less the deductions kept. Append-only; a
-- mistaken one is reversed (deposit_refund_reversal) and done again.
create table deposit_refund (
    id              integer primary key,
    estate_id       integer not null references estate(id),
    house_id        integer not null references house(id),
    renovation_id   integer not null references renovation(id),
    refund_no       text not null unique,
    -- the payment the deposit came in on
    payment_id      integer not null references payment(id),
    method          text not null check (method in ('cash', 'transfer', 'prepaid')),
    deposit_fen     integer not null check (deposit_fen > 0),
    deducted_fen    integer not null check (deducted_fen >= 0),
    refunded_fen    integer not null check (refunded_fen >= 0),
    payee_name      text not null,
    clerk_id        integer not null references account(id),
    business_day    text not null,
    created_at      text not null,
    request_key     text not null unique,
    -- the number of this application's refunds reversed before it: two
    -- refunds of one deposit at once collide on (renovation_id, attempt)
    attempt         integer not null,
    unique (renovation_id, attempt),
    check (refunded_fen = deposit_fen - deducted_fen)
);
create index deposit_refund_clerk_day on deposit_refund(clerk_id, business_day);
create index deposit_refund_house on deposit_refund(house_id);

create table deposit_refund_reversal (
    id            integer primary key,
    refund_id     integer not null unique references deposit_refund(id),
    reason        text not null check (length(reason) > 0),
    reversed_by   integer not null references account(id),
    business_day  text not null,
    created_at    text not null
);

-- A refund is reversed by someone other than the clerk who paid it.
create trigger deposit_refund_reversal_second_person before insert on deposit_refund_reversal
when new.reversed_by = (select clerk_id from deposit_refund where id = new.refund_id)
begin
    select raise(abort, 'a refund is reversed by a second person');
end;
create trigger deposit_refund_no_update before update on deposit_refund
begin
    select raise(abort, 'deposit_refund is append-only');
end;
create trigger deposit_refund_no_delete before delete on deposit_refund
begin
    select raise(abort, 'deposit_refund is append-only');
end;
create trigger deposit_refund_reversal_no_update before update on deposit_refund_reversal
begin
    select raise(abort, 'deposit_refund_reversal is append-only');
end;
create trigger deposit_refund_reversal_no_delete before delete on deposit_refund_reversal
begin
    select raise(abort, 'deposit_refund_reversal is append-only');
end;

-- A deduction's income line is settled out of the deposit by its refund:
-- the settlement names the refund (receipts list only what their payment paid).
alter table settlement add column refund_id integer references deposit_refund(id);
-- A refund onto the prepaid balance is an entry of its own.
alter table prepaid_entry add column refund_id integer references deposit_refund(id);

-- A clerk's day: deposits paid back (money out) and deductions kept, frozen with the rest.
alter table daily_close add column refunds_count integer not null default 0;
alter table daily_close add column refunded_fen integer not null default 0;
alter table daily_close add column deducted_fen integer not null default 0;
alter table daily_close add column refund_reversed_fen integer not null default 0;
alter table daily_close add column refunded_prepaid_fen integer not null default 0;
