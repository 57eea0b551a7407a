//! The intake form as a screen: it owns the form being filled, the focused
//! field and its text input, the live check of the ID numbers, the earlier
//! cases of the household and the window's judgement of the form, and turns
//! the keys of `[intake]` into edits and effects (save, hold, leave).
//!
//! On screen: the ID number with its live check on the first line, applicant
//! and household on the left with the documents checklist and the household
//! members, the application and what its policy needs on the right, the
//! entitlement line and the duplicate banner. A column longer than the screen
//! scrolls so the focused field is always in view.

use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use crate::domain::case::Flag;
use crate::domain::policy::{BillLine, Policy};
use crate::domain::{CaseId, Document, IdNumber, IdNumberError, Kind, Money};
use crate::tr;
use crate::ui::action::{Action, TEXT_KEYS};
use crate::ui::effect::{Effect, Effects};
use crate::ui::env::Env;
use crate::ui::form::{CardFields, Control, Field, Form, MemberStatus, PolicyChoices};
use crate::ui::popups::{Pending, Popup};
use crate::ui::strings::{self, S};
use crate::ui::theme::Theme;
use crate::ui::widgets::input::{render_text, Edited, TextInput};
use crate::ui::widgets::{put, width};
use crate::ui::CardRead;
use crate::window::Intake;
use crate::Lang;

/// What the intake form's keys do (besides typing).
pub const ACTIONS: &[&[Action]] = &[
    &[
        Action::Save,
        Action::Hold,
        Action::NoShow,
        Action::ReadCard,
        Action::ReuseHousehold,
        Action::Back,
        Action::NextField,
        Action::NextInput,
        Action::PrevField,
        Action::Toggle,
    ],
    TEXT_KEYS,
];

/// Earlier cases of the household that the clerk must see on the form, by
/// case id; the banner says as many ids as its line holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DuplicateNote {
    /// The policy's possible duplicates: the same kind and reason, for the
    /// applicant or a household member, within the policy's window.
    Possible { ids: Vec<CaseId>, blocks: bool },
    /// Any earlier case of the applicant or a household member, newest first,
    /// with what the newest is.
    Earlier { ids: Vec<CaseId>, latest: String, through_members: bool },
}

impl DuplicateNote {
    /// The banner's text in `room` cells.
    pub fn text(&self, room: usize, lang: Lang) -> String {
        match self {
            DuplicateNote::Possible { ids, blocks } => {
                let ids: Vec<&str> = ids.iter().map(CaseId::as_str).collect();
                strings::possible_duplicates_banner(&ids, *blocks, room, lang)
            }
            DuplicateNote::Earlier { ids, latest, through_members } => {
                let ids: Vec<&str> = ids.iter().map(CaseId::as_str).collect();
                strings::earlier_cases_banner(&ids, latest, *through_members, room, lang)
            }
        }
    }
}

/// What the window made of the form, in the clerk's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessed {
    pub entitlement: String,
    /// The hospital-bill discounts apply to this household (the relief of each line is shown).
    pub discounts_apply: bool,
    /// Possible duplicates by the policy's rule (they may need a supervisor).
    pub duplicates: Option<DuplicateNote>,
}

pub struct IntakeScreen {
    pub form: Form,
    pub focus: Field,
    /// The focused text field's text and cursor (written back into the form on each edit).
    editor: TextInput,
    /// What is wrong with the field the save went back to.
    pub error: Option<crate::ui::form::FormError>,
    /// The focused numeric field still shows what it held when the focus came:
    /// the first digit typed replaces it (household size 1, typing 3, is 3).
    replace_on_digit: bool,
    /// The household's ID numbers last looked up, and the earlier cases found.
    duplicate: Option<(Vec<IdNumber>, Option<DuplicateNote>)>,
    /// The window's live judgement, once the form is complete enough to judge.
    pub assessed: Option<Assessed>,
    /// What the clerk must check about the card read for this form (expired,
    /// a number that does not check).
    pub card_note: Option<String>,
    /// A duplicate warning from outside the store (the district), for an ID number.
    pub district: Option<(String, String)>,
}

