//! Photos of a repair: what an upload may be, and its re-encoding.
//!
//! Every accepted photo is decoded and written again as a JPEG no larger than
//! [`MAX_SIDE`] pixels, turned upright by its EXIF orientation, with a
//! thumbnail. Re-encoding drops everything but the pixels: EXIF (a phone
//! photo's GPS position of the resident's home), colour profiles, and anything
//! hidden in the file.
//!
//! Decoding is bounded three ways, because a decoded photo is far larger than
//! its file (a 12,000 × 12,000 PNG of one colour is a few hundred kilobytes on
//! disk and 432 MB as pixels):
//! - the size is read from the header and a photo over [`MAX_PIXELS`] is
//!   refused before any pixel is decoded;
//! - decodes run behind [`Decoders`], a few at a time (one per core), so a
//!   burst of uploads queues instead of taking the machine's memory;
//! - a ticket's free photo places are reserved ([`Reservations`]) before the
//!   decoding, so concurrent uploads to one ticket cannot all decode and then
//!   find the ticket full.
//!
//! Before any of that, an upload's files are held in memory as they arrive:
//! [`Uploads`] lets a few uploads read their bodies at once, and each file is
//! read chunk by chunk and refused as soon as it passes [`MAX_UPLOAD_BYTES`].

use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, LazyLock, Mutex};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::PhotoError;

use crate::error::AppError;

/// The largest upload taken, per photo (a phone camera's JPEG is 2–6 MB).
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Photos a ticket may carry, all stages together.
pub const MAX_PER_TICKET: i64 = 12;
/// The largest photo decoded, in pixels: what phone cameras produce (a 48 MP
/// sensor saves 12 MP by default; its full-resolution mode, 8000 × 6000, is
/// the largest phone photo in common use at 48 MP, and 40 MP covers every
/// default mode). At 4 bytes a pixel (RGBA, the widest a photo decodes to
/// here) that is 160 MB decoded, against 432 MB (RGB) for 12,000 × 12,000.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The longest side decoded: a panorama, not a strip of 40 MP.
pub const MAX_DECODED_SIDE: u32 = 12_000;
/// The most a decode may allocate for its pixels (see [`MAX_PIXELS`]).
const MAX_DECODED_BYTES: u64 = MAX_PIXELS * 4;
/// The longest side kept.
pub const MAX_SIDE: u32 = 1600;
pub const THUMB_SIDE: u32 = 320;

/// Why a file is not taken; the page words it (`repairs.photo_error.<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoProblem {
    /// The file is over [`MAX_UPLOAD_BYTES`].
    TooBig,
    /// The picture is over [`MAX_PIXELS`] or [`MAX_DECODED_SIDE`].
    TooManyPixels,
    NotImage,
}

impl PhotoProblem {
    /// What the ticket's page is told (`?photo_error=<code>`).
    pub fn code(self) -> PhotoError {
        match self {
            PhotoProblem::TooBig => PhotoError::TooBig,
            PhotoProblem::TooManyPixels => PhotoError::TooManyPixels,
            PhotoProblem::NotImage => PhotoError::NotImage,
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

/// Checks and re-encodes one upload (CPU work: call it off the async runtime,
/// through [`Decoders::reencode_all`]).
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
    limits.max_image_width = Some(MAX_DECODED_SIDE);
    limits.max_image_height = Some(MAX_DECODED_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    // Opening the decoder reads the header only: the size is known here, and
    // checked, before a pixel is decoded.
    let mut decoder = reader.into_decoder().map_err(problem)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS
        || decoder.total_bytes() > MAX_DECODED_BYTES
    {
        return Err(PhotoProblem::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(problem)?;
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        // Area averaging (`thumbnail`) rather than a convolution filter: as good
        // for a large downscale and several times faster (`server bench photos`).
        // Scaled before it is turned upright: the bound is a square, so the
        // result is the same, and the turn copies the scaled photo, not the full one.
        img = img.thumbnail(MAX_SIDE, MAX_SIDE);
    }
    img.apply_orientation(orientation);
    let jpeg = to_jpeg(&img, 82)?;
    let thumb = to_jpeg(&img.thumbnail(THUMB_SIDE, THUMB_SIDE), 72)?;
    Ok(Encoded {
        jpeg,
        thumb,
        width: img.width(),
        height: img.height(),
    })
}

fn problem(e: image::ImageError) -> PhotoProblem {
    match e {
        image::ImageError::Limits(_) => PhotoProblem::TooManyPixels,
        _ => PhotoProblem::NotImage,
    }
}

/// The photo decoders: at most `slots` decodes at once, the rest queue (the
/// shape of the password hasher's semaphore, `security::hashing`). Each decode
/// holds its slot until the blocking work ends, even if the upload that asked
/// for it is gone (a closed connection drops the request, not the thread).
#[derive(Clone)]
pub struct Decoders {
    slots: Arc<Semaphore>,
}

impl Decoders {
    pub fn new(slots: usize) -> Self {
        Decoders {
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// The process's decoders: one slot per core.
    pub fn shared() -> &'static Decoders {
        static SHARED: LazyLock<Decoders> = LazyLock::new(|| {
            Decoders::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
        });
        &SHARED
    }

    /// Slots free now.
    pub fn available(&self) -> usize {
        self.slots.available_permits()
    }

    /// Runs `work` on the blocking pool once a slot is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work()
        })
        .await
        .map_err(AppError::internal)
    }

    /// Re-encodes the photos of one upload, each in a slot of its own, and
    /// stops at the first refused one.
    pub async fn reencode_all(
        &self,
        files: Vec<impl AsRef<[u8]> + Send + 'static>,
    ) -> Result<Result<Vec<Encoded>, PhotoProblem>, AppError> {
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            match self.run(move || reencode(file.as_ref())).await? {
                Ok(e) => out.push(e),
                Err(problem) => return Ok(Err(problem)),
            }
        }
        Ok(Ok(out))
    }
}

/// Uploads reading their photos at once, in the whole process. Each holds up
/// to 4 × [`MAX_UPLOAD_BYTES`] (40 MiB) while it reads: without a bound, 30
/// uploads at once held 1.2 GB before any decode slot was asked for; eight
/// hold at most 320 MiB, and a desk's staff rarely send more than a couple
/// at a time.
pub const UPLOAD_PERMITS: usize = 8;

/// The permits to read an upload's photos ([`UPLOAD_PERMITS`]). One is taken
/// before the first byte of the body is read and kept until the photos are
/// stored or refused.
#[derive(Clone)]
pub struct Uploads {
    permits: Arc<Semaphore>,
}

impl Uploads {
    pub fn new(permits: usize) -> Self {
        Uploads {
            permits: Arc::new(Semaphore::new(permits.max(1))),
        }
    }

