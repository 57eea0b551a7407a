//! The intake form on screen: the ID number with its live check on the first
//! line, applicant and household on the left, the application on the right,
//! the documents checklist, the entitlement line and the duplicate banner. A
//! column longer than the screen scrolls so the focused field is always in view.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use crate::ui::app::App;
use crate::ui::form::{Control, Field, Form};
use crate::ui::strings::{self, S};
use crate::ui::widgets::{input, put, width};
use crate::Lang;

const LABEL: u16 = 11;

/// A line of a form column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Field(Field),
    Blank,
    /// The documents checklist's heading.
    Documents,
}

/// The part of a column on screen: its first row, how many rows, and whether
/// a line says that more is above or below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct View {
    offset: usize,
    shown: usize,
    above: bool,
    below: bool,
}

/// Which rows of a column of `total` fit in `height` lines with the focused
/// row (if the focus is in this column) in view.
fn view(total: usize, height: usize, focus: Option<usize>) -> View {
    if total <= height {
        return View { offset: 0, shown: total, above: false, below: false };
    }
    let focus = focus.unwrap_or(0).min(total - 1);
    if height < 3 {
        let offset = (focus + 1).saturating_sub(height);
        return View { offset, shown: height, above: false, below: false };
    }
    if focus < height - 1 {
        // From the top; the last line says more is below.
        View { offset: 0, shown: height - 1, above: false, below: true }
    } else if focus >= total - (height - 1) {
        // To the end; the first line says more is above.
        View { offset: total - (height - 1), shown: height - 1, above: true, below: false }
    } else {
        // In the middle, the focus on the last row shown.
        let shown = height - 2;
        View { offset: focus + 1 - shown, shown, above: true, below: true }
    }
}

fn value(form: &Form, field: Field, lang: Lang) -> String {
    match field {
        Field::Residence => strings::residence(form.residence, lang).to_string(),
        Field::Kind => strings::kind(form.kind, lang).to_string(),
        Field::Reason => strings::reason(form.reason, lang).to_string(),
        Field::Source => form.source.label(lang).to_string(),
        Field::SourceDepartment => strings::department(form.source_department, lang).to_string(),
        Field::Green => {
            let on = if form.green { "[x]" } else { "[ ]" };
            let word = if form.green { S::Yes } else { S::No };
            format!("{on} {}", word.get(lang))
        }
        Field::Document(i) => {
            let doc = form.kind.documents().get(i).copied();
            let on = doc.is_some_and(|d| form.documents.contains(&d));
            let name = doc.map(|d| strings::document(d, lang)).unwrap_or("");
            format!("{} {name}", if on { "[x]" } else { "[ ]" })
        }
        Field::IdNumber
        | Field::Name
        | Field::Phone
        | Field::HouseholdSize
        | Field::MonthlyIncome
        | Field::RequestedAmount
        | Field::Reporter
        | Field::Village
        | Field::Description => form.text(field).unwrap_or("").to_string(),
    }
}

/// Draws one field: marker, label, control. Returns the cursor for a focused text field.
fn field_line(app: &App, buf: &mut Buffer, area: Rect, y: u16, field: Field, ctrl_width: u16) -> Option<Position> {
    let t = &app.theme;
    let lang = app.lang;
    let i = app.intake.as_ref()?;
    let focused = i.focus == field;
    let wrong = i.error.as_ref().is_some_and(|e| e.field == field);
    let label_style = if wrong {
        t.error
    } else if focused {
        t.focus
    } else {
        t.label
    };
    let x = area.x;
    put(buf, area, x, y, if focused { ">" } else { " " }, t.focus);
    let label = match field {
        Field::Document(_) => "",
        _ => field.label(lang),
    };
    put(buf, area, x + 1, y, label, label_style);
    let cx = x + 2 + LABEL;
    let card = i.form.from_card(field);
    let mark_w = if card { width(S::FromCard.get(lang)) as u16 + 1 } else { 0 };
    let ctrl = Rect::new(cx, y, ctrl_width.saturating_sub(mark_w), 1);
    let cursor = match field.control() {
        Control::Text => {
            let style = if focused { t.focus } else { t.input };
            let text = i.form.text(field).unwrap_or("");
            input::render(buf, ctrl, text, focused.then_some(i.cursor), style)
        }
        Control::Choice => {
            let style = if focused { t.focus } else { t.base };
            put(buf, area, cx, y, &format!("< {} >", value(&i.form, field, lang)), style);
            None
        }
        Control::Check => {
            let style = if focused { t.focus } else { t.base };
            let v = value(&i.form, field, lang);
            let style = if field == Field::Green && i.form.green { t.green } else { style };
            put(buf, area, cx, y, &v, style);
            None
        }
    };
    if card {
        put(buf, area, ctrl.right() + 1, y, S::FromCard.get(lang), t.ok);
    }
    cursor
}

/// Draws a column's rows as `v` shows them; returns the cursor.
fn column(app: &App, buf: &mut Buffer, area: Rect, rows: &[Row], v: View) -> Option<Position> {
    let t = app.theme;
    let lang = app.lang;
    let mut y = area.y;
    if v.above {
        put(buf, area, area.x + 1, y, &strings::more_lines(true, v.offset, lang), t.dim);
        y += 1;
    }
    let ctrl_w = area.width.saturating_sub(LABEL + 3);
    let mut cursor = None;
    for row in rows.iter().skip(v.offset).take(v.shown) {
        match *row {
            Row::Field(f) => {
                if let Some(p) = field_line(app, buf, area, y, f, ctrl_w) {
                    cursor = Some(p);
                }
            }
            Row::Blank => {}
            Row::Documents => {
                put(buf, area, area.x + 1, y, S::FieldDocuments.get(lang), t.label);
            }
        }
        y += 1;
    }
    if v.below {
        let rest = rows.len() - v.offset - v.shown;
        put(buf, area, area.x + 1, y, &strings::more_lines(false, rest, lang), t.dim);
    }
    cursor
}

