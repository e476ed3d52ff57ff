-- Arrears chasing (issue 17), part 1: the ageing reads whether a line's late
-- fee was raised as a line of its own (as billing's ledger does), per unpaid line.
create index bill_line_late_fee_of on bill_line(late_fee_of) where late_fee_of is not null;

-- The chasing log (催缴记录): what was done to chase a house, by whom and
-- when, what came of it and when to follow up. Append-only: a later action
-- is a new line; the latest line's follow-up date is the house's.
create table arrears_chase (
    id              integer primary key,
    estate_id       integer not null references estate(id),
    house_id        integer not null references house(id),
    action          text not null check (action in ('phone', 'sms', 'wechat', 'notice', 'visit')),
    outcome         text check (outcome is null or outcome in ('promised', 'refused', 'unreachable', 'disputed')),
    -- a promise: the amount by the date, both required
    promise_date    text,
    promise_fen     integer,
    -- a dispute's reason (required), else empty
    reason          text not null default '',
    note            text not null default '',
    follow_up_on    text,
    created_by      integer not null references account(id),
    created_name    text not null,
    created_at      text not null,
    check (case when outcome = 'promised'
                then promise_date is not null and promise_fen is not null and promise_fen > 0
                else promise_date is null and promise_fen is null end),
    check (outcome is null or outcome <> 'disputed' or length(reason) > 0)
);
create index arrears_chase_house on arrears_chase(house_id, id);
create index arrears_chase_follow_up on arrears_chase(estate_id, follow_up_on);
create trigger arrears_chase_no_update before update on arrears_chase
begin
    select raise(abort, 'arrears_chase is append-only');
end;
create trigger arrears_chase_no_delete before delete on arrears_chase
begin
    select raise(abort, 'arrears_chase is append-only');
end;
