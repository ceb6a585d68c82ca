//! The MCP server: lists the tools the caller may use, and runs a call: the caller's scope,
//! the company, the arguments checked against the tool's types, the answer as JSON text, or a
//! tool error the agent can act on. Every call is logged and counted.

use std::time::Instant;

use bridge_store::{Company, Store};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::caller::Caller;
use crate::read;
use crate::stats::ToolStats;
use crate::tools::{self, Answer, Failure, Spec, TOOLS};
use crate::write;
use bridge_sync::write::Writers;

/// The most a call's arguments may weigh (as JSON), and the longest string among them.
const MAX_ARGUMENTS: usize = 64 * 1024;
const MAX_STRING: usize = 4_000;

/// Argument names whose values are personal free text: never logged.
const PERSONAL: &[&str] = &["name", "email", "comment", "value"];

const INSTRUCTIONS: &str = "Personio data of the companies this bridge syncs, answered from \
    its store (no request to Personio): people, employments and org charts, absences, \
    attendance, balances, projects. Each answer says when its data was last synced \
    (`synced_at`). Lists come a page at a time: pass `next_cursor` back as `cursor`. Write \
    tools book in Personio exactly once: the same call again answers the first outcome.";

/// One tool call's context.
pub(crate) struct Call<'a> {
    pub(crate) store: &'a Store,
    pub(crate) company: Company,
    pub(crate) caller: &'a Caller,
    pub(crate) writers: &'a Writers,
}

/// The bridge's MCP server over one store. Cheap to clone.
#[derive(Clone)]
pub struct BridgeMcp {
    store: Store,
    writers: Writers,
    stats: ToolStats,
    /// The caller of every call (stdio); `None`: each request's own (HTTP).
    local: Option<Caller>,
}

impl BridgeMcp {
    /// A server whose callers come with each HTTP request (see [`crate::http_service`]).
    pub fn new(store: Store, stats: ToolStats) -> BridgeMcp {
        BridgeMcp {
            store,
            writers: Writers::default(),
            stats,
            local: None,
        }
    }

    /// A server with one caller for every call (stdio).
    pub fn local(store: Store, caller: Caller, stats: ToolStats) -> BridgeMcp {
        BridgeMcp {
            local: Some(caller),
            ..BridgeMcp::new(store, stats)
        }
    }

    /// The counters of this server's calls.
    pub fn stats(&self) -> &ToolStats {
        &self.stats
    }

