//! Receipt templates: the small line-based format of `receipts/*.tpl` (see
//! `receipts/README.md`), checked against each receipt's fields when loaded.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The receipts the counter prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// 受理回执: what the person takes home when the window accepts a case.
    Acceptance,
    /// 发放回执: the person's proof that the assistance was paid.
    Disbursement,
    /// 日汇总: the window's day, for the supervisor.
    DailySummary,
}

/// The fields a template may use: scalars by name, and lists whose items are
/// written `{item}` and `{item.FIELD}` inside `[each LIST] … [end]`.
#[derive(Debug)]
pub struct Schema {
    pub fields: &'static [&'static str],
    pub lists: &'static [(&'static str, &'static [&'static str])],
}

static ACCEPTANCE: Schema = Schema {
    fields: &[
        "town_name",
        "centre_name",
        "window",
        "centre_phone",
        "complaint_phone",
        "clerk",
        "reprint",
        "wide",
        "case_id",
        "applicant_name",
        "id_masked",
        "kind",
        "channel",
        "department",
        "received_at",
        "due_by",
        "ticket",
    ],
    lists: &[("documents_owed", &[])],
};

static DISBURSEMENT: Schema = Schema {
    fields: &[
        "town_name",
        "centre_name",
        "window",
        "centre_phone",
        "complaint_phone",
        "clerk",
        "reprint",
        "wide",
        "case_id",
        "applicant_name",
        "id_masked",
        "kind",
        "state",
        "amount",
        "amount_in_words",
        "paid_at",
    ],
    lists: &[],
};

static DAILY_SUMMARY: Schema = Schema {
    fields: &[
        "town_name",
        "centre_name",
        "window",
        "centre_phone",
        "complaint_phone",
        "clerk",
        "reprint",
        "wide",
        "day",
        "received",
        "green",
        "open",
        "overdue",
        "disbursed_count",
        "disbursed_total",
        "fund_opening",
        "fund_inflows",
        "fund_outflows",
        "fund_closing",
        "fund_unbalanced",
    ],
    lists: &[("by_kind", &["count"]), ("by_state", &["count"])],
};

impl ReceiptKind {
    pub const ALL: [ReceiptKind; 3] = [ReceiptKind::Acceptance, ReceiptKind::Disbursement, ReceiptKind::DailySummary];

    /// The template's file name, in `receipts/` and in an override directory.
    pub fn file_name(self) -> &'static str {
        match self {
            ReceiptKind::Acceptance => "acceptance.tpl",
            ReceiptKind::Disbursement => "disbursement.tpl",
            ReceiptKind::DailySummary => "daily_summary.tpl",
        }
    }

    /// The shipped template, built into the binary.
    pub fn builtin_source(self) -> &'static str {
        match self {
            ReceiptKind::Acceptance => include_str!("../../receipts/acceptance.tpl"),
            ReceiptKind::Disbursement => include_str!("../../receipts/disbursement.tpl"),
            ReceiptKind::DailySummary => include_str!("../../receipts/daily_summary.tpl"),
        }
    }

    pub fn schema(self) -> &'static Schema {
        match self {
            ReceiptKind::Acceptance => &ACCEPTANCE,
            ReceiptKind::Disbursement => &DISBURSEMENT,
            ReceiptKind::DailySummary => &DAILY_SUMMARY,
        }
    }
}

/// One problem in a template file: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct TemplateError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// Every problem found while loading the templates, one per line when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateErrors(pub Vec<TemplateError>);

impl fmt::Display for TemplateErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TemplateErrors {}

/// Where a line sits on the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// Character size: double takes twice the columns and twice the height; tall only the height.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    #[default]
    Normal,
    Tall,
    Double,
}

impl Size {
    /// How many columns one column of text takes on the paper.
    pub fn width_factor(self) -> usize {
        match self {
            Size::Normal | Size::Tall => 1,
            Size::Double => 2,
        }
    }
}

/// QR error correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum QrLevel {
    L,
    #[default]
    M,
    Q,
    H,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub align: Align,
    pub bold: bool,
    pub size: Size,
    /// `left | right` on one line, the right part flush right.
    pub row: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Field(String),
}

