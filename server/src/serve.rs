//! The HTTP/1.1 accept loop, with the time limits `axum::serve` has no setting for.
//!
//! `axum::serve` gives hyper no timer, so a client could open connections and send a header
//! line now and then (slowloris), or hold an idle keep-alive connection, for ever. Here hyper
//! gets a timer and a header-read limit: a request's headers must arrive within it, counted
//! from when the connection opens or its previous response ends, so an idle connection closes
//! after the same time. Bodies have their own deadline (`RequestBodyDeadlineLayer` in the
//! router, answering 408), since headers can arrive quickly and the body a byte a minute.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves `router` on `listener` until `shutdown` completes, then lets open connections finish
/// their requests for up to `grace` before returning.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let connections = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(err) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %err, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Responses stream in several writes (streamed SSR chunks); with Nagle's algorithm on,
        // a small write waits for the client's delayed ACK, about 40 ms on Linux.
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "could not set TCP_NODELAY");
        }
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().oneshot(request)
        });
        let connection = connections.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                // Timeouts and clients going away; nothing the operator needs to act on.
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tracing::info!("shutdown signal received; finishing open requests");
    if tokio::time::timeout(grace, connections.shutdown()).await.is_err() {
        tracing::warn!("requests still open after the grace period; closing them");
    }
}
