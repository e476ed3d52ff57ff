-- An application's own drawings and photos (装修申请的图纸与照片): the
-- plans, the pipe and wiring layouts, the site before the works — added by
-- its applicant or the estate's desk while it is reviewed, re-encoded on
-- the server like a visit's photos (EXIF and location stripped).
create table renovation_attachment (
    id             integer primary key,
    renovation_id  integer not null references renovation(id),
    content        blob not null,
    thumb          blob not null,
    width          integer not null,
    height         integer not null,
    created_by     integer references account(id),
    created_at     text not null
);
create index renovation_attachment_app on renovation_attachment(renovation_id, id);
create trigger renovation_attachment_no_update before update on renovation_attachment
begin
    select raise(abort, 'renovation_attachment is append-only');
end;
create trigger renovation_attachment_no_delete before delete on renovation_attachment
begin
    select raise(abort, 'renovation_attachment is append-only');
end;
