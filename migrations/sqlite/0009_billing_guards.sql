-- Billing guards (issue 12), as invariants of the schema behind the checks
-- the code makes first.

-- One bill run at a time per estate. `run::start` checks for a running run
-- before it inserts one; on PostgreSQL two starts could both pass that check
-- (read committed sees neither's row) and both run, double-counting the run
-- totals. With this index the second insert fails and is refused as "already
-- running". Runs already left running side by side keep the newest; the
-- others are marked interrupted, as the server does at start.
update bill_run set status = 'failed', message = 'interrupted',
                    finished_at = coalesce(finished_at, heartbeat_at)
where status = 'running'
  and id not in (select max(id) from bill_run where status = 'running' group by estate_id);
create unique index bill_run_one_running on bill_run(estate_id) where status = 'running';

-- Money approvals need a second person (billing::rules::second_person): a
-- waiver is never decided by whoever asked for it, a payment never reversed
-- by whoever took it. Waivers a manager granted themselves before this step
-- stay as they were: money records are never edited.
create trigger waiver_second_person before update on waiver
when new.decided_by = new.requested_by
begin
    select raise(abort, 'a waiver is decided by someone other than who asked for it');
end;
create trigger waiver_second_person_insert before insert on waiver
when new.decided_by = new.requested_by
begin
    select raise(abort, 'a waiver is decided by someone other than who asked for it');
end;
create trigger payment_reversal_second_person before insert on payment_reversal
when new.reversed_by = (select clerk_id from payment where id = new.payment_id)
begin
    select raise(abort, 'a payment is reversed by someone other than who took it');
end;
