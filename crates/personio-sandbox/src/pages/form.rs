//! Posted forms, read without trusting them: a body that is not a URL-encoded form, or is
//! too large, becomes an error page a person can read instead of a framework's plain-text
//! rejection.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};

use super::Problem;

/// The fields of a posted form, in the order sent (a name may repeat, as checkboxes do).
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(crate) fn read(
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
    ) -> Result<Fields, Problem> {
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Not a form",
                "These pages take only what their own forms send \
                 (application/x-www-form-urlencoded).",
            ));
        }
        let body = body.map_err(|rejection| {
            Problem::new(
                rejection.status(),
                "Form not read",
                format!("The form could not be read: {}.", rejection.body_text()),
            )
        })?;
        serde_urlencoded::from_bytes(&body)
            .map(Fields)
            .map_err(|e| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "Form not read",
                    format!("The form could not be read: {e}."),
                )
            })
    }

    /// The first value of `name`, or "" when absent.
    pub(crate) fn one(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn form_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers
    }

    #[test]
    fn repeated_names_keep_every_value_and_bad_bytes_do_not_fail() {
        let body = Bytes::from_static(b"attribute=a&attribute=b&name=%FF%zz&csrf");
        let fields = Fields::read(&form_headers(), Ok(body)).unwrap();
        assert_eq!(fields.all("attribute").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(fields.one("csrf"), "");
        assert_eq!(fields.one("missing"), "");
        assert!(!fields.one("name").is_empty());
    }

    #[test]
    fn a_body_that_is_not_a_form_is_an_error_page() {
        let refused = Fields::read(&HeaderMap::new(), Ok(Bytes::from_static(b"{}"))).err();
        assert_eq!(
            refused.map(|p| p.status),
            Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        );
    }
}
