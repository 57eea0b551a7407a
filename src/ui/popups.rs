//! Popups over the screen, each owning its state: the confirmation of an
//! irreversible step (or of quitting with unsaved input), the value a step
//! needs, the department to refer to, a supervisor's override reason, a
//! supervisor's name and PIN countersigning one step at the clerk's counter,
//! the receipt to reprint, and a receipt shown on screen when there is no
//! printer. A key goes to the open popup, which keeps itself open or closes
//! with the effects of its answer.

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Widget};

use crate::domain::dedup::SupervisorOverride;
use crate::domain::{CaseId, Department, Money};
use crate::l10n::Say;
use crate::receipt::ReceiptKind;
use crate::ui::action::{Action, TEXT_KEYS};
use crate::ui::effect::{Effect, Effects};
use crate::ui::env::Env;
use crate::ui::form::Form;
use crate::ui::keymap::{Key, Section};
use crate::ui::strings::{self, S};
use crate::ui::widgets::input::{Edited, Limit, TextInput};
use crate::ui::widgets::table::ScrollTable;
use crate::ui::widgets::{pad, popup_frame, put, width, wrap};
use crate::window::{CaseAction, Countersign, WindowError};
use crate::{tr, Lang};

/// What the popups' keys do: answer, move in a list or a receipt, edit a text field.
pub const ACTIONS: &[&[Action]] = &[
    &[Action::Confirm, Action::Cancel, Action::Back, Action::Up, Action::Down, Action::PageUp, Action::PageDown],
    TEXT_KEYS,
];

/// The receipts a paid case has, in the order the reprint popup offers them.
pub const RECEIPT_KINDS: [ReceiptKind; 2] = [ReceiptKind::Acceptance, ReceiptKind::Disbursement];

/// Something that waits for the clerk's yes: the data of the confirmation popup.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// An irreversible step on a case (countersigned by a supervisor at the counter).
    Act { id: CaseId, action: CaseAction, countersign: Option<Countersign> },
    /// Quit although a form has unsaved input.
    Quit,
    /// Leave the form, dropping what was typed.
    Discard,
    /// Record the called ticket as a no-show, dropping what was typed.
    NoShow,
    /// The printer is back: print the receipts that waited for it (how many).
    PrintPending(usize),
    /// Reopen the form left unsaved last time (cancel discards it).
    RestoreDraft(Box<LeftDraft>),
}

/// The form left unsaved last time, and when it was left.
#[derive(Debug, Clone, PartialEq)]
pub struct LeftDraft {
    pub form: Form,
    /// "11-30 08:55", in the centre's time (when the file system says).
    pub left_at: Option<String>,
}

/// What a value popup asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ApproveAmount,
    /// The amount a supervisor approves (above the clerk's limit).
    SupervisorAmount,
    RejectReason,
    ReviewNote,
}

/// A value a step needs: an amount or a text.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub purpose: Purpose,
    pub id: CaseId,
    pub input: TextInput,
    pub error: Option<String>,
}

impl Prompt {
    /// The amount to approve, offered as `amount` (by a supervisor: above the clerk's limit).
    pub fn amount(id: CaseId, amount: Money, supervisor: bool) -> Prompt {
        let purpose = if supervisor { Purpose::SupervisorAmount } else { Purpose::ApproveAmount };
        Prompt { purpose, id, input: TextInput::with_text(&amount.to_string(), Limit::amount()), error: None }
    }

    pub fn reject_reason(id: CaseId) -> Prompt {
        Prompt { purpose: Purpose::RejectReason, id, input: note(), error: None }
    }

    pub fn review_note(id: CaseId) -> Prompt {
        Prompt { purpose: Purpose::ReviewNote, id, input: note(), error: None }
    }
}

fn note() -> TextInput {
    TextInput::new(Limit::text(crate::domain::case::MAX_TEXT_CHARS))
}

/// What a supervisor's countersign at the counter is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Countersigned {
    /// A step on a case: an approval above the clerk's limit, a payment from the relief fund.
    Act { id: CaseId, action: CaseAction },
    /// Accepting the form past a blocking duplicate, for the supervisor's reason.
    Accept { reason: String },
}

