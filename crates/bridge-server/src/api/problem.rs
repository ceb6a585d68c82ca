//! Errors as RFC 9457 problem details (`application/problem+json`): what the caller may see;
//! the log gets the rest.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct Problem {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    detail: String,
    /// The body's field that is wrong, for problems about one field.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// Personio's own refusal (status, message, code, body), for writes it refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    personio: Option<Box<serde_json::Value>>,
}

impl Problem {
    fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: String) -> Problem {
        Problem {
            kind,
            title,
            status: status.as_u16(),
            detail,
            field: None,
            personio: None,
        }
    }

    /// A body whose field `field` is missing or wrong (the body itself was well-formed).
    pub(crate) fn invalid_field(field: impl Into<String>, detail: impl Into<String>) -> Problem {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "/problems/invalid-field",
            "Invalid field",
            detail.into(),
        );
        problem.field = Some(field.into());
        problem
    }

    /// A live key that may not do this.
    pub(crate) fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "/problems/forbidden",
            "Not allowed for this API key",
            detail.into(),
        )
    }

    pub(crate) fn unauthorized(detail: &str) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "/problems/unauthorized",
            "Missing or invalid API key",
            detail.to_owned(),
        )
    }

    /// An inbound webhook without the token registered for its company.
    pub(crate) fn bad_webhook_token() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "/problems/unauthorized",
            "Missing or invalid webhook token",
            "this endpoint takes deliveries from the Personio webhook registered for the company"
                .to_owned(),
        )
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "/problems/not-found",
            "Not found",
            detail.into(),
        )
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "/problems/invalid-parameter",
            "Invalid parameter",
            detail.into(),
        )
    }

    pub(crate) fn invalid_body(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "/problems/invalid-body",
            "Invalid request body",
            detail.into(),
        )
    }

    pub(crate) fn too_large(limit: usize) -> Problem {
        Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "/problems/body-too-large",
            "Request body too large",
            format!("request bodies may have at most {limit} bytes"),
        )
    }

    /// A write Personio refused, with its words kept in `personio`.
    pub(crate) fn refused_by_personio(
        status: StatusCode,
        detail: impl Into<String>,
        personio: serde_json::Value,
    ) -> Problem {
        let mut problem = Problem::new(
            status,
            "/problems/refused-by-personio",
            "Refused by Personio",
            detail.into(),
        );
        problem.personio = Some(Box::new(personio));
        problem
    }

    /// The company's Personio credential may not do this; `detail` says what to set.
    pub(crate) fn no_personio_access(
        detail: impl Into<String>,
        personio: serde_json::Value,
    ) -> Problem {
        let mut problem = Problem::new(
            StatusCode::FORBIDDEN,
            "/problems/personio-access",
            "The Personio credential lacks access",
            detail.into(),
        );
        problem.personio = Some(Box::new(personio));
        problem
    }

    /// The request conflicts with one under way.
    pub(crate) fn conflict(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::CONFLICT,
            "/problems/conflict",
            "Conflict",
            detail.into(),
        )
    }

    /// Not finished yet: the same request again carries it on.
    pub(crate) fn unfinished(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "/problems/unfinished",
            "Not finished yet",
            detail.into(),
        )
    }

    /// Personio could not be reached or answered nothing usable.
    pub(crate) fn bad_gateway(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::BAD_GATEWAY,
            "/problems/personio-unreachable",
            "Personio could not be reached",
            detail.into(),
        )
    }

    /// A method this resource does not take.
    pub(crate) fn method_not_allowed(detail: impl Into<String>) -> Problem {
        Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "/problems/method-not-allowed",
            "Method not allowed",
            detail.into(),
        )
    }

    /// An error of ours: logged in full, shown without details.
    pub(crate) fn internal(error: &dyn std::fmt::Display) -> Problem {
        tracing::error!(%error, "API request failed");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "/problems/internal",
            "Internal error",
            "the service could not answer; its log says why".to_owned(),
        )
    }
}

impl From<bridge_store::Error> for Problem {
    fn from(error: bridge_store::Error) -> Problem {
        match error {
            bridge_store::Error::UnknownCompany(name) => {
                Problem::not_found(format!("no company named {name}"))
            }
            other => Problem::internal(&other),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let unauthorized = status == StatusCode::UNAUTHORIZED;
        let unfinished = status == StatusCode::SERVICE_UNAVAILABLE;
        let mut response = (status, axum::Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if unfinished {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if unauthorized {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"personio-bridge\""),
            );
        }
        response
    }
}
