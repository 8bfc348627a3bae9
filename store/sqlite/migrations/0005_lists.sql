-- passengine SQLite schema, version 5: the indexes of hosts' listings
-- (store.Lists). A page reads its index from the last row of the page
-- before (start, then ID), so its cost follows the page, not the rows
-- before it. Networks, locations, holders, teams and PAYG products are
-- paged by their primary keys; a network's visits by visits_start, its
-- open visits (and its occupancy) by visits_open_start.

-- A holder's visits, and a location's, in (start, ID) order.
CREATE INDEX visits_holder_start ON visits (network, holder, start_at, id);
CREATE INDEX visits_location_start ON visits (network, location, start_at, id);
-- A holder's open visits in the order the check-in path reads them
-- (start, then ID): with visits_holder_start beside it, the planner would
-- otherwise read the holder's whole history in that order rather than
-- sort its few open visits.
DROP INDEX visits_open;
CREATE INDEX visits_open ON visits (network, holder, start_at, id) WHERE status = 'open';
