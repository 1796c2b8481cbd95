//! Thumbnails (≤ 256 px) made once at save time, so the gallery never decodes
//! full images.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions, OffscreenCanvas,
    OffscreenCanvasRenderingContext2d, ResizeQuality,
};

/// Longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIZE: u32 = 256;

/// Thumbnail size for an image, keeping its aspect ratio (pure).
pub fn thumbnail_size(width: u32, height: u32) -> (u32, u32) {
    let longest = width.max(height).max(1);
    if longest <= THUMBNAIL_SIZE {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(THUMBNAIL_SIZE) / u64::from(longest)) as u32).max(1)
    };
    (scale(width), scale(height))
}

/// Scales `image` down to a WebP thumbnail in the browser.
pub async fn make_thumbnail(
    image: &Blob,
    width: u32,
    height: u32,
) -> Result<Blob, wasm_bindgen::JsValue> {
    let (w, h) = thumbnail_size(width, height);
    reencode(image, w, h, "image/webp").await
}

/// The same picture as PNG (the one image type every clipboard accepts).
pub async fn to_png(image: &Blob, width: u32, height: u32) -> Result<Blob, wasm_bindgen::JsValue> {
    reencode(image, width, height, "image/png").await
}

/// A reference image made smaller: PNG stays PNG (it may be transparent),
/// anything else becomes JPEG.
pub async fn downscale(
    image: &Blob,
    w: u32,
    h: u32,
    png: bool,
) -> Result<Blob, wasm_bindgen::JsValue> {
    reencode(image, w, h, if png { "image/png" } else { "image/jpeg" }).await
}

/// Decodes `image`, scales it to `w`×`h` and encodes it as `mime`.
async fn reencode(image: &Blob, w: u32, h: u32, mime: &str) -> Result<Blob, wasm_bindgen::JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let options = ImageBitmapOptions::new();
    options.set_resize_width(w);
    options.set_resize_height(h);
    options.set_resize_quality(ResizeQuality::High);
    let bitmap: ImageBitmap = JsFuture::from(
        window.create_image_bitmap_with_blob_and_image_bitmap_options(image, &options)?,
    )
    .await?
    .dyn_into()?;
    let canvas = OffscreenCanvas::new(w, h)?;
    let context: OffscreenCanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or("no 2d context")?
        .dyn_into()?;
    context.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0)?;
    bitmap.close();
    let encode = ImageEncodeOptions::new();
    encode.set_type(mime);
    encode.set_quality(0.8);
    JsFuture::from(canvas.convert_to_blob_with_options(&encode)?)
        .await?
        .dyn_into()
}
