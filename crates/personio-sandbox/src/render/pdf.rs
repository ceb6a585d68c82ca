//! A minimal PDF writer: one A4 page of text in the standard Helvetica fonts, with a
//! correct cross-reference table, so every reader opens it.
//!
//! Written here rather than taken from a PDF crate: the generated documents need a title
//! and a few lines, which is some forty lines of PDF syntax, and a crate would add build
//! time for nothing else. Text is Latin-1 (WinAnsi); other characters print as `?`.

/// A one-page PDF showing `title` and then `lines`.
pub(crate) fn text_page(title: &str, lines: &[String]) -> Vec<u8> {
    let mut content = Vec::new();
    content.extend_from_slice(b"BT /F1 18 Tf 72 770 Td ");
    push_string(&mut content, title);
    content.extend_from_slice(b" Tj ET\nBT /F2 11 Tf 16 TL 72 736 Td");
    for line in lines {
        content.push(b' ');
        push_string(&mut content, line);
        content.extend_from_slice(b" Tj T*");
    }
    content.extend_from_slice(b" ET\n");

    let mut info = b"<< /Producer (Personio sandbox) /Title ".to_vec();
    push_string(&mut info, title);
    info.extend_from_slice(b" >>");
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(&content);
    stream.extend_from_slice(b"endstream");

    let objects: [Vec<u8>; 7] = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
          /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
        stream,
        info,
    ];

    // The second line's high bytes tell transfer tools the file is binary.
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        // Each entry is exactly 20 bytes, ending in space + newline.
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 7 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A PDF literal string `( ... )` in WinAnsi bytes, with `\`, `(` and `)` escaped.
fn push_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'(');
    for c in text.chars() {
        let byte = u8::try_from(u32::from(c)).unwrap_or(b'?');
        if matches!(byte, b'\\' | b'(' | b')') {
            out.push(b'\\');
        }
        out.push(match byte {
            b'\n' | b'\r' => b' ',
            b => b,
        });
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_reference_offsets_point_at_their_objects() {
        let pdf = text_page("Payslip (März)", &["Gross pay: 4200.00".to_owned()]);
        let marker = pdf.windows(10).rposition(|w| w == b"startxref\n").unwrap();
        let tail = std::str::from_utf8(&pdf[marker + 10..]).unwrap();
        let start: usize = tail.lines().next().unwrap().parse().unwrap();
        let table = std::str::from_utf8(&pdf[start..]).unwrap();
        assert!(table.starts_with("xref\n0 8\n"));
        for (n, entry) in table.lines().skip(3).take(7).enumerate() {
            let offset: usize = entry[..10].parse().unwrap();
            let header = format!("{} 0 obj", n + 1);
            assert_eq!(&pdf[offset..offset + header.len()], header.as_bytes());
        }
        assert!(
            pdf.windows(6).any(|w| w == b"M\xE4rz\\)"),
            "Latin-1 and escapes"
        );
    }
}
