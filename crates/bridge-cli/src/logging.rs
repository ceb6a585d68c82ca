//! Logs on stderr: `--log-level` or `RUST_LOG` choose how much (default: warnings, without
//! the database driver's notes on slow statements, which big syncs make by design), and
//! `--log-format` how: `text` for people, `json` for one object a line with the fields of the
//! spans it happened in (`request`: `request_id`, `company`; `sync`: `company`, `run_id`),
//! those three also at the top level of the line, where log tools index them.
//! With `--otlp-endpoint` (the `otlp` feature, on by default), the spans also go out as
//! OpenTelemetry traces over OTLP/HTTP.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Keeps the trace exporter alive; [`Telemetry::finish`] sends what is left.
pub struct Telemetry {
    #[cfg(feature = "otlp")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans not yet exported (call once the work is done).
    pub fn finish(self) {
        #[cfg(feature = "otlp")]
        if let Some(provider) = self.provider
            && let Err(error) = provider.shutdown()
        {
            eprintln!("warning: could not send the last traces: {error}");
        }
    }
}

/// Installs the process's subscriber; trace export, if any, sends on `runtime`.
pub fn init(
    level: Option<&str>,
    format: &str,
    otlp_endpoint: Option<&str>,
    runtime: &tokio::runtime::Handle,
) -> anyhow::Result<Telemetry> {
    let filter = match level {
        Some(level) => EnvFilter::new(level),
        None => EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| EnvFilter::new("warn,sqlx::query=error")),
    }
    // The `request` and `sync` spans (target `bridge::span`, no events) are always on, so
    // lines at any level carry their fields.
    .add_directive("bridge::span=trace".parse()?);
    let output = match format {
        "json" => tracing_subscriber::fmt::layer()
            .fmt_fields(tracing_subscriber::fmt::format::JsonFields::new())
            .event_format(ContextOnTop(
                tracing_subscriber::fmt::format()
                    .json()
                    .with_current_span(true)
                    .with_span_list(true),
            ))
            .with_writer(std::io::stderr)
            .with_filter(filter)
            .boxed(),
        _ => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter)
            .boxed(),
    };
    let registry = tracing_subscriber::registry().with(output);
    #[cfg(feature = "otlp")]
    {
        let (layer, provider) = match otlp_endpoint {
            Some(endpoint) => {
                let (layer, provider) = otlp::layer(endpoint, runtime.clone())?;
                (Some(layer), Some(provider))
            }
            None => (None, None),
        };
        registry.with(layer).try_init()?;
        Ok(Telemetry { provider })
    }
    #[cfg(not(feature = "otlp"))]
    {
        let _ = runtime;
        if otlp_endpoint.is_some() {
            anyhow::bail!(
                "--otlp-endpoint: this build sends no traces (it was built without the default `otlp` feature)"
            );
        }
        registry.try_init()?;
        Ok(Telemetry {})
    }
}

/// The fields a JSON line also carries at its top level, from its spans or its own fields.
const CONTEXT_FIELDS: &[&str] = &["company", "run_id", "request_id"];

/// tracing-subscriber's JSON lines with [`CONTEXT_FIELDS`] copied to the top level: the
/// innermost span (or the event itself) that has one gives its value. The line is made by
/// the inner format, so `fields`, `span` and `spans` stay as they are.
struct ContextOnTop<F>(F);

impl<S, N, F> FormatEvent<S, N> for ContextOnTop<F>
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let mut line = String::new();
        self.0
            .format_event(context, Writer::new(&mut line), event)?;
        let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str(&line) else {
            return writer.write_str(&line);
        };
        let mut on_top = serde_json::Map::new();
        // Outermost span first, the event's own fields last: the innermost value wins.
        let spans = object.get("spans").and_then(|spans| spans.as_array());
        let holders = spans.into_iter().flatten().chain(object.get("fields"));
        for holder in holders {
            for &name in CONTEXT_FIELDS {
                if let Some(value) = holder.get(name) {
                    on_top.insert(name.to_owned(), value.clone());
                }
            }
        }
        for (name, value) in on_top {
            object.entry(name).or_insert(value);
        }
        writeln!(writer, "{}", serde_json::Value::Object(object))
    }
}

#[cfg(feature = "otlp")]
mod otlp {
    use anyhow::Context as _;
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::{Protocol, WithExportConfig as _, WithHttpConfig as _};
    use opentelemetry_sdk::Resource;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_subscriber::{EnvFilter, Layer};

    /// A layer sending spans (at info and above, whatever `--log-level` says) in batches to
    /// the collector at `endpoint` (its base address; `/v1/traces` is added when no path is
    /// given), and the provider to flush at the end.
    pub(super) fn layer<S>(
        endpoint: &str,
        runtime: tokio::runtime::Handle,
    ) -> anyhow::Result<(impl Layer<S> + Send + Sync, SdkTracerProvider)>
    where
        S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
    {
        let mut url = url::Url::parse(endpoint)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .with_context(|| format!("--otlp-endpoint {endpoint:?} must be an http(s) address"))?;
        if url.path() == "/" {
            url.set_path("/v1/traces");
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_http_client(OnRuntime {
                client: reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(10))
                    .build()
                    .context("could not set up the OTLP client")?,
                runtime,
            })
            .with_endpoint(url.as_str())
            .build()
            .context("could not set up the OTLP exporter")?;
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(
                Resource::builder()
                    .with_service_name("personio-bridge")
                    .build(),
            )
            .build();
        let tracer = provider.tracer("personio-bridge");
        let layer = tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(EnvFilter::new("info,sqlx=warn"));
        Ok((layer, provider))
    }

    /// The exporter's HTTP client: the async reqwest client, each request run on the
    /// process's runtime (the batch exporter calls from a thread of its own, outside it).
    #[derive(Debug)]
    struct OnRuntime {
        client: reqwest::Client,
        runtime: tokio::runtime::Handle,
    }

    #[async_trait::async_trait]
    impl opentelemetry_http::HttpClient for OnRuntime {
        async fn send_bytes(
            &self,
            request: http::Request<bytes::Bytes>,
        ) -> Result<http::Response<bytes::Bytes>, opentelemetry_http::HttpError> {
            let client = self.client.clone();
            let sent = self.runtime.spawn(async move {
                let (parts, body) = request.into_parts();
                let response = client
                    .request(parts.method, parts.uri.to_string())
                    .headers(parts.headers)
                    .body(body)
                    .send()
                    .await?;
                let status = response.status();
                let headers = response.headers().clone();
                let body = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, headers, body))
            });
            let (status, headers, body) = sent.await??;
            let mut response = http::Response::new(body);
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            Ok(response)
        }
    }
}
