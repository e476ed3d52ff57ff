-- The payer on a payment (交款人, issue 15). A receipt named the house's
-- current owners when it was shown, so after a sale a reprint of the old
-- owner's receipt named the new one. The payer is now stored with the
-- payment: one of the house's occupants (their record, and their name as it
-- was), or a name typed at the counter.
alter table payment add column payer_name text check (payer_name is null or length(payer_name) > 0);
alter table payment add column payer_resident_id bigint references resident(id);

-- Payments taken before: the owner whose occupancy covered the payment's
-- business day (the owner before a co-owner, the earliest occupancy first:
-- on the day of a sale, the seller). None found: no payer, and the receipt
-- prints the house number only. Payments are append-only; the trigger is
-- lifted for this one update, inside this migration's transaction.
drop trigger payment_no_change on payment;
update payment set payer_resident_id = (
    select o.resident_id from occupancy o
    where o.house_id = payment.house_id and o.role in ('owner', 'co_owner')
      and o.start_date <= payment.business_day
      and (o.end_date is null or o.end_date >= payment.business_day)
    order by case o.role when 'owner' then 0 else 1 end, o.start_date, o.id
    limit 1
);
update payment set payer_name = (select nullif(trim(r.name), '') from resident r where r.id = payment.payer_resident_id)
where payer_resident_id is not null;
create trigger payment_no_change before update or delete on payment
    for each row execute function money_append_only();