impl IntakeScreen {
    /// The form `form`, the focus on the ID number; the household's earlier cases looked up.
    pub fn new(form: Form, env: &Env) -> IntakeScreen {
        let editor = TextInput::with_text(&form.id_number, Field::IdNumber.limit());
        let mut intake = IntakeScreen {
            form,
            focus: Field::IdNumber,
            editor,
            error: None,
            replace_on_digit: false,
            duplicate: None,
            assessed: None,
            card_note: None,
            district: None,
        };
        intake.check_duplicates(env);
        intake
    }

    /// Does a plain character go into the form now (the focus is on a text field)?
    pub fn takes_text(&self) -> bool {
        self.focus.control() == Control::Text
    }

    pub fn typed(&mut self, c: char, env: &Env) -> Effects {
        if std::mem::take(&mut self.replace_on_digit) && c.is_ascii_digit() {
            self.editor = TextInput::new(self.focus.limit());
        }
        if self.takes_text() && self.editor.insert(c) {
            self.form.set_text(self.focus, self.editor.text());
            return self.changed(env);
        }
        Effects::new()
    }

    pub fn act(&mut self, action: Action, env: &Env) -> Effects {
        match action {
            Action::Save => vec![Effect::Accept(None, None)],
            Action::Hold => vec![Effect::Hold],
            Action::ReadCard => vec![Effect::ReadCard],
            Action::ReuseHousehold => self.reuse_household(env),
            // A called ticket is never dropped: back in the waiting line with what was typed.
            Action::Back if self.form.ticket.is_some() => vec![Effect::Hold],
            Action::NoShow if self.form.ticket.is_none() => vec![Effect::info(S::NoShowNoTicket.get(env.lang))],
            Action::NoShow if self.form.is_dirty() => vec![Effect::Popup(Popup::Confirm(Pending::NoShow))],
            Action::NoShow => vec![Effect::NoShow],
            Action::Back if self.form.is_dirty() => vec![Effect::Popup(Popup::Confirm(Pending::Discard))],
            Action::Back => vec![Effect::CloseIntake],
            Action::NextField => self.move_focus(1, env),
            Action::NextInput => self.next_input(env),
            Action::PrevField => self.move_focus(-1, env),
            Action::Toggle if !self.takes_text() => self.cycle(1, env),
            Action::Left | Action::Right if !self.takes_text() => {
                self.cycle(if action == Action::Left { -1 } else { 1 }, env)
            }
            other if self.takes_text() => {
                let edited = self.editor.edit(other);
                if edited != Edited::No {
                    // Edited or moved in: the field is the clerk's now, no longer replaced.
                    self.replace_on_digit = false;
                }
                match edited {
                    Edited::Text => {
                        self.form.set_text(self.focus, self.editor.text());
                        self.changed(env)
                    }
                    Edited::Cursor | Edited::No => Effects::new(),
                }
            }
            _ => Effects::new(),
        }
    }

    fn cycle(&mut self, step: isize, env: &Env) -> Effects {
        let choices = PolicyChoices::of(env.policies.policy_for(env.today()));
        self.form.cycle(self.focus, step, &choices);
        self.changed(env)
    }

    fn focus_on(&mut self, field: Field) {
        self.focus = field;
        let text = self.form.text(field).unwrap_or("");
        self.replace_on_digit = field.is_numeric() && !text.is_empty();
        self.editor = TextInput::with_text(text, field.limit());
    }

