//! Many generated companies behind one address, as Personio serves every customer from one
//! host. Each company is a whole sandbox of its own (data, credentials, tokens, rate-limit
//! buckets, faults, request log, webhooks), made on its first request; a front router picks
//! the company a request belongs to and hands the request to it.
//!
//! Which company a request is for:
//! - `/_sandbox/companies` lists them; `/_sandbox/companies/{i}/...` is company `i`'s admin
//!   API, and every other `/_sandbox/...` path is company 1's;
//! - the token endpoints, by the client id asked for (`demo-{i}`, or a credential created
//!   in a company through its admin API);
//! - afterwards, by the bearer token: company `i` issues tokens starting `papi-c{i}-`;
//! - the recruiting API, by its `X-Company-ID` header.
//!
//! Anything else goes to company 1, which answers it as Personio answers an unknown token.

mod choose;
mod derive;

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use parking_lot::Mutex;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower_service::Service;

use crate::caller::bearer_token;
use crate::error::{ApiError, ErrorKind, Family};
use crate::render::page::{json_response, to_bytes};
use crate::{Sandbox, SandboxBuilder, live, schemas};

pub use derive::{fleet_client_id, fleet_client_secret, fleet_company_id};

/// The most companies one fleet serves.
pub const MAX_COMPANIES: usize = 100_000;

/// One company of a fleet, as `GET /_sandbox/companies` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FleetCompany {
    pub index: usize,
    pub client_id: String,
    pub client_secret: String,
    pub company_id: i64,
    pub recruiting_token: String,
    /// Employees now when the company has been made, else how many it will be made with.
    pub employees: usize,
    /// Whether the company has been made (by a first request).
    pub generated: bool,
}

/// N companies behind one address; see the module documentation.
#[derive(Clone)]
pub struct Fleet {
    shared: Arc<Shared>,
}

struct Shared {
    /// How each company is made: everything but its seed, id, credential and tokens.
    template: SandboxBuilder,
    schemas: Option<Arc<schemas::Schemas>>,
    admin_token: String,
    members: Vec<OnceLock<Member>>,
    /// The background tasks of the companies made so far, while serving.
    tasks: Mutex<Option<JoinSet<()>>>,
}

struct Member {
    sandbox: Sandbox,
    router: Router,
    tasks_started: AtomicBool,
}

impl SandboxBuilder {
    /// A fleet of `companies` companies made like this one: company `i` (from 1) has the
    /// seed `seed + i - 1` (so company 1 is the company this builder would build), the
    /// company id [`fleet_company_id`], one credential `demo-{i}` with the secret
    /// [`fleet_client_secret`] and its own recruiting key. Credentials and the recruiting
    /// key given to this builder are not used.
    pub fn fleet(mut self, companies: usize) -> io::Result<Fleet> {
        if !(1..=MAX_COMPANIES).contains(&companies) {
            return Err(crate::invalid(format!(
                "companies must be between 1 and {MAX_COMPANIES}, not {companies}"
            )));
        }
        self.check()?;
        let schemas = self.load_schemas()?;
        let admin_token = self
            .admin_token
            .clone()
            .unwrap_or_else(|| crate::credentials::random_token("sbx-admin-", 32));
        self.admin_token = Some(admin_token.clone());
        self.credentials.clear();
        self.recruiting = None;
        Ok(Fleet {
            shared: Arc::new(Shared {
                template: self,
                schemas,
                admin_token,
                members: (0..companies).map(|_| OnceLock::new()).collect(),
                tasks: Mutex::new(None),
            }),
        })
    }
}

impl Fleet {
    pub fn companies(&self) -> usize {
        self.shared.members.len()
    }

    pub fn admin_token(&self) -> &str {
        &self.shared.admin_token
    }

    /// Every company, made or not (listing does not make them).
    pub fn list(&self) -> Vec<FleetCompany> {
        (1..=self.companies())
            .map(|index| self.shared.describe(index))
            .collect()
    }

    /// Company `index` (from 1), made now if it was not yet.
    pub fn company(&self, index: usize) -> io::Result<&Sandbox> {
        self.shared.member(index).map(|m| &m.sandbox)
    }

    /// The front router, for callers that serve it themselves (companies made through it
    /// run no background tasks then: no webhook delivery, no periodic simulation).
    pub fn router(&self) -> Router {
        Router::new()
            .route("/_sandbox/companies", get(list))
            .fallback(dispatch)
            .with_state(self.shared.clone())
    }