    fn caller(&self, context: &RequestContext<RoleServer>) -> Option<Caller> {
        if let Some(local) = &self.local {
            return Some(local.clone());
        }
        context
            .extensions
            .get::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<Caller>())
            .cloned()
    }

    /// The tools `caller` may use.
    pub fn tools_for(&self, caller: &Caller) -> Vec<Tool> {
        TOOLS
            .iter()
            .filter(|spec| caller.allows(spec.scope))
            .map(|spec| Tool::new(spec.name, spec.description, (spec.schema)()))
            .collect()
    }

    /// Runs tool `name` for `caller`: its answer, a tool error, or `Err` for a tool that
    /// does not exist. Logged and counted.
    pub async fn call_as(
        &self,
        caller: &Caller,
        name: &str,
        arguments: Option<JsonObject>,
    ) -> Result<CallToolResult, ErrorData> {
        let started = Instant::now();
        let arguments = arguments.unwrap_or_default();
        let Some(spec) = tools::spec(name) else {
            self.stats
                .record("unknown", "tool_error", started.elapsed());
            tracing::info!(
                target: "bridge_mcp",
                key_id = caller.key_id(),
                key = caller.key_name(),
                tool = %truncate(name, 64),
                outcome = "unknown_tool",
                ms = started.elapsed().as_secs_f64() * 1000.0,
                "tool call"
            );
            return Err(ErrorData::invalid_params(
                format!("no tool {:?}; tools/list names them", truncate(name, 64)),
                None,
            ));
        };
        let (company, answer) = self.run(caller, spec, &arguments).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let (result, outcome) = match answer {
            Ok(value) => (
                CallToolResult::success(vec![ContentBlock::text(value.to_string())]),
                "ok",
            ),
            Err(Failure::Tool { message, details }) => {
                let mut body = json!({ "error": message });
                if let (Value::Object(body), Value::Object(details)) = (&mut body, details) {
                    body.extend(details);
                }
                (
                    CallToolResult::error(vec![ContentBlock::text(body.to_string())]),
                    "tool_error",
                )
            }
            Err(Failure::Internal(error)) => {
                tracing::error!(target: "bridge_mcp", tool = spec.name, %error, "tool failed");
                (
                    CallToolResult::error(vec![ContentBlock::text(
                        json!({ "error": "the bridge could not answer (its store failed); try again later" })
                            .to_string(),
                    )]),
                    "error",
                )
            }
        };
        self.stats.record(spec.name, outcome, started.elapsed());
        tracing::info!(
            target: "bridge_mcp",
            company = company.as_deref().unwrap_or(""),
            key_id = caller.key_id(),
            key = caller.key_name(),
            tool = spec.name,
            arguments = %loggable(&arguments),
            outcome,
            ms,
            "tool call"
        );
        Ok(result)
    }

    /// The company the call is about (for the log) and the tool's answer.
    async fn run(
        &self,
        caller: &Caller,
        spec: &'static Spec,
        arguments: &Map<String, Value>,
    ) -> (Option<String>, Answer) {
        if !caller.allows(spec.scope) {
            return (
                None,
                Err(Failure::tool(format!(
                    "{} needs the `{}` scope, which this connection's API key lacks",
                    spec.name,
                    spec.scope.as_str()
                ))),
            );
        }
        if let Err(failure) = check_size(arguments) {
            return (None, Err(failure));
        }
        if spec.name == "companies" {
            let answer = match parse::<read::NoArguments>(arguments) {
                Ok(_) => read::companies(&self.store, caller).await,
                Err(failure) => Err(failure),
            };
            return (None, answer);
        }
        let company = match self.company(caller, arguments).await {
            Ok(company) => company,
            Err(failure) => return (None, Err(failure)),
        };
        let name = company.name.clone();
        let call = Call {
            store: &self.store,
            company,
            caller,
            writers: &self.writers,
        };
        (Some(name), dispatch(&call, spec.name, arguments).await)
    }

    /// The company named by the `company` argument, or the caller's only one.
    async fn company(
        &self,
        caller: &Caller,
        arguments: &Map<String, Value>,
    ) -> Result<Company, Failure> {
        let name = match arguments.get("company") {
            Some(Value::String(name)) => name.clone(),
            None | Some(Value::Null) => match caller.only_company() {
                Some(name) => name.to_owned(),
                None => {
                    return Err(Failure::tool(
                        "name the company (`company`); the companies tool lists those this connection reaches",
                    ));
                }
            },
            Some(_) => return Err(Failure::tool("invalid arguments: company must be a string")),
        };
        if !caller.reaches(&name) {
            // As for a company that does not exist: a key does not learn what it cannot reach.
            return Err(Failure::from(bridge_store::Error::UnknownCompany(name)));
        }
        Ok(self.store.company(&name).await?)
    }
}

