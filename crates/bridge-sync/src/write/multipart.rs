//! `multipart/form-data` bodies for Personio's uploads, encoded whole so that a request is
//! plain bytes the client can pace and the journal can describe by digest.

use sha2::{Digest, Sha256};

/// One part: a text field, or a file with its name.
pub(crate) enum Part<'a> {
    Text(&'a str, String),
    File {
        name: &'a str,
        file_name: &'a str,
        content_type: &'a str,
        bytes: &'a [u8],
    },
}

/// The body and its `Content-Type` (with the boundary).
pub(crate) fn encode(parts: &[Part<'_>]) -> (String, Vec<u8>) {
    // A boundary that cannot occur in the parts: derived from their digest.
    let mut hash = Sha256::new();
    for part in parts {
        match part {
            Part::Text(name, value) => {
                hash.update(name.as_bytes());
                hash.update(value.as_bytes());
            }
            Part::File { bytes, .. } => hash.update(bytes),
        }
    }
    let digest = hash.finalize();
    let boundary = format!(
        "bridge-{}",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match part {
            Part::Text(name, value) => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                        quoted(name)
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(value.as_bytes());
            }
            Part::File {
                name,
                file_name,
                content_type,
                bytes,
            } => {
                body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {content_type}\r\n\r\n",
                        quoted(name),
                        quoted(file_name)
                    )
                    .as_bytes(),
                );
                body.extend_from_slice(bytes);
            }
        }
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A header parameter value: quotes and line breaks would end it early.
fn quoted(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => '\'',
            '\r' | '\n' => ' ',
            c => c,
        })
        .collect()
}

/// A file's media type by its extension (what Personio records; unknown: octet-stream).
pub(crate) fn media_type(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "txt" | "md" | "asc" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "zip" => "application/zip",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "doc" => "application/msword",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_by_a_boundary() {
        let (content_type, body) = encode(&[
            Part::Text("title", "Contract".into()),
            Part::File {
                name: "file",
                file_name: "a\"b.pdf",
                content_type: "application/pdf",
                bytes: b"%PDF-1",
            },
        ]);
        let boundary = content_type.split("boundary=").nth(1).unwrap();
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"title\"\r\n\r\nContract\r\n"));
        assert!(text.contains("filename=\"a'b.pdf\""));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }
}
