-- Fee billing (收费管理): fee items and their rates, the late-fee policy, meter
-- readings, bill runs and bill lines, payments with their receipts,
-- settlements, the prepaid balance, waivers and daily closes.
--
-- Nothing that touched money is edited or deleted: bill lines, settlements,
-- payments, reversals, prepaid entries and daily closes are append-only (the
-- triggers below refuse updates and deletes). A payment is undone by a
-- reversal row; a line's settlement then no longer counts, and the line can be
-- settled again (its next settlement carries the next `attempt` number).

create table fee_item (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    name        text not null,
    kind        text not null check (kind in ('area', 'fixed', 'metered', 'one_off')),
    -- bills fall due this many days after the period ends (one-offs: after they are raised)
    due_days    integer not null check (due_days between 0 and 365),
    unit        text not null default '',
    created_at  text not null,
    unique (estate_id, name)
);

-- A rate applies to houses of one use (or 'any') from `effective_from` to
-- `effective_to` (inclusive; null: open). Rates of one item and use never overlap.
create table fee_rate (
    id              integer primary key,
    fee_item_id     integer not null references fee_item(id),
    use_kind        text not null check (use_kind in ('any', 'residential', 'commercial', 'parking')),
    -- yuan, exact decimal text: per m² per month, per house per month, per unit, or the one-off amount
    rate            text not null,
    effective_from  text not null,
    effective_to    text,
    created_by      integer references account(id),
    created_at      text not null,
    check (effective_to is null or effective_to >= effective_from)
);
create index fee_rate_item on fee_rate(fee_item_id, use_kind, effective_from);

-- Late fees (滞纳金): off unless the estate has a policy in effect.
create table late_fee_policy (
    id              integer primary key,
    estate_id       integer not null references estate(id),
    -- fraction of the overdue principal per day, exact decimal text (e.g. '0.0005')
    daily_rate      text not null,
    grace_days      integer not null check (grace_days >= 0),
    effective_from  text not null,
    effective_to    text,
    created_by      integer references account(id),
    created_at      text not null
);
create index late_fee_policy_estate on late_fee_policy(estate_id, effective_from);

-- Meter readings (抄表), in 0.01 units. A replacement in the period records the
-- old meter's final reading and the new meter's start reading.
create table meter_reading (
    id               integer primary key,
    estate_id        integer not null references estate(id),
    house_id         integer not null references house(id),
    fee_item_id      integer not null references fee_item(id),
    period           text not null,
    previous_centi   integer not null,
    reading_centi    integer not null,
    old_final_centi  integer,
    new_start_centi  integer,
    entered_by       integer references account(id),
    entered_at       text not null,
    unique (house_id, fee_item_id, period)
);
create index meter_reading_item on meter_reading(fee_item_id, period);

