//! Bodies read to their end before the answer goes out, as the gateways in front of
//! Personio do. A handler may answer without reading a body (a 401 before the body
//! matters, a 413 when it is too large); closing the connection with the body still
//! arriving would make the client see a broken pipe or a reset instead of that answer. So
//! whatever a handler left unread is read and dropped (up to a bound, for a while) before
//! the answer is sent.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Body as _, Frame, SizeHint};

/// More than the largest body any route accepts (an applicant's files, 64 MiB).
const DRAIN_LIMIT: usize = 128 << 20;

/// How long the rest of a body may take to arrive.
const PATIENCE: Duration = Duration::from_secs(30);

/// Where a request body left unread ends up when the handler drops it.
type Leftover = Arc<Mutex<Option<Body>>>;

/// The request body as handlers see it: the body itself, which hands back what is left of
/// it when dropped before its end.
struct Watched {
    inner: Option<Body>,
    leftover: Leftover,
}

impl http_body::Body for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match self.get_mut().inner.as_mut() {
            Some(body) => Pin::new(body).poll_frame(cx),
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(Body::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        self.inner
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Body::size_hint)
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(body) = self.inner.take()
            && !body.is_end_stream()
            && let Ok(mut slot) = self.leftover.lock()
        {
            *slot = Some(body);
        }
    }
}

/// Middleware: runs the request, then reads what its handler left of the body.
pub(crate) async fn read_to_end(request: Request, next: Next) -> Response {
    let leftover = Leftover::default();
    let request = request.map(|body| {
        Body::new(Watched {
            inner: Some(body),
            leftover: leftover.clone(),
        })
    });
    let mut response = next.run(request).await;
    let rest = leftover.lock().ok().and_then(|mut slot| slot.take());
    if let Some(rest) = rest
        && !drained(rest).await
    {
        // Bytes are left unread: this connection cannot carry another request.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Reads a body to its end and drops it; whether it ended within the bounds.
async fn drained(mut body: Body) -> bool {
    let read = async {
        let mut seen = 0usize;
        while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            let Ok(frame) = frame else {
                return false;
            };
            if let Ok(data) = frame.into_data() {
                seen = seen.saturating_add(data.len());
                if seen > DRAIN_LIMIT {
                    return false;
                }
            }
        }
        true
    };
    tokio::time::timeout(PATIENCE, read).await.unwrap_or(false)
}
