//! Logs on stderr: `--log-level` or `RUST_LOG` choose how much (default: warnings, without
//! the database driver's notes on slow statements, which big syncs make by design), and
//! `--log-format` how: `text` for people, `json` for one object a line with the fields of the
//! spans it happened in (`request`: `request_id`, `company`; `sync`: `company`, `run_id`).
//! With `--otlp-endpoint` (builds with the `otlp` feature), the spans also go out as
//! OpenTelemetry traces over OTLP/HTTP.

use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
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
            .json()
            .with_current_span(true)
            .with_span_list(true)
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
                "--otlp-endpoint: this build sends no traces; build personio-bridge with `--features otlp`"
            );
        }
        registry.try_init()?;
        Ok(Telemetry {})
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
