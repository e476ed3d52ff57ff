-- Register details: house status history, and what the desk's search needs.

create table house_status_change (
    id           integer primary key,
    house_id     integer not null references house(id),
    from_status  text,
    to_status    text not null check (to_status in ('not_handed_over', 'vacant', 'occupied', 'let', 'renovating')),
    changed_at   text not null,
    changed_by   integer references account(id),
    reason       text not null default ''
);
create index house_status_change_house on house_status_change(house_id, id);

-- The last four digits of the mobile and ID number, indexed (tail first, so a
-- search across every estate can use them too): clerks search by them.
alter table resident add column mobile_tail text not null default '';
alter table resident add column id_tail text;
update resident set mobile_tail = substr(mobile, -4), id_tail = substr(id_number, -4);

create index resident_name on resident(name, estate_id);
create index resident_mobile_tail on resident(mobile_tail, estate_id);
create index resident_id_tail on resident(id_tail, estate_id);
create unique index resident_estate_id_number on resident(estate_id, id_number) where id_number is not null;

-- The room part of the house number (`1201` of `3-2-1201`), indexed: "1201"
-- is how a clerk most often asks for a house.
alter table house add column room text not null default '';
update house set room = substr(number, length(rtrim(number, '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ')) + 1);
create index house_room on house(room, estate_id);
create index house_number on house(number);
