-- Create index "caseevent_case_id_id" to table: "case_events"
CREATE INDEX "caseevent_case_id_id" ON "case_events" ("case_id", "id");
