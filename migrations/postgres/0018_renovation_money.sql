-- Renovation's money (issue 16, part 2): the fees and the deposit raised on
-- an approved application and paid on one receipt, and the permit after.

-- A fee item whose money is held, not earned (押金, a deposit): billing never
-- lets the prepaid balance spend its lines, runs no late fee on them and
-- counts them in no arrears; the daily close shows it apart.
alter table fee_item add column held bigint not null default 0 check (held in (0, 1));

-- What an estate charges an approved renovation (装修管理费, 垃圾清运费,
-- 装修押金 …): its fee items (one-offs) and amounts.
create table renovation_charge (
    estate_id    bigint not null references estate(id),
    fee_item_id  bigint not null references fee_item(id),
    amount_fen   bigint not null check (amount_fen > 0),
    position     bigint not null,
    primary key (estate_id, fee_item_id)
);

-- The lines an application raised, paid together on one receipt.
create table renovation_line (
    renovation_id  bigint not null references renovation(id),
    line_id        bigint not null references bill_line(id),
    primary key (renovation_id, line_id)
);

alter table renovation add column payment_id bigint references payment(id);
alter table renovation add column permit_no text;
alter table renovation add column permit_at text;
-- What the permit's QR code carries: 128 random bits, for the staff's check page.
alter table renovation add column permit_token text;
-- Permit numbers run per estate and year.
create unique index renovation_permit_no on renovation(estate_id, permit_no) where permit_no is not null;
create unique index renovation_permit_token on renovation(permit_token) where permit_token is not null;

-- The deposits a clerk's day took in, frozen with the rest of the day.
alter table daily_close add column held_fen bigint not null default 0;
