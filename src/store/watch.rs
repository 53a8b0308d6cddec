//! Following a backend's changes made by others: hot reload of the glossary directory (and
//! SIGHUP), LISTEN/NOTIFY of the database ([`super::PgStore::watch`]); [`Backend::follow`]
//! starts whichever the backend needs.
//!
//! Events from `notify` are debounced (a burst of writes is one reload). A reload loads the
//! whole directory off the async runtime; a valid glossary whose version differs from the
//! one being served is handed to `apply` (which builds a matcher and swaps it in atomically);
//! an invalid one is logged with `file:line` and the old glossary keeps serving. The
//! server's own edits already swapped their glossary in, so the reload their file writes
//! trigger finds the same version and does nothing: no reload storm.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::Backend;
use crate::glossary::Glossary;

/// How long the directory must be quiet before a reload.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Keeps the watcher alive; dropping it stops watching.
pub struct ReloadHandle {
    _watcher: notify::RecommendedWatcher,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ReloadHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new version was swapped in.
    Swapped(String),
    /// The directory holds the version already served.
    Unchanged,
    /// The directory does not load; the message names `file:line`.
    Invalid(String),
}

/// Loads `dir` and applies it if its version differs from `current()`.
pub fn reload_once(
    dir: &std::path::Path,
    current: &dyn Fn() -> String,
    apply: &dyn Fn(Glossary),
) -> Outcome {
    match Glossary::load_dir(dir) {
        Ok(g) if g.version() == current() => Outcome::Unchanged,
        Ok(g) => {
            let v = g.version().to_string();
            g.log_warnings();
            apply(g);
            Outcome::Swapped(v)
        }
        Err(e) => Outcome::Invalid(e.to_string()),
    }
}

/// Starts watching `dir` (and SIGHUP on Unix). `current` gives the version being served;
/// `apply` swaps a new glossary in. Both run on a blocking thread.
///
/// # Errors
/// When the directory cannot be watched.
pub fn spawn<C, A>(dir: PathBuf, current: C, apply: A) -> notify::Result<ReloadHandle>
where
    C: Fn() -> String + Send + Sync + 'static,
    A: Fn(Glossary) + Send + Sync + 'static,
{
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    let events = tx.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res {
            if !ev.kind.is_access() {
                let _ = events.send(());
            }
        }
    })?;
    watcher.watch(&dir, RecursiveMode::NonRecursive)?;
    #[cfg(unix)]
    {
        let hup = tx.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{signal, SignalKind};
            let Ok(mut s) = signal(SignalKind::hangup()) else {
                return;
            };
            while s.recv().await.is_some() {
                tracing::info!("SIGHUP: reloading the glossary");
                if hup.send(()).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let current = Arc::new(current);
    let apply = Arc::new(apply);
    let task = tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Debounce: wait until no event arrived for DEBOUNCE.
            while let Ok(Some(())) = tokio::time::timeout(DEBOUNCE, rx.recv()).await {}
            let (dir, current, apply) = (dir.clone(), current.clone(), apply.clone());
            let outcome =
                tokio::task::spawn_blocking(move || reload_once(&dir, &*current, &*apply)).await;
            match outcome {
                Ok(Outcome::Swapped(v)) => tracing::info!(version = %v, "glossary reloaded"),
                Ok(Outcome::Unchanged) => tracing::debug!("glossary unchanged"),
                Ok(Outcome::Invalid(e)) => {
                    crate::metrics::global().reload_error();
                    tracing::error!(
                        "glossary reload refused, still serving the previous version:\n{e}"
                    )
                }
                Err(e) => {
                    crate::metrics::global().reload_error();
                    tracing::error!("glossary reload failed: {e}")
                }
            }
        }
    });
    Ok(ReloadHandle {
        _watcher: watcher,
        task,
    })
}

/// Keeps following a backend's changes until dropped.
pub enum Follower {
    /// The glossary directory's watcher.
    Dir(ReloadHandle),
    /// The database's LISTEN task.
    Postgres(tokio::task::JoinHandle<()>),
    /// The embedded glossary never changes.
    Nothing,
}

impl Drop for Follower {
    fn drop(&mut self) {
        if let Follower::Postgres(task) = self {
            task.abort();
        }
    }
}

impl Backend {
    /// Follows changes made by others (files edited, other replicas' edits) until the returned
    /// [`Follower`] is dropped: `current` gives the version being served, `apply` swaps a new
    /// glossary in. Where SIGHUP has nothing to reload (embedded, database) it is only logged.
    /// Call on the tokio runtime.
    ///
    /// # Errors
    /// When the directory cannot be watched.
    pub fn follow<C, A>(&self, current: C, apply: A) -> notify::Result<Follower>
    where
        C: Fn() -> String + Send + Sync + 'static,
        A: Fn(Glossary) + Send + Sync + 'static,
    {
        match self {
            Backend::Dir(store) => Ok(Follower::Dir(spawn(
                store.dir().to_path_buf(),
                current,
                apply,
            )?)),
            Backend::Postgres(db) => {
                ignore_sighup();
                Ok(Follower::Postgres(db.clone().watch(apply)))
            }
            Backend::Embedded => {
                ignore_sighup();
                Ok(Follower::Nothing)
            }
        }
    }
}

/// With the embedded glossary SIGHUP has nothing to reload; without a handler it would
/// terminate the server.
fn ignore_sighup() {
    #[cfg(unix)]
    tokio::spawn(async {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut s) = signal(SignalKind::hangup()) {
            while s.recv().await.is_some() {
                tracing::info!("SIGHUP: the embedded glossary has nothing to reload");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    const GOOD: &str =
        "[[concept]]\nid = \"a\"\n[concept.it]\nterms = [\"alpha\"]\ndefinition = \"A.\"\n";

    #[tokio::test]
    async fn valid_changes_swap_and_invalid_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.toml"), GOOD).unwrap();
        let served = Arc::new(Mutex::new(Glossary::load_dir(dir.path()).unwrap()));
        let (s1, s2) = (served.clone(), served.clone());
        let _h = spawn(
            dir.path().to_path_buf(),
            move || s1.lock().unwrap().version().to_string(),
            move |g| *s2.lock().unwrap() = g,
        )
        .unwrap();
        std::fs::write(dir.path().join("g.toml"), GOOD.replace("alpha", "beta")).unwrap();
        let mut swapped = false;
        for _ in 0..100 {
            if served.lock().unwrap().concepts()[0].terms(crate::Side::It)[0].text == "beta" {
                swapped = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(swapped, "the valid change was not swapped in");
        let before = served.lock().unwrap().version().to_string();
        std::fs::write(dir.path().join("g.toml"), "[[concept]\n").unwrap();
        tokio::time::sleep(DEBOUNCE * 4).await;
        assert_eq!(served.lock().unwrap().version(), before);
    }

    #[test]
    fn reload_once_reports() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.toml"), GOOD).unwrap();
        let v = Glossary::load_dir(dir.path())
            .unwrap()
            .version()
            .to_string();
        assert_eq!(
            reload_once(dir.path(), &|| v.clone(), &|_| {}),
            Outcome::Unchanged
        );
        std::fs::write(dir.path().join("g.toml"), "x = [\n").unwrap();
        match reload_once(dir.path(), &|| v.clone(), &|_| {}) {
            Outcome::Invalid(e) => assert!(e.contains("g.toml:"), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}
