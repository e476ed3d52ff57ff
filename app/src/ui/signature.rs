//! A signature drawn with a finger or a mouse on a canvas, sent with its form
//! as a PNG data URL in a hidden field. Without the WebAssembly (before it
//! loads, or with JavaScript off) nothing can be drawn: the forms that use it
//! offer "signed on paper" beside it.

use leptos::prelude::*;

use super::FieldNotes;
use crate::i18n::use_i18n;

#[component]
pub fn SignaturePad(
    #[prop(into)] label: String,
    name: &'static str,
    /// Prefix of the canvas's id, when a page holds two pads.
    #[prop(default = "")]
    scope: &'static str,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let data = RwSignal::new(String::new());
    let id = format!("f-{scope}{name}");
    let error_id = format!("{id}-error");
    // A canvas is not labelable: the label names it through aria-labelledby.
    let label_id = format!("{id}-label");
    #[cfg(feature = "hydrate")]
    let pad = pad::Pad::new(canvas, data);
    #[cfg(not(feature = "hydrate"))]
    let pad = pad::Pad;
    view! {
        <div class="field signature">
            <label id=label_id.clone()>{label}</label>
            <canvas
                id=id
                aria-labelledby=label_id
                node_ref=canvas
                class="signature-pad"
                width="600"
                height="200"
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=error_id.clone()
                on:pointerdown=move |ev| pad.down(ev)
                on:pointermove=move |ev| pad.moved(ev)
                on:pointerup=move |_| pad.up()
                on:pointerleave=move |_| pad.up()
            ></canvas>
            <input type="hidden" name=name prop:value=move || data.get() />
            <button type="button" class="link" on:click=move |_| pad.clear()>{i18n.t("common.clear_signature")}</button>
            <FieldNotes hint=None hint_id=String::new() error_id error />
        </div>
    }
}

#[cfg(not(feature = "hydrate"))]
mod pad {
    /// On the server the pad does nothing: it is drawn only in the browser.
    #[derive(Clone, Copy)]
    pub struct Pad;

    impl Pad {
        pub fn down(&self, _: leptos::ev::PointerEvent) {}
        pub fn moved(&self, _: leptos::ev::PointerEvent) {}
        pub fn up(&self) {}
        pub fn clear(&self) {}
    }
}

#[cfg(feature = "hydrate")]
mod pad {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::CanvasRenderingContext2d;

    #[derive(Clone, Copy)]
    pub struct Pad {
        canvas: NodeRef<leptos::html::Canvas>,
        data: RwSignal<String>,
        drawing: StoredValue<bool>,
    }

    impl Pad {
        pub fn new(canvas: NodeRef<leptos::html::Canvas>, data: RwSignal<String>) -> Pad {
            Pad {
                canvas,
                data,
                drawing: StoredValue::new(false),
            }
        }

        fn context(&self) -> Option<(web_sys::HtmlCanvasElement, CanvasRenderingContext2d)> {
            let canvas = self.canvas.get_untracked()?;
            let ctx = canvas
                .get_context("2d")
                .ok()??
                .dyn_into::<CanvasRenderingContext2d>()
                .ok()?;
            Some((canvas, ctx))
        }

        /// The pointer's place in the canvas's own pixels (it is drawn scaled).
        fn at(canvas: &web_sys::HtmlCanvasElement, ev: &leptos::ev::PointerEvent) -> (f64, f64) {
            let shown = f64::from(canvas.client_width().max(1));
            let high = f64::from(canvas.client_height().max(1));
            (
                f64::from(ev.offset_x()) * f64::from(canvas.width()) / shown,
                f64::from(ev.offset_y()) * f64::from(canvas.height()) / high,
            )
        }

        pub fn down(&self, ev: leptos::ev::PointerEvent) {
            let Some((canvas, ctx)) = self.context() else {
                return;
            };
            ev.prevent_default();
            let _ = canvas.set_pointer_capture(ev.pointer_id());
            let (x, y) = Self::at(&canvas, &ev);
            ctx.set_line_width(3.0);
            ctx.set_line_cap("round");
            ctx.set_line_join("round");
            ctx.set_stroke_style_str("#111");
            ctx.begin_path();
            ctx.move_to(x, y);
            ctx.line_to(x + 0.1, y + 0.1);
            ctx.stroke();
            self.drawing.set_value(true);
        }

        pub fn moved(&self, ev: leptos::ev::PointerEvent) {
            if !self.drawing.get_value() {
                return;
            }
            let Some((canvas, ctx)) = self.context() else {
                return;
            };
            let (x, y) = Self::at(&canvas, &ev);
            ctx.line_to(x, y);
            ctx.stroke();
        }

        pub fn up(&self) {
            if !self.drawing.get_value() {
                return;
            }
            self.drawing.set_value(false);
            if let Some((canvas, _)) = self.context() {
                if let Ok(url) = canvas.to_data_url() {
                    self.data.set(url);
                }
            }
        }

        pub fn clear(&self) {
            if let Some((canvas, ctx)) = self.context() {
                ctx.clear_rect(
                    0.0,
                    0.0,
                    f64::from(canvas.width()),
                    f64::from(canvas.height()),
                );
            }
            self.data.set(String::new());
        }
    }
}