type Parts = Vec<Part>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Text { style: Style, left: Parts, right: Option<Parts> },
    Rule(char),
    Qr { data: Parts, module: u8, level: QrLevel },
    Feed(u8),
    If { cond: String, negate: bool, then: Vec<Node>, otherwise: Vec<Node> },
    Each { list: String, body: Vec<Node> },
}

/// A checked template for one kind of receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    kind: ReceiptKind,
    file: String,
    nodes: Vec<Node>,
}

/// One item of a list: its text (`{item}`) and named fields (`{item.count}`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Item {
    pub text: String,
    pub fields: BTreeMap<&'static str, String>,
}

/// The values a receipt is filled with. Control characters are replaced by
/// spaces as values are set, so no value can smuggle a printer command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Values {
    scalars: BTreeMap<&'static str, String>,
    lists: BTreeMap<&'static str, Vec<Item>>,
}

/// Replaces control characters (ESC, GS, newlines…) with spaces.
pub fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

impl Values {
    pub fn set(&mut self, name: &'static str, value: impl AsRef<str>) -> &mut Values {
        self.scalars.insert(name, clean(value.as_ref()));
        self
    }

    pub fn set_list(&mut self, name: &'static str, items: Vec<Item>) -> &mut Values {
        let items = items
            .into_iter()
            .map(|i| Item { text: clean(&i.text), fields: i.fields.into_iter().map(|(k, v)| (k, clean(&v))).collect() })
            .collect();
        self.lists.insert(name, items);
        self
    }

    fn scalar(&self, name: &str) -> &str {
        self.scalars.get(name).map(String::as_str).unwrap_or("")
    }
}

impl Item {
    pub fn new(text: impl Into<String>) -> Item {
        Item { text: text.into(), fields: BTreeMap::new() }
    }

    pub fn with(mut self, field: &'static str, value: impl Into<String>) -> Item {
        self.fields.insert(field, value.into());
        self
    }

    fn get(&self, field: Option<&str>) -> &str {
        match field {
            None => &self.text,
            Some(f) => self.fields.get(f).map(String::as_str).unwrap_or(""),
        }
    }
}

/// What a template expands to before it is laid out on the paper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Text { style: Style, left: String, right: Option<String> },
    Rule(char),
    Qr { data: String, module: u8, level: QrLevel },
    Feed(u8),
}

const STYLE_WORDS: &str = "left, center, right, bold, double, tall, row";
const RULE_CHARS: [char; 4] = ['-', '=', '*', '_'];
/// Default QR module size in dots: a case id fits in about 30 modules, 180 dots.
pub const QR_MODULE_DEFAULT: u8 = 6;
const MAX_FEED: u8 = 20;
/// How deep [if …] and [each …] blocks may nest (a receipt needs two or three).
pub const MAX_NESTING: usize = 8;
/// The largest template file read (the shipped ones are about 1 KiB).
pub const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

struct Parser<'a> {
    kind: ReceiptKind,
    file: &'a str,
    errors: Vec<TemplateError>,
}

enum Open {
    If { cond: String, negate: bool, then: Vec<Node>, otherwise: Vec<Node>, in_else: bool, line: usize },
    Each { list: String, body: Vec<Node>, line: usize },
}

impl Open {
    fn target(&mut self) -> &mut Vec<Node> {
        match self {
            Open::If { then, otherwise, in_else, .. } => {
                if *in_else {
                    otherwise
                } else {
                    then
                }
            }
            Open::Each { body, .. } => body,
        }
    }
}

