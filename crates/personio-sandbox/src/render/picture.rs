//! Profile pictures: a symmetric 5×5 identicon per employee, as a PNG of the asked width.
//! The same employee always gets the same picture.

use sha2::{Digest, Sha256};

/// Widths we render; Personio takes any width, we cap the work.
pub(crate) const MAX_WIDTH: u32 = 1024;

/// A `width`×`width` PNG for `seed`.
pub(crate) fn identicon_png(seed: &str, width: u32) -> Vec<u8> {
    let width = width.clamp(1, MAX_WIDTH);
    let digest = Sha256::digest(seed.as_bytes());
    let color = [digest[0] / 2 + 64, digest[1] / 2 + 64, digest[2] / 2 + 64];
    let background = [240u8, 240, 240];
    // Left three columns from the hash, mirrored to the right.
    let mut cells = [[false; 5]; 5];
    for row in 0..5 {
        for col in 0..3 {
            let on = digest[3 + row * 3 + col] % 2 == 0;
            cells[row][col] = on;
            cells[row][4 - col] = on;
        }
    }
    let mut pixels = Vec::with_capacity((width * width * 3) as usize);
    for y in 0..width {
        for x in 0..width {
            let (row, col) = ((y * 5 / width) as usize, (x * 5 / width) as usize);
            pixels.extend_from_slice(if cells[row][col] { &color } else { &background });
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, width);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .expect("writing to a Vec cannot fail");
        writer
            .write_image_data(&pixels)
            .expect("the pixel buffer matches the header");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_pngs_and_stable() {
        let a = identicon_png("42", 64);
        assert_eq!(&a[..8], b"\x89PNG\r\n\x1a\n");
        assert_eq!(a, identicon_png("42", 64));
        assert_ne!(a, identicon_png("43", 64));
    }
}