    /// The household of the applicant's latest earlier case, typed into the
    /// form: its size, monthly income and members (the clerk checks and edits them).
    fn reuse_household(&mut self, env: &Env) -> Effects {
        let lang = env.lang;
        let Ok(number) = self.form.id_check(env.today()) else {
            return vec![Effect::info(S::NoEarlierHousehold.get(lang))];
        };
        let latest = match env.store.cases_of_person(&number) {
            Ok(found) => found.into_iter().filter(|s| s.id_number == number).max_by_key(|s| s.received_at),
            Err(e) => return vec![Effect::error(strings::failed(&e, lang))],
        };
        let case = match latest.map(|s| env.store.case(&s.id)) {
            Some(Ok(Some(case))) => case,
            Some(Err(e)) => return vec![Effect::error(strings::failed(&e, lang))],
            Some(Ok(None)) | None => return vec![Effect::info(S::NoEarlierHousehold.get(lang))],
        };
        let h = &case.household;
        self.form.household_size = h.size.to_string();
        self.form.monthly_income = h.monthly_income.to_string();
        self.form.members =
            h.members.iter().map(|m| format!("{} {} {}", m.id_number.as_str(), m.name, m.relation)).collect();
        self.focus_on(Field::HouseholdSize);
        let mut effects = self.changed(env);
        effects.push(Effect::info(tr!(lang, "household-reused", id = case.id.as_str())));
        effects
    }

    /// Forward to the next text field, over the choices and ticks between.
    fn next_input(&mut self, env: &Env) -> Effects {
        let choices = PolicyChoices::of(env.policies.policy_for(env.today()));
        let fields = self.form.fields(&choices);
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = (1..=fields.len()).map(|i| fields[(at + i) % fields.len()]).find(|f| f.control() == Control::Text);
        if let Some(field) = next {
            self.focus_on(field);
        }
        Effects::new()
    }

