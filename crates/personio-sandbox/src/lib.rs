//! A local Personio: the v1, v2 and recruiting APIs over a generated company, with
//! Personio's credentials, scopes, attribute grants, pagination and error shapes.
//!
//! Where each part lives:
//! - `company`: the generated world (employees, org structure) and how it changes;
//! - `credentials`: API credentials, access areas, readable attributes, tokens;
//! - `pages`: the admin pages (Settings > Integrations > API credentials);
//! - `routes`: the URL tree, one module per resource; `render`: company → wire types;
//! - `error`: every error, in the envelope of the API family called;
//! - `fleet`: many companies behind one address, each a whole sandbox;
//! - `live`: request log, planned faults, rate limits, webhooks and simulated time;
//! - `schemas`: Personio's OpenAPI documents as validators (strict mode);
//! - `paginate`, `params`, `body`, `origin`, `caller`: request plumbing.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use personio_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::builder().seed(7).employees(1000).credential("demo", "s3cret").build()?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! println!("sandbox listening on http://{}", listener.local_addr()?);
//! sandbox.serve(listener, std::future::pending()).await
//! # }
//! ```

mod body;
mod cache;
mod caller;
mod clock;
pub mod company;
pub mod credentials;
mod error;
mod fleet;
mod live;
mod multipart;
mod origin;
mod pages;
mod paginate;
mod params;
mod render;
mod routes;
pub mod schemas;
mod state;

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use tokio::net::TcpListener;

use crate::cache::RenderCache;
use crate::clock::Clock;
use crate::company::{Company, GenerateSpec, HistorySpec};
use crate::credentials::{
    AccessMap, CredentialSpec, ReadableAttributes, RecruitingKey, Registry, random_token,
};
use crate::render::template::Templates;
use crate::state::{AppState, Shared};

pub use crate::company::SimulationReport;
pub use crate::fleet::{
    Fleet, FleetCompany, MAX_COMPANIES, fleet_client_id, fleet_client_secret, fleet_company_id,
};
pub use crate::live::{
    Delay, FaultPlan, Latency, RateLimitClock, RateLimits,
    bound_seconds as rate_limit_bound_seconds,
};

/// The largest company the generator makes.
pub const MAX_EMPLOYEES: usize = 1_000_000;

/// The most days of time history the generator makes (ten years).
pub const MAX_HISTORY_DAYS: u32 = 3660;

/// Days of time history a sandbox has unless told otherwise.
pub const DEFAULT_HISTORY_DAYS: u32 = 365;

/// A configured sandbox, ready to serve.
pub struct Sandbox {
    state: AppState,
    schemas: Option<Arc<schemas::Schemas>>,
}

/// How to build a [`Sandbox`].
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    seed: u64,
    employees: usize,
    as_of: Option<NaiveDate>,
    admin_token: Option<String>,
    credentials: Vec<CredentialSpec>,
    recruiting: Option<(String, i64)>,
    history_days: u32,
    legacy_v1: bool,
    strict_schemas: Option<PathBuf>,
    live: live::Settings,
    /// The company's id instead of the generated one (each company of a fleet has its own).
    company_id: Option<i64>,
    /// What issued tokens start with instead of `papi-` (a fleet tells its companies apart
    /// by it).
    token_prefix: Option<String>,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            seed: 1,
            employees: 200,
            as_of: None,
            admin_token: None,
            credentials: Vec::new(),
            recruiting: None,
            history_days: DEFAULT_HISTORY_DAYS,
            legacy_v1: false,
            strict_schemas: None,
            live: live::Settings::default(),
            company_id: None,
            token_prefix: None,
        }
    }
}

impl SandboxBuilder {
    /// The generator's seed: the same seed, size and date give the same company.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many employees (1 to [`MAX_EMPLOYEES`]).
    pub fn employees(mut self, count: usize) -> Self {
        self.employees = count;
        self
    }

    /// The day the company is generated "as of" (default: today, UTC). Fixing it makes a
    /// company identical across days; the clock then starts at that day's midnight.
    pub fn as_of(mut self, day: NaiveDate) -> Self {
        self.as_of = Some(day);
        self
    }

    /// The admin API's bearer token (default: random).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// A credential with exactly this id and secret, every area read and write, every
    /// attribute readable.
    pub fn credential(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        let client_id = client_id.into();
        self.credential_spec(CredentialSpec {
            name: format!("Sandbox credential {client_id}"),
            access: AccessMap::everything(),
            readable_attributes: ReadableAttributes::All,
            client_id: Some(client_id),
            client_secret: Some(client_secret.into()),
        })
    }

    /// A credential as specified.
    pub fn credential_spec(mut self, spec: CredentialSpec) -> Self {
        self.credentials.push(spec);
        self
    }

    /// The recruiting API key and company id (default: a random key and the company's id).
    pub fn recruiting(mut self, token: impl Into<String>, company_id: i64) -> Self {
        self.recruiting = Some((token.into(), company_id));
        self
    }

    /// Days of attendance and absence history before `as_of` (default 365, at most
    /// [`MAX_HISTORY_DAYS`]; 0 for none). Part of what makes a company the same.
    pub fn history_days(mut self, days: u32) -> Self {
        self.history_days = days;
        self
    }

    /// Serve the v1 attendance and attendance-project endpoints that Personio retired on
    /// 2026-08-30 (default: answer them as retired, pointing to v2).
    pub fn legacy_v1(mut self, on: bool) -> Self {
        self.legacy_v1 = on;
        self
    }

