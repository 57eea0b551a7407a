//! The gate in front of the counter: the sign-in screen (name and PIN), the
//! lock it falls back to after an idle time or a sign-out, and on a store
//! with no operator at all the creation of the first supervisor. It covers
//! the whole screen and shows no case, no applicant and no amount: only the
//! town, the window and the time. The PIN is drawn as stars.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use crate::tr;
use crate::ui::action::{Action, TEXT_KEYS};
use crate::ui::env::Env;
use crate::ui::keymap::Section;
use crate::ui::widgets::input::{render_text, Edited, Limit, TextInput};
use crate::ui::widgets::{self, put};
use crate::Lang;

/// What the sign-in screen's keys do (besides typing).
pub const ACTIONS: &[&[Action]] =
    &[&[Action::Confirm, Action::NextField, Action::PrevField, Action::WithoutOperators], TEXT_KEYS];

/// Why the gate is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// The counter has just started.
    SignIn,
    /// Locked after `minutes` without a key; the form in progress waits behind it.
    Idle { minutes: u32 },
    /// The operator signed out.
    SignedOut,
    /// No operator exists yet: the first supervisor is made here.
    FirstSupervisor,
}

/// A PIN on its way to the window: never printed, not even in a debug line.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(pub String);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(…)")
    }
}

/// What the gate asks the counter to do when Enter is pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    SignIn {
        name: String,
        pin: Pin,
    },
    CreateSupervisor {
        name: String,
        pin: Pin,
    },
    /// Esc at the first start: work as the config's operator, without PINs.
    WithoutOperators,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Pin,
    Again,
}

pub struct SignInScreen {
    pub gate: Gate,
    name: TextInput,
    pin: TextInput,
    again: TextInput,
    focus: Field,
    /// Why the last try was refused (shown under the fields).
    pub error: Option<String>,
}

fn name_limit() -> Limit {
    Limit {
        max_chars: crate::domain::operator::MAX_NAME_CHARS,
        accepts: |c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'),
        upper: false,
    }
}

fn pin_limit() -> Limit {
    Limit { max_chars: crate::domain::operator::MAX_PIN_DIGITS, accepts: |c| c.is_ascii_digit(), upper: false }
}

impl SignInScreen {
    /// The gate, the name field holding `name` (the PIN is asked at once when it does).
    pub fn new(gate: Gate, name: &str) -> SignInScreen {
        let focus = if name.is_empty() || gate == Gate::FirstSupervisor { Field::Name } else { Field::Pin };
        SignInScreen {
            gate,
            name: TextInput::with_text(name, name_limit()),
            pin: TextInput::new(pin_limit()),
            again: TextInput::new(pin_limit()),
            focus,
            error: None,
        }
    }

    pub fn name(&self) -> &str {
        self.name.text()
    }

