//! The PNG backend: plotters' bitmap backend with its own text rasteriser.
//!
//! plotters 0.3.7 draws each glyph of a bitmap text with the left edge of its ink at the pen
//! position, ignoring the glyph's left side bearing. For CJK punctuation whose ink sits right of
//! centre (`（` has a bearing of 0.7 em, `《` and `“` similar) that leaves a visible hole after
//! it. This wrapper delegates every drawing call to [`BitMapBackend`] except text, which it lays
//! out with `ab_glyph` at the real glyph positions, and places like a browser places plotters'
//! SVG `<text>` (`dy` = 0.76 em for top, ±0.5 ex for centre/bottom, `text-anchor`, and the
//! same rotations), so PNG and SVG agree.

use super::font::FONT_BYTES;
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontTransform,
};
use std::sync::OnceLock;

/// x-height of the bundled font (OS/2 sxHeight 543 of 1000 units): a browser's `ex`.
const X_HEIGHT_EM: f32 = 0.543;

fn font() -> Option<&'static FontRef<'static>> {
    static F: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    F.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// Bitmap backend with bearing-correct text (see the module doc).
pub struct PngBackend<'a> {
    inner: BitMapBackend<'a>,
}

impl<'a> PngBackend<'a> {
    /// Draws into an RGB8 buffer of `size` pixels.
    pub fn with_buffer(buf: &'a mut [u8], size: (u32, u32)) -> Self {
        PngBackend {
            inner: BitMapBackend::with_buffer(buf, size),
        }
    }
}

type E<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> DrawingBackend for PngBackend<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), E<'a>> {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), E<'a>> {
        self.inner.present()
    }
    fn draw_pixel(&mut self, p: BackendCoord, c: BackendColor) -> Result<(), E<'a>> {
        self.inner.draw_pixel(p, c)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), E<'a>> {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        ul: BackendCoord,
        br: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), E<'a>> {
        self.inner.draw_rect(ul, br, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), E<'a>> {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        c: BackendCoord,
        r: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), E<'a>> {
        self.inner.draw_circle(c, r, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), E<'a>> {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), E<'a>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), E<'a>> {
        let color = style.color();
        let Some(font) = font() else {
            return self.inner.draw_text(text, style, pos);
        };
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let size = style.size() as f32;
        let scale = PxScale::from(size);
        let sf = font.as_scaled(scale);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut x = 0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = sf.glyph_id(c);
            if let Some(p) = prev {
                x += sf.kern(p, id);
            }
            glyphs.push((id, x));
            x += sf.h_advance(id);
            prev = Some(id);
        }
        // Em size as plotters' SVG writes it: font-size = size / 1.24.
        let em = size / 1.24;
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -x / 2.0,
            HPos::Right => -x,
        };
        let base = match anchor.v_pos {
            VPos::Top => 0.76 * em,
            VPos::Center => 0.5 * X_HEIGHT_EM * em,
            VPos::Bottom => -0.5 * X_HEIGHT_EM * em,
        };
        let trans = style.transform();
        let (w, h) = self.get_size();
        let mut failed: Option<E<'a>> = None;
        for (id, gx) in glyphs {
            let g = id.with_scale_and_position(scale, point(dx + gx, base));
            let Some(o) = font.outline_glyph(g) else {
                continue;
            };
            let b = o.px_bounds();
            o.draw(|px, py, cov| {
                if failed.is_some() || cov <= 0.0 {
                    return;
                }
                let ux = (b.min.x + px as f32).round() as i32;
                let uy = (b.min.y + py as f32).round() as i32;
                let (rx, ry) = match trans {
                    FontTransform::Rotate90 => (-uy, ux),
                    FontTransform::Rotate180 => (-ux, -uy),
                    FontTransform::Rotate270 => (uy, -ux),
                    _ => (ux, uy),
                };
                let (ax, ay) = (pos.0 + rx, pos.1 + ry);
                if ax >= 0 && ay >= 0 && (ax as u32) < w && (ay as u32) < h {
                    let c = BackendColor {
                        alpha: color.alpha * f64::from(cov.min(1.0)),
                        rgb: color.rgb,
                    };
                    if let Err(e) = self.inner.draw_pixel((ax, ay), c) {
                        failed = Some(e);
                    }
                }
            });
            if let Some(e) = failed {
                return Err(e);
            }
        }
        Ok(())
    }
}
