//! Photos as files: what arrives is checked by its content (never its name), decoded within
//! limits, turned upright, scaled down, encoded again — which leaves behind every byte of
//! metadata the phone wrote (EXIF, GPS) — and stored with a thumbnail under
//! `uploads.dir`, each file named by the SHA-256 of its bytes. Decoding is CPU- and
//! memory-heavy, so at most [`DECODES`] run at once: the server's memory stays bounded
//! however many uploads arrive together.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits};
use roundtable_core::photo::MediaType;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

/// Photos decoded at the same time (one per core of the machine this was sized on).
pub const DECODES: usize = 2;
/// The longer side of a stored photo: enough to read a meter or a crack, far less than a
/// phone's 4000–8000 pixels.
pub const STORED_SIDE: u32 = 2560;
/// The longer side of a thumbnail.
pub const THUMB_SIDE: u32 = 320;
const JPEG_QUALITY: u8 = 85;

/// Why an upload is not a photo we keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    #[error("a photo may be at most {limit} bytes")]
    TooLarge { limit: usize },
    #[error("this is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error(
        "HEIC photos are not accepted: send it as JPEG (the phone's “most compatible” setting, or share it to the browser)"
    )]
    Heic,
    #[error("the image is {width} × {height} pixels; at most {limit} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("the image is damaged or incomplete")]
    Damaged,
}

impl PhotoError {
    /// Its code in a field problem and in the locale files (`photo.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::TooLarge { .. } => "too_large",
            PhotoError::NotAnImage => "not_an_image",
            PhotoError::Heic => "heic",
            PhotoError::TooManyPixels { .. } => "too_many_pixels",
            PhotoError::Damaged => "damaged",
        }
    }
}

/// A photo made ready to store: cleaned bytes and thumbnail, with their hashes.
#[derive(Clone)]
pub struct Cleaned {
    pub bytes: Vec<u8>,
    pub thumb: Vec<u8>,
    pub media_type: MediaType,
    pub width: u32,
    pub height: u32,
    pub hash: String,
    pub thumb_hash: String,
}

impl std::fmt::Debug for Cleaned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cleaned").field("hash", &self.hash).field("size", &self.bytes.len()).finish_non_exhaustive()
    }
}

/// ISO-BMFF brands of HEIF/HEIC files (what iPhones write), told apart so the refusal can
/// say what to do instead.
fn is_heic(raw: &[u8]) -> bool {
    raw.len() >= 12
        && &raw[4..8] == b"ftyp"
        && [b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"].iter().any(|b| &raw[8..12] == *b)
}

fn damaged_or_limit(e: ImageError, width: u32, height: u32, limit: u64) -> PhotoError {
    match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels { width, height, limit },
        ImageError::Unsupported(_) => PhotoError::NotAnImage,
        _ => PhotoError::Damaged,
    }
}

/// Checks and cleans one upload. Blocking and CPU-bound: call it off the async threads,
/// holding a permit of [`PhotoStore::decoding`].
pub fn clean(raw: &[u8], max_pixels: u64) -> Result<Cleaned, PhotoError> {
    let format = match image::guess_format(raw) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP)) => f,
        _ if is_heic(raw) => return Err(PhotoError::Heic),
        _ => return Err(PhotoError::NotAnImage),
    };
    let mut reader = ImageReader::with_format(Cursor::new(raw), format);
    let mut limits = Limits::default();
    // Four bytes a pixel: RGBA8, or RGB16 rounded down — a deep PNG gets fewer pixels.
    limits.max_alloc = Some(max_pixels.saturating_mul(4));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| damaged_or_limit(e, 0, 0, max_pixels))?;
    let (width, height) = decoder.dimensions();
    // Refused from the header alone: a 20,000 × 20,000 "bomb" is never decoded.
    if u64::from(width) * u64::from(height) > max_pixels || decoder.total_bytes() > max_pixels.saturating_mul(4) {
        return Err(PhotoError::TooManyPixels { width, height, limit: max_pixels });
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(|e| damaged_or_limit(e, width, height, max_pixels))?;
    // Scaled first, turned second: turning the smaller image costs less. Averaging areas
    // (`thumbnail`) writes straight into the smaller image; a filtered resize would first
    // make a float copy four times the decoded size (measured: 280 MiB for 24 megapixels).
    let mut img = if width.max(height) > STORED_SIDE { decoded.thumbnail(STORED_SIDE, STORED_SIDE) } else { decoded };
    img.apply_orientation(orientation);
    // A PNG (a screenshot, a drawing) stays lossless; a photo becomes a JPEG.
    let media_type = if format == ImageFormat::Png { MediaType::Png } else { MediaType::Jpeg };
    let bytes = encode(&img, media_type)?;
    let thumb = encode(&img.thumbnail(THUMB_SIDE, THUMB_SIDE), MediaType::Jpeg)?;
    Ok(Cleaned {
        hash: hex::encode(Sha256::digest(&bytes)),
        thumb_hash: hex::encode(Sha256::digest(&thumb)),
        width: img.width(),
        height: img.height(),
        bytes,
        thumb,
        media_type,
    })
}