    fn move_focus(&mut self, step: isize, env: &Env) -> Effects {
        let choices = PolicyChoices::of(env.policies.policy_for(env.today()));
        let fields = self.form.fields(&choices);
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0) as isize;
        let n = fields.len() as isize;
        self.focus_on(fields[((at + step).rem_euclid(n)) as usize]);
        Effects::new()
    }

    /// After any change of the form: the error of the field edited goes, a
    /// line that no longer applies passes the focus on, the household's
    /// earlier cases and the window's judgement follow, and the draft is kept.
    pub fn changed(&mut self, env: &Env) -> Effects {
        if self.error.as_ref().is_some_and(|e| e.field == self.focus) {
            self.error = None;
        }
        let choices = PolicyChoices::of(env.policies.policy_for(env.today()));
        let fields = self.form.fields(&choices);
        if !fields.contains(&self.focus) {
            if let Some(last) = fields.last() {
                self.focus_on(*last);
            }
        }
        self.check_duplicates(env);
        self.assess(env);
        vec![Effect::Draft]
    }

    /// The live look-up: every earlier case in this store of the applicant
    /// and of every household member whose number checks, from the window.
    fn check_duplicates(&mut self, env: &Env) {
        let today = env.today();
        let numbers = self.form.household_id_numbers(today);
        if self.duplicate.as_ref().is_some_and(|(n, _)| *n == numbers) {
            return;
        }
        let applicant = self.form.id_check(today).ok();
        let found = env.window().household_history(&numbers).unwrap_or_else(|e| {
            tracing::warn!("duplicate check failed: {e}");
            Vec::new()
        });
        let lang = env.lang;
        let note = found.first().map(|latest| DuplicateNote::Earlier {
            latest: format!("{} {}", strings::kind(latest.kind, lang), strings::state(latest.state, lang)),
            ids: found.iter().map(|c| c.id.clone()).collect(),
            through_members: found.iter().any(|c| Some(&c.id_number) != applicant.as_ref()),
        });
        self.duplicate = Some((numbers, note));
    }

    /// The window's live judgement: the policy's entitlement and its possible duplicates.
    fn assess(&mut self, env: &Env) {
        let (today, lang) = (env.today(), env.lang);
        self.assessed = match self.form.to_input(today, lang) {
            Ok(input) => match env.window().assess(&input, today) {
                Ok(a) => Some(Assessed {
                    entitlement: strings::entitlement(&a.entitlement, lang),
                    discounts_apply: input.kind == Kind::Medical
                        && !a.entitlement.flags.iter().any(|f| matches!(f, Flag::Ineligible | Flag::ReserveFund)),
                    duplicates: (!a.duplicates.possible_duplicates.is_empty()).then(|| DuplicateNote::Possible {
                        ids: a.duplicates.related_cases(),
                        blocks: a.duplicates.blocks,
                    }),
                }),
                Err(e) => {
                    tracing::warn!("cannot assess the form: {e}");
                    None
                }
            },
            Err(_) => None,
        };
    }

    /// What the ID card reader read fills the name and the number; what the
    /// clerk must check (an expired card, a number that does not check) is said.
    pub fn card(&mut self, card: &CardRead, env: &Env) -> Option<String> {
        let lang = env.lang;
        let mut notes = Vec::new();
        if let Some(until) = card.valid_until.filter(|d| *d < env.today()) {
            notes.push(strings::card_expired(until, lang));
        }
        if let Some(e) = &card.id_problem {
            notes.push(strings::card_number_problem(e, lang));
        }
        let note = (!notes.is_empty()).then(|| notes.join(tr!(lang, "card-notes-separator")));
        let fields = CardFields {
            name: card.name.trim().to_string(),
            id_number: card.id_number.trim().to_ascii_uppercase(),
            address: card.address.trim().to_string(),
            ethnicity: card.ethnicity.trim().to_string(),
            photo_wlt: card.photo_wlt.clone(),
        };
        self.form.name = fields.name.clone();
        self.form.id_number = fields.id_number.clone();
        self.form.card = Some(fields);
        // The card was on the reader: the ID card is handed in.
        if self.form.kind.documents().contains(&Document::IdCard) && !self.form.documents.contains(&Document::IdCard) {
            self.form.documents.push(Document::IdCard);
        }
        self.card_note = note.clone();
        if matches!(self.focus, Field::Name | Field::IdNumber) {
            // Name and number are filled: on to the first field the card cannot fill.
            self.focus_on(Field::Phone);
        }
        note
    }

    /// The form as the window's intake, or the field to go back to (focused, with its error).
    pub fn intake(&mut self, env: &Env) -> Result<Intake, Effects> {
        match self.form.to_input(env.today(), env.lang) {
            Ok(input) => {
                let card_photo = self.form.card_photo().map(<[u8]>::to_vec);
                let draft = Some(self.form.draft.clone()).filter(|t| !t.is_empty());
                Ok(Intake { input, override_by: None, card_photo, draft, countersign: None })
            }
            Err(e) => {
                self.focus_on(e.field);
                let text = e.message.clone();
                self.error = Some(e);
                Err(vec![Effect::error(text)])
            }
        }
    }

    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) -> Option<Position> {
        let (t, lang, today) = (env.theme, env.lang, env.today());
        let policy = env.policies.policy_for(today);
        let terms = InForce { policy, choices: PolicyChoices::of(policy) };
        let form = &self.form;
        // Line 0: title and ticket.
        let ticket = match form.ticket {
            Some(n) => format!("{} {n}", S::TicketLabel.get(lang)),
            None => S::NoTicket.get(lang).to_string(),
        };
        let end = put(buf, area, area.x + 1, area.y, &format!("{}   {ticket}", S::IntakeTitle.get(lang)), t.title);
        // What the clerk must check about the card just read (expired, a number that does not check).
        if let Some(note) = &self.card_note {
            put(buf, area, end + 3, area.y, &format!("! {note}"), t.error);
        }
        // Line 1: the duplicate banner (the policy's check, the quick look-up, or the district's word).
        let room = area.width.saturating_sub(2) as usize;
        let district = self
            .district
            .as_ref()
            .filter(|(n, _)| n.eq_ignore_ascii_case(form.id_number.trim()))
            .map(|(_, text)| text.clone());
        let local = self
            .assessed
            .as_ref()
            .and_then(|a| a.duplicates.as_ref())
            .or_else(|| self.duplicate.as_ref().and_then(|(_, note)| note.as_ref()));
        // The local check and the district's word, side by side.
        let banner = match (local, district) {
            (Some(note), Some(d)) => {
                let d_width = crate::ui::widgets::width(&d) + 3;
                Some(format!("{} | {d}", note.text(room.saturating_sub(d_width).max(room / 2), lang)))
            }
            (Some(note), None) => Some(note.text(room, lang)),
            (None, d) => d,
        };
        if let Some(b) = banner {
            let line = Rect::new(area.x, area.y + 1, area.width, 1);
            buf.set_style(line, t.banner);
            put(buf, area, area.x + 1, area.y + 1, &b, t.banner);
        }
        let draw = Draw { intake: self, env, terms: &terms };
        // Line 2: the ID number and its live check.
        // Room for all 18 characters, and the card's mark beside them when the card filled it.
        let card_mark = if form.from_card(Field::IdNumber) { width(S::FromCard.get(lang)) as u16 + 1 } else { 0 };
        let mut cursor = draw.field_line(buf, area, area.y + 2, Field::IdNumber, 20 + card_mark);
        let check_x = area.x + 2 + LABEL + 20 + card_mark + 2;
        let (check, style) = id_status(&form.id_check(today), &t, lang);
        put(buf, area, check_x, area.y + 2, &check, style);

        // Two columns below: applicant, household, documents and members on the left; the application on the right.
        let half = area.width / 2;
        let left = Rect::new(area.x, area.y + 3, half, area.height.saturating_sub(4));
        let right = Rect::new(area.x + half, area.y + 3, area.width - half, left.height);
        let fields = form.fields(&terms.choices);
        let applicant = [Field::Name, Field::Phone, Field::Residence, Field::HouseholdSize, Field::MonthlyIncome];
        let mut left_rows: Vec<Row> = applicant.iter().map(|f| Row::Field(*f)).collect();
        left_rows.extend([Row::Blank, Row::Documents]);
        left_rows.extend(fields.iter().filter(|f| matches!(f, Field::Document(_))).map(|f| Row::Field(*f)));
        let members: Vec<Row> =
            fields.iter().filter(|f| matches!(f, Field::Member(_))).map(|f| Row::Field(*f)).collect();
        if !members.is_empty() {
            left_rows.push(Row::Blank);
            left_rows.extend(members);
            left_rows.push(Row::MemberCheck);
        }
        let right_rows: Vec<Row> = fields
            .iter()
            .filter(|f| !applicant.contains(f) && !matches!(f, Field::IdNumber | Field::Member(_) | Field::Document(_)))
            .map(|f| Row::Field(*f))
            .collect();
        let focus_in = |rows: &[Row]| rows.iter().position(|r| *r == Row::Field(self.focus));
        let right_view = view(right_rows.len(), right.height as usize, focus_in(&right_rows));
        let left_view = view(left_rows.len(), left.height as usize, focus_in(&left_rows));
        // Below the right column's last line, a member's line may take the whole width.
        let right_lines = right_view.shown + usize::from(right_view.above) + usize::from(right_view.below);
        let free_from = right.y + right_lines as u16;
        let drawn = [
            draw.column(buf, right, &right_rows, right_view, None),
            draw.column(buf, left, &left_rows, left_view, Some((free_from, area.width))),
        ];
        if let Some(p) = drawn.into_iter().flatten().next_back() {
            cursor = Some(p);
        }
        // Bottom line of the body: the entitlement computed live.
        let (text, style) = match &self.assessed {
            Some(a) => (a.entitlement.clone(), t.info),
            None => (S::EntitlementPending.get(lang).to_string(), t.dim),
        };
        let y = area.bottom().saturating_sub(1);
        let x = put(buf, area, area.x + 1, y, &format!("{}: ", S::Entitlement.get(lang)), t.label);
        put(buf, area, x, y, &text, style);
        cursor
    }
}