pub fn render(app: &mut App, buf: &mut Buffer, area: Rect) -> Option<Position> {
    let lang = app.lang;
    let t = app.theme;
    let today = app.today();
    let Some(i) = &app.intake else {
        return None;
    };
    let form = &i.form;
    // Line 0: title and ticket.
    let ticket = match form.ticket {
        Some(n) => format!("{} {n}", S::TicketLabel.get(lang)),
        None => S::NoTicket.get(lang).to_string(),
    };
    let end = put(buf, area, area.x + 1, area.y, &format!("{}   {ticket}", S::IntakeTitle.get(lang)), t.title);
    // What the clerk must check about the card just read (expired, a number that does not check).
    if let Some(note) = &i.card_note {
        put(buf, area, end + 3, area.y, &format!("! {note}"), t.error);
    }
    // Line 1: the duplicate banner (the local check, or the district's word).
    let banner = i
        .assessed
        .as_ref()
        .and_then(|a| a.duplicates.clone())
        .or_else(|| i.duplicate.as_ref().and_then(|(_, text)| text.clone()))
        .or_else(|| {
            app.district_duplicate
                .as_ref()
                .filter(|(n, _)| n.eq_ignore_ascii_case(&form.id_number))
                .map(|(_, text)| text.clone())
        });
    if let Some(b) = banner {
        let line = Rect::new(area.x, area.y + 1, area.width, 1);
        buf.set_style(line, t.banner);
        put(buf, area, area.x + 1, area.y + 1, &b, t.banner);
    }
    // Line 2: the ID number and its live check.
    let mut cursor = field_line(app, buf, area, area.y + 2, Field::IdNumber, 20);
    let check_x = area.x + 2 + LABEL + 20 + 2;
    let (check, style) = match form.id_check(today) {
        Ok(id) => (
            format!(
                "{} {} {} {}",
                S::IdOk.get(lang),
                id.birth_date().format("%Y-%m-%d"),
                strings::sex(id.sex(), lang),
                id.region_code()
            ),
            t.ok,
        ),
        Err(crate::domain::IdNumberError::Empty) => (String::new(), t.dim),
        Err(crate::domain::IdNumberError::WrongLength(n))
            if n < 18 && form.id_number.chars().all(|c| c.is_ascii_digit()) =>
        {
            (format!("{} {n}/18", S::IdTyping.get(lang)), t.dim)
        }
        Err(e) => (strings::id_error(&e, lang), t.error),
    };
    put(buf, area, check_x, area.y + 2, &check, style);

    // Two columns below: applicant, household and documents on the left; the application on the right.
    let half = area.width / 2;
    let left = Rect::new(area.x, area.y + 3, half, area.height.saturating_sub(4));
    let right = Rect::new(area.x + half, area.y + 3, area.width - half, left.height);
    let fields = form.fields();
    let applicant = [Field::Name, Field::Phone, Field::Residence, Field::HouseholdSize, Field::MonthlyIncome];
    let mut left_rows: Vec<Row> = applicant.iter().map(|f| Row::Field(*f)).collect();
    left_rows.extend([Row::Blank, Row::Documents]);
    left_rows.extend(fields.iter().filter(|f| matches!(f, Field::Document(_))).map(|f| Row::Field(*f)));
    let right_rows: Vec<Row> = fields
        .iter()
        .filter(|f| !applicant.contains(f) && !matches!(f, Field::IdNumber | Field::Document(_)))
        .map(|f| Row::Field(*f))
        .collect();
    let focus_in = |rows: &[Row]| rows.iter().position(|r| *r == Row::Field(i.focus));
    for (area, rows) in [(left, &left_rows), (right, &right_rows)] {
        let v = view(rows.len(), area.height as usize, focus_in(rows));
        if let Some(p) = column(app, buf, area, rows, v) {
            cursor = Some(p);
        }
    }
    // Bottom line of the body: the entitlement computed live.
    let Some(i) = &app.intake else {
        return cursor;
    };
    let preview =
        (app.entitlement)(&i.form, today, lang).or_else(|| i.assessed.as_ref().map(|a| a.entitlement.clone()));
    let (text, style) = match preview {
        Some(p) => (p, t.info),
        None => (S::EntitlementPending.get(lang).to_string(), t.dim),
    };
    let y = area.bottom().saturating_sub(1);
    let x = put(buf, area, area.x + 1, y, &format!("{}: ", S::Entitlement.get(lang)), t.label);
    put(buf, area, x, y, &text, style);
    cursor
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_that_fits_is_not_scrolled() {
        assert_eq!(view(11, 17, Some(10)), View { offset: 0, shown: 11, above: false, below: false });
    }

    #[test]
    fn a_long_column_keeps_the_focus_in_view_and_says_what_is_hidden() {
        // 20 rows in 10 lines.
        assert_eq!(view(20, 10, None), View { offset: 0, shown: 9, above: false, below: true });
        assert_eq!(view(20, 10, Some(8)), View { offset: 0, shown: 9, above: false, below: true });
        let middle = view(20, 10, Some(10));
        assert_eq!(middle, View { offset: 3, shown: 8, above: true, below: true });
        assert_eq!(view(20, 10, Some(19)), View { offset: 11, shown: 9, above: true, below: false });
        for focus in 0..20 {
            let v = view(20, 10, Some(focus));
            assert!((v.offset..v.offset + v.shown).contains(&focus), "{focus}: {v:?}");
            assert!(v.shown + usize::from(v.above) + usize::from(v.below) <= 10, "{focus}: {v:?}");
        }
    }
}
