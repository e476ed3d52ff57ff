-- Import reports (issue 12): the raw rows of an import hold mobiles and ID
-- numbers in clear and were kept forever, for every attempt. Now only a
-- rejected import keeps them, for its downloadable report, until a later import
-- of the same estate by the same uploader succeeds or for 7 days
-- (import::REPORT_KEEP_DAYS);
-- `rows_cleared_at` says when they were cleared, and then the batch has no
-- report any more (its problems stay on the import page).
alter table import_batch add column rows_cleared_at text;

-- Accepted imports never needed their rows.
update import_batch set rows = '[]', rows_cleared_at = created_at
where status = 'imported';

-- A rejected import followed by an accepted one of the same estate by the
-- same uploader: cleared as of that accepted import. Other rejected ones are
-- cleared by the sweep at server start and at each import once 7 days old,
-- and are never served past the 7 days.
update import_batch set rows = '[]', rows_cleared_at = (
    select min(later.created_at) from import_batch later
    where later.estate_id = import_batch.estate_id
      and later.created_by = import_batch.created_by
      and later.status = 'imported' and later.id > import_batch.id)
where status = 'rejected' and rows_cleared_at is null
  and exists (select 1 from import_batch later
              where later.estate_id = import_batch.estate_id
                and later.created_by = import_batch.created_by
                and later.status = 'imported' and later.id > import_batch.id);