    /// Check every answer against Personio's OpenAPI documents in `dir` and answer 500
    /// with the violations instead of a body that does not conform (default: off, and the
    /// documents are not read). A missing or unreadable directory fails [`build`](Self::build).
    pub fn strict_schemas(mut self, dir: impl Into<PathBuf>) -> Self {
        self.strict_schemas = Some(dir.into());
        self
    }

    /// Generates the company and registers the credentials.
    pub fn build(self) -> io::Result<Sandbox> {
        self.check()?;
        let schemas = self.load_schemas()?;
        self.build_with(schemas)
    }

    /// Refuses sizes the generator does not make.
    fn check(&self) -> io::Result<()> {
        if !(1..=MAX_EMPLOYEES).contains(&self.employees) {
            return Err(invalid(format!(
                "employees must be between 1 and {MAX_EMPLOYEES}, not {}",
                self.employees
            )));
        }
        if self.history_days > MAX_HISTORY_DAYS {
            return Err(invalid(format!(
                "history days must be at most {MAX_HISTORY_DAYS}, not {}",
                self.history_days
            )));
        }
        Ok(())
    }

    fn load_schemas(&self) -> io::Result<Option<Arc<schemas::Schemas>>> {
        match &self.strict_schemas {
            Some(dir) => Ok(Some(Arc::new(schemas::Schemas::load(dir).map_err(
                |e| invalid(format!("--strict-schemas needs Personio's documents: {e}")),
            )?))),
            None => Ok(None),
        }
    }

    /// Builds with Personio's documents already loaded (a fleet loads them once).
    fn build_with(self, schemas: Option<Arc<schemas::Schemas>>) -> io::Result<Sandbox> {
        let (as_of, clock_start) = match self.as_of {
            Some(day) => {
                let midnight = day.and_time(NaiveTime::MIN).and_utc();
                (midnight, midnight)
            }
            None => {
                let now = Utc::now();
                (now.date_naive().and_time(NaiveTime::MIN).and_utc(), now)
            }
        };
        let mut company = Company::generate(GenerateSpec {
            seed: self.seed,
            employees: self.employees,
            as_of,
        });
        if let Some(id) = self.company_id {
            company.id = id;
        }
        company.generate_history(HistorySpec {
            seed: self.seed,
            days: self.history_days,
        });
        let registry = Registry::with_token_prefix(self.token_prefix.as_deref());
        let (token, company_id) = self
            .recruiting
            .unwrap_or_else(|| (random_token("", 32), company.id));
        registry.set_recruiting(RecruitingKey { token, company_id });
        for spec in self.credentials {
            registry.create(spec, clock_start).map_err(invalid)?;
        }
        let templates = Templates::build(&company);
        let live = self.live.build(self.seed, clock_start).map_err(invalid)?;
        let state = AppState::new(Shared {
            company: parking_lot::RwLock::new(company),
            registry,
            clock: Clock::starting_at(clock_start),
            admin_token: self
                .admin_token
                .unwrap_or_else(|| random_token("sbx-admin-", 32)),
            cache: RenderCache::with_templates(templates),
            legacy_v1: self.legacy_v1,
            live,
        });
        Ok(Sandbox { state, schemas })
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// What the sandbox serves, in a few facts (for banners and tests).
#[derive(Debug, Clone)]
pub struct Summary {
    pub company_id: i64,
    pub company_name: String,
    pub employees: usize,
    pub as_of: DateTime<Utc>,
    pub recruiting_token: String,
    pub recruiting_company_id: i64,
    /// Time records generated or written since.
    pub attendance_periods: usize,
    pub absence_periods: usize,
    pub projects: usize,
}

impl Sandbox {
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// The router, for callers that serve it themselves.
    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone(), self.schemas.clone())
    }

    pub fn admin_token(&self) -> &str {
        &self.state.admin_token
    }

    pub fn summary(&self) -> Summary {
        let company = self.state.company.read();
        let recruiting = self
            .state
            .registry
            .recruiting()
            .expect("the builder always sets a recruiting key");
        Summary {
            company_id: company.id,
            company_name: company.name.clone(),
            employees: company.employees.len(),
            as_of: company.as_of,
            recruiting_token: recruiting.token,
            recruiting_company_id: recruiting.company_id,
            attendance_periods: company.attendances.periods.len(),
            absence_periods: company.absences.periods.len(),
            projects: company.projects.list.len(),
        }
    }

    /// Registers a credential (as `POST /_sandbox/credentials` does); returns its client id
    /// and secret.
    pub fn create_credential(&self, spec: CredentialSpec) -> Result<(String, String), String> {
        let (view, secret) = self.state.registry.create(spec, self.state.clock.now())?;
        Ok((view.client_id, secret))
    }

    /// Serves on `listener` until `shutdown` resolves. The caller binds, so tests can use
    /// port 0 and know the address before the first request. Webhook delivery (and
    /// periodic simulation, when configured) run alongside and stop with the server.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let mut tasks = live::spawn_tasks(&self.state);
        let app = self
            .router()
            .into_make_service_with_connect_info::<live::connection::Connection>();
        let served = axum::serve(live::connection::SandboxListener(listener), app)
            .with_graceful_shutdown(shutdown)
            .await;
        tasks.shutdown().await;
        served
    }
}
