//! How the counter looks: one place for colours and emphasis. With `NO_COLOR`
//! set, everything is monochrome and emphasis is bold, underline or reverse.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// Plain ASCII borders: box-drawing characters are ambiguous-width and
/// misalign in terminals that draw them wide next to Chinese text.
pub const BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub mono: bool,
    pub base: Style,
    pub status: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub focus: Style,
    pub input: Style,
    pub label: Style,
    pub dim: Style,
    pub error: Style,
    pub ok: Style,
    pub info: Style,
    pub green: Style,
    pub overdue: Style,
    /// A promised date one working day away or less.
    pub at_risk: Style,
    pub key: Style,
    pub banner: Style,
    pub popup: Style,
}

impl Theme {
    /// Colours unless `NO_COLOR` is set (to anything non-empty).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Theme::mono()
        } else {
            Theme::color()
        }
    }

    pub fn color() -> Theme {
        Theme {
            mono: false,
            base: Style::new(),
            status: Style::new().fg(Color::Black).bg(Color::Cyan),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            header: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            focus: Style::new().fg(Color::Yellow).add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
            label: Style::new().fg(Color::Gray),
            dim: Style::new().fg(Color::DarkGray),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            info: Style::new().fg(Color::Cyan),
            green: Style::new().fg(Color::Black).bg(Color::Green).add_modifier(Modifier::BOLD),
            overdue: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            at_risk: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Black).bg(Color::Gray),
            banner: Style::new().fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD),
            popup: Style::new(),
        }
    }

    pub fn mono() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            mono: true,
            base: Style::new(),
            status: Style::new().add_modifier(Modifier::REVERSED),
            title: bold,
            header: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            focus: Style::new().add_modifier(Modifier::REVERSED),
            input: Style::new().add_modifier(Modifier::UNDERLINED),
            label: Style::new(),
            dim: Style::new(),
            error: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ok: Style::new(),
            info: bold,
            green: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            overdue: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            at_risk: bold,
            key: Style::new().add_modifier(Modifier::REVERSED),
            banner: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            popup: Style::new(),
        }
    }
}