const LABEL: u16 = 11;
/// Cells of a hospital-bill amount.
const BILL: u16 = 10;

/// A line of a form column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Field(Field),
    Blank,
    /// The documents checklist's heading.
    Documents,
    /// The live check of the household members' lines.
    MemberCheck,
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

fn value(form: &Form, field: Field, choices: &PolicyChoices, lang: Lang) -> String {
    match field {
        Field::Residence => strings::residence(form.residence, lang).to_string(),
        Field::Kind => strings::kind(form.kind, lang).to_string(),
        Field::Reason => strings::reason(form.reason, lang).to_string(),
        Field::Source => form.source.label(lang).to_string(),
        Field::SourceDepartment => strings::department(form.source_department, lang).to_string(),
        Field::RuralClass => {
            let per_person =
                form.rural_class.and_then(|c| choices.rural_classes.get(usize::from(c).wrapping_sub(1))).copied();
            strings::rural_class(form.rural_class, per_person, lang)
        }
        Field::Category => strings::category(form.category, lang).to_string(),
        Field::Support => strings::support_mode(form.support, lang).to_string(),
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
        // The text fields show what is typed.
        _ => form.text(field).unwrap_or("").to_string(),
    }
}

/// The policy in force today, and the choices it offers the form.
struct InForce<'a> {
    policy: &'a Policy,
    choices: PolicyChoices,
}