fn encode(img: &DynamicImage, media_type: MediaType) -> Result<Vec<u8>, PhotoError> {
    let mut out = Cursor::new(Vec::new());
    let done = match media_type {
        MediaType::Jpeg => img.to_rgb8().write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)),
        // Eight bits a channel; the alpha channel only where there is one.
        MediaType::Png if img.color().has_alpha() => img.to_rgba8().write_to(&mut out, ImageFormat::Png),
        MediaType::Png => img.to_rgb8().write_to(&mut out, ImageFormat::Png),
    };
    done.map_err(|_| PhotoError::Damaged)?;
    Ok(out.into_inner())
}

/// The directory of photo files, and the permits to decode.
pub struct PhotoStore {
    dir: PathBuf,
    decoding: Semaphore,
}

impl PhotoStore {
    pub fn new(dir: PathBuf) -> Self {
        PhotoStore { dir, decoding: Semaphore::new(DECODES) }
    }

    /// Cleans an upload when a decoding permit is free.
    pub async fn clean(&self, raw: Vec<u8>, max_pixels: u64) -> Result<Cleaned, crate::error::ApiError> {
        let _permit = self.decoding.acquire().await.map_err(|e| crate::error::ApiError::Internal(e.to_string()))?;
        let done = tokio::task::spawn_blocking(move || clean(&raw, max_pixels)).await;
        match done {
            Ok(cleaned) => cleaned.map_err(crate::error::ApiError::from),
            Err(e) => Err(crate::error::ApiError::Internal(format!("cleaning a photo failed: {e}"))),
        }
    }

    /// `dir/ab/abcdef…`: two levels, so no directory grows past a few thousand files.
    pub fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(&hash[..2.min(hash.len())]).join(hash)
    }

    /// Writes a file unless one with this content is there already; on disk (synced)
    /// before the row naming it is committed, so an acknowledged photo survives a crash.
    pub async fn put(&self, hash: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let path = self.path(hash);
        tokio::task::spawn_blocking(move || write_once(&path, &bytes)).await.map_err(std::io::Error::other)?
    }

    /// [`PhotoStore::put`] on this thread (for the command line, which has no runtime).
    pub fn put_now(&self, hash: &str, bytes: &[u8]) -> std::io::Result<()> {
        write_once(&self.path(hash), bytes)
    }

    pub async fn get(&self, hash: &str) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(hash)).await
    }

    /// Removes a file nobody uses any more (a missing one is no error).
    pub async fn remove(&self, hash: &str) {
        if let Err(e) = tokio::fs::remove_file(self.path(hash)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(%hash, error = %e, "could not remove a photo file");
        }
    }
}

/// A `multipart/form-data` body read: its text fields and its cleaned photos — or, if a
/// photo was refused, why (the text fields before it are kept, so a page can show its
/// form again as typed).
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub photos: Vec<Cleaned>,
    pub refused: Option<crate::error::ApiError>,
}

impl Upload {
    /// The photos, or the refusal (the API's view: one bad photo fails the request).
    pub fn photos(self) -> Result<Vec<Cleaned>, crate::error::ApiError> {
        match self.refused {
            Some(e) => Err(e),
            None => Ok(self.photos),
        }
    }
}

/// The body limit of a route that takes photos: six of the largest, and the form around.
pub fn body_limit(max_bytes: usize) -> usize {
    max_bytes.saturating_mul(roundtable_core::photo::MAX_PER_NOTE).saturating_add(1 << 20)
}

/// The name of the parts that hold photos.
pub const PHOTO_PART: &str = "photo";
const MAX_TEXT: usize = 16 * 1024;

