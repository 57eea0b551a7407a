//! Keymaps are data: the defaults are embedded from `keymaps/default.toml`, a
//! second shipped map or a clerk's own file is merged over them, and a file
//! with an unknown action or a key bound twice is refused with its file and line.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use toml::Spanned;

use super::action::Action;
use super::strings;
use crate::Lang;

/// The shipped default keymap (function keys).
pub const DEFAULT_TOML: &str = include_str!("../../keymaps/default.toml");
/// The shipped keymap for keyboards without function keys, merged over the default.
pub const LAPTOP_TOML: &str = include_str!("../../keymaps/laptop.toml");

/// Where a binding applies. `global` applies on every screen unless the
/// screen's own section binds the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Global,
    Queue,
    Intake,
    Detail,
    Search,
    Overdue,
    Help,
    Popup,
    /// The sign-in, lock and first-supervisor screen.
    SignIn,
}

impl Section {
    pub const ALL: [Section; 9] = [
        Section::Global,
        Section::Queue,
        Section::Intake,
        Section::Detail,
        Section::Search,
        Section::Overdue,
        Section::Help,
        Section::Popup,
        Section::SignIn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Section::Global => "global",
            Section::Queue => "queue",
            Section::Intake => "intake",
            Section::Detail => "detail",
            Section::Search => "search",
            Section::Overdue => "overdue",
            Section::Help => "help",
            Section::Popup => "popup",
            Section::SignIn => "signin",
        }
    }

    fn from_name(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The actions a binding of this section may name: what its screen or
    /// popup does with them (a screen also takes the global ones).
    pub fn actions(self) -> Vec<Action> {
        use super::screens::{detail, help, intake, overdue, queue, search, signin};
        let own: &[&[Action]] = match self {
            Section::Global => &[GLOBAL_ACTIONS],
            Section::Queue => queue::ACTIONS,
            Section::Intake => intake::ACTIONS,
            Section::Detail => detail::ACTIONS,
            Section::Search => search::ACTIONS,
            Section::Overdue => overdue::ACTIONS,
            Section::Help => help::ACTIONS,
            Section::Popup => super::popups::ACTIONS,
            Section::SignIn => signin::ACTIONS,
        };
        let mut all = own.concat();
        if !matches!(self, Section::Help | Section::Popup | Section::Global | Section::SignIn) {
            all.extend(GLOBAL_ACTIONS);
        }
        all
    }
}

/// What the counter does on any screen.
pub const GLOBAL_ACTIONS: &[Action] = &[Action::Help, Action::Quit, Action::SignOut];

/// A key with its modifiers, normalised so that a binding and a key press compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Char(c) => {
                // Shift is already in the character; Ctrl/Alt letters compare in lower case.
                mods.remove(KeyModifiers::SHIFT);
                if mods.is_empty() {
                    KeyCode::Char(c)
                } else {
                    KeyCode::Char(c.to_ascii_lowercase())
                }
            }
            other => other,
        };
        Key { code, mods }
    }

    pub fn of(event: &KeyEvent) -> Key {
        Key::new(event.code, event.modifiers)
    }

    /// Parses `F5`, `Ctrl+S`, `Shift+Tab`, `Alt+1`, `PgDn`, `Space`, `a`.
    pub fn parse(text: &str) -> Option<Key> {
        let parts: Vec<&str> = text.split('+').map(str::trim).collect();
        let (name, modifiers) = match parts.split_last() {
            // "Ctrl++" is not supported; a lone "+" is the plus key.
            Some((last, rest)) if !last.is_empty() => (*last, rest),
            _ if text == "+" => ("+", &[][..]),
            _ => return None,
        };
        let mut mods = KeyModifiers::NONE;
        for m in modifiers {
            match m.to_ascii_lowercase().as_str() {
                "ctrl" | "control" => mods |= KeyModifiers::CONTROL,
                "alt" => mods |= KeyModifiers::ALT,
                "shift" => mods |= KeyModifiers::SHIFT,
                _ => return None,
            }
        }
        let lower = name.to_ascii_lowercase();
        let code = match lower.as_str() {
            "esc" | "escape" => KeyCode::Esc,
            "enter" | "return" => KeyCode::Enter,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            f if f.len() > 1 && f.starts_with('f') => match f[1..].parse::<u8>() {
                Ok(n) if (1..=24).contains(&n) => KeyCode::F(n),
                _ => return None,
            },
            _ => {
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return None,
                }
            }
        };
        Some(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl+")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt+")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift+")?;
        }
        match self.code {
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift+Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.is_empty() => write!(f, "{c}"),
            KeyCode::Char(c) => write!(f, "{}", c.to_ascii_uppercase()),
            other => write!(f, "{other:?}"),
        }
    }
}