impl Parser<'_> {
    fn error(&mut self, line: usize, problem: impl Into<String>) {
        self.errors.push(TemplateError { file: self.file.to_string(), line, problem: problem.into() });
    }

    fn known_fields(&self, list: Option<&str>) -> String {
        let schema = self.kind.schema();
        let mut names: Vec<String> = schema.fields.iter().map(|f| f.to_string()).collect();
        names.extend(schema.lists.iter().map(|(l, _)| format!("{l} (a list)")));
        if let Some(l) = list {
            names.push("item".into());
            if let Some((_, item_fields)) = schema.lists.iter().find(|(n, _)| *n == l) {
                names.extend(item_fields.iter().map(|f| format!("item.{f}")));
            }
        }
        names.join(", ")
    }

    /// Is `name` usable here? `list` is the list of the enclosing `[each]`.
    fn check_field(&mut self, line: usize, name: &str, list: Option<&str>, scalar_only: bool) -> bool {
        let schema = self.kind.schema();
        let ok = if let Some(rest) = name.strip_prefix("item") {
            match (list, rest) {
                (Some(_), "") => true,
                (Some(l), r) if r.starts_with('.') => schema
                    .lists
                    .iter()
                    .find(|(n, _)| *n == l)
                    .is_some_and(|(_, item_fields)| item_fields.contains(&&r[1..])),
                _ => false,
            }
        } else {
            schema.fields.contains(&name) || (!scalar_only && schema.lists.iter().any(|(n, _)| *n == name))
        };
        if !ok {
            let what = if name == "item" || name.starts_with("item.") {
                if list.is_none() {
                    format!("{{{name}}} is only allowed inside [each LIST] … [end]")
                } else {
                    format!("'{name}' is not a field of the items of this list")
                }
            } else if schema.lists.iter().any(|(n, _)| *n == name) {
                format!("'{name}' is a list: print it with [each {name}] … {{item}} … [end]")
            } else {
                format!("unknown field '{name}'")
            };
            let known = self.known_fields(list);
            self.error(line, format!("{what}; the {} receipt knows: {known}", self.kind.file_name()));
        }
        ok
    }

    fn parts(&mut self, line: usize, text: &str, list: Option<&str>) -> Parts {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    let name = name.trim().to_string();
                    if !closed {
                        self.error(line, "a '{' is never closed with '}' (write '{{' for a literal brace)");
                    } else if name.is_empty() {
                        self.error(line, "an empty field '{}'");
                    } else if self.check_field(line, &name, list, true) {
                        if !lit.is_empty() {
                            parts.push(Part::Lit(std::mem::take(&mut lit)));
                        }
                        parts.push(Part::Field(name));
                    }
                }
                '}' => self.error(line, "a '}' without '{' (write '}}' for a literal brace)"),
                c if c.is_control() => self.error(line, format!("a control character U+{:04X}", u32::from(c))),
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        parts
    }

    fn parse(&mut self, source: &str) -> Vec<Node> {
        let mut root: Vec<Node> = Vec::new();
        let mut stack: Vec<Open> = Vec::new();
        for (i, raw) in source.lines().enumerate() {
            let line = i + 1;
            let raw = raw.replace('\t', "    ");
            let trimmed = raw.trim();
            if trimmed.starts_with('#') {
                continue;
            }
            let list = stack.iter().rev().find_map(|o| match o {
                Open::Each { list, .. } => Some(list.clone()),
                Open::If { .. } => None,
            });
            let node = if trimmed.is_empty() {
                Some(Node::Text { style: Style::default(), left: Vec::new(), right: None })
            } else if trimmed.chars().count() >= 3 && RULE_CHARS.iter().any(|r| trimmed.chars().all(|c| c == *r)) {
                trimmed.chars().next().map(Node::Rule)
            } else if let Some(after) = trimmed.strip_prefix('[') {
                let Some(close) = after.find(']') else {
                    self.error(line, "a '[' without ']' (write '\\[' to print a '[' at the start of a line)");
                    continue;
                };
                let words: Vec<&str> = after[..close].split_whitespace().collect();
                if matches!(words.first(), Some(&("if" | "each"))) && stack.len() >= MAX_NESTING {
                    // No deeper: the rest of the file is not read.
                    self.error(line, format!("blocks nested more than {MAX_NESTING} deep"));
                    return Vec::new();
                }
                // One space after ']' separates; more spaces print (an indent).
                let rest = after[close + 1..].trim_end();
                let rest = rest.strip_prefix(' ').unwrap_or(rest);
                self.directive(line, &words, rest, list.as_deref(), &mut stack)
            } else {
                // Leading spaces print; a backslash keeps a leading '[' or '#' literal.
                let text = match trimmed.strip_prefix('\\') {
                    Some(t) => t,
                    None => raw.trim_end(),
                };
                Some(Node::Text { style: Style::default(), left: self.parts(line, text, list.as_deref()), right: None })
            };
            if let Some(node) = node {
                match stack.last_mut() {
                    Some(open) => open.target().push(node),
                    None => root.push(node),
                }
            }
        }
        for open in stack {
            let (what, line) = match open {
                Open::If { line, .. } => ("[if …]", line),
                Open::Each { line, .. } => ("[each …]", line),
            };
            self.error(line, format!("{what} is never closed with [end]"));
        }
        root
    }

    fn directive(
        &mut self,
        line: usize,
        words: &[&str],
        rest: &str,
        list: Option<&str>,
        stack: &mut Vec<Open>,
    ) -> Option<Node> {
        let no_text = |p: &mut Self, w: &str| {
            if !rest.is_empty() {
                p.error(line, format!("[{w}] takes nothing after the ']'; put the text on the next line"));
            }
        };
        match words.first().copied() {
            Some("if") => {
                no_text(self, "if");
                let (negate, name) = match words {
                    [_, "not", name] => (true, *name),
                    [_, name] => (false, *name),
                    _ => {
                        self.error(line, "write [if FIELD] or [if not FIELD]");
                        return None;
                    }
                };
                // Still open the block on a bad field, so that its [end] matches.
                self.check_field(line, name, list, false);
                stack.push(Open::If {
                    cond: name.to_string(),
                    negate,
                    then: Vec::new(),
                    otherwise: Vec::new(),
                    in_else: false,
                    line,
                });
                None
            }
            Some("else") => {
                no_text(self, "else");
                match stack.last_mut() {
                    Some(Open::If { in_else, .. }) if !*in_else => *in_else = true,
                    _ => self.error(line, "[else] without an [if …] before it"),
                }
                None
            }
            Some("end") => {
                no_text(self, "end");
                match stack.pop() {
                    Some(Open::If { cond, negate, then, otherwise, .. }) => {
                        Some(Node::If { cond, negate, then, otherwise })
                    }
                    Some(Open::Each { list, body, .. }) => Some(Node::Each { list, body }),
                    None => {
                        self.error(line, "[end] without an [if …] or [each …] to close");
                        None
                    }
                }
            }
            Some("each") => {
                no_text(self, "each");
                let schema = self.kind.schema();
                match words {
                    [_, name] if schema.lists.iter().any(|(n, _)| n == name) => {
                        if list.is_some() {
                            self.error(line, "[each …] cannot be inside another [each …]");
                        }
                        stack.push(Open::Each { list: name.to_string(), body: Vec::new(), line });
                    }
                    [_, name] => {
                        let lists: Vec<&str> = schema.lists.iter().map(|(n, _)| *n).collect();
                        let known = if lists.is_empty() { "none".to_string() } else { lists.join(", ") };
                        self.error(
                            line,
                            format!(
                                "'{name}' is not a list of the {} receipt; its lists: {known}",
                                self.kind.file_name()
                            ),
                        );
                        stack.push(Open::Each { list: name.to_string(), body: Vec::new(), line });
                    }
                    _ => self.error(line, "write [each LIST]"),
                }
                None
            }
            Some("qr") => {
                let mut module = QR_MODULE_DEFAULT;
                let mut level = QrLevel::M;
                for w in &words[1..] {
                    match w.split_once('=') {
                        Some(("size", n)) => match n.parse::<u8>() {
                            Ok(n) if (1..=16).contains(&n) => module = n,
                            _ => self
                                .error(line, format!("QR size '{n}' must be a number from 1 to 16 (dots per module)")),
                        },
                        Some(("ec", l)) => match l {
                            "L" => level = QrLevel::L,
                            "M" => level = QrLevel::M,
                            "Q" => level = QrLevel::Q,
                            "H" => level = QrLevel::H,
                            _ => self.error(line, format!("QR error correction '{l}' must be L, M, Q or H")),
                        },
                        _ => self.error(line, format!("unknown QR option '{w}'; expected size=N or ec=L|M|Q|H")),
                    }
                }
                if rest.is_empty() {
                    self.error(line, "[qr] needs the text to encode after the ']', e.g. [qr] {case_id}");
                }
                let data = self.parts(line, rest, list);
                Some(Node::Qr { data, module, level })
            }
            Some("feed") => {
                no_text(self, "feed");
                let n = match words {
                    [_] => Some(1),
                    [_, n] => n.parse::<u8>().ok().filter(|n| (1..=MAX_FEED).contains(n)),
                    _ => None,
                };
                match n {
                    Some(n) => Some(Node::Feed(n)),
                    None => {
                        self.error(line, format!("write [feed N] with N from 1 to {MAX_FEED}"));
                        None
                    }
                }
            }
            Some("cut") => {
                self.error(line, "there is no [cut]: every receipt ends with a feed and a cut by itself");
                None
            }
            _ => {
                let mut style = Style::default();
                for w in words {
                    match *w {
                        "left" => style.align = Align::Left,
                        "center" | "centre" => style.align = Align::Center,
                        "right" => style.align = Align::Right,
                        "bold" => style.bold = true,
                        "double" => style.size = Size::Double,
                        "tall" => style.size = Size::Tall,
                        "row" => style.row = true,
                        other => {
                            self.error(line, format!("unknown word '{other}' in [...]; expected one of: {STYLE_WORDS}, or if, else, end, each, qr, feed"));
                            return None;
                        }
                    }
                }
                if style.row {
                    let Some((l, r)) = rest.split_once('|') else {
                        self.error(line, "a [row] needs 'left | right'");
                        return None;
                    };
                    let left = self.parts(line, l.trim_end(), list);
                    // `[row] 当日受理 | {received}件`
                    let right = self.parts(line, r.trim_start(), list);
                    Some(Node::Text { style, left, right: Some(right) })
                } else {
                    Some(Node::Text { style, left: self.parts(line, rest, list), right: None })
                }
            }
        }
    }
}

