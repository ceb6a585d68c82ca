//! Rendered bytes of employees, reused while neither the employee nor the structure it
//! embeds (department names, ...) changed and the caller sees it the same way. Serving
//! 100-employee v1 pages is then mostly copying.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::credentials::ReadableAttributes;
use crate::render::template::Templates;

/// Everything that changes how an employee renders for a caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ViewKey(u64);

impl ViewKey {
    /// `shape` names the representation (v1 employee, v2 person, ...).
    pub(crate) fn new(
        shape: &str,
        readable: &ReadableAttributes,
        projection: Option<&[String]>,
        origin: &str,
    ) -> ViewKey {
        let mut hasher = DefaultHasher::new();
        shape.hash(&mut hasher);
        match readable {
            ReadableAttributes::All => 0u8.hash(&mut hasher),
            ReadableAttributes::Only(keys) => keys.hash(&mut hasher),
        }
        projection.hash(&mut hasher);
        origin.hash(&mut hasher);
        ViewKey(hasher.finish())
    }
}

struct Entry {
    version: u64,
    structure: u64,
    bytes: Arc<[u8]>,
}

/// Caps memory: past this many entries the cache starts over.
const MAX_ENTRIES: usize = 400_000;

#[derive(Default)]
pub(crate) struct RenderCache {
    entries: RwLock<HashMap<(ViewKey, i64), Entry>>,
    /// Employees pre-rendered at build time (see `render::template`).
    pub templates: Templates,
}

impl RenderCache {
    pub(crate) fn with_templates(templates: Templates) -> RenderCache {
        RenderCache {
            templates,
            ..Default::default()
        }
    }

    /// The cached bytes for `(view, id)` at this version, or `render()`'s, remembered.
    pub(crate) fn get_or_render(
        &self,
        view: ViewKey,
        id: i64,
        version: u64,
        structure: u64,
        render: impl FnOnce() -> Vec<u8>,
    ) -> Arc<[u8]> {
        if let Some(entry) = self.entries.read().get(&(view, id))
            && entry.version == version
            && entry.structure == structure
        {
            return entry.bytes.clone();
        }
        let bytes: Arc<[u8]> = render().into();
        let mut entries = self.entries.write();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            (view, id),
            Entry {
                version,
                structure,
                bytes: bytes.clone(),
            },
        );
        bytes
    }
}