async fn dispatch(call: &Call<'_>, tool: &'static str, arguments: &Map<String, Value>) -> Answer {
    match tool {
        "freshness" => {
            parse::<read::CompanyOnly>(arguments)?;
            read::freshness(call).await
        }
        "find_people" => read::find_people(call, parse(arguments)?).await,
        "person" => read::person(call, parse(arguments)?).await,
        "org_chart" => read::org_chart(call, parse(arguments)?).await,
        "absent" => read::absent(call, parse(arguments)?).await,
        "attendance" => read::attendance(call, parse(arguments)?).await,
        "balances" => read::balances(call, parse(arguments)?).await,
        "absence_types" => {
            parse::<read::CompanyOnly>(arguments)?;
            read::absence_types(call).await
        }
        "projects" => read::projects(call, parse(arguments)?).await,
        "project_members" => read::project_members(call, parse(arguments)?).await,
        "compensations" => read::compensations(call, parse(arguments)?).await,
        "create_absence" => {
            parse::<write::CreateAbsence>(arguments)?;
            write::run(call, tool, arguments).await
        }
        "record_attendance" => {
            parse::<write::RecordAttendance>(arguments)?;
            write::run(call, tool, arguments).await
        }
        "correct_attendance" => {
            parse::<write::CorrectAttendance>(arguments)?;
            write::run(call, tool, arguments).await
        }
        "update_employee" => {
            parse::<write::UpdateEmployee>(arguments)?;
            write::run(call, tool, arguments).await
        }
        other => Err(Failure::Internal(format!("{other} has no handler"))),
    }
}

/// The arguments as tool `T` types them; a mismatch is the caller's to fix.
fn parse<T: DeserializeOwned>(arguments: &Map<String, Value>) -> Result<T, Failure> {
    serde_json::from_value(Value::Object(arguments.clone()))
        .map_err(|e| Failure::tool(format!("invalid arguments: {e}")))
}

fn check_size(arguments: &Map<String, Value>) -> Result<(), Failure> {
    fn longest(value: &Value) -> usize {
        match value {
            Value::String(s) => s.len(),
            Value::Array(items) => items.iter().map(longest).max().unwrap_or(0),
            Value::Object(object) => object.values().map(longest).max().unwrap_or(0),
            _ => 0,
        }
    }
    let size = Value::Object(arguments.clone()).to_string().len();
    if size > MAX_ARGUMENTS {
        return Err(Failure::tool(format!(
            "invalid arguments: {size} bytes, more than the {MAX_ARGUMENTS} a call may send"
        )));
    }
    let longest = longest(&Value::Object(arguments.clone()));
    if longest > MAX_STRING {
        return Err(Failure::tool(format!(
            "invalid arguments: a string of {longest} bytes, longer than the {MAX_STRING} allowed"
        )));
    }
    Ok(())
}

/// The arguments for the log: personal free text left out, long values cut.
fn loggable(arguments: &Map<String, Value>) -> Value {
    Value::Object(
        arguments
            .iter()
            .take(20)
            .map(|(key, value)| {
                let shown = if PERSONAL.contains(&key.as_str()) {
                    json!("(not logged)")
                } else {
                    match value {
                        Value::String(s) => json!(truncate(s, 64)),
                        Value::Array(_) | Value::Object(_) => json!("(structured)"),
                        other => other.clone(),
                    }
                };
                (truncate(key, 32), shown)
            })
            .collect(),
    )
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl ServerHandler for BridgeMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "personio-bridge",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let caller = self
            .caller(&context)
            .ok_or_else(|| ErrorData::internal_error("no caller for this request", None))?;
        Ok(ListToolsResult::with_all_items(self.tools_for(&caller)))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let caller = self
            .caller(&context)
            .ok_or_else(|| ErrorData::internal_error("no caller for this request", None))?;
        self.call_as(&caller, &request.name, request.arguments)
            .await
            .map(Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_text_is_not_logged() {
        let arguments = match json!({"name": "Ada", "comment": "sick", "from": "2026-01-01", "person_id": 3})
        {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        let logged = loggable(&arguments).to_string();
        assert!(!logged.contains("Ada") && !logged.contains("sick"));
        assert!(logged.contains("2026-01-01") && logged.contains('3'));
    }

    #[test]
    fn huge_arguments_are_refused() {
        let arguments = match json!({"name": "x".repeat(MAX_STRING + 1)}) {
            Value::Object(o) => o,
            _ => Map::new(),
        };
        assert!(check_size(&arguments).is_err());
    }
}