/// A PIN typed at the counter: never shown, never in a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The supervisor's name and PIN for one step at the clerk's counter; the clerk stays signed in.
#[derive(Debug, Clone)]
pub struct CountersignForm {
    pub then: Countersigned,
    pub name: TextInput,
    pub pin: TextInput,
    /// The PIN field has the focus (else the name).
    pub on_pin: bool,
    pub error: Option<String>,
}

impl CountersignForm {
    pub fn new(then: Countersigned) -> CountersignForm {
        let name = TextInput::new(Limit::text(crate::domain::operator::MAX_NAME_CHARS));
        let pin = TextInput::new(Limit::text(crate::domain::operator::MAX_PIN_DIGITS));
        CountersignForm { then, name, pin, on_pin: false, error: None }
    }

    /// The form again after a refused name or PIN: the name kept, the PIN typed again.
    pub fn again(then: Countersigned, name: &str, error: String) -> CountersignForm {
        let mut form = CountersignForm::new(then);
        form.name = TextInput::with_text(name, Limit::text(crate::domain::operator::MAX_NAME_CHARS));
        form.on_pin = !name.is_empty();
        form.error = Some(error);
        form
    }
}

/// Does a supervisor's countersign lift this refusal? Once there are
/// operators: above the clerk's limit, a supervisor's step by a clerk, the
/// supervisor's own case.
pub fn countersign_lifts(e: &WindowError, env: &Env) -> bool {
    let lifts = matches!(
        e,
        WindowError::AboveClerkLimit { .. } | WindowError::NeedsSupervisor { .. } | WindowError::OwnCase { .. }
    );
    lifts && env.store.has_operators()
}

/// The popup before a step: its confirmation when the window would take it,
/// the supervisor's countersign when only that is missing, else the refusal.
pub fn before_step(id: &CaseId, action: CaseAction, env: &Env) -> Result<Popup, String> {
    match check_window(id, &action, None, env) {
        Ok(()) => Ok(Popup::Confirm(Pending::Act { id: id.clone(), action, countersign: None })),
        Err(Some(e)) if countersign_lifts(&e, env) => {
            Ok(Popup::Countersign(CountersignForm::new(Countersigned::Act { id: id.clone(), action })))
        }
        Err(Some(e)) => Err(env.refusal(&e)),
        Err(None) => Err(check(id, &action, env).err().unwrap_or_default()),
    }
}

#[derive(Debug, Clone)]
pub enum Popup {
    /// `Confirm(Pending)`: yes runs it, cancel leaves everything as it was.
    Confirm(Pending),
    /// A value the step needs (an amount, a reason).
    Prompt(Prompt),
    /// The department to refer to.
    ChooseDepartment { id: CaseId, list: ScrollTable },
    /// The duplicate check stopped the intake: the supervisor's reason to let it through.
    Override { what: String, input: TextInput, error: Option<String> },
    /// A supervisor's name and PIN for one step at the clerk's counter.
    Countersign(CountersignForm),
    /// Which receipt of a paid case to print again.
    ChooseReceipt { id: CaseId, list: ScrollTable },
    /// A receipt shown on screen (no printer), as laid out for the paper.
    Receipt { id: CaseId, kind: ReceiptKind, lines: Vec<String>, scroll: u16 },
}

/// What a key did to the popup.
pub enum Answer {
    /// It stays open; the effects are applied.
    Stay(Effects),
    /// It closes; then the effects are applied.
    Close(Effects),
}

fn choices(len: usize, selected: usize) -> ScrollTable {
    let mut list = ScrollTable::new(1);
    list.set_len(len);
    list.layout(len as u16);
    list.select(selected);
    list
}

/// A choice list wraps around: up from the first is the last.
fn cycle(list: &mut ScrollTable, step: isize) {
    let n = list.len().max(1) as isize;
    list.select(((list.selected() as isize + step.signum()).rem_euclid(n)) as usize);
}

impl Popup {
    pub fn choose_department(id: CaseId, selected: usize) -> Popup {
        Popup::ChooseDepartment { id, list: choices(Department::ALL.len(), selected) }
    }

    pub fn choose_receipt(id: CaseId) -> Popup {
        Popup::ChooseReceipt { id, list: choices(RECEIPT_KINDS.len(), 0) }
    }

