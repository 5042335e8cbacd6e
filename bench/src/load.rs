//! A closed-loop HTTP load generator: `concurrency` clients each send the next request as soon
//! as the last one answers, for `duration`; every answer must be 200.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};

/// One request and its body; anything but 200 ends the run.
async fn fetch(client: &reqwest::Client, url: &str, token: Option<&str>) -> anyhow::Result<()> {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.with_context(|| format!("GET {url}"))?;
    ensure!(response.status() == 200, "GET {url} answered {}", response.status());
    response.bytes().await.with_context(|| format!("GET {url}: body"))?;
    Ok(())
}

/// Requests per second over the run.
pub async fn throughput(
    urls: Arc<Vec<String>>,
    token: Option<String>,
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<f64> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let (client, urls, token, done) = (client.clone(), urls.clone(), token.clone(), done.clone());
            tokio::spawn(async move {
                let mut n = worker;
                while Instant::now() < deadline {
                    fetch(&client, &urls[n % urls.len()], token.as_deref()).await?;
                    done.fetch_add(1, Ordering::Relaxed);
                    n += concurrency;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for worker in workers {
        worker.await??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

/// p50 and p95 latency (ms) of `samples` requests sent one after another by a single client.
pub async fn latencies(
    urls: Arc<Vec<String>>,
    token: Option<String>,
    samples: usize,
) -> anyhow::Result<(f64, f64)> {
    let client = reqwest::Client::new();
    let mut timings = Vec::with_capacity(samples);
    for n in 0..samples {
        let started = Instant::now();
        fetch(&client, &urls[n % urls.len()], token.as_deref()).await?;
        timings.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(percentiles(timings))
}

/// Median and 95th percentile of `samples` (milliseconds); zeros for none.
pub fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    if samples.is_empty() {
        return (0.0, 0.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95))
}

/// The median of `values` (0 for none).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}
