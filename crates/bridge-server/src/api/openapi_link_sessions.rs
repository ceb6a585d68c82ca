//! The OpenAPI description of link sessions.

use serde_json::{Map, Value, json};

pub(crate) fn add(paths: &mut Map<String, Value>, schemas: &mut Map<String, Value>) {
    let problem = |description: &str| json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    paths.insert(
        "/api/v1/link-sessions".to_owned(),
        json!({ "post": {
            "operationId": "createLinkSession",
            "summary": "A link for a customer's Personio admin to link their company",
            "description": "Needs a key with the `link` scope (limited keys: for their companies only). Send the answer's `url` to the customer's Personio admin: the page there says what to set up in Personio (in English or German), takes the client ID and secret, checks them live and links the company only when nothing the session needs is missing. Then it redirects to `redirect_url` with `company`, `status=linked` and `state` added to its query. The link works once, until `expires_at`.",
            "tags": ["link sessions"],
            "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewLinkSession" } } } },
            "responses": {
                "201": { "description": "The session", "headers": { "Location": { "schema": { "type": "string" } } }, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LinkSession" } } } },
                "400": problem("The body is not a JSON object"),
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "403": { "$ref": "#/components/responses/Forbidden" },
                "422": problem("A field is missing or invalid; `field` names it")
            }
        } }),
    );
    paths.insert(
        "/api/v1/link-sessions/{id}".to_owned(),
        json!({ "get": {
            "operationId": "getLinkSession",
            "summary": "A link session and where it stands",
            "tags": ["link sessions"],
            "parameters": [ { "$ref": "#/components/parameters/id" } ],
            "responses": {
                "200": { "description": "The session", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/LinkSession" } } } },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "403": { "$ref": "#/components/responses/Forbidden" },
                "404": { "$ref": "#/components/responses/NotFound" }
            }
        } }),
    );
    let resources = json!({ "type": "array", "minItems": 1, "items": { "type": "string", "enum": bridge_sync::ResourceName::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>() } });
    schemas.insert(
        "NewLinkSession".to_owned(),
        json!({
            "type": "object",
            "required": ["company", "redirect_url"],
            "additionalProperties": false,
            "properties": {
                "company": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$", "description": "The name the company is linked as; a company of that name that exists gets the new credential and keeps its data." },
                "name": { "type": "string", "maxLength": 200, "description": "The company's name as the page shows it." },
                "redirect_url": { "type": "string", "format": "uri", "maxLength": 2048, "description": "An http(s) URL the page sends the person to once linked." },
                "state": { "type": "string", "maxLength": 512, "description": "Handed back unchanged as `state` on the redirect." },
                "resources": resources,
                "access": { "type": "string", "enum": ["read", "write"], "default": "read", "description": "Whether the credential must also write (to the areas that can be written)." },
                "expires_in_minutes": { "type": "integer", "minimum": 1, "maximum": 10080, "default": 60 },
                "base_url": { "type": "string", "format": "uri", "default": "https://api.personio.de", "description": "Where the company's Personio API is (a sandbox's address for tests)." }
            }
        }),
    );
    schemas.insert(
        "LinkSession".to_owned(),
        json!({
            "type": "object",
            "required": ["id", "url", "expires_at", "status", "company", "redirect_url", "resources", "access", "created_at"],
            "properties": {
                "id": { "type": "string" },
                "url": { "type": "string", "format": "uri", "description": "The page to send the customer's Personio admin to. Whoever has it can link the company: send it only to them." },
                "expires_at": { "type": "string", "format": "date-time" },
                "status": { "type": "string", "enum": ["pending", "linked", "expired"] },
                "company": { "type": "string" },
                "name": { "type": "string", "nullable": true },
                "redirect_url": { "type": "string" },
                "resources": { "type": "array", "items": { "type": "string" } },
                "access": { "type": "string", "enum": ["read", "write"] },
                "created_at": { "type": "string", "format": "date-time" },
                "linked_at": { "type": "string", "format": "date-time", "nullable": true }
            }
        }),
    );
}