    /// The supervisor's override of a blocking duplicate described in `what`.
    pub fn override_duplicate(what: String) -> Popup {
        Popup::Override { what, input: note(), error: None }
    }

    fn text_field(&mut self) -> Option<(&mut TextInput, &mut Option<String>)> {
        match self {
            Popup::Prompt(p) => Some((&mut p.input, &mut p.error)),
            Popup::Override { input, error, .. } => Some((input, error)),
            Popup::Countersign(CountersignForm { pin, name, on_pin, error, .. }) => {
                Some((if *on_pin { pin } else { name }, error))
            }
            Popup::Confirm(_)
            | Popup::ChooseDepartment { .. }
            | Popup::ChooseReceipt { .. }
            | Popup::Receipt { .. } => None,
        }
    }

    /// A key while the popup is open: a character into its text field, else the action of `[popup]`.
    pub fn key(&mut self, key: &KeyEvent, env: &Env) -> Answer {
        if let Some(c) = super::app::typed(key) {
            if let Some((input, error)) = self.text_field() {
                if input.insert(c) {
                    *error = None;
                }
                return Answer::Stay(Effects::new());
            }
        }
        let k = Key::of(key);
        let Some(action) = env.keymap.action(Section::Popup, k) else {
            // A receipt on screen is only something to read: the global keys (quit, help) go through.
            if let Popup::Receipt { .. } = self {
                match env.keymap.action(Section::Global, k) {
                    Some(Action::Quit) => return Answer::Close(vec![Effect::Quit]),
                    Some(Action::Help) => return Answer::Close(vec![Effect::Help]),
                    _ => {}
                }
            }
            return Answer::Stay(Effects::new());
        };
        match action {
            Action::Confirm => self.confirm(env),
            Action::Cancel | Action::Back => match self {
                Popup::Confirm(Pending::RestoreDraft(_)) => {
                    Answer::Close(vec![Effect::DiscardDraft, Effect::info(S::DraftDiscarded.get(env.lang))])
                }
                _ => Answer::Close(Effects::new()),
            },
            other => {
                let step: isize = match other {
                    Action::Up | Action::Left => -1,
                    Action::PageUp => -10,
                    Action::PageDown => 10,
                    _ => 1,
                };
                match self {
                    Popup::ChooseDepartment { list, .. } | Popup::ChooseReceipt { list, .. } => {
                        if matches!(other, Action::Up | Action::Down | Action::Left | Action::Right) {
                            cycle(list, step);
                        }
                    }
                    Popup::Receipt { scroll, lines, .. } => {
                        if matches!(other, Action::Up | Action::Down | Action::PageUp | Action::PageDown) {
                            let last = lines.len().min(u16::MAX as usize) as isize;
                            *scroll = (*scroll as isize + step).clamp(0, last) as u16;
                        }
                    }
                    Popup::Prompt(Prompt { input, error, .. }) | Popup::Override { input, error, .. } => {
                        if input.edit(other) == Edited::Text {
                            *error = None;
                        }
                    }
                    Popup::Countersign(f) if matches!(other, Action::Up | Action::Down) => f.on_pin = !f.on_pin,
                    Popup::Countersign(f) => {
                        let input = if f.on_pin { &mut f.pin } else { &mut f.name };
                        if input.edit(other) == Edited::Text {
                            f.error = None;
                        }
                    }
                    Popup::Confirm(_) => {}
                }
                Answer::Stay(Effects::new())
            }
        }
    }

