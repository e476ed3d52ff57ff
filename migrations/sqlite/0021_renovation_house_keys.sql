-- Renovation and the register and key custody (issue 16, the rest):
-- the house is 装修中 while its works run, and a contractor's key loan names
-- the application whose permit lets the worker in.

-- The status the house had when its permit was issued and the works turned
-- it to 装修中; it goes back to it when the works are accepted. Null when the
-- permit did not change the status (the house was already 装修中).
alter table renovation add column status_before text
    check (status_before is null or status_before in ('vacant', 'occupied', 'let'));

-- A loan for a renovation names the application; the worker must be on it.
alter table key_loan add column renovation_id integer references renovation(id);
create index key_loan_renovation on key_loan(renovation_id) where renovation_id is not null;

-- The estate's fee item a renovation's deductions become income of, known by
-- what it is for rather than by its name (a manager may rename it, or have
-- made an item of that name for something else).
alter table fee_item add column purpose text check (purpose is null or purpose in ('renovation_deduction'));
create unique index fee_item_purpose on fee_item(estate_id, purpose) where purpose is not null;
update fee_item set purpose = 'renovation_deduction'
 where name = '装修押金扣款' and kind = 'one_off' and held = 0;
