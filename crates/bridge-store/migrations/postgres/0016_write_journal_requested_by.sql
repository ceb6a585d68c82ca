-- Who asked for a write, so that its audit entry names them: `key:<name>` for an API key,
-- `mcp:<key name>` (or `mcp:local`) for the MCP server, `cli:<user>` for the bulk command.
-- Entries journalled before this column existed have none; their audit entries say `write`.
ALTER TABLE write_journal ADD COLUMN requested_by TEXT;