/// Drawing the form's lines, from the screen's state.
struct Draw<'a> {
    intake: &'a IntakeScreen,
    env: &'a Env,
    terms: &'a InForce<'a>,
}

impl Draw<'_> {
    /// Draws one field: marker, label, control. Returns the cursor for a focused text field.
    fn field_line(&self, buf: &mut Buffer, area: Rect, y: u16, field: Field, ctrl_width: u16) -> Option<Position> {
        let (t, lang, i) = (&self.env.theme, self.env.lang, self.intake);
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
            Field::Document(_) => String::new(),
            _ => field.name(lang),
        };
        put(buf, area, x + 1, y, &label, label_style);
        let cx = x + 2 + LABEL;
        let card = i.form.from_card(field);
        let mark_w = if card { width(S::FromCard.get(lang)) as u16 + 1 } else { 0 };
        let ctrl = Rect::new(cx, y, ctrl_width.saturating_sub(mark_w), 1);
        let cursor = match field.control() {
            Control::Text if focused => i.editor.render(buf, ctrl, t.focus, true),
            Control::Text => render_text(buf, ctrl, i.form.text(field).unwrap_or(""), None, t.input),
            Control::Choice => {
                let style = if focused { t.focus } else { t.base };
                put(buf, area, cx, y, &format!("< {} >", value(&i.form, field, &self.terms.choices, lang)), style);
                None
            }
            Control::Check => {
                let style = if focused { t.focus } else { t.base };
                let v = value(&i.form, field, &self.terms.choices, lang);
                let style = if field == Field::Green && i.form.green { t.green } else { style };
                put(buf, area, cx, y, &v, style);
                None
            }
        };
        if card {
            put(buf, area, ctrl.right() + 1, y, S::FromCard.get(lang), t.ok);
        }
        if let Field::Bill(item) = field {
            if let Some((_, percent)) = self.terms.choices.bill_items.iter().find(|(b, _)| *b == item) {
                // The relief of the line, once the discounts apply to this household.
                let amount = i.form.text(field).and_then(|a| a.trim().parse::<Money>().ok());
                let relief = amount
                    .filter(|_| i.assessed.as_ref().is_some_and(|a| a.discounts_apply))
                    .map(|amount| self.terms.policy.bill_relief(&BillLine { item, amount }).1);
                put(buf, area, ctrl.right() + 1, y, &strings::discount(*percent, relief, lang), t.dim);
            }
        }
        cursor
    }

    /// Draws a column's rows as `v` shows them; returns the cursor. Member
    /// lines at or below `wide.0` have the body's whole width `wide.1` (the other
    /// column is shorter), so an ID number, a name and a relation fit on one line.
    fn column(
        &self,
        buf: &mut Buffer,
        area: Rect,
        rows: &[Row],
        v: View,
        wide: Option<(u16, u16)>,
    ) -> Option<Position> {
        let (t, lang, today, i) = (self.env.theme, self.env.lang, self.env.today(), self.intake);
        let mut y = area.y;
        if v.above {
            put(buf, area, area.x + 1, y, &strings::more_lines(true, v.offset, lang), t.dim);
            y += 1;
        }
        let mut cursor = None;
        for row in rows.iter().skip(v.offset).take(v.shown) {
            let line = match (row, wide) {
                (Row::Field(Field::Member(_)) | Row::MemberCheck, Some((from, w))) if y >= from => {
                    Rect { width: w, ..area }
                }
                _ => area,
            };
            match *row {
                Row::Field(f) => {
                    let w = if matches!(f, Field::Bill(_)) { BILL } else { line.width.saturating_sub(LABEL + 3) };
                    if let Some(p) = self.field_line(buf, line, y, f, w) {
                        cursor = Some(p);
                    }
                }
                Row::Blank => {}
                Row::Documents => {
                    put(buf, line, line.x + 1, y, S::FieldDocuments.get(lang), t.label);
                }
                Row::MemberCheck => {
                    let (text, style) = member_check(&i.form, i.focus, today, &t, lang);
                    put(buf, line, line.x + 1, y, &text, style);
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
}

/// What an ID number as typed says beside it: valid with its birth date and
/// sex, how far the typing is, or what is wrong.
fn id_status(check: &Result<crate::domain::IdNumber, IdNumberError>, t: &Theme, lang: Lang) -> (String, Style) {
    match check {
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
        Err(IdNumberError::Empty) => (String::new(), t.dim),
        // Only digits so far (a wrong character is named before the length).
        Err(IdNumberError::WrongLength(n)) if *n < 18 => (format!("{} {n}/18", S::IdTyping.get(lang)), t.dim),
        Err(e) => (strings::id_error(e, lang), t.error),
    }
}

/// The line under the members: the focused member's live check, else the
/// first member whose number is wrong, else how to type a member.
fn member_check(form: &Form, focus: Field, today: NaiveDate, t: &Theme, lang: Lang) -> (String, Style) {
    let focused = match focus {
        Field::Member(i) => Some(i),
        _ => None,
    };
    let wrong = || (0..form.member_rows()).find(|i| matches!(form.member_status(*i, today), MemberStatus::Id(_)));
    let Some(i) = focused.or_else(wrong) else {
        return (S::MembersHint.get(lang).to_string(), t.dim);
    };
    let who = strings::member(i + 1, lang);
    let say = |what: &str, style: Style| (strings::field_problem(&who, what, lang), style);
    match form.member_status(i, today) {
        MemberStatus::Blank => (S::MembersHint.get(lang).to_string(), t.dim),
        MemberStatus::Id(e) if focused.is_some() => {
            let (text, style) = id_status(&Err(e), t, lang);
            say(&text, style)
        }
        MemberStatus::Id(e) => say(&strings::id_error(&e, lang), t.error),
        MemberStatus::NeedsNameAndRelation(_) => say(S::MemberNeedsName.get(lang), t.dim),
        MemberStatus::Complete(m) => {
            let id = &m.id_number;
            let valid = format!("{} {}", S::IdOk.get(lang), id.birth_date().format("%Y-%m-%d"));
            say(&format!("{valid} {} {} {}", strings::sex(id.sex(), lang), m.name, m.relation), t.ok)
        }
    }
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
