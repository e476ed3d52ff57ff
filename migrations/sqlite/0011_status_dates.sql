-- The day a house's status change takes effect (生效日期): a desk day
-- (`YYYY-MM-DD`, China Standard Time), kept apart from when it was recorded
-- (`changed_at`), so that a manager's correction typed on the 20th can take
-- effect on the 10th, and billing's pro-rating counts from that day.

alter table house_status_change add column effective_on text not null default '';

-- Existing changes took effect when they were recorded: the desk day (UTC+8)
-- of `changed_at`, stored as RFC 3339 UTC text with microseconds and a `Z`.
-- The fraction is cut off first: SQLite keeps times to the millisecond and
-- rounds, so `…T15:59:59.999999Z` (23:59:59.999999 at the desk) would
-- otherwise land on the next day.
update house_status_change set effective_on = date(substr(changed_at, 1, 19), '+8 hours');

-- The column's default is only for the rows above: a new change names its
-- day (as PostgreSQL's `not null` and check constraint require).
create trigger house_status_change_effective_on_insert before insert on house_status_change
when new.effective_on not glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
begin
    select raise(abort, 'house_status_change.effective_on must be a day (YYYY-MM-DD)');
end;
create trigger house_status_change_effective_on_update before update of effective_on on house_status_change
when new.effective_on not glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
begin
    select raise(abort, 'house_status_change.effective_on must be a day (YYYY-MM-DD)');
end;

-- Billing reads the changes that took effect since a period began.
create index house_status_change_effective on house_status_change(effective_on, house_id);
