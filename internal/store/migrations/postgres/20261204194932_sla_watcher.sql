-- Create index "caseevent_type_occurred_at" to table: "case_events"
CREATE INDEX "caseevent_type_occurred_at" ON "case_events" ("type", "occurred_at");
-- Modify "cases" table
ALTER TABLE "cases" ADD COLUMN "resolve_due" timestamptz NULL, ADD COLUMN "sla_state" character varying NOT NULL DEFAULT 'ON_TRACK', ADD COLUMN "deadline_check_at" timestamptz NULL;
-- Create index "casefile_deadline_check_at" to table: "cases"
CREATE INDEX "casefile_deadline_check_at" ON "cases" ("deadline_check_at");
-- Create index "casefile_sla_state_department_id" to table: "cases"
CREATE INDEX "casefile_sla_state_department_id" ON "cases" ("sla_state", "department_id");
-- Cases open before the deadline watcher existed: let its first tick look at each one.
UPDATE "cases" SET "deadline_check_at" = now() WHERE "status" IN ('SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'IN_PROGRESS', 'RESPONDED');