    /// Serves on `listener` until `shutdown` resolves, as [`Sandbox::serve`] does.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        self.shared.start_tasks();
        let app = self
            .router()
            .into_make_service_with_connect_info::<live::connection::Connection>();
        let served = axum::serve(live::connection::SandboxListener(listener), app)
            .with_graceful_shutdown(shutdown)
            .await;
        let tasks = self.shared.tasks.lock().take();
        if let Some(mut tasks) = tasks {
            tasks.shutdown().await;
        }
        served
    }
}

impl Shared {
    fn member(&self, index: usize) -> io::Result<&Member> {
        let slot = index
            .checked_sub(1)
            .and_then(|i| self.members.get(i))
            .ok_or_else(|| crate::invalid(format!("no company {index} in this fleet")))?;
        if let Some(member) = slot.get() {
            return Ok(member);
        }
        let sandbox = self.make(index)?;
        let router = sandbox.router();
        // Two first requests may race; the loser's company is dropped unused.
        let member = slot.get_or_init(|| Member {
            sandbox,
            router,
            tasks_started: AtomicBool::new(false),
        });
        if let Some(tasks) = self.tasks.lock().as_mut() {
            member.start_tasks(tasks);
        }
        Ok(member)
    }

    fn make(&self, index: usize) -> io::Result<Sandbox> {
        let seed = self.template.seed;
        let builder = SandboxBuilder {
            seed: seed.wrapping_add(index as u64 - 1),
            company_id: Some(fleet_company_id(index)),
            token_prefix: Some(choose::token_prefix(index)),
            recruiting: Some((
                derive::recruiting_token(seed, index),
                fleet_company_id(index),
            )),
            ..self.template.clone()
        }
        .credential(fleet_client_id(index), fleet_client_secret(seed, index));
        let sandbox = builder.build_with(self.schemas.clone())?;
        tracing::debug!(index, "fleet company made");
        Ok(sandbox)
    }

    fn start_tasks(&self) {
        let mut tasks = self.tasks.lock();
        let set = tasks.get_or_insert_with(JoinSet::new);
        for member in self.members.iter().filter_map(OnceLock::get) {
            member.start_tasks(set);
        }
    }

    fn describe(&self, index: usize) -> FleetCompany {
        let seed = self.template.seed;
        let made = self.members[index - 1].get();
        FleetCompany {
            index,
            client_id: fleet_client_id(index),
            client_secret: fleet_client_secret(seed, index),
            company_id: fleet_company_id(index),
            recruiting_token: derive::recruiting_token(seed, index),
            employees: made.map_or(self.template.employees, |m| {
                m.sandbox.state.company.read().employees.len()
            }),
            generated: made.is_some(),
        }
    }

    /// The company whose registry holds `client_id`, among those made so far.
    fn holder_of(&self, client_id: &str) -> Option<usize> {
        self.members.iter().enumerate().find_map(|(i, slot)| {
            let member = slot.get()?;
            member
                .sandbox
                .state
                .registry
                .created_at(client_id)
                .map(|_| i + 1)
        })
    }
}

impl Member {
    fn start_tasks(&self, set: &mut JoinSet<()>) {
        if !self.tasks_started.swap(true, Ordering::SeqCst) {
            let mut tasks = live::spawn_tasks(&self.sandbox.state);
            set.spawn(async move {
                // Runs until the fleet's set is shut down, which aborts this task and, by
                // dropping `tasks`, the company's own.
                while tasks.join_next().await.is_some() {}
                std::future::pending::<()>().await;
            });
        }
    }
}

/// `GET /_sandbox/companies`: every company with its credential (admin token needed).
async fn list(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    match bearer_token(&parts) {
        Ok(Some(token)) if token == shared.admin_token => {}
        Ok(None) => return ApiError::new(Family::Admin, ErrorKind::MissingToken).into_response(),
        _ => return ApiError::new(Family::Admin, ErrorKind::InvalidToken).into_response(),
    }
    let companies: Vec<FleetCompany> = (1..=shared.members.len())
        .map(|index| shared.describe(index))
        .collect();
    json_response(to_bytes(&json!({ "companies": companies })))
}

/// Hands the request to the company it belongs to.
async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (index, request) = match choose::company_of(&shared, request).await {
        Ok(chosen) => chosen,
        Err(response) => return *response,
    };
    let member = match shared.member(index) {
        Ok(member) => member,
        Err(error) => {
            tracing::error!(%error, index, "a fleet company could not be made");
            return ApiError::custom(
                Family::Admin,
                StatusCode::INTERNAL_SERVER_ERROR,
                500,
                format!("company {index} could not be made"),
            )
            .into_response();
        }
    };
    let mut router = member.router.clone();
    match router.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// `path_and_query` with its path replaced.
fn with_path(uri: &Uri, path: &str) -> Uri {
    let target = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    target.parse().unwrap_or_else(|_| uri.clone())
}