    fn fields(&self) -> &'static [Field] {
        if self.gate == Gate::FirstSupervisor {
            &[Field::Name, Field::Pin, Field::Again]
        } else {
            &[Field::Name, Field::Pin]
        }
    }

    fn input(&mut self) -> &mut TextInput {
        match self.focus {
            Field::Name => &mut self.name,
            Field::Pin => &mut self.pin,
            Field::Again => &mut self.again,
        }
    }

    /// A refusal: said under the fields, the PINs typed so far wiped.
    pub fn refused(&mut self, text: String) {
        self.error = Some(text);
        self.pin = TextInput::new(pin_limit());
        self.again = TextInput::new(pin_limit());
        self.focus = if self.name.text().is_empty() { Field::Name } else { Field::Pin };
    }

    pub fn typed(&mut self, c: char) {
        self.input().insert(c);
    }

    fn step(&mut self, by: isize) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        self.focus = fields[(at + by).rem_euclid(n) as usize];
    }

    /// An action of the `signin` section; `Some` when the counter must act on it.
    pub fn act(&mut self, action: Action, lang: Lang) -> Option<Asked> {
        match action {
            Action::NextField => self.step(1),
            Action::PrevField => self.step(-1),
            Action::WithoutOperators if self.gate == Gate::FirstSupervisor => return Some(Asked::WithoutOperators),
            Action::Confirm => return self.confirm(lang),
            other => {
                let _: Edited = self.input().edit(other);
            }
        }
        None
    }

    /// Enter: on to the next empty field, or the sign-in (or the creation) asked for.
    fn confirm(&mut self, lang: Lang) -> Option<Asked> {
        let name = self.name.text().to_string();
        if name.is_empty() {
            self.focus = Field::Name;
            self.error = Some(tr!(lang, "signin-name-needed").to_string());
            return None;
        }
        if self.pin.text().is_empty() {
            if self.focus == Field::Pin {
                self.error = Some(tr!(lang, "signin-pin-needed").to_string());
            }
            self.focus = Field::Pin;
            return None;
        }
        let pin = Pin(self.pin.text().to_string());
        if self.gate != Gate::FirstSupervisor {
            return Some(Asked::SignIn { name, pin });
        }
        if self.again.text().is_empty() {
            self.focus = Field::Again;
            return None;
        }
        if self.again.text() != pin.0 {
            self.refused(tr!(lang, "signin-pins-differ").to_string());
            return None;
        }
        Some(Asked::CreateSupervisor { name, pin })
    }

    /// Draws the gate over the whole `area`: a head line, the form, the key bar.
    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) -> Option<Position> {
        let (t, lang) = (&env.theme, env.lang);
        widgets::clear(buf, area);
        let head = Rect::new(area.x, area.y, area.width, 1);
        widgets::fill_line(buf, area, area.y, t.status);
        let window = crate::ui::strings::window_label(env.counter.window, lang);
        let left = format!(" {} {window}", env.counter.town_name);
        put(buf, head, head.x, head.y, &left, t.status);
        let time = env.now.format("%Y-%m-%d %H:%M").to_string();
        let x = head.right().saturating_sub(widgets::width(&time) as u16 + 1);
        put(buf, head, x, head.y, &time, t.status);

        let (title, intro) = match &self.gate {
            Gate::SignIn => (tr!(lang, "signin-title").to_string(), tr!(lang, "signin-intro").to_string()),
            Gate::Idle { minutes } => {
                (tr!(lang, "signin-lock-title").to_string(), tr!(lang, "signin-lock-intro", minutes = *minutes))
            }
            Gate::SignedOut => {
                (tr!(lang, "signin-title").to_string(), tr!(lang, "signin-signed-out-intro").to_string())
            }
            Gate::FirstSupervisor => {
                (tr!(lang, "signin-first-title").to_string(), tr!(lang, "signin-first-intro").to_string())
            }
        };
        let body = Rect::new(area.x, area.y + 1, area.width, area.height.saturating_sub(2));
        let w = body.width.min(64);
        let intro_lines = widgets::wrap(&intro, w.saturating_sub(4) as usize);
        let rows = self.fields().len() as u16;
        let h = (intro_lines.len() as u16 + rows * 2 + 5).min(body.height);
        let inner = widgets::popup_frame(buf, body, w, h, &title, t);
        let mut y = inner.y;
        for line in &intro_lines {
            put(buf, inner, inner.x + 1, y, line, t.base);
            y += 1;
        }
        y += 1;
        let labels: Vec<(Field, &str)> = self
            .fields()
            .iter()
            .map(|f| {
                let label = match f {
                    Field::Name => tr!(lang, "signin-name"),
                    Field::Pin => tr!(lang, "signin-pin"),
                    Field::Again => tr!(lang, "signin-pin-again"),
                };
                (*f, label)
            })
            .collect();
        let label_w = labels.iter().map(|(_, l)| widgets::width(l)).max().unwrap_or(0) as u16 + 2;
        let mut cursor = None;
        for (field, label) in labels {
            put(buf, inner, inner.x + 1, y, label, t.label);
            let at = Rect::new(inner.x + 1 + label_w, y, inner.width.saturating_sub(label_w + 2).min(34), 1);
            let (text, input) = match field {
                Field::Name => (self.name.text().to_string(), &self.name),
                Field::Pin => ("*".repeat(self.pin.text().chars().count()), &self.pin),
                Field::Again => ("*".repeat(self.again.text().chars().count()), &self.again),
            };
            let focused = field == self.focus;
            let style = if focused { t.focus } else { t.input };
            let p = render_text(buf, at, &text, focused.then_some(input.cursor()), style);
            if focused {
                cursor = p;
            }
            y += 2;
        }
        if let Some(e) = &self.error {
            for (i, line) in widgets::wrap(e, inner.width.saturating_sub(2) as usize).iter().take(2).enumerate() {
                put(buf, inner, inner.x + 1, y + i as u16, line, t.error);
            }
        }
        let bar = Rect::new(area.x, area.bottom().saturating_sub(1), area.width, 1);
        crate::ui::widgets::status::key_bar(&env.keymap, Section::SignIn, &[], buf, bar, t, lang);
        if self.gate == Gate::FirstSupervisor {
            // Esc is not on the bar of the other gates: only here does it do anything.
            if let Some(key) = env.keymap.hint(Section::SignIn, Action::WithoutOperators) {
                let text = format!("{key} {}", crate::ui::strings::key_desc("without_operators", lang).unwrap_or(""));
                let x = bar.right().saturating_sub(widgets::width(&text) as u16 + 1);
                put(buf, bar, x, bar.y, &text, t.dim);
            }
        }
        cursor
    }
}