    /// The process's uploads.
    pub fn shared() -> &'static Uploads {
        static SHARED: LazyLock<Uploads> = LazyLock::new(|| Uploads::new(UPLOAD_PERMITS));
        &SHARED
    }

    /// Permits free now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// A permit, waiting at most `wait` for one; `None` when every permit
    /// stayed taken (the uploader is told to try again).
    pub async fn enter(&self, wait: std::time::Duration) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(wait, self.permits.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// Photo places of tickets taken by uploads still decoding, so that the
/// count in the database plus these never passes [`MAX_PER_TICKET`]. The
/// database's check when the photos are stored stays the rule (and covers
/// several server processes); this keeps the decoding from being wasted on
/// photos that would be refused.
#[derive(Default)]
pub struct Reservations {
    held: Mutex<HashMap<i64, i64>>,
}

/// Places held on a ticket; given back when dropped (after the photos are
/// stored, or refused).
pub struct Reservation<'a> {
    owner: &'a Reservations,
    ticket_id: i64,
    count: i64,
    /// Places other uploads held when this one was taken.
    pub others: i64,
}

impl Reservations {
    /// The process's reservations.
    pub fn shared() -> &'static Reservations {
        static SHARED: LazyLock<Reservations> = LazyLock::new(Reservations::default);
        &SHARED
    }

    /// Holds `count` places on a ticket. Take it before reading how many
    /// photos the ticket has, then check with [`Reservation::fits`]: an upload
    /// that stored its photos gave its places back only after its commit, so
    /// each upload is counted by the other once at least.
    pub fn hold(&self, ticket_id: i64, count: i64) -> Reservation<'_> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let entry = held.entry(ticket_id).or_insert(0);
        let others = *entry;
        *entry += count;
        Reservation {
            owner: self,
            ticket_id,
            count,
            others,
        }
    }

    /// Places held on a ticket now.
    pub fn held(&self, ticket_id: i64) -> i64 {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get(&ticket_id).copied().unwrap_or(0)
    }
}

impl Reservation<'_> {
    /// Whether this upload's photos fit beside those stored (`stored`) and
    /// those other uploads are decoding.
    pub fn fits(&self, stored: i64) -> bool {
        stored + self.others + self.count <= MAX_PER_TICKET
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut held = self.owner.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = held.get_mut(&self.ticket_id) {
            *n -= self.count;
            if *n <= 0 {
                held.remove(&self.ticket_id);
            }
        }
    }
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

