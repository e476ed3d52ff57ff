-- Move-out (迁出 / 退房, issue 15) as a case like move-in: who leaves and
-- why, the final meter readings, the settlement (the part month billed to
-- the move-out day, every unpaid line, late fees, the prepaid balance, one
-- payment), the keys back, and the goods-release pass (物品放行条) the gate
-- checks.

create table move_out (
    id               integer primary key,
    estate_id        integer not null references estate(id),
    house_id         integer not null references house(id),
    status           text not null check (status in ('open', 'completed', 'cancelled')),
    -- a tenant leaving, an owner selling (the buyer moves in next), an owner leaving the house empty
    kind             text check (kind in ('tenant_leaves', 'sale', 'owner_leaves')),
    move_out_on      text,
    buyer_name       text not null default '',
    leaving_at       text,
    readings_at      text,
    -- the settlement's lines raised (the part month, the final metered charges)
    billed_at        text,
    -- the settlement's payment, if anything was owed
    payment_id       integer references payment(id),
    -- a manager's written override: the case completes with this still owed
    override_reason  text not null default '',
    override_fen     integer,
    override_by      integer references account(id),
    override_at      text,
    opened_by        integer not null references account(id),
    opened_at        text not null,
    completed_by     integer references account(id),
    completed_at     text,
    cancelled_reason text not null default ''
);
create unique index move_out_one_open on move_out(house_id) where status = 'open';
create index move_out_estate on move_out(estate_id, status);

-- Who leaves: occupancies of the house, ended on the move-out day.
create table move_out_person (
    move_out_id   integer not null references move_out(id),
    occupancy_id  integer not null references occupancy(id),
    primary key (move_out_id, occupancy_id)
);

-- The final readings, one per metered fee item (written as the month's
-- reading of the house when the settlement is billed).
create table move_out_reading (
    move_out_id    integer not null references move_out(id),
    fee_item_id    integer not null references fee_item(id),
    reading_centi  integer not null check (reading_centi >= 0),
    primary key (move_out_id, fee_item_id)
);

-- The lines a move-out raised (its part month, its final readings' charges):
-- the leaver's to pay whatever their period.
create table move_out_line (
    move_out_id  integer not null references move_out(id),
    line_id      integer not null references bill_line(id),
    primary key (move_out_id, line_id)
);

-- Part of a bill line moved onto the leaving occupant's part-month line: a
-- month billed to the house before the move-out is split by days, the days
-- to the move-out on the leaver's line, the rest left on the month's line
-- (what it still owes is its amount less its splits and waivers).
create table bill_line_split (
    id           integer primary key,
    line_id      integer not null references bill_line(id),
    to_line_id   integer not null references bill_line(id),
    amount_fen   integer not null check (amount_fen > 0),
    move_out_id  integer references move_out(id),
    created_at   text not null,
    unique (line_id, to_line_id)
);
create index bill_line_split_line on bill_line_split(line_id);
create trigger bill_line_split_no_update before update on bill_line_split
begin
    select raise(abort, 'bill_line_split is append-only');
end;
create trigger bill_line_split_no_delete before delete on bill_line_split
begin
    select raise(abort, 'bill_line_split is append-only');
end;

-- The goods-release pass (物品放行条): what a moving-out household may take
-- through the gate on one day. Issued when the house owes nothing, or with a
-- manager's approval; the QR code carries `token`; the gate marks it used.
create table release_pass (
    id             integer primary key,
    estate_id      integer not null references estate(id),
    house_id       integer not null references house(id),
    move_out_id    integer references move_out(id),
    pass_no        text not null unique,
    person_name    text not null check (length(person_name) between 1 and 40),
    items          text not null check (length(items) between 1 and 500),
    plate          text not null default '',
    valid_on       text not null,
    token          text not null unique,
    status         text not null check (status in ('requested', 'issued', 'used', 'revoked')),
    -- a resident's request from the portal
    requested_by_resident integer references resident(id),
    requested_at   text,
    issued_by      integer references account(id),
    issued_at      text,
    -- the manager who let it out while the house owed money
    approved_by    integer references account(id),
    owed_fen       integer not null default 0,
    used_at        text,
    used_by        integer references account(id),
    revoked_at     text,
    revoked_by     integer references account(id),
    created_at     text not null
);
create index release_pass_house on release_pass(house_id, id);
create index release_pass_estate on release_pass(estate_id, status);
