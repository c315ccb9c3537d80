//! Downloading one source (one or several URLs) into the download
//! directory.
//!
//! Per URL: a conditional GET with the remembered validators, retried on
//! transient failures (connection errors, timeouts, HTTP 408/429/5xx, a
//! body shorter than its Content-Length) with exponential backoff, at most
//! `FetchOptions::attempts` times. The body streams into a temporary file
//! beside the target while being hashed. Only when every URL of the source
//! has succeeded are the temporary files renamed into place and the state
//! file updated, so a set of OFAC files is never left half old, half new
//! because one of them failed.

use crate::atomic;
use crate::error::UpdateError;
use crate::progress::{Progress, ProgressSink};
use crate::sources::{request_url, validate, SourceSpec};
use crate::state::{State, UrlState};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::NamedTempFile;

pub use crate::progress::FetchStatus;

/// What `fetch_all` got for one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub spec: SourceSpec,
    /// Local files, in the order of `spec.urls`.
    pub files: Vec<PathBuf>,
    pub status: FetchStatus,
    /// SHA-256 of the files' bytes concatenated in `spec.urls` order (for a
    /// single file: that file's SHA-256). This is the `NewVersion::sha256`
    /// to import with.
    pub sha256: String,
    /// The newest `Last-Modified` the server gave for the files (as
    /// recorded at their last download), as a UTC date: the publication
    /// date to import with when the files state none. `None` when no
    /// server sent one, or it was not an HTTP date.
    pub last_modified: Option<chrono::NaiveDate>,
}

/// Retry and timeout policy.
#[derive(Clone, Debug)]
pub struct FetchOptions {
    /// Total attempts per URL, including the first (at least 1).
    pub attempts: u32,
    /// Wait before the second attempt; doubles each time, capped at `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    pub connect_timeout: Duration,
    /// From sending the request to the response headers.
    pub response_timeout: Duration,
    /// For the whole body (official files are up to ~100 MB).
    pub body_timeout: Duration,
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            attempts: 4,
            backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(30),
            response_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(15 * 60),
            user_agent: concat!("embargo/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

/// Fetches every source with the default [`FetchOptions`]; one result per
/// spec, in order. A failed source does not stop the others.
pub fn fetch_all(
    specs: &[SourceSpec],
    download_dir: &Path,
    progress: &dyn ProgressSink,
) -> Vec<Result<Fetched, UpdateError>> {
    fetch_all_with(specs, download_dir, progress, &FetchOptions::default())
}

/// [`fetch_all`] with explicit retry and timeout settings.
pub fn fetch_all_with(
    specs: &[SourceSpec],
    download_dir: &Path,
    progress: &dyn ProgressSink,
    opts: &FetchOptions,
) -> Vec<Result<Fetched, UpdateError>> {
    if let Err(e) = std::fs::create_dir_all(download_dir) {
        let msg = e.to_string();
        return specs
            .iter()
            .map(|_| {
                Err(UpdateError::io(
                    download_dir,
                    std::io::Error::other(msg.clone()),
                ))
            })
            .collect();
    }
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_recv_response(Some(opts.response_timeout))
        .timeout_recv_body(Some(opts.body_timeout))
        .build();
    let agent: ureq::Agent = config.into();
    let mut state = State::load(download_dir);
    specs
        .iter()
        .map(|spec| fetch_source(&agent, spec, download_dir, &mut state, progress, opts))
        .collect()
}

/// A downloaded file waiting to be renamed into place.
struct Staged {
    tmp: NamedTempFile,
    state: UrlState,
}

fn fetch_source(
    agent: &ureq::Agent,
    spec: &SourceSpec,
    dir: &Path,
    state: &mut State,
    progress: &dyn ProgressSink,
    opts: &FetchOptions,
) -> Result<Fetched, UpdateError> {
    let names = validate(spec).map_err(|detail| UpdateError::Spec {
        source_name: spec.name.clone(),
        detail,
    })?;
    let spec_dir = dir.join(&spec.name);
    std::fs::create_dir_all(&spec_dir).map_err(|e| UpdateError::io(&spec_dir, e))?;

    let mut staged: Vec<(usize, Staged)> = Vec::new();
    let mut files = Vec::with_capacity(names.len());
    for (i, (url, name)) in spec.urls.iter().zip(&names).enumerate() {
        let target = spec_dir.join(name);
        let rel = format!("{}/{name}", spec.name);
        // Validators only count while the local file is what they describe.
        let known = state
            .urls
            .get(url.as_str())
            .filter(|s| s.file == rel && file_sha256(&target).ok().as_deref() == Some(&s.sha256));
        match fetch_url(UrlFetch {
            agent,
            source: &spec.name,
            url,
            target: &target,
            known,
            progress,
            opts,
        })? {
            None => {}
            Some(mut s) => {
                s.state.file = rel;
                staged.push((i, s));
            }
        }
        files.push(target);
    }
    let status = if staged.is_empty() {
        FetchStatus::NotModified
    } else {
        FetchStatus::Downloaded
    };
    for (i, s) in staged {
        atomic::commit(s.tmp, &files[i])?;
        state.urls.insert(spec.urls[i].clone(), s.state);
    }
    if status == FetchStatus::Downloaded {
        state.save(dir)?;
    }
    let mut hasher = Sha256::new();
    for f in &files {
        hash_file_into(f, &mut hasher)?;
    }
    let last_modified = spec
        .urls
        .iter()
        .filter_map(|u| state.urls.get(u.as_str()))
        .filter_map(|s| s.last_modified.as_deref())
        .filter_map(http_date)
        .max();
    Ok(Fetched {
        spec: spec.clone(),
        files,
        status,
        sha256: hex::encode(hasher.finalize()),
        last_modified,
    })
}

/// The UTC day of an HTTP date (`Fri, 03 May 2024 12:00:00 GMT`; RFC 9110
/// IMF-fixdate, which RFC 2822 parsing accepts).
fn http_date(s: &str) -> Option<chrono::NaiveDate> {
    chrono::DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc).date_naive())
}