/// A PNG of one colour (black, grey scale) of any size, built without ever
/// holding its pixels: a literal 0, then "the same 258 bytes again" until the
/// rows are full. 12,000 × 12,000 is under a megabyte: the tests' small file
/// that claims to be enormous.
pub fn flat_png(width: u32, height: u32) -> Vec<u8> {
    /// Deflate's bit order: values least significant bit first, Huffman
    /// codes most significant bit first (RFC 1951 §3.1.1).
    struct Bits {
        out: Vec<u8>,
        acc: u8,
        n: u32,
    }
    impl Bits {
        fn bit(&mut self, b: u32) {
            self.acc |= ((b & 1) as u8) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc);
                self.acc = 0;
                self.n = 0;
            }
        }
        fn value(&mut self, v: u32, len: u32) {
            (0..len).for_each(|i| self.bit(v >> i));
        }
        fn code(&mut self, c: u32, len: u32) {
            (0..len).rev().for_each(|i| self.bit(c >> i));
        }
    }
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    // A filter byte (0) and one byte a pixel, every row: all zeros.
    let raw = u64::from(height) * (1 + u64::from(width));
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    bits.value(1, 1); // the last block
    bits.value(1, 2); // fixed Huffman codes
    let literal_zero = |b: &mut Bits| b.code(0x30, 8);
    literal_zero(&mut bits);
    let mut left = raw.saturating_sub(1);
    while left >= 258 {
        bits.code(0xC5, 8); // length code 285: 258 bytes
        bits.code(0, 5); // distance code 0: one byte back
        left -= 258;
    }
    (0..left).for_each(|_| literal_zero(&mut bits));
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc);
    }
    let mut zlib = vec![0x78, 0x01];
    zlib.extend_from_slice(&bits.out);
    // Adler-32 of zeros: a stays 1, b counts the bytes.
    zlib.extend_from_slice(&((((raw % 65_521) as u32) << 16) | 1).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(&data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    png
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

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

    #[test]
    fn a_flat_png_is_a_real_png() {
        let png = flat_png(300, 200);
        let img = image::load_from_memory(&png).expect("decodes");
        assert_eq!((img.width(), img.height()), (300, 200));
        assert!(img.to_luma8().pixels().all(|p| p.0 == [0]));
        // …and a photo the desk takes like any other.
        let e = reencode(&png).expect("a photo");
        assert_eq!((e.width, e.height), (300, 200));
    }

    #[test]
    fn a_12000_by_12000_photo_is_too_big_and_never_decoded() {
        let png = flat_png(12_000, 12_000);
        assert!(
            png.len() < 1024 * 1024,
            "small on disk: {} bytes",
            png.len()
        );
        assert_eq!(reencode(&png).err(), Some(PhotoProblem::TooManyPixels));
        // The same header in front of pixels that are not there: a decode
        // would fail as "not an image"; the header alone refuses it.
        let header_only = &png[..8 + 25 + 8 + 64];
        assert_eq!(
            reencode(header_only).err(),
            Some(PhotoProblem::TooManyPixels)
        );
        // Just over the cap, and a thin strip longer than any photo's side.
        for (w, h) in [(8_000, 5_001), (12_001, 10)] {
            assert_eq!(
                reencode(&flat_png(w, h)).err(),
                Some(PhotoProblem::TooManyPixels),
                "{w} × {h}"
            );
        }
        assert!(reencode(&flat_png(8_000, 5_000)).is_ok(), "40 MP exactly");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn decodes_run_a_few_at_a_time() {
        let decoders = Decoders::new(2);
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (decoders, now, most) = (decoders.clone(), now.clone(), most.clone());
                tokio::spawn(async move {
                    decoders
                        .run(move || {
                            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(running, Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_millis(30));
                            now.fetch_sub(1, Ordering::SeqCst);
                        })
                        .await
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("ran");
        }
        assert_eq!(most.load(Ordering::SeqCst), 2, "two slots, eight decodes");
        assert_eq!(decoders.available(), 2, "every slot given back");
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(Decoders::shared().available(), cores, "one slot per core");
    }

    #[tokio::test]
    async fn eight_uploads_read_at_once_and_a_ninth_waits_for_one_to_end() {
        assert_eq!(UPLOAD_PERMITS, 8);
        assert_eq!(Uploads::shared().available(), UPLOAD_PERMITS);
        let uploads = Uploads::new(UPLOAD_PERMITS);
        let wait = std::time::Duration::from_millis(20);
        let mut reading = Vec::new();
        for _ in 0..UPLOAD_PERMITS {
            reading.push(uploads.enter(wait).await.expect("a permit"));
        }
        assert_eq!(uploads.available(), 0);
        assert!(
            uploads.enter(wait).await.is_none(),
            "the ninth is turned away"
        );
        drop(reading.pop());
        assert!(
            uploads.enter(wait).await.is_some(),
            "one ended: the next reads"
        );
        drop(reading);
        assert_eq!(
            uploads.available(),
            UPLOAD_PERMITS,
            "every permit given back"
        );
    }

    #[test]
    fn a_tickets_places_are_held_while_its_uploads_decode() {
        let places = Reservations::default();
        // A ticket with 10 photos: one upload of 2 fits, a second of 1 does not.
        let first = places.hold(7, 2);
        assert!(first.fits(10));
        let second = places.hold(7, 1);
        assert!(!second.fits(10), "12 stored or decoding already");
        drop(second);
        assert_eq!(places.held(7), 2);
        // Another ticket is not affected.
        assert!(places.hold(8, MAX_PER_TICKET).fits(0));
        drop(first);
        assert_eq!(places.held(7), 0);
        assert_eq!(places.held(8), 0);
    }
}