    /// The clerk said yes (or chose, or gave the value).
    fn confirm(&mut self, env: &Env) -> Answer {
        let lang = env.lang;
        match self {
            Popup::Confirm(pending) => Answer::Close(match pending {
                Pending::Act { id, action, countersign } => {
                    vec![Effect::Step { id: id.clone(), action: action.clone(), countersign: countersign.clone() }]
                }
                Pending::Quit => vec![Effect::QuitNow],
                Pending::Discard => vec![Effect::CloseIntake],
                Pending::NoShow => vec![Effect::NoShow],
                Pending::PrintPending(_) => vec![Effect::PrintPending],
                Pending::RestoreDraft(left) => {
                    vec![Effect::OpenIntake(Box::new(left.form.clone())), Effect::info(S::DraftRestored.get(lang))]
                }
            }),
            Popup::ChooseDepartment { id, list } => {
                let department = Department::ALL.get(list.selected()).copied().unwrap_or(Department::CivilAffairs);
                let action = CaseAction::Refer(Some(department));
                Answer::Close(vec![Effect::Step { id: id.clone(), action, countersign: None }])
            }
            Popup::ChooseReceipt { id, list } => {
                let kind = RECEIPT_KINDS.get(list.selected()).copied().unwrap_or(ReceiptKind::Acceptance);
                Answer::Close(vec![Effect::PrintAgain { id: id.clone(), kind }])
            }
            Popup::Receipt { .. } => Answer::Close(Effects::new()),
            Popup::Override { input, error, .. } => {
                let reason = input.text().trim().to_string();
                if reason.is_empty() {
                    *error = Some(S::ReasonRequired.get(lang).to_string());
                    return Answer::Stay(Effects::new());
                }
                if env.store.has_operators() {
                    // The clerk accepting the case cannot let it through: a supervisor countersigns.
                    let form = CountersignForm::new(Countersigned::Accept { reason });
                    return Answer::Close(vec![Effect::Popup(Popup::Countersign(form))]);
                }
                Answer::Close(vec![Effect::Accept(Some(SupervisorOverride { by: env.operator.clone(), reason }), None)])
            }
            Popup::Countersign(f) => {
                let typed = if f.on_pin { f.pin.text() } else { f.name.text().trim() };
                if typed.is_empty() {
                    let needed = if f.on_pin {
                        tr!(lang, "countersign-pin-required")
                    } else {
                        tr!(lang, "countersign-name-required")
                    };
                    f.error = Some(needed.to_string());
                    return Answer::Stay(Effects::new());
                }
                if !f.on_pin {
                    f.on_pin = true;
                    return Answer::Stay(Effects::new());
                }
                Answer::Close(vec![Effect::Countersign {
                    then: f.then.clone(),
                    name: f.name.text().trim().to_string(),
                    pin: Secret(f.pin.text().to_string()),
                }])
            }
            Popup::Prompt(p) => {
                let text = p.input.text().trim().to_string();
                let confirm = |p: &mut Prompt, action: CaseAction| {
                    // Refused now rather than after "cannot be undone": the window checks
                    // first; what only a supervisor's countersign lifts asks for it.
                    match before_step(&p.id, action, env) {
                        Ok(popup) => Answer::Close(vec![Effect::Popup(popup)]),
                        Err(e) => {
                            p.error = Some(e);
                            Answer::Stay(Effects::new())
                        }
                    }
                };
                match p.purpose {
                    Purpose::ApproveAmount | Purpose::SupervisorAmount => match text.parse::<Money>() {
                        Ok(amount) if p.purpose == Purpose::ApproveAmount => {
                            confirm(p, CaseAction::Approve(Some(amount)))
                        }
                        Ok(amount) => confirm(p, CaseAction::ApproveAsSupervisor(Some(amount))),
                        Err(e) => {
                            p.error = Some(e.say(lang));
                            Answer::Stay(Effects::new())
                        }
                    },
                    Purpose::RejectReason if text.is_empty() => {
                        p.error = Some(S::ReasonRequired.get(lang).to_string());
                        Answer::Stay(Effects::new())
                    }
                    Purpose::RejectReason => confirm(p, CaseAction::Reject(text)),
                    Purpose::ReviewNote => {
                        let note = Some(text).filter(|t| !t.is_empty());
                        let action = CaseAction::Review(note);
                        Answer::Close(vec![Effect::Step { id: p.id.clone(), action, countersign: None }])
                    }
                }
            }
        }
    }

