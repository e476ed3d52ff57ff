-- Register imports: every attempt, with its report. An import is all or nothing;
-- a rejected one wrote nothing but this row.
create table import_batch (
    id           integer primary key,
    estate_id    integer not null references estate(id),
    file_name    text not null,
    file_sha256  text not null,
    status       text not null check (status in ('rejected', 'imported')),
    row_count    integer not null,
    houses       integer not null default 0,
    residents    integer not null default 0,
    occupancies  integer not null default 0,
    unchanged    integer not null default 0,
    -- JSON: [{sheet, row, column, reason}]
    problems     text not null,
    -- JSON: the rows as read, to annotate in the downloadable report
    rows         text not null,
    created_by   integer references account(id),
    created_at   text not null
);
create index import_batch_estate on import_batch(estate_id, id);
