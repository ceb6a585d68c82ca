//! The OpenAPI description of `/api/v1/webhooks` and of the events it sends, including how
//! a receiver checks a delivery's signature.

use serde_json::{Map, Value, json};

use super::{DEFAULT_LIMIT, MAX_LIMIT};

/// How deliveries are signed and retried, for the document's description.
pub(super) const SIGNING: &str = "Change webhooks: subscribe at /api/v1/webhooks to events named `<resource>.created|updated|deleted` (`employee.updated`, `absence.created`, `attendance.deleted`, ...; a record that leaves the company's filters is reported as deleted), and to `connection.linked`, `connection.broken` and `connection.relinked` (a ConnectionEvent: Personio refused a company's credential, or it was linked again). Each event is a POST of a WebhookEvent with the headers `Personio-Bridge-Event-Id` (the event's id, the same on every attempt: use it to ignore repeats), `Personio-Bridge-Timestamp` (Unix seconds) and `Personio-Bridge-Signature: v1=<hex HMAC-SHA256 of \"{timestamp}.{body}\">` keyed with the subscription's secret; recompute it over the raw body, compare in constant time and refuse old timestamps. A 2xx answer delivers the event; anything else, a timeout or a refused connection is retried with exponential backoff and jitter (up to an hour apart) until the event is three days old.";

