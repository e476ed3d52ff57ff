-- Renovation's works in progress (issue 16, part 3): the visits (巡查) of
-- works under a permit, the violations they find with a rectification
-- deadline (整改期限), the visits' photos, and an extension's asked end.

-- A visit to works in progress (or at the acceptance), by a reviewer or the desk.
create table renovation_inspection (
    id              integer primary key,
    renovation_id   integer not null references renovation(id),
    inspector_id    integer not null references account(id),
    inspector_name  text not null,
    note            text not null check (length(note) > 0),
    -- the desk's day of the visit: the next one is due so many days after it
    day             text not null,
    at              text not null
);
create index renovation_inspection_app on renovation_inspection(renovation_id, id);
create trigger renovation_inspection_no_update before update on renovation_inspection
begin
    select raise(abort, 'renovation_inspection is append-only');
end;
create trigger renovation_inspection_no_delete before delete on renovation_inspection
begin
    select raise(abort, 'renovation_inspection is append-only');
end;

-- A violation a visit found (违规), to be put right by its deadline; a later
-- visit records that it was (who and when). Only that record is ever added.
create table renovation_violation (
    id               integer primary key,
    renovation_id    integer not null references renovation(id),
    inspection_id    integer not null unique references renovation_inspection(id),
    text             text not null check (length(text) > 0),
    deadline         text not null,
    rectified_by     integer references account(id),
    rectified_name   text,
    rectified_at     text
);
create index renovation_violation_open on renovation_violation(renovation_id) where rectified_at is null;
-- What a violation was stands; only its rectification is added, once.
create trigger renovation_violation_rectified_once before update on renovation_violation
when old.rectified_at is not null or new.text <> old.text or new.deadline <> old.deadline
     or new.inspection_id <> old.inspection_id or new.renovation_id <> old.renovation_id
begin
    select raise(abort, 'a violation is put right once and otherwise never changed');
end;
create trigger renovation_violation_no_delete before delete on renovation_violation
begin
    select raise(abort, 'renovation_violation is append-only');
end;

-- A visit's photos, re-encoded on the server like a repair's (EXIF and location stripped).
create table renovation_photo (
    id             integer primary key,
    inspection_id  integer not null references renovation_inspection(id),
    content        blob not null,
    thumb          blob not null,
    width          integer not null,
    height         integer not null,
    created_by     integer references account(id),
    created_at     text not null
);
create index renovation_photo_inspection on renovation_photo(inspection_id, id);
create trigger renovation_photo_no_update before update on renovation_photo
begin
    select raise(abort, 'renovation_photo is append-only');
end;
create trigger renovation_photo_no_delete before delete on renovation_photo
begin
    select raise(abort, 'renovation_photo is append-only');
end;

-- The end an applicant asks an extension (延期) to, until a manager decides.
alter table renovation add column extension_end text;
