-- Break minutes are now summed in the write that stores a period. Before, they were summed
-- after a listing, and a sync killed in between left work periods with NULL (or a count
-- that missed a break): sum every ended work period once, from the breaks stored.
UPDATE attendance_periods SET break_minutes = (
    SELECT CAST(ROUND(COALESCE(SUM(EXTRACT(EPOCH FROM (b."end"::timestamp - b.start::timestamp)) / 60), 0)) AS BIGINT)
    FROM attendance_periods b
    WHERE b.company_id = attendance_periods.company_id
      AND b.employee_id = attendance_periods.employee_id
      AND b."type" = 'BREAK' AND b.deleted_at IS NULL AND b."end" IS NOT NULL
      AND b.start >= attendance_periods.start AND b.start < attendance_periods."end"
      AND b."end" <= attendance_periods."end")
WHERE "type" = 'WORK' AND "end" IS NOT NULL AND deleted_at IS NULL;