/// Why one attempt failed, and whether another attempt may help.
enum Failure {
    Status(u16),
    Network(String),
    Truncated {
        expected: u64,
        got: u64,
    },
    /// Local problems (disk full, permissions): not retried.
    Local(UpdateError),
}

impl Failure {
    fn transient(&self) -> bool {
        match self {
            Failure::Status(s) => matches!(s, 408 | 429 | 500..=599),
            Failure::Network(_) | Failure::Truncated { .. } => true,
            Failure::Local(_) => false,
        }
    }

    fn describe(&self) -> String {
        match self {
            Failure::Status(s) => format!("HTTP {s}"),
            Failure::Network(d) => d.clone(),
            Failure::Truncated { expected, got } => {
                format!("body truncated at {got} of {expected} bytes")
            }
            Failure::Local(e) => e.to_string(),
        }
    }

    fn into_error(self, url: &str, attempts: u32) -> UpdateError {
        let url = url.to_string();
        match self {
            Failure::Status(status) => UpdateError::Status {
                url,
                status,
                attempts,
            },
            Failure::Network(detail) => UpdateError::Network {
                url,
                detail,
                attempts,
            },
            Failure::Truncated { expected, got } => UpdateError::Truncated {
                url,
                expected,
                got,
                attempts,
            },
            Failure::Local(e) => e,
        }
    }
}

/// One URL to download, with everything an attempt needs. The retry loop
/// and each attempt take the same inputs, so they share this.
#[derive(Clone, Copy)]
struct UrlFetch<'a> {
    agent: &'a ureq::Agent,
    /// The source's name, for progress events.
    source: &'a str,
    url: &'a str,
    /// Where the file goes; the temporary file is created beside it.
    target: &'a Path,
    /// The remembered validators, if they still describe the local file.
    known: Option<&'a UrlState>,
    progress: &'a dyn ProgressSink,
    opts: &'a FetchOptions,
}

