//! The status line (operator, window, date and time, device states, fund
//! balance) and the bottom key bar built from the keymap's data.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::ui::action::Action;
use crate::ui::app::App;
use crate::ui::keymap::{Key, Section};
use crate::ui::strings::{self, S};
use crate::ui::DeviceState;
use crate::Lang;

fn device(state: &DeviceState, lang: Lang) -> String {
    match state {
        DeviceState::NotConfigured => S::DeviceNotConfigured.get(lang).to_string(),
        DeviceState::Connecting => S::DeviceConnecting.get(lang).to_string(),
        DeviceState::Ready => S::DeviceReady.get(lang).to_string(),
        DeviceState::Busy => S::DeviceBusy.get(lang).to_string(),
        DeviceState::Simulated => S::DeviceSimulated.get(lang).to_string(),
        DeviceState::Problem(p) => p.clone(),
    }
}

pub fn render(app: &App, buf: &mut Buffer, area: Rect) {
    let lang = app.lang;
    let t = &app.theme;
    super::fill_line(buf, area, area.y, t.status);
    let clock = |short: bool| {
        let f = if short { "%m-%d %H:%M" } else { "%Y-%m-%d %H:%M" };
        app.now.format(f).to_string()
    };
    let mut tail = vec![
        format!("{} {}", S::IdReader.get(lang), device(&app.devices.id_reader, lang)),
        format!("{} {}", S::Printer.get(lang), device(&app.devices.printer, lang)),
    ];
    if let Some(balance) = app.fund_balance {
        tail.push(format!("{} {}", S::Fund.get(lang), strings::money(balance, lang)));
    }
    let window = strings::window_label(app.counter.window, lang);
    let room = area.width.saturating_sub(1) as usize;
    // The fullest line that fits: the town's name goes first, then the
    // operator's label and the year; what still does not fit is cut.
    let candidates = [
        [
            format!("{} {window}", app.counter.town_name),
            format!("{} {}", S::Operator.get(lang), app.operator),
            clock(false),
        ],
        [window.clone(), format!("{} {}", S::Operator.get(lang), app.operator), clock(false)],
        [window.clone(), app.operator.clone(), clock(false)],
        [window, app.operator.clone(), clock(true)],
    ];
    // When even the shortest head does not fit, a device that is not
    // configured is said in one word, to leave room for the fund balance.
    let short = |state: &DeviceState| match state {
        DeviceState::NotConfigured => S::DeviceNone.get(lang).to_string(),
        other => device(other, lang),
    };
    let mut short_tail = vec![
        format!("{} {}", S::IdReader.get(lang), short(&app.devices.id_reader)),
        format!("{} {}", S::Printer.get(lang), short(&app.devices.printer)),
    ];
    short_tail.extend(tail.iter().skip(2).cloned());
    let join =
        |head: &[String], tail: &[String]| head.iter().chain(tail.iter()).cloned().collect::<Vec<_>>().join("  ");
    let mut lines: Vec<String> = candidates.iter().map(|head| join(head, &tail)).collect();
    if let Some(last) = candidates.last() {
        lines.push(join(last, &short_tail));
    }
    let line = lines.iter().find(|l| super::width(l) <= room).or(lines.last()).cloned().unwrap_or_default();
    super::put(buf, area, area.x + 1, area.y, super::fit(&line, room), t.status);
}

/// The main keys of the section: the global ones (help) first, then the
/// screen's; one key per action, the last one merged in (so a laptop map's
/// keys replace the function keys in the bar).
pub fn bar_entries(app: &App, section: Section) -> Vec<(Key, Action, String)> {
    let mut out: Vec<(Key, Action, String)> = Vec::new();
    let mut sources = vec![section];
    if !matches!(section, Section::Popup | Section::Help | Section::Global) {
        sources.insert(0, Section::Global);
    }
    for s in sources {
        let mut own: Vec<(Key, Action, String)> = Vec::new();
        for b in app.keymap.bindings(s).iter().filter(|b| b.bar) {
            let entry = (b.key, b.action, b.desc.text(app.lang).to_string());
            match own.iter_mut().find(|(_, a, _)| *a == b.action) {
                Some(old) => *old = entry,
                None => own.push(entry),
            }
        }
        for entry in own {
            if !out.iter().any(|(_, a, _)| *a == entry.1) {
                out.push(entry);
            }
        }
    }
    out
}

pub fn key_bar(app: &App, buf: &mut Buffer, area: Rect, section: Section) {
    let t = &app.theme;
    let mut x = area.x;
    for (key, _, desc) in bar_entries(app, section) {
        let key = key.to_string();
        let need = (super::width(&key) + super::width(&desc) + 2) as u16;
        if x + need > area.right() {
            break;
        }
        x = super::put(buf, area, x, area.y, &key, t.key);
        x = super::put(buf, area, x, area.y, &format!(" {desc} "), t.base);
    }
}
