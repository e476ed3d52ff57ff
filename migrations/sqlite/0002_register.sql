-- Estate register, the part the platform needs: buildings, houses, residents
-- and the occupancies that link them (the register issue extends these).

create table building (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    code        text not null,
    name        text not null,
    unique (estate_id, code)
);

create table house (
    id           integer primary key,
    estate_id    integer not null references estate(id),
    building_id  integer not null references building(id),
    number       text not null,
    entrance     integer not null,
    floor        integer not null,
    -- gross floor area in 0.01 m², exact
    area_centi   integer not null check (area_centi > 0),
    use_kind     text not null check (use_kind in ('residential', 'commercial', 'parking')),
    status       text not null check (status in ('not_handed_over', 'vacant', 'occupied', 'let', 'renovating')),
    created_at   text not null,
    unique (estate_id, number)
);
create index house_building on house(building_id);

create table resident (
    id          integer primary key,
    estate_id   integer not null references estate(id),
    name        text not null,
    mobile      text not null,
    id_number   text,
    notes       text not null default '',
    created_at  text not null
);
create index resident_estate on resident(estate_id);
create index resident_mobile on resident(mobile);

create table occupancy (
    id           integer primary key,
    house_id     integer not null references house(id),
    resident_id  integer not null references resident(id),
    role         text not null check (role in ('owner', 'co_owner', 'tenant', 'family')),
    start_date   text not null,
    end_date     text,
    created_at   text not null,
    check (end_date is null or end_date >= start_date)
);
create unique index occupancy_open on occupancy(house_id, resident_id, role) where end_date is null;
create index occupancy_resident on occupancy(resident_id);