/// Reads a template file an administrator put in the template directory:
/// a regular file (not a link to one elsewhere, a FIFO or a device) of at
/// most [`MAX_TEMPLATE_BYTES`].
fn read_template(path: &Path) -> Result<String, String> {
    let meta = path.symlink_metadata().map_err(|e| e.to_string())?;
    if meta.file_type().is_symlink() {
        return Err("is a symbolic link; put the template itself in the directory".into());
    }
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    if meta.len() > MAX_TEMPLATE_BYTES {
        return Err(format!("is larger than {} KiB", MAX_TEMPLATE_BYTES / 1024));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_TEMPLATE_BYTES).read_to_string(&mut text))
        .map_err(|e| e.to_string())?;
    Ok(text)
}

impl Template {
    /// Parses and checks a template; `file` names it in error messages.
    pub fn parse(kind: ReceiptKind, file: &str, source: &str) -> Result<Template, TemplateErrors> {
        let mut p = Parser { kind, file, errors: Vec::new() };
        let nodes = p.parse(source);
        if p.errors.is_empty() {
            Ok(Template { kind, file: file.to_string(), nodes })
        } else {
            Err(TemplateErrors(p.errors))
        }
    }

    pub fn kind(&self) -> ReceiptKind {
        self.kind
    }

    /// The file it came from (`receipts/acceptance.tpl` for a built-in one).
    pub fn file(&self) -> &str {
        &self.file
    }

