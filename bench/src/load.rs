//! A closed-loop HTTP load generator: `concurrency` clients each send the next request as soon
//! as the last one answers, for `duration`; every answer must be 200.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Requests per second over the run.
pub async fn throughput(
    urls: Arc<Vec<String>>,
    token: Option<String>,
    concurrency: usize,
    duration: Duration,
) -> f64 {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build().expect("client");
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let (client, urls, token, done) = (client.clone(), urls.clone(), token.clone(), done.clone());
            tokio::spawn(async move {
                let mut n = worker;
                while Instant::now() < deadline {
                    let mut request = client.get(&urls[n % urls.len()]);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    let response = request.send().await.expect("request");
                    assert_eq!(response.status(), 200, "{}", urls[n % urls.len()]);
                    response.bytes().await.expect("body");
                    done.fetch_add(1, Ordering::Relaxed);
                    n += concurrency;
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// Latencies (ms) of `samples` requests sent one after another by a single client.
pub async fn latencies(urls: Arc<Vec<String>>, token: Option<String>, samples: usize) -> (f64, f64) {
    let client = reqwest::Client::new();
    let mut timings = Vec::with_capacity(samples);
    for n in 0..samples {
        let mut request = client.get(&urls[n % urls.len()]);
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let started = Instant::now();
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), 200, "{}", urls[n % urls.len()]);
        response.bytes().await.expect("body");
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    percentiles(timings)
}

/// Median and 95th percentile of `samples` (milliseconds).
pub fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}
