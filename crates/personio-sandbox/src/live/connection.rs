//! The sandbox's own listener: each accepted socket carries a handle through which a
//! planned `reset` fault can abort it with a real TCP reset, and the peer's address, which
//! per-IP rate limits count by.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts TCP connections and wraps them in [`ConnectionIo`].
pub(crate) struct SandboxListener(pub TcpListener);

impl Listener for SandboxListener {
    type Io = ConnectionIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (ConnectionIo, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, peer)) => {
                    // Small request/response exchanges: send each response at once.
                    let _ = stream.set_nodelay(true);
                    let io = ConnectionIo {
                        stream,
                        aborted: Arc::new(AtomicBool::new(false)),
                    };
                    return (io, peer);
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails every read and write once aborted, after arming a zero linger
/// so that closing it sends RST instead of FIN.
pub(crate) struct ConnectionIo {
    stream: TcpStream,
    aborted: Arc<AtomicBool>,
}

impl ConnectionIo {
    fn check(&self) -> io::Result<()> {
        if self.aborted.load(Ordering::Relaxed) {
            let _ = self.stream.set_zero_linger();
            Err(io::ErrorKind::ConnectionReset.into())
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for ConnectionIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnectionIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// What a request knows about its connection (as `ConnectInfo<Connection>`).
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    pub peer: SocketAddr,
    aborted: Arc<AtomicBool>,
}

impl Connection {
    /// Aborts the connection: whatever the server writes next fails, and the socket closes
    /// with a TCP reset.
    pub(crate) fn reset(&self) {
        self.aborted.store(true, Ordering::Relaxed);
    }
}

impl Connected<IncomingStream<'_, SandboxListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, SandboxListener>) -> Self {
        Connection {
            peer: *stream.remote_addr(),
            aborted: stream.io().aborted.clone(),
        }
    }
}