    pub(crate) fn expand(&self, values: &Values) -> Vec<Block> {
        let mut out = Vec::new();
        expand(&self.nodes, values, None, &mut out);
        out
    }
}

fn fill(parts: &Parts, values: &Values, item: Option<&Item>) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            Part::Lit(l) => s.push_str(l),
            Part::Field(f) => s.push_str(lookup(f, values, item)),
        }
    }
    s
}

fn lookup<'a>(name: &str, values: &'a Values, item: Option<&'a Item>) -> &'a str {
    match (name.strip_prefix("item"), item) {
        (Some(""), Some(it)) => it.get(None),
        (Some(rest), Some(it)) if rest.starts_with('.') => it.get(Some(&rest[1..])),
        _ => values.scalar(name),
    }
}

fn truthy(name: &str, values: &Values, item: Option<&Item>) -> bool {
    match values.lists.get(name) {
        Some(list) => !list.is_empty(),
        None => !lookup(name, values, item).trim().is_empty(),
    }
}

fn expand(nodes: &[Node], values: &Values, item: Option<&Item>, out: &mut Vec<Block>) {
    for node in nodes {
        match node {
            Node::Text { style, left, right } => out.push(Block::Text {
                style: *style,
                left: fill(left, values, item),
                right: right.as_ref().map(|r| fill(r, values, item)),
            }),
            Node::Rule(c) => out.push(Block::Rule(*c)),
            Node::Qr { data, module, level } => {
                let data = fill(data, values, item);
                if !data.trim().is_empty() {
                    out.push(Block::Qr { data, module: *module, level: *level });
                }
            }
            Node::Feed(n) => out.push(Block::Feed(*n)),
            Node::If { cond, negate, then, otherwise } => {
                let branch = if truthy(cond, values, item) != *negate { then } else { otherwise };
                expand(branch, values, item, out);
            }
            Node::Each { list, body } => {
                for it in values.lists.get(list.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                    expand(body, values, Some(it), out);
                }
            }
        }
    }
}

