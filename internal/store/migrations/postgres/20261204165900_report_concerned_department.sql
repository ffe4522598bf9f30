-- Modify "departments" table
ALTER TABLE "departments" DROP COLUMN "time_zone", DROP COLUMN "business_hours", DROP COLUMN "holidays", DROP COLUMN "makeup_workdays";
-- Modify "cases" table
ALTER TABLE "cases" ADD COLUMN "concerned_department_id" bigint NULL, ADD CONSTRAINT "cases_departments_reported_cases" FOREIGN KEY ("concerned_department_id") REFERENCES "departments" ("id") ON UPDATE NO ACTION ON DELETE SET NULL;