    /// Draws the popup over `area`; returns where the cursor goes in its text field.
    pub fn render(&self, buf: &mut Buffer, area: Rect, env: &Env) -> Option<Position> {
        let (t, lang) = (&env.theme, env.lang);
        let frame = |buf: &mut Buffer, w: u16, h: u16, title: &str| popup_frame(buf, area, w, h, title, t);
        let keys_line = |buf: &mut Buffer, inner: Rect| {
            put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &confirm_keys(env), t.header);
        };
        match self {
            Popup::Confirm(pending) => {
                let title = match pending {
                    Pending::Act { action: CaseAction::ApproveAsSupervisor(_), .. } => {
                        strings::key_desc("approve_as_supervisor", lang).unwrap_or("")
                    }
                    Pending::Act { .. }
                    | Pending::Quit
                    | Pending::Discard
                    | Pending::NoShow
                    | Pending::PrintPending(_)
                    | Pending::RestoreDraft(_) => S::ConfirmTitle.get(lang),
                };
                let text = confirm_text(pending, &env.operator, lang);
                // Wrapped by display cells at words and clause punctuation (never 退|出).
                let mut lines: Vec<Line> = wrap(&text, 58).into_iter().map(Line::from).collect();
                lines.push(Line::from(""));
                lines.push(Line::styled(confirm_keys(env), t.header));
                let inner = frame(buf, 60, (lines.len() as u16 + 2).max(10), title);
                Paragraph::new(lines).render(inner, buf);
                None
            }
            Popup::Prompt(Prompt { purpose, input, error, .. }) => {
                let prompt = match purpose {
                    Purpose::ApproveAmount => S::EnterAmount,
                    Purpose::SupervisorAmount => S::EnterSupervisorAmount,
                    Purpose::RejectReason => S::EnterReason,
                    Purpose::ReviewNote => S::EnterReviewNote,
                };
                let inner = frame(buf, 60, 8, prompt.get(lang));
                let field = Rect::new(inner.x + 1, inner.y + 1, inner.width.saturating_sub(2), 1);
                let pos = input.render(buf, field, t.focus, true);
                if let Some(e) = error {
                    // A refusal can be long: two lines above the keys.
                    for (i, line) in wrap(e, inner.width.saturating_sub(2) as usize).iter().take(2).enumerate() {
                        put(buf, inner, inner.x + 1, inner.y + 3 + i as u16, line, t.error);
                    }
                }
                if matches!(purpose, Purpose::ApproveAmount | Purpose::SupervisorAmount) {
                    if let Ok(m) = input.text().trim().parse::<Money>() {
                        put(buf, inner, inner.x + 1, inner.y + 2, &strings::money(m, lang), t.dim);
                    }
                }
                keys_line(buf, inner);
                pos
            }
            Popup::ChooseDepartment { list, .. } => {
                let inner = frame(buf, 44, Department::ALL.len() as u16 + 4, S::ChooseDepartment.get(lang));
                let w = inner.width as usize;
                let rows = Rect::new(inner.x, inner.y, inner.width, Department::ALL.len() as u16);
                list.render(buf, rows, t.selected, |i, _| {
                    Text::from(pad(&format!(" {}", strings::department(Department::ALL[i], lang)), w))
                });
                keys_line(buf, inner);
                None
            }
            Popup::ChooseReceipt { list, .. } => {
                let inner = frame(buf, 44, RECEIPT_KINDS.len() as u16 + 4, S::ChooseReceipt.get(lang));
                let w = inner.width as usize;
                let rows = Rect::new(inner.x, inner.y, inner.width, RECEIPT_KINDS.len() as u16);
                list.render(buf, rows, t.selected, |i, _| {
                    Text::from(pad(&format!(" {}", strings::receipt_kind(RECEIPT_KINDS[i], lang)), w))
                });
                keys_line(buf, inner);
                None
            }
            Popup::Override { what, input, error } => {
                // The whole of what was found, however many lines: the box grows to it.
                let said = wrap(what, 60);
                let rows = (said.len() as u16).min(area.height.saturating_sub(8)).max(1);
                let inner = frame(buf, 64, rows + 8, S::OverrideTitle.get(lang));
                for (i, line) in said.iter().take(rows as usize).enumerate() {
                    put(buf, inner, inner.x + 1, inner.y + i as u16, line, t.error);
                }
                put(buf, inner, inner.x + 1, inner.y + rows + 1, S::OverridePrompt.get(lang), t.label);
                let field = Rect::new(inner.x + 1, inner.y + rows + 2, inner.width.saturating_sub(2), 1);
                let pos = input.render(buf, field, t.focus, true);
                if let Some(e) = error {
                    put(buf, inner, inner.x + 1, inner.y + rows + 3, e, t.error);
                }
                keys_line(buf, inner);
                pos
            }
            Popup::Countersign(f) => {
                let operator = env.operator.as_str();
                let what = match &f.then {
                    Countersigned::Act { id, action } => {
                        tr!(
                            lang,
                            "countersign-act",
                            step = action_verb(action, lang),
                            id = id.as_str(),
                            operator = operator
                        )
                    }
                    Countersigned::Accept { .. } => tr!(lang, "countersign-accept", operator = operator),
                };
                let said = wrap(&what, 58);
                let rows = said.len() as u16;
                let inner = frame(buf, 62, rows + 8, tr!(lang, "countersign-title"));
                for (i, line) in said.iter().enumerate() {
                    put(buf, inner, inner.x + 1, inner.y + i as u16, line, t.base);
                }
                let label_w = 12;
                let field = |row: u16| {
                    Rect::new(inner.x + 1 + label_w, inner.y + row, inner.width.saturating_sub(2 + label_w), 1)
                };
                let (name_row, pin_row) = (rows + 1, rows + 2);
                put(buf, inner, inner.x + 1, inner.y + name_row, &pad(tr!(lang, "countersign-name"), 11), t.label);
                put(buf, inner, inner.x + 1, inner.y + pin_row, &pad(tr!(lang, "countersign-pin"), 11), t.label);
                let style = |focused: bool| if focused { t.focus } else { t.base };
                let name_at = f.name.render(buf, field(name_row), style(!f.on_pin), !f.on_pin);
                // The PIN is masked: one mark a digit.
                let masked = "*".repeat(f.pin.text().chars().count());
                let cursor = f.on_pin.then_some(f.pin.cursor());
                let pin_at = super::widgets::input::render_text(buf, field(pin_row), &masked, cursor, style(f.on_pin));
                if let Some(e) = &f.error {
                    for (i, line) in wrap(e, inner.width.saturating_sub(2) as usize).iter().take(2).enumerate() {
                        put(buf, inner, inner.x + 1, inner.y + pin_row + 1 + i as u16, line, t.error);
                    }
                }
                let key = |a| env.key(Section::Popup, a);
                let switch = format!("{}/{}", key(Action::Up), key(Action::Down));
                let keys = tr!(
                    lang,
                    "countersign-keys",
                    confirm = key(Action::Confirm),
                    switch = switch,
                    cancel = key(Action::Cancel)
                );
                put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &keys, t.header);
                if f.on_pin {
                    pin_at
                } else {
                    name_at
                }
            }
            Popup::Receipt { kind, lines, scroll, .. } => {
                // The lines are laid out for the paper: the box fits the widest one.
                let widest = lines.iter().map(|l| width(l)).max().unwrap_or(0) as u16;
                let title = strings::receipt_on_screen(*kind, lang);
                let w = (widest + 4).max(width(&title) as u16 + 6).min(area.width);
                let h = (lines.len() as u16 + 4).min(area.height);
                let inner = frame(buf, w, h, &title);
                let body =
                    Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), inner.height.saturating_sub(1));
                let max = (lines.len() as u16).saturating_sub(body.height);
                let first = (*scroll).min(max) as usize;
                for (row, line) in lines.iter().skip(first).take(body.height as usize).enumerate() {
                    put(buf, body, body.x, body.y + row as u16, line, t.base);
                }
                put(buf, inner, inner.x + 1, inner.bottom().saturating_sub(1), &receipt_keys(env), t.header);
                None
            }
        }
    }
}