/// The three templates in use: the shipped ones, or a district's from a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    acceptance: Template,
    disbursement: Template,
    daily_summary: Template,
}

impl Templates {
    /// The templates shipped in `receipts/`, built into the binary.
    pub fn builtin() -> Result<Templates, TemplateErrors> {
        Templates::load(None)
    }

    /// Loads the templates at start-up: each file found in `dir` replaces the
    /// built-in one of the same name (`acceptance.tpl`, `disbursement.tpl`,
    /// `daily_summary.tpl`); a missing file keeps the built-in. Every problem
    /// in every file is reported with its file and line.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplateErrors> {
        if let Some(d) = dir {
            if !d.is_dir() {
                return Err(TemplateErrors(vec![TemplateError {
                    file: d.display().to_string(),
                    line: 0,
                    problem: "the receipt template directory does not exist".into(),
                }]));
            }
        }
        let mut errors = Vec::new();
        let mut loaded = Vec::new();
        for kind in ReceiptKind::ALL {
            let (file, source) = match dir.map(|d| d.join(kind.file_name())) {
                Some(path) if path.symlink_metadata().is_ok() => match read_template(&path) {
                    Ok(s) => (path.display().to_string(), s),
                    Err(e) => {
                        errors.push(TemplateError {
                            file: path.display().to_string(),
                            line: 0,
                            problem: format!("cannot be read: {e}"),
                        });
                        continue;
                    }
                },
                _ => (format!("receipts/{}", kind.file_name()), kind.builtin_source().to_string()),
            };
            match Template::parse(kind, &file, &source) {
                Ok(t) => loaded.push(t),
                Err(TemplateErrors(mut e)) => errors.append(&mut e),
            }
        }
        if !errors.is_empty() {
            return Err(TemplateErrors(errors));
        }
        let mut it = loaded.into_iter();
        match (it.next(), it.next(), it.next()) {
            (Some(acceptance), Some(disbursement), Some(daily_summary)) => {
                Ok(Templates { acceptance, disbursement, daily_summary })
            }
            _ => Err(TemplateErrors(vec![TemplateError {
                file: dir.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("receipts")).display().to_string(),
                line: 0,
                problem: "not every receipt template could be loaded".into(),
            }])),
        }
    }

    pub fn get(&self, kind: ReceiptKind) -> &Template {
        match kind {
            ReceiptKind::Acceptance => &self.acceptance,
            ReceiptKind::Disbursement => &self.disbursement,
            ReceiptKind::DailySummary => &self.daily_summary,
        }
    }
}

/// The start-up check of a district's template directory (`onedoor` calls it
/// before opening the counter): `Ok` or every problem with file and line.
pub fn check(dir: &Path) -> Result<(), TemplateErrors> {
    Templates::load(Some(dir)).map(|_| ())
}

#[cfg(test)]
mod tests;
