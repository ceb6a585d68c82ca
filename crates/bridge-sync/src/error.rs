//! What can stop a sync, each saying what to do about it.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Personio(#[from] personio_client::Error),
    #[error(transparent)]
    Store(#[from] bridge_store::Error),
    /// A mapper built a row its table does not have (a mistake in our code, named exactly).
    #[error(transparent)]
    Row(#[from] bridge_store::RowError),
    #[error("unknown resource `{0}` (known: {1})")]
    UnknownResource(String, String),
    #[error("the stored base URL of {company} is invalid; connect the company again")]
    BadBaseUrl { company: String },
    #[error("Personio sent a {resource} record without {field}")]
    Malformed {
        resource: &'static str,
        field: &'static str,
    },
    #[error("Personio sent {resource} {id} without {missing}")]
    Unmatched {
        resource: &'static str,
        id: String,
        missing: &'static str,
    },
}

impl Error {
    /// The credential is not accepted at all: no resource can succeed.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Error::Personio(personio_client::Error::BadCredentials { .. }) | Error::Store(_)
        )
    }
}
