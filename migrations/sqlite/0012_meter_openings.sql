-- Opening meter readings (起始读数, issue 15): the reading a house's meter
-- showed when its billing of a metered item began (the joint inspection at
-- move-in, a desk entry, or taken over from the readings already on file).
-- A house's first period reading counts from it: without one, the first bill
-- charged the meter's whole counter (its previous reading was taken as 0).
-- A period reading's previous one is the last reading before its period,
-- else this opening; a house with neither gets no reading and no metered line.
create table meter_opening (
    id             integer primary key,
    estate_id      integer not null references estate(id),
    house_id       integer not null references house(id),
    fee_item_id    integer not null references fee_item(id),
    reading_centi  integer not null check (reading_centi >= 0),
    -- the desk day it was read (YYYY-MM-DD)
    read_on        text not null,
    source         text not null check (source in ('desk', 'move_in', 'import')),
    entered_by     integer references account(id),
    entered_at     text not null,
    unique (house_id, fee_item_id)
);

-- Bills counted from it: recorded once, never changed (as the money tables).
create trigger meter_opening_no_update before update on meter_opening
begin
    select raise(abort, 'meter_opening is append-only');
end;
create trigger meter_opening_no_delete before delete on meter_opening
begin
    select raise(abort, 'meter_opening is append-only');
end;

-- A house with readings already had its first one counted from that
-- reading's previous figure: that figure is its opening, read on the first
-- day of that period, so nothing billed changes.
insert into meter_opening (estate_id, house_id, fee_item_id, reading_centi, read_on, source, entered_by, entered_at)
select m.estate_id, m.house_id, m.fee_item_id, m.previous_centi, m.period || '-01', 'import', m.entered_by, m.entered_at
from meter_reading m
where m.period = (select min(x.period) from meter_reading x
                  where x.house_id = m.house_id and x.fee_item_id = m.fee_item_id);