-- Meter readings imported from a file: every attempt, with its row report
-- (all or nothing, like the register's import).
create table reading_import (
    id           integer primary key,
    estate_id    integer not null references estate(id),
    fee_item_id  integer not null references fee_item(id),
    period       text not null,
    file_name    text not null,
    status       text not null check (status in ('rejected', 'imported')),
    readings     integer not null default 0,
    -- JSON: [{sheet, row, column, reason}]
    problems     text not null,
    created_by   integer references account(id),
    created_at   text not null
);

create table bill_run (
    id             integer primary key,
    estate_id      integer not null references estate(id),
    period         text not null,
    status         text not null check (status in ('running', 'done', 'failed')),
    houses_total   integer not null default 0,
    houses_done    integer not null default 0,
    lines_created  integer not null default 0,
    amount_fen     integer not null default 0,
    prepaid_lines  integer not null default 0,
    message        text not null default '',
    started_by     integer references account(id),
    started_at     text not null,
    -- refreshed after every chunk; a running run with an old heartbeat died
    heartbeat_at   text not null,
    finished_at    text
);
create index bill_run_estate on bill_run(estate_id, id);

-- One line per house, fee item and period (line_key ''), so a rerun creates
-- only what is missing; one-off charges and late fees carry their own key.
create table bill_line (
    id           integer primary key,
    estate_id    integer not null references estate(id),
    house_id     integer not null references house(id),
    fee_item_id  integer not null references fee_item(id),
    period       text not null,
    line_key     text not null default '',
    amount_fen   integer not null check (amount_fen >= 0),
    due_date     text not null,
    -- JSON: the inputs the amount was computed from (area, rate, days, readings, rounding)
    basis        text not null,
    late_fee_of  integer references bill_line(id),
    run_id       integer references bill_run(id),
    created_by   integer references account(id),
    created_at   text not null,
    unique (house_id, fee_item_id, period, line_key)
);
create index bill_line_estate_period on bill_line(estate_id, period);

-- Receipt numbers: gap-free per estate and year (the counter row is locked by
-- the payment's transaction, so a rolled-back payment returns its number).
create table receipt_sequence (
    estate_id  integer not null references estate(id),
    year       integer not null,
    last_no    integer not null,
    primary key (estate_id, year)
);

create table payment (
    id            integer primary key,
    estate_id     integer not null references estate(id),
    house_id      integer not null references house(id),
    receipt_no    text not null unique,
    method        text not null check (method in ('cash', 'wechat', 'alipay', 'card', 'transfer')),
    received_fen  integer not null check (received_fen > 0),
    lines_fen     integer not null check (lines_fen >= 0),
    prepaid_fen   integer not null check (prepaid_fen >= 0),
    clerk_id      integer not null references account(id),
    business_day  text not null,
    created_at    text not null,
    -- the payment form's one-time key: the same form posted twice is taken once
    request_key   text not null unique,
    check (received_fen = lines_fen + prepaid_fen)
);
create index payment_house on payment(house_id, id);
create index payment_clerk_day on payment(clerk_id, business_day);

create table payment_reversal (
    id            integer primary key,
    payment_id    integer not null unique references payment(id),
    reason        text not null check (length(reason) > 0),
    reversed_by   integer not null references account(id),
    business_day  text not null,
    created_at    text not null
);

-- What settled a line: a payment, or the prepaid balance (payment_id null).
create table settlement (
    id          integer primary key,
    line_id     integer not null references bill_line(id),
    -- the number of this line's earlier settlements that were reversed: two
    -- settlements of one unpaid line collide on (line_id, attempt)
    attempt     integer not null,
    payment_id  integer references payment(id),
    amount_fen  integer not null check (amount_fen >= 0),
    created_at  text not null,
    unique (line_id, attempt)
);
create index settlement_payment on settlement(payment_id);

-- The prepaid balance (预存款) is the sum of a house's entries.
create table prepaid_entry (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    house_id    integer not null references house(id),
    amount_fen  integer not null,
    kind        text not null check (kind in ('surplus', 'settle', 'reversal')),
    payment_id  integer references payment(id),
    line_id     integer references bill_line(id),
    created_at  text not null
);
create index prepaid_entry_house on prepaid_entry(house_id);

-- Waivers and discounts (减免): requested by the desk, decided once by a manager.
create table waiver (
    id            integer primary key,
    estate_id     integer not null references estate(id),
    line_id       integer not null references bill_line(id),
    target        text not null check (target in ('line', 'late_fee')),
    amount_fen    integer not null check (amount_fen > 0),
    reason        text not null,
    status        text not null check (status in ('pending', 'approved', 'rejected')),
    requested_by  integer not null references account(id),
    requested_at  text not null,
    decided_by    integer references account(id),
    decided_at    text
);
create index waiver_line on waiver(line_id);
create index waiver_estate_status on waiver(estate_id, status);

-- A clerk's day (日结): its totals frozen; no payment joins a closed day.
create table daily_close (
    id              integer primary key,
    clerk_id        integer not null references account(id),
    business_day    text not null,
    payments_count  integer not null,
    received_fen    integer not null,
    reversals_count integer not null,
    reversed_fen    integer not null,
    -- JSON: {method: fen}
    by_method       text not null,
    closed_at       text not null,
    unique (clerk_id, business_day)
);

create table receipt_print (
    id          integer primary key,
    payment_id  integer not null references payment(id),
    printed_by  integer references account(id),
    printed_at  text not null
);
create index receipt_print_payment on receipt_print(payment_id);

-- Money is append-only.
create trigger bill_line_no_update before update on bill_line
begin
    select raise(abort, 'bill_line is append-only');
end;
create trigger bill_line_no_delete before delete on bill_line
begin
    select raise(abort, 'bill_line is append-only');
end;
create trigger settlement_no_update before update on settlement
begin
    select raise(abort, 'settlement is append-only');
end;
create trigger settlement_no_delete before delete on settlement
begin
    select raise(abort, 'settlement is append-only');
end;
create trigger payment_no_update before update on payment
begin
    select raise(abort, 'payment is append-only');
end;
create trigger payment_no_delete before delete on payment
begin
    select raise(abort, 'payment is append-only');
end;
create trigger payment_reversal_no_update before update on payment_reversal
begin
    select raise(abort, 'payment_reversal is append-only');
end;
create trigger payment_reversal_no_delete before delete on payment_reversal
begin
    select raise(abort, 'payment_reversal is append-only');
end;
create trigger prepaid_entry_no_update before update on prepaid_entry
begin
    select raise(abort, 'prepaid_entry is append-only');
end;
create trigger prepaid_entry_no_delete before delete on prepaid_entry
begin
    select raise(abort, 'prepaid_entry is append-only');
end;
create trigger daily_close_no_update before update on daily_close
begin
    select raise(abort, 'daily_close is append-only');
end;
create trigger daily_close_no_delete before delete on daily_close
begin
    select raise(abort, 'daily_close is append-only');
end;
-- A waiver is decided once; it is never deleted.
create trigger waiver_decided_once before update on waiver
when old.status <> 'pending'
begin
    select raise(abort, 'a decided waiver cannot change');
end;
create trigger waiver_no_delete before delete on waiver
begin
    select raise(abort, 'waivers are never deleted');
end;
