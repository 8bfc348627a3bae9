-- passengine PostgreSQL schema, version 6: the indexes of hosts' listings
-- (store.Lists). A page reads its index from the last row of the page
-- before (start, then ID), so its cost follows the page, not the rows
-- before it. Networks, locations, holders, teams and PAYG products are
-- paged by their primary keys; a network's open visits (and its
-- occupancy) by visits_open_start, a holder's by visits_holder_open.

-- A network's visits, a holder's and a location's, in (start, ID) order.
CREATE INDEX visits_start ON visits (network, start_at, id);
CREATE INDEX visits_holder_start ON visits (network, holder, start_at, id);
CREATE INDEX visits_location_start ON visits (network, location, start_at, id);
