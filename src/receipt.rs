//! Receipts: templates laid out by display width and encoded as ESC/POS bytes.
//! Template (`receipts/*.tpl`) + values from a case -> laid-out lines -> bytes or a screen preview.
//!
//! ```text
//! let templates = Templates::load(config_dir)?;           // at start-up: a broken template stops here
//! let receipt = receipt::acceptance(&case, &ctx, &templates);
//! devices::printer::print(&spec, &receipt::to_escpos(&receipt))?;   // or to_text(&receipt) on screen
//! ```

mod binding;
mod encode;
mod layout;
pub mod names;
mod template;

pub use binding::{
    acceptance, amount_in_words, anchor_on_paper, daily_summary, disbursement, DailyFund, DailySummary, Paper,
    PaperError, ReceiptContext,
};
pub use encode::{printable, to_escpos, Charset, MemoryDriver, FEED_BEFORE_CUT};
pub use layout::{char_columns, columns_of, wrap};
pub use template::{
    check, clean, Align, Item, QrLevel, ReceiptKind, Schema, Size, Template, TemplateError, TemplateErrors, Templates,
    Values, QR_MODULE_DEFAULT,
};

/// One printed line of a receipt, already fitted to the paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Text no wider than the paper at its size (double size counts twice).
    Text { text: String, align: Align, bold: bool, size: Size },
    /// A QR code, printed centred.
    Qr { data: String, module: u8, level: QrLevel },
    /// Blank paper, in lines.
    Feed(u8),
}

/// A receipt laid out for one paper width, ready to print or to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    kind: ReceiptKind,
    columns: usize,
    charset: Charset,
    lines: Vec<Line>,
    substituted: Vec<char>,
}

impl Receipt {
    /// Fills `template` with `values` and lays it out `paper` wide.
    pub fn render(template: &Template, values: &Values, paper: Paper, charset: Charset) -> Receipt {
        let columns = paper.columns();
        let mut substituted = Vec::new();
        let lines = layout::lay_out(template.expand(values), columns, charset, &mut substituted);
        Receipt { kind: template.kind(), columns, charset, lines, substituted }
    }

    pub fn kind(&self) -> ReceiptKind {
        self.kind
    }

    /// The paper's width in half-width columns.
    pub fn columns(&self) -> usize {
        self.columns
    }

    pub fn charset(&self) -> Charset {
        self.charset
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Characters the printer cannot print, shown as `[U+XXXX]` on the paper:
    /// the clerk should write them in by hand (tell them so on screen).
    pub fn substituted(&self) -> &[char] {
        &self.substituted
    }
}

/// The receipt as plain lines, each no wider than the paper: the on-screen
/// preview when there is no printer (`none`) or while a receipt is pending.
pub fn to_text(receipt: &Receipt) -> Vec<String> {
    let columns = receipt.columns;
    let place = |text: &str, align: Align, width: usize| -> String {
        let free = columns.saturating_sub(width);
        let pad = match align {
            Align::Left => 0,
            Align::Center => free / 2,
            Align::Right => free,
        };
        format!("{}{}", " ".repeat(pad), text)
    };
    let mut out = Vec::new();
    for line in &receipt.lines {
        match line {
            Line::Text { text, align, size, .. } => {
                let width = columns_of(text) * size.width_factor();
                out.push(place(text, *align, width));
            }
            // The template prints what the code holds under it when it wants to.
            Line::Qr { .. } => out.push(place("[二维码]", Align::Center, 8)),
            Line::Feed(n) => out.extend(std::iter::repeat_n(String::new(), usize::from(*n))),
        }
    }
    out
}
