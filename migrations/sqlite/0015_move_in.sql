-- Move-in (入住 / 收楼) as a case the desk works through step by step, and
-- the estate's joint-inspection checklist (验房清单) and agreements.

-- The estate's checklist template: rooms × items, edited by managers. An item
-- taken out of the template is retired, not deleted: past inspections name it.
create table inspection_item (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    room        text not null check (length(room) between 1 and 20),
    item        text not null check (length(item) between 1 and 40),
    position    integer not null,
    retired_at  text,
    created_at  text not null
);
create index inspection_item_estate on inspection_item(estate_id, position);
create unique index inspection_item_live on inspection_item(estate_id, room, item) where retired_at is null;

-- The agreements a new resident signs (管理规约, 前期物业服务协议, and any the estate adds).
create table agreement_kind (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    name        text not null check (length(name) between 1 and 40),
    position    integer not null,
    retired_at  text,
    created_at  text not null
);
create unique index agreement_kind_live on agreement_kind(estate_id, name) where retired_at is null;

-- One move-in: who comes in, as what, and each step as it is done (a step's
-- `*_at` is set when it is saved; the case is complete when every one is).
create table move_in (
    id               integer primary key,
    estate_id        integer not null references estate(id),
    house_id         integer not null references house(id),
    status           text not null check (status in ('open', 'completed', 'cancelled')),
    -- identity and title
    name             text not null default '',
    mobile           text not null default '',
    id_number        text,
    role             text check (role in ('owner', 'co_owner', 'tenant', 'family')),
    title_no         text not null default '',
    lease_start      text,
    lease_end        text,
    owner_consent    integer not null default 0 check (owner_consent in (0, 1)),
    handover_on      text,
    identity_at      text,
    -- joint inspection, signed by the resident
    inspection_at    text,
    inspection_signature blob,
    inspection_on_paper  integer not null default 0 check (inspection_on_paper in (0, 1)),
    readings_at      text,
    -- keys handed over: how many, and when
    keys_count       integer check (keys_count >= 0),
    keys_at          text,
    agreements_at    text,
    opened_by        integer not null references account(id),
    opened_at        text not null,
    completed_by     integer references account(id),
    completed_at     text,
    occupancy_id     integer references occupancy(id),
    cancelled_reason text not null default '',
    check (role <> 'tenant' or lease_start is null or lease_end >= lease_start)
);
create unique index move_in_one_open on move_in(house_id) where status = 'open';
create index move_in_estate on move_in(estate_id, status);

-- The inspection's findings, one per template item: OK or a defect with a
-- note; a defect becomes a repair ticket (linked here; the ticket's source is 'inspection').
create table move_in_check (
    move_in_id  integer not null references move_in(id),
    item_id     integer not null references inspection_item(id),
    result      text not null check (result in ('ok', 'defect')),
    note        text not null default '',
    ticket_id   integer references repair_ticket(id),
    primary key (move_in_id, item_id)
);
create index move_in_check_ticket on move_in_check(ticket_id);

-- The initial meter readings, one per metered fee item.
create table move_in_reading (
    move_in_id     integer not null references move_in(id),
    fee_item_id    integer not null references fee_item(id),
    reading_centi  integer not null check (reading_centi >= 0),
    primary key (move_in_id, fee_item_id)
);

-- The agreements signed, each with its date.
create table move_in_agreement (
    move_in_id    integer not null references move_in(id),
    agreement_id  integer not null references agreement_kind(id),
    signed_on     text not null,
    primary key (move_in_id, agreement_id)
);