/// Would the window take `action` on the case now? The refusal in the clerk's words if not.
pub fn check(id: &CaseId, action: &CaseAction, env: &Env) -> Result<(), String> {
    check_countersigned(id, action, None, env)
}

/// As [`check`], with a supervisor's countersign.
pub fn check_countersigned(
    id: &CaseId,
    action: &CaseAction,
    countersign: Option<&Countersign>,
    env: &Env,
) -> Result<(), String> {
    let case = match env.store.case(id) {
        Ok(Some(case)) => case,
        Ok(None) => return Err(crate::store::StoreError::NotFound(id.clone()).say(env.lang)),
        Err(e) => return Err(strings::failed(&e, env.lang)),
    };
    let actor = crate::window::Actor { operator: &env.operator, countersign };
    env.window().check_as(&case, action, &actor, env.today()).map_err(|e| env.refusal(&e))
}

/// The window's refusal itself (`Err(None)`: the case could not be read).
fn check_window(
    id: &CaseId,
    action: &CaseAction,
    countersign: Option<&Countersign>,
    env: &Env,
) -> Result<(), Option<WindowError>> {
    let case = env.store.case(id).ok().flatten().ok_or(None)?;
    let actor = crate::window::Actor { operator: &env.operator, countersign };
    env.window().check_as(&case, action, &actor, env.today()).map_err(Some)
}