/// Reads a multipart body part by part, so that at most one photo's bytes are held before
/// cleaning. A photo part larger than `uploads.max_bytes` is refused as soon as it is seen
/// to be; text fields obey the same rule for control characters as every other input.
/// `gate` is the pages' CSRF check: it sees the text fields read so far and must pass
/// before the first photo is read (the form puts its token first).
pub async fn read_upload(
    state: &crate::state::AppState,
    mut multipart: axum::extract::Multipart,
    gate: impl Fn(&[(String, String)]) -> Result<(), crate::error::ApiError>,
) -> Result<Upload, crate::error::ApiError> {
    use crate::error::ApiError;
    let broken = |e: axum::extract::multipart::MultipartError| match e.status().as_u16() {
        413 => ApiError::TooLarge,
        _ => ApiError::BadRequest(format!("the form could not be read: {}", e.body_text())),
    };
    let (max_bytes, max_pixels) = (state.config.uploads.max_bytes, state.config.uploads.max_pixels);
    let mut out = Upload::default();
    let mut gated = false;
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != PHOTO_PART && field.file_name().is_some() {
            // A client that names its part `file` or `image` hears where photos go,
            // rather than that its JPEG is not UTF-8 text.
            return Err(ApiError::field(
                &name,
                "not_a_photo_part",
                format!("`{name}` holds a file: photos go in parts named `{PHOTO_PART}`"),
            ));
        }
        if name != PHOTO_PART {
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(broken)? {
                text.extend_from_slice(&chunk);
                if text.len() > MAX_TEXT {
                    return Err(ApiError::field(&name, "too_long", format!("`{name}` is too long")));
                }
            }
            let text = String::from_utf8(text)
                .map_err(|_| ApiError::field(&name, "not_utf8", format!("`{name}` is not UTF-8 text")))?;
            if let Some(c) =
                roundtable_core::text::forbidden_char(&text).or(roundtable_core::text::forbidden_char(&name))
            {
                return Err(crate::input::refusal(&name, c));
            }
            out.fields.push((name, text));
            continue;
        }
        if !gated {
            gate(&out.fields)?;
            gated = true;
        }
        let mut raw = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            if raw.len() + chunk.len() > max_bytes {
                // Nothing more is read: the rest of the body is not waited for.
                out.refused = Some(PhotoError::TooLarge { limit: max_bytes }.into());
                return Ok(out);
            }
            raw.extend_from_slice(&chunk);
        }
        // A file input left empty still sends its (empty) part.
        if raw.is_empty() {
            continue;
        }
        if out.photos.len() == roundtable_core::photo::MAX_PER_NOTE {
            out.refused = Some(ApiError::field(
                "photos",
                "too_many",
                format!("at most {} photos go with one note", roundtable_core::photo::MAX_PER_NOTE),
            ));
            return Ok(out);
        }
        match state.photos.clean(raw, max_pixels).await {
            Ok(cleaned) => out.photos.push(cleaned),
            Err(e) => {
                out.refused = Some(e);
                return Ok(out);
            }
        }
    }
    if !gated {
        gate(&out.fields)?;
    }
    Ok(out)
}

fn write_once(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if path.exists() {
        return Ok(());
    }
    let dir = path.parent().ok_or_else(|| std::io::Error::other("a photo path has a directory"))?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{}.tmp", uuid::Uuid::now_v7().simple()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    // The rename itself is durable once the directory is synced.
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_photo_is_cleaned_by_content_and_bad_ones_are_named() {
        let ok = clean(&png(40, 30), 1_000_000).unwrap();
        assert_eq!((ok.width, ok.height, ok.media_type), (40, 30, MediaType::Png));
        assert!(image::load_from_memory(&ok.thumb).is_ok());
        assert_eq!(clean(b"<?php system($_GET['c']); ?>", 1_000_000).unwrap_err(), PhotoError::NotAnImage);
        let mut heic = vec![0, 0, 0, 24];
        heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
        assert_eq!(clean(&heic, 1_000_000).unwrap_err(), PhotoError::Heic);
        let whole = png(64, 64);
        assert_eq!(clean(&whole[..whole.len() / 2], 1_000_000).unwrap_err(), PhotoError::Damaged);
        assert_eq!(
            clean(&png(100, 100), 5_000).unwrap_err(),
            PhotoError::TooManyPixels { width: 100, height: 100, limit: 5_000 }
        );
    }

    /// A JPEG whose EXIF says "turn me a quarter to the right" and which carries a GPS note.
    fn phone_jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(60, 20, |x, _| image::Rgb([(x * 4) as u8, 0, 0]));
        let mut plain = Cursor::new(Vec::new());
        img.write_with_encoder(JpegEncoder::new_with_quality(&mut plain, 90)).unwrap();
        let plain = plain.into_inner();
        // TIFF, big-endian: one IFD entry, Orientation (0x0112) = 6, then the "GPS" text.
        let mut tiff = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
        tiff.extend_from_slice(b"GPS 36.1234N 112.8567E");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_phone_photo_is_turned_upright_and_keeps_no_metadata() {
        let raw = phone_jpeg();
        let needle = b"112.8567E";
        assert!(raw.windows(needle.len()).any(|w| w == needle), "the test photo carries its GPS note");
        let ok = clean(&raw, 1_000_000).unwrap();
        assert_eq!((ok.width, ok.height, ok.media_type), (20, 60, MediaType::Jpeg), "turned as EXIF said");
        for bytes in [&ok.bytes, &ok.thumb] {
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "the GPS note is gone");
            assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF segment at all");
        }
    }

    #[test]
    fn a_large_photo_is_scaled_down_to_the_stored_side() {
        let ok = clean(&png(STORED_SIDE + 400, 100), 10_000_000).unwrap();
        assert_eq!(ok.width, STORED_SIDE);
        let thumb = image::load_from_memory(&ok.thumb).unwrap();
        assert!(thumb.width() <= THUMB_SIDE && thumb.height() <= THUMB_SIDE);
    }
}
