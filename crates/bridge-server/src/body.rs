//! Request bodies are read whole before any handler runs, so that every answer, an early
//! refusal included, goes out after the client has finished sending. A server that answers
//! and closes while the client is still writing makes the client see a broken pipe or a
//! reset instead of the answer, and a kept-alive connection with unread bytes cannot be
//! reused. A body over the limit is read on and thrown away (up to a bound, for a while)
//! before its 413 goes out.

use std::future::poll_fn;
use std::pin::Pin;
use std::time::Duration;

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::api::Problem;

/// Forms and API requests are small; a handler never sees more than this.
const LIMIT: usize = 256 * 1024;

/// How much of a body over the limit is read and dropped before the connection is closed.
const DRAIN_LIMIT: usize = 16 << 20;

/// How long a body may take to arrive, whatever its size.
const PATIENCE: Duration = Duration::from_secs(30);

/// How reading a body ended.
enum Read {
    Whole(Vec<u8>),
    /// Over the limit; `drained` when it was read to its end all the same.
    TooLarge {
        drained: bool,
    },
    /// The client stopped sending (or sent a malformed body).
    Broken,
}

/// Middleware: hands the inner service the request with its body in memory.
pub(crate) async fn read_whole(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let limit = limit_for(&parts.method, parts.uri.path());
    let read = tokio::time::timeout(PATIENCE, read(body, limit))
        .await
        .unwrap_or(Read::Broken);
    match read {
        Read::Whole(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Read::TooLarge { drained } => {
            let mut response = Problem::too_large(limit).into_response();
            if !drained {
                close(&mut response);
            }
            response
        }
        Read::Broken => {
            let mut response =
                Problem::invalid_body("the request body did not arrive whole").into_response();
            close(&mut response);
            response
        }
    }
}

/// Uploads of files to Personio (documents, recruiting attachments) may be as large as
/// Personio takes them; everything else stays small.
fn limit_for(method: &axum::http::Method, path: &str) -> usize {
    let upload = method == axum::http::Method::POST
        && path.starts_with("/api/v1/companies/")
        && (path.ends_with("/documents") || path.ends_with("/recruiting_applications"));
    if upload {
        crate::api::MAX_UPLOAD_BODY
    } else {
        LIMIT
    }
}

async fn read(mut body: Body, limit: usize) -> Read {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(frame) = frame else {
            return Read::Broken;
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        if seen > DRAIN_LIMIT.max(limit) {
            return Read::TooLarge { drained: false };
        }
        if seen <= limit {
            kept.extend_from_slice(&data);
        }
    }
    if seen > limit {
        Read::TooLarge { drained: true }
    } else {
        Read::Whole(kept)
    }
}

/// Tells the client not to send another request on this connection: it is closed with
/// bytes left unread.
fn close(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
}