/// "Enter 确认    Esc 取消", with the keys of the active keymap.
fn confirm_keys(env: &Env) -> String {
    let key = |a| env.key(Section::Popup, a);
    tr!(env.lang, "confirm-keys", confirm = key(Action::Confirm), cancel = key(Action::Cancel))
}

/// How to close and scroll a receipt shown on screen.
fn receipt_keys(env: &Env) -> String {
    let key = |a| env.key(Section::Popup, a);
    let close = format!("{}/{}", key(Action::Confirm), key(Action::Cancel));
    let scroll = format!("{}/{}", key(Action::Up), key(Action::Down));
    tr!(env.lang, "receipt-keys", close = close, scroll = scroll)
}

/// The word for a step, as in "approved", for messages and confirmations.
pub fn action_verb(a: &CaseAction, lang: Lang) -> &'static str {
    let key = match a {
        CaseAction::Refer(_) => "refer",
        CaseAction::Review(_) => "review",
        CaseAction::Approve(_) => "approve",
        CaseAction::ApproveAsSupervisor(_) => "approve_as_supervisor",
        CaseAction::Reject(_) => "reject",
        CaseAction::Disburse => "disburse",
        CaseAction::Complete => "complete",
        CaseAction::Withdraw(_) => "withdraw",
    };
    strings::key_desc(key, lang).unwrap_or(key)
}

/// The text of a confirmation; `operator` is who a supervisor's approval is recorded as.
pub fn confirm_text(pending: &Pending, operator: &str, lang: Lang) -> String {
    match pending {
        Pending::Act { id, action, countersign } => {
            let mut extra = match action {
                CaseAction::Approve(Some(amount)) => Some(strings::money(*amount, lang)),
                CaseAction::ApproveAsSupervisor(amount) => {
                    let approver = countersign.as_ref().map_or(operator, |c| c.name());
                    let who = strings::supervisor_line(approver, lang);
                    Some(match amount {
                        Some(a) => format!("{}\n{who}", strings::money(*a, lang)),
                        None => who,
                    })
                }
                CaseAction::Reject(reason) => Some(reason.clone()),
                CaseAction::Refer(d) => d.map(|d| strings::department(d, lang).to_string()),
                CaseAction::Approve(None)
                | CaseAction::Review(_)
                | CaseAction::Disburse
                | CaseAction::Complete
                | CaseAction::Withdraw(_) => None,
            };
            if let Some(c) = countersign {
                // Who countersigned, named before the clerk says yes.
                let who = tr!(lang, "countersign-line", supervisor = c.name(), operator = operator);
                extra = Some(match extra {
                    Some(e) => format!("{e}\n{who}"),
                    None => who,
                });
            }
            strings::confirm_act(action_verb(action, lang), id.as_str(), extra.as_deref(), lang)
        }
        Pending::Quit => S::ConfirmQuit.get(lang).to_string(),
        Pending::Discard => S::ConfirmDiscard.get(lang).to_string(),
        Pending::NoShow => S::ConfirmNoShow.get(lang).to_string(),
        Pending::PrintPending(n) => tr!(lang, "confirm-print-pending", count = *n),
        Pending::RestoreDraft(left) => {
            // Whose form it is and when it was left, so the clerk knows what comes back.
            let f = &left.form;
            let name = if f.name.trim().is_empty() { S::HeldNoName.get(lang).to_string() } else { f.name.clone() };
            let ticket = f.ticket.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
            let when = left.left_at.clone().unwrap_or_else(|| "-".into());
            tr!(lang, "confirm-restore-whose", name = name, ticket = ticket, when = when)
        }
    }
}
