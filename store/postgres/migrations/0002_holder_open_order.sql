-- A holder's open visits, in the order the check-in path reads them
-- (start, then ID). With statistics taken when no visit was open, the
-- planner would otherwise read them through visits_open_start, the
-- network-wide sweep index, because that one returned them in order.
DROP INDEX visits_holder_open;
CREATE INDEX visits_holder_open ON visits (network, holder, start_at, id) WHERE status = 'open';