/// What a binding says it does: a key into the strings module (the shipped
/// maps) or text in both languages (a clerk's own file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Desc {
    Known(String),
    Text { zh_cn: String, en: String },
}

impl Desc {
    pub fn text(&self, lang: Lang) -> &str {
        match self {
            Desc::Known(key) => strings::key_desc(key, lang).unwrap_or(key),
            Desc::Text { zh_cn, en } => match lang {
                Lang::ZhCn => zh_cn,
                Lang::En => en,
            },
        }
    }
}

/// One binding: a key, the action it asks for, its description, and whether
/// the bottom bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub key: Key,
    pub action: Action,
    pub desc: Desc,
    pub bar: bool,
}

/// A keymap file that cannot be used: the file, the line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct KeymapError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

/// Every binding, by section, in file order (the help shows them in that order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keymap {
    sections: HashMap<Section, Vec<Binding>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBinding {
    key: Spanned<String>,
    action: Spanned<String>,
    desc: Option<Spanned<FileDesc>>,
    #[serde(default)]
    bar: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FileDesc {
    Key(String),
    Text {
        #[serde(rename = "zh-CN")]
        zh_cn: String,
        en: String,
    },
}

impl Keymap {
    /// The embedded default keymap.
    pub fn default_keymap() -> Keymap {
        // The shipped file is checked by the tests; an impossible failure gives an empty map.
        Keymap::parse(DEFAULT_TOML, "keymaps/default.toml").unwrap_or_default()
    }

    /// `default`, `laptop` (merged over the default) or the path of a file merged over the default.
    pub fn load(setting: &str) -> Result<Keymap, KeymapError> {
        let mut keymap = Keymap::parse(DEFAULT_TOML, "keymaps/default.toml")?;
        match setting.trim() {
            "" | "default" => {}
            "laptop" => keymap.merge(Keymap::parse(LAPTOP_TOML, "keymaps/laptop.toml")?),
            path => keymap.merge(Keymap::load_file(Path::new(path))?),
        }
        Ok(keymap)
    }

    pub fn load_file(path: &Path) -> Result<Keymap, KeymapError> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| KeymapError {
            file: label.clone(),
            line: 0,
            problem: format!("cannot read the keymap: {e}"),
        })?;
        Keymap::parse(&text, &label)
    }

    /// Parses one keymap file; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Keymap, KeymapError> {
        let at = |offset: usize, problem: String| KeymapError {
            file: file.to_string(),
            line: crate::config::line_and_column(text, offset).0,
            problem,
        };
        let raw: HashMap<Spanned<String>, Vec<FileBinding>> = toml::from_str(text)
            .map_err(|e| at(e.span().map(|s| s.start).unwrap_or(0), e.message().trim().to_string()))?;
        let mut raw: Vec<(Spanned<String>, Vec<FileBinding>)> = raw.into_iter().collect();
        raw.sort_by_key(|(name, _)| name.span().start);
        let mut keymap = Keymap::default();
        for (name, bindings) in raw {
            let section = Section::from_name(name.get_ref()).ok_or_else(|| {
                at(
                    name.span().start,
                    format!(
                        "unknown section [{}]; expected one of: {}",
                        name.get_ref(),
                        Section::ALL.map(Section::name).join(", ")
                    ),
                )
            })?;
            let mut seen: HashMap<Key, usize> = HashMap::new();
            let list = keymap.sections.entry(section).or_default();
            for b in bindings {
                let key_at = b.key.span().start;
                let key = Key::parse(b.key.get_ref()).ok_or_else(|| {
                    at(
                        key_at,
                        format!("'{}' is not a key like F5, Ctrl+S, Alt+1, Shift+Tab, PgDn or Esc", b.key.get_ref()),
                    )
                })?;
                let line = at(key_at, String::new()).line;
                if let Some(first) = seen.insert(key, line) {
                    return Err(at(
                        key_at,
                        format!("the key {key} is bound twice in [{}] (first on line {first})", section.name()),
                    ));
                }
                let action = Action::from_name(b.action.get_ref())
                    .ok_or_else(|| at(b.action.span().start, format!("unknown action '{}'", b.action.get_ref())))?;
                let accepted = section.actions();
                if !accepted.contains(&action) {
                    let names: Vec<String> = accepted.iter().map(|a| a.name()).collect();
                    return Err(at(
                        b.action.span().start,
                        format!(
                            "'{}' does nothing in [{}]; there a key can be: {}",
                            b.action.get_ref(),
                            section.name(),
                            names.join(", ")
                        ),
                    ));
                }
                let desc = match b.desc {
                    None => return Err(at(key_at, format!("the binding of {key} has no desc"))),
                    Some(d) => {
                        let d_at = d.span().start;
                        match d.into_inner() {
                            FileDesc::Key(k) => match strings::key_desc(&k, Lang::En) {
                                Some(_) => Desc::Known(k),
                                None => {
                                    return Err(at(
                                        d_at,
                                        format!("unknown desc '{k}'; write desc = {{ zh-CN = \"…\", en = \"…\" }}"),
                                    ))
                                }
                            },
                            FileDesc::Text { zh_cn, en } => Desc::Text { zh_cn, en },
                        }
                    }
                };
                list.push(Binding { key, action, desc, bar: b.bar });
            }
        }
        Ok(keymap)
    }

    /// Lays `over` over this keymap: a key bound in both takes `over`'s binding.
    pub fn merge(&mut self, over: Keymap) {
        for (section, bindings) in over.sections {
            let list = self.sections.entry(section).or_default();
            for b in bindings {
                match list.iter_mut().find(|old| old.key == b.key) {
                    Some(old) => *old = b,
                    None => list.push(b),
                }
            }
        }
    }

    /// The action of a key on a screen: the screen's section first, then (for
    /// screens, not popups or the help) the global one.
    pub fn action(&self, section: Section, key: Key) -> Option<Action> {
        let own = self.bindings(section).iter().find(|b| b.key == key).map(|b| b.action);
        match section {
            Section::Popup | Section::Help | Section::SignIn => own,
            Section::Global
            | Section::Queue
            | Section::Intake
            | Section::Detail
            | Section::Search
            | Section::Overdue => {
                own.or_else(|| self.bindings(Section::Global).iter().find(|b| b.key == key).map(|b| b.action))
            }
        }
    }

    pub fn bindings(&self, section: Section) -> &[Binding] {
        self.sections.get(&section).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The key to name in a hint for an action on a screen: of the section's
    /// own bindings (else the global ones), the last shown in the key bar,
    /// else the last one, so a laptop map's keys replace the function keys.
    pub fn hint(&self, section: Section, action: Action) -> Option<Key> {
        let pick = |list: &[Binding]| {
            let keys: Vec<&Binding> = list.iter().filter(|b| b.action == action).collect();
            keys.iter().rev().find(|b| b.bar).or(keys.last()).map(|b| b.key)
        };
        pick(self.bindings(section)).or_else(|| pick(self.bindings(Section::Global)))
    }

    /// The keys bound to an action on a screen (own section first), for hints.
    pub fn keys_for(&self, section: Section, action: Action) -> Vec<Key> {
        self.bindings(section)
            .iter()
            .chain(self.bindings(Section::Global))
            .filter(|b| b.action == action)
            .map(|b| b.key)
            .collect()
    }
}