/// `Ok(None)`: not modified. `Ok(Some)`: a complete, hashed temporary file.
fn fetch_url(job: UrlFetch<'_>) -> Result<Option<Staged>, UpdateError> {
    let attempts = job.opts.attempts.max(1);
    let mut wait = job.opts.backoff;
    for attempt in 1..=attempts {
        match try_once(job) {
            Ok(r) => return Ok(r),
            Err(f) if f.transient() && attempt < attempts => {
                let error = f.describe();
                job.progress.event(&Progress::Retrying {
                    source: job.source,
                    url: job.url,
                    attempt,
                    wait,
                    error: &error,
                });
                std::thread::sleep(wait);
                wait = (wait * 2).min(job.opts.max_backoff);
            }
            Err(f) => return Err(f.into_error(job.url, attempt)),
        }
    }
    unreachable!("the last attempt returns")
}

fn try_once(job: UrlFetch<'_>) -> Result<Option<Staged>, Failure> {
    let UrlFetch {
        agent,
        source,
        url,
        target,
        known,
        progress,
        opts,
    } = job;
    let mut req = agent
        .get(request_url(url))
        .header("User-Agent", opts.user_agent.as_str());
    if let Some(k) = known {
        if let Some(etag) = &k.etag {
            req = req.header("If-None-Match", etag.as_str());
        }
        if let Some(lm) = &k.last_modified {
            req = req.header("If-Modified-Since", lm.as_str());
        }
    }
    let mut resp = req.call().map_err(|e| Failure::Network(e.to_string()))?;
    let status = resp.status().as_u16();
    if status == 304 && known.is_some() {
        progress.event(&Progress::Finished {
            source,
            url,
            status: FetchStatus::NotModified,
            bytes: 0,
        });
        return Ok(None);
    }
    if !(200..300).contains(&status) {
        return Err(Failure::Status(status));
    }
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    // With a Content-Encoding the length counts compressed bytes, which
    // ureq decodes, so it cannot be compared with what we read.
    let total = match header("content-encoding") {
        Some(_) => None,
        None => header("content-length").and_then(|v| v.trim().parse::<u64>().ok()),
    };
    progress.event(&Progress::Started { source, url, total });

    let mut tmp = atomic::temp_beside(target).map_err(Failure::Local)?;
    let mut hasher = Sha256::new();
    let mut reader = resp.body_mut().as_reader();
    let mut buf = vec![0u8; 64 * 1024];
    let mut done: u64 = 0;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(match total {
                    Some(expected) if done < expected => Failure::Truncated {
                        expected,
                        got: done,
                    },
                    _ => Failure::Network(format!("reading the body: {e}")),
                })
            }
        };
        hasher.update(&buf[..n]);
        tmp.write_all(&buf[..n])
            .map_err(|e| Failure::Local(UpdateError::io(tmp.path(), e)))?;
        done += n as u64;
        progress.event(&Progress::Bytes {
            source,
            url,
            done,
            total,
        });
    }
    if let Some(expected) = total {
        if done != expected {
            return Err(Failure::Truncated {
                expected,
                got: done,
            });
        }
    }
    progress.event(&Progress::Finished {
        source,
        url,
        status: FetchStatus::Downloaded,
        bytes: done,
    });
    Ok(Some(Staged {
        tmp,
        state: UrlState {
            etag,
            last_modified,
            sha256: hex::encode(hasher.finalize()),
            file: String::new(),
            fetched_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        },
    }))
}

fn hash_file_into(path: &Path, hasher: &mut Sha256) -> Result<(), UpdateError> {
    let mut f = std::fs::File::open(path).map_err(|e| UpdateError::io(path, e))?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| UpdateError::io(path, e))?;
        if n == 0 {
            return Ok(());
        }
        hasher.update(&buf[..n]);
    }
}

fn file_sha256(path: &Path) -> Result<String, UpdateError> {
    let mut h = Sha256::new();
    hash_file_into(path, &mut h)?;
    Ok(hex::encode(h.finalize()))
}
