//! Photos of a repair: what an upload may be, and its re-encoding.
//!
//! Every accepted photo is decoded and written again as a JPEG no larger than
//! [`MAX_SIDE`] pixels, turned upright by its EXIF orientation, with a
//! thumbnail. Re-encoding drops everything but the pixels: EXIF (a phone
//! photo's GPS position of the resident's home), colour profiles, and anything
//! hidden in the file. Decoding runs under limits, so a small file that claims
//! to be enormous (a decompression bomb) is refused, not allocated.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// The largest upload taken, per photo (a phone camera's JPEG is 2–6 MB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Photos a ticket may carry, all stages together.
pub const MAX_PER_TICKET: i64 = 12;
/// The longest side kept.
pub const MAX_SIDE: u32 = 1600;
pub const THUMB_SIDE: u32 = 320;

/// Why a file is not taken; the page words it (`repairs.photo_error.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoProblem {
    TooBig,
    NotImage,
}

impl PhotoProblem {
    pub fn code(self) -> &'static str {
        match self {
            PhotoProblem::TooBig => "too_big",
            PhotoProblem::NotImage => "not_image",
        }
    }
}

/// A photo ready to store.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub jpeg: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Checks and re-encodes one upload (CPU work: call it off the async runtime).
pub fn reencode(bytes: &[u8]) -> Result<Encoded, PhotoProblem> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(PhotoProblem::TooBig);
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| PhotoProblem::NotImage)?;
    // The format is sniffed from the bytes, never taken from the name or the browser.
    if !matches!(
        reader.format(),
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)
    ) {
        return Err(PhotoProblem::NotImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| PhotoProblem::NotImage)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => PhotoProblem::TooBig,
        _ => PhotoProblem::NotImage,
    })?;
    img.apply_orientation(orientation);
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        // Area averaging (`thumbnail`) rather than a convolution filter: as good
        // for a large downscale and several times faster (`server bench photos`).
        img = img.thumbnail(MAX_SIDE, MAX_SIDE);
    }
    let jpeg = to_jpeg(&img, 82)?;
    let thumb = to_jpeg(&img.thumbnail(THUMB_SIDE, THUMB_SIDE), 72)?;
    Ok(Encoded {
        jpeg,
        thumb,
        width: img.width(),
        height: img.height(),
    })
}

fn to_jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoProblem> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&img.to_rgb8())
        .map_err(|_| PhotoProblem::NotImage)?;
    Ok(out)
}

/// A photo-like JPEG of `width` × `height` (smooth shading with fine grain, as
/// a camera's): the benchmark's upload.
pub fn synthetic_photo(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let grain = ((x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 23) as u8;
        image::Rgb([
            (x * 255 / width.max(1)) as u8 ^ grain,
            (y * 255 / height.max(1)) as u8,
            128u8.wrapping_add(grain),
        ])
    });
    let mut out = Vec::new();
    // Quality 92: what phone cameras write.
    let _ = JpegEncoder::new_with_quality(&mut out, 92).encode_image(&img);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("png");
        out
    }

    #[test]
    fn large_photos_are_scaled_and_become_jpeg() {
        let e = reencode(&png(2400, 1200)).expect("a photo");
        assert_eq!((e.width, e.height), (1600, 800));
        assert_eq!(&e.jpeg[..2], &[0xFF, 0xD8], "JPEG");
        let thumb = image::load_from_memory(&e.thumb).expect("thumb decodes");
        assert_eq!(thumb.width(), THUMB_SIDE);
    }

    #[test]
    fn small_photos_keep_their_size() {
        let e = reencode(&png(40, 30)).expect("a photo");
        assert_eq!((e.width, e.height), (40, 30));
    }

    #[test]
    fn other_files_are_refused() {
        assert_eq!(
            reencode(b"%PDF-1.4 not a photo").err(),
            Some(PhotoProblem::NotImage)
        );
        assert_eq!(reencode(b"").err(), Some(PhotoProblem::NotImage));
        // A PNG signature with nothing behind it.
        assert_eq!(
            reencode(b"\x89PNG\r\n\x1a\n0000").err(),
            Some(PhotoProblem::NotImage)
        );
        let big = vec![0u8; MAX_UPLOAD_BYTES + 1];
        assert_eq!(reencode(&big).err(), Some(PhotoProblem::TooBig));
    }
}
