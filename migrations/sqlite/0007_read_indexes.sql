-- Indexes for pages people wait on, found by the load benchmarks on a
-- generated 50,000-house estate (`server bench http`).
--
-- The house page lists a house's occupancies, current and past: without this
-- every house page scanned the whole occupancy table (70 % of the server's time).
create index occupancy_house on occupancy(house_id);

-- The desk's search within an estate matches names anywhere in the name: with
-- name and mobile beside the estate, it reads this index alone instead of
-- fetching every resident row of the estate.
create index resident_estate_name on resident(estate_id, name, mobile);
