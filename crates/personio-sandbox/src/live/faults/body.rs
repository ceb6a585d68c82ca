//! Response bodies that break the HTTP exchange on purpose.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::StatusCode;
use axum::http::response::Parts;
use axum::response::Response;
use http_body::{Frame, SizeHint};

/// Largest body a fault reads into memory before cutting it.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// The response's head and its whole body.
pub(super) async fn collect(response: Response) -> (Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

/// Promises all of `bytes` (as `Content-Length`), sends the first half, then fails, which
/// makes the server close the connection: the client sees a body cut short.
pub(super) fn truncated(bytes: Bytes) -> Body {
    let promised = bytes.len() as u64;
    let half = bytes.slice(..bytes.len() / 2);
    Body::new(Broken {
        promised,
        chunk: Some(half).filter(|h| !h.is_empty()),
        pause: None,
    })
}

/// A response whose body fails before its first byte: the server drops the connection.
pub(super) fn aborted(status: StatusCode) -> Response {
    let mut response = Response::new(Body::new(Broken {
        promised: 1,
        chunk: None,
        pause: None,
    }));
    *response.status_mut() = status;
    response
}

/// Sends `chunk` (if any), pauses briefly so that it reaches the socket, then errors.
struct Broken {
    promised: u64,
    chunk: Option<Bytes>,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the body was cut short on purpose")]
struct CutShort;

impl HttpBody for Broken {
    type Data = Bytes;
    type Error = CutShort;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, CutShort>>> {
        if let Some(chunk) = self.chunk.take() {
            // The pause lets the server flush the chunk before the error closes the socket.
            self.pause = Some(Box::pin(tokio::time::sleep(Duration::from_millis(20))));
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(pause) = self.pause.as_mut() {
            std::task::ready!(pause.as_mut().poll(cx));
            self.pause = None;
        }
        Poll::Ready(Some(Err(CutShort)))
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.promised)
    }
}
