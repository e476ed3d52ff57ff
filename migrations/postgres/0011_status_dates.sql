-- The day a house's status change takes effect (生效日期): a desk day
-- (`YYYY-MM-DD`, China Standard Time), kept apart from when it was recorded
-- (`changed_at`), so that a manager's correction typed on the 20th can take
-- effect on the 10th, and billing's pro-rating counts from that day.

alter table house_status_change add column effective_on text;

-- Existing changes took effect when they were recorded: the desk day (UTC+8,
-- a fixed offset like the desk's clock) of `changed_at`, stored as RFC 3339
-- UTC text with microseconds and a `Z`.
update house_status_change
set effective_on = to_char((changed_at::timestamptz at time zone 'UTC') + interval '8 hours', 'YYYY-MM-DD');

alter table house_status_change alter column effective_on set not null;
alter table house_status_change add constraint house_status_change_effective_on_day
    check (effective_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$');

-- Billing reads the changes that took effect since a period began.
create index house_status_change_effective on house_status_change(effective_on, house_id);