pub(super) fn add(paths: &mut Map<String, Value>, schemas: &mut Map<String, Value>) {
    let problem = |description: &str| json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } });
    let id = json!({ "name": "webhook", "in": "path", "required": true, "description": "The subscription's id.", "schema": { "type": "string" } });
    paths.insert(
        "/api/v1/webhooks".to_owned(),
        json!({
            "get": {
                "operationId": "listWebhooks",
                "summary": "The webhook subscriptions (never their secrets)",
                "tags": ["webhooks"],
                "responses": {
                    "200": { "description": "Every subscription not deleted", "content": { "application/json": { "schema": {
                        "type": "object", "required": ["data", "next_cursor"],
                        "properties": {
                            "data": { "type": "array", "items": { "$ref": "#/components/schemas/Webhook" } },
                            "next_cursor": { "type": "string", "nullable": true }
                        }
                    } } } },
                    "401": { "$ref": "#/components/responses/Unauthorized" }
                }
            },
            "post": {
                "operationId": "createWebhook",
                "summary": "Subscribe to change events",
                "description": SIGNING,
                "tags": ["webhooks"],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewWebhook" } } } },
                "responses": {
                    "201": { "description": "The subscription, with its secret: the only time it is shown", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CreatedWebhook" } } } },
                    "400": problem("The body is not a valid subscription"),
                    "401": { "$ref": "#/components/responses/Unauthorized" },
                    "413": problem("The body is over 256 KiB"),
                    "422": problem("A field is refused (`field` names it): `url` points at a loopback, private, link-local, carrier-grade NAT or cloud metadata address, or at a host name resolving to one (allowed only when the service and workers run with --allow-private-webhooks); or `company` is missing for an API key limited to some companies")
                }
            }
        }),
    );
    paths.insert(
        "/api/v1/webhooks/{webhook}".to_owned(),
        json!({
            "get": {
                "operationId": "getWebhook",
                "summary": "One subscription",
                "tags": ["webhooks"],
                "parameters": [id],
                "responses": {
                    "200": { "description": "The subscription", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Webhook" } } } },
                    "401": { "$ref": "#/components/responses/Unauthorized" },
                    "404": { "$ref": "#/components/responses/NotFound" }
                }
            },
            "delete": {
                "operationId": "deleteWebhook",
                "summary": "Delete a subscription: nothing more is sent; its delivery log stays readable",
                "tags": ["webhooks"],
                "parameters": [id],
                "responses": {
                    "204": { "description": "Deleted" },
                    "401": { "$ref": "#/components/responses/Unauthorized" },
                    "404": { "$ref": "#/components/responses/NotFound" }
                }
            }
        }),
    );
    paths.insert(
        "/api/v1/webhooks/{webhook}/deliveries".to_owned(),
        json!({ "get": {
            "operationId": "listWebhookDeliveries",
            "summary": "A subscription's delivery log, newest first",
            "tags": ["webhooks"],
            "parameters": [
                id,
                { "name": "limit", "in": "query", "required": false, "description": format!("Entries per page (default {DEFAULT_LIMIT})."), "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT } },
                { "$ref": "#/components/parameters/cursor" }
            ],
            "responses": {
                "200": { "description": "One page", "content": { "application/json": { "schema": {
                    "type": "object", "required": ["data", "next_cursor"],
                    "properties": {
                        "data": { "type": "array", "items": { "$ref": "#/components/schemas/WebhookDelivery" } },
                        "next_cursor": { "type": "string", "nullable": true }
                    }
                } } } },
                "400": { "$ref": "#/components/responses/BadRequest" },
                "401": { "$ref": "#/components/responses/Unauthorized" },
                "404": { "$ref": "#/components/responses/NotFound" }
            }
        } }),
    );
    let events = json!({
        "oneOf": [
            { "type": "string", "enum": ["*"] },
            { "type": "array", "minItems": 1, "items": { "type": "string" } }
        ],
        "description": "Event types such as `employee.updated`, or `*` for all."
    });
    let webhook_properties = json!({
        "id": { "type": "string" },
        "url": { "type": "string", "format": "uri" },
        "events": { "type": "array", "items": { "type": "string" } },
        "company": { "type": "string", "nullable": true, "description": "Only this company's events; null for every company's." },
        "created_at": { "type": "string", "format": "date-time" }
    });
    schemas.insert(
        "Webhook".to_owned(),
        json!({ "type": "object", "required": ["id", "url", "events", "company", "created_at"], "properties": webhook_properties }),
    );
    let mut created = webhook_properties;
    if let Some(properties) = created.as_object_mut() {
        properties.insert(
            "secret".to_owned(),
            json!({ "type": "string", "description": "Signs every delivery. Shown only here." }),
        );
    }
    schemas.insert(
        "CreatedWebhook".to_owned(),
        json!({ "type": "object", "required": ["id", "url", "events", "company", "created_at", "secret"], "properties": created }),
    );
    schemas.insert(
        "NewWebhook".to_owned(),
        json!({
            "type": "object", "required": ["url", "events"], "additionalProperties": false,
            "properties": {
                "url": { "type": "string", "format": "uri", "description": "An http or https URL." },
                "events": events,
                "company": { "type": "string", "description": "Only this company's events." },
                "secret": { "type": "string", "minLength": 16, "maxLength": 256, "description": "The signing secret; generated when left out." }
            }
        }),
    );
    schemas.insert(
        "WebhookDelivery".to_owned(),
        json!({
            "type": "object",
            "required": ["event_id", "type", "company", "record_id", "status", "attempts", "next_attempt_at", "last_status", "last_error", "occurred_at", "delivered_at"],
            "properties": {
                "event_id": { "type": "string", "format": "uuid" },
                "type": { "type": "string" },
                "company": { "type": "string" },
                "record_id": { "type": "string" },
                "status": { "type": "string", "enum": ["pending", "delivered", "expired"] },
                "attempts": { "type": "integer" },
                "next_attempt_at": { "type": "string", "format": "date-time", "nullable": true },
                "last_status": { "type": "integer", "nullable": true, "description": "The receiver's HTTP status at the latest attempt." },
                "last_error": { "type": "string", "nullable": true },
                "occurred_at": { "type": "string", "format": "date-time" },
                "delivered_at": { "type": "string", "format": "date-time", "nullable": true }
            }
        }),
    );
    schemas.insert(
        "ConnectionEvent".to_owned(),
        json!({
            "type": "object",
            "description": "Sent, signed like a WebhookEvent, when a company is linked (`connection.linked`), when Personio refuses its credential (`connection.broken`, once until it is linked again) and when it is linked again with new credentials, its data kept (`connection.relinked`).",
            "required": ["id", "type", "company", "occurred_at", "data"],
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "type": { "type": "string", "enum": bridge_store::CONNECTION_EVENTS },
                "company": { "type": "string" },
                "occurred_at": { "type": "string", "format": "date-time" },
                "data": { "type": "object", "required": ["company", "status", "reason", "since"], "properties": {
                    "company": { "type": "string" },
                    "status": { "type": "string", "enum": ["linked", "broken"] },
                    "reason": { "type": "string", "nullable": true, "description": "Why Personio refused the credential; null once linked." },
                    "since": { "type": "string", "format": "date-time" }
                } }
            }
        }),
    );
    schemas.insert(
        "WebhookEvent".to_owned(),
        json!({
            "type": "object",
            "description": SIGNING,
            "required": ["id", "type", "company", "occurred_at", "data"],
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "type": { "type": "string", "example": "employee.updated" },
                "company": { "type": "string" },
                "occurred_at": { "type": "string", "format": "date-time", "description": "When the sync stored the change." },
                "data": { "type": "object", "required": ["id", "changed", "record"], "properties": {
                    "id": { "oneOf": [ { "type": "integer", "format": "int64" }, { "type": "string" } ], "description": "The record's id (an integer or a string, as the resource keys it)." },
                    "changed": { "type": "array", "items": { "type": "string" }, "description": "The fields that changed (updates only)." },
                    "record": { "type": "object", "nullable": true, "additionalProperties": true, "description": "The record as the API shows it when the event is sent; null for deletions." }
                } }
            }
        }),
    );
}
