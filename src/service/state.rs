//! The glossary being served, shared by every request and swapped whole.
//!
//! [`AppState`] holds the current [`Snapshot`] (a compiled [`Matcher`] and when it was loaded)
//! behind an [`ArcSwap`]: a request takes the snapshot once with [`AppState::current`] and
//! uses it to the end, without locks; a reload or an edit builds a new matcher and
//! [`AppState::replace`]s it between requests.

use std::sync::Arc;
use std::time::SystemTime;

use arc_swap::ArcSwap;

use crate::matcher::Matcher;

/// One compiled glossary and when it started serving.
#[derive(Debug)]
pub struct Snapshot {
    /// The matcher, which also holds the glossary.
    pub matcher: Arc<Matcher>,
    /// When this glossary was loaded.
    pub loaded_at: SystemTime,
}

/// The state shared by all handlers.
#[derive(Debug)]
pub struct AppState {
    current: ArcSwap<Snapshot>,
}

impl AppState {
    /// Serves `matcher`, loaded now.
    pub fn new(matcher: Matcher) -> AppState {
        AppState {
            current: ArcSwap::from_pointee(Snapshot {
                matcher: Arc::new(matcher),
                loaded_at: SystemTime::now(),
            }),
        }
    }

    /// The snapshot to answer a request with.
    pub fn current(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Swaps in a new matcher; requests already running finish on the old one.
    pub fn replace(&self, matcher: Matcher) {
        self.current.store(Arc::new(Snapshot {
            matcher: Arc::new(matcher),
            loaded_at: SystemTime::now(),
        }));
    }
}
