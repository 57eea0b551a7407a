//! Who is at the counter: the sign-in at start, the first supervisor made on
//! a store with no operator, the idle lock and the sign-out. While the gate
//! is up it is all the screen shows and the only thing keys reach; what was
//! on screen (the form, a popup) waits behind it for the same operator, and
//! a form left by one operator is kept for them when another signs in.

use chrono::Duration;

use super::App;
use crate::domain::operator::{Operator, Role};
use crate::domain::time::Moment;
use crate::tr;
use crate::ui::action::Action;
use crate::ui::effect::{Effect, MessageKind, Screen};
use crate::ui::env::Clock;
use crate::ui::files::{self, ParkedForm};
use crate::ui::keymap::{Key, Section};
use crate::ui::screens::intake::IntakeScreen;
use crate::ui::screens::signin::{Asked, Gate, SignInScreen};
use crate::window::WindowError;
use crate::Lang;

impl App {
    /// The gate the counter opens on: the sign-in, or the first supervisor's
    /// creation while the store has no operator.
    pub(super) fn first_gate(&self) -> SignInScreen {
        if !self.env.store.has_operators() {
            return SignInScreen::new(Gate::FirstSupervisor, "");
        }
        // The config's `operator` (or --operator) only pre-fills a name that exists.
        let known = matches!(self.env.store.operator(&self.env.operator), Ok(Some(_)));
        SignInScreen::new(Gate::SignIn, if known { self.env.operator.as_str() } else { "" })
    }

    /// The gate shown, if the counter is behind it.
    pub fn gate(&self) -> Option<&SignInScreen> {
        self.gate.as_ref()
    }

    /// The operator signed in (none in an office without operators).
    pub fn signed_in(&self) -> Option<&Operator> {
        self.env.signed_in.as_ref()
    }

    /// The forms kept for operators who left the counter to another.
    pub fn parked(&self) -> &[ParkedForm] {
        &self.parked
    }

    /// Keeps the parked forms on disk; a failure is said (the forms stay in memory).
    fn keep_parked(&mut self) {
        if let Err(e) = files::write_parked(&self.env.data_dir, &self.parked) {
            tracing::error!("cannot keep the forms of operators who left: {e}");
            let text = crate::ui::strings::failed(&e, self.env.lang);
            self.say(MessageKind::Error, text);
        }
    }

    /// Where the time comes from from now on (a test moves a fixed clock on, then ticks).
    pub fn set_clock(&mut self, clock: Clock) {
        self.env.clock = clock;
    }

    /// Leaves the first supervisor's creation for later: the counter works
    /// as today, every change recorded under the config's `operator`.
    pub fn work_without_operators(&mut self) {
        if self.gate.as_ref().is_some_and(|g| g.gate == Gate::FirstSupervisor) {
            self.gate = None;
        }
    }

    /// A key while the gate is up: typed into it, or one of its actions. Only quit gets past it.
    pub(super) fn on_gate_key(&mut self, key: &crossterm::event::KeyEvent) {
        let k = Key::of(key);
        if self.env.keymap.action(Section::Global, k) == Some(Action::Quit) {
            // The form in progress is on disk as the draft: it is offered again at the next start.
            self.apply(vec![Effect::QuitNow]);
            return;
        }
        let lang = self.env.lang;
        let Some(gate) = &mut self.gate else { return };
        if let Some(c) = super::typed(key) {
            gate.typed(c);
            return;
        }
        let Some(action) = self.env.keymap.action(Section::SignIn, k) else { return };
        match gate.act(action, lang) {
            None => {}
            Some(Asked::SignIn { name, pin }) => {
                let result = self.env.window().sign_in(&name, &pin.0, self.env.clock.now());
                match result {
                    Ok(op) => self.signed_in_as(op),
                    Err(e) => {
                        tracing::info!(operator = %name, "sign-in refused: {e}");
                        let text = refusal(&e, &name, self.env.now, lang);
                        if let Some(gate) = &mut self.gate {
                            gate.refused(text);
                        }
                    }
                }
            }
            Some(Asked::CreateSupervisor { name, pin }) => {
                let result = self.env.window().add_operator(None, &name, Role::Supervisor, &pin.0, self.env.now);
                match result {
                    Ok(op) => {
                        tracing::info!(operator = %op.name, "first supervisor created at the counter");
                        self.signed_in_as(op);
                    }
                    Err(e) => {
                        let text = super::window_error(&e, lang);
                        if let Some(gate) = &mut self.gate {
                            gate.refused(text);
                        }
                    }
                }
            }
            Some(Asked::WithoutOperators) => {
                self.gate = None;
                let text = tr!(lang, "signin-working-without", name = self.env.operator.as_str());
                self.say(MessageKind::Info, text);
            }
        }
    }

    /// `op` has the counter now. Another operator than the one before finds
    /// the counter clean: the form being filled is kept for its owner, the
    /// case and the popup that were open are closed; the owner gets the form back.
    fn signed_in_as(&mut self, op: Operator) {
        let lang = self.env.lang;
        let before = self.env.signed_in.as_ref().map(|o| o.name.to_string());
        let name = op.name.to_string();
        let mut notes = Vec::new();
        if before.as_deref().is_some_and(|b| b != name) {
            if let Some(intake) = self.intake.take() {
                let owner = before.clone().unwrap_or_default();
                notes.push(tr!(lang, "signin-form-kept", owner = owner.as_str()));
                self.parked.push(ParkedForm { owner, form: intake.form });
                // Kept in parked.json from now on; the draft is the next operator's form.
                self.keep_parked();
                self.draft.save(None);
            }
            self.popup = None;
            self.queued_popups.clear();
            self.help = None;
            self.detail = None;
            self.screen = Screen::Queue;
        }
        if self.intake.is_none() {
            if let Some(at) = self.parked.iter().position(|p| p.owner == name) {
                let form = self.parked.remove(at).form;
                self.keep_parked();
                self.intake = Some(IntakeScreen::new(form, &self.env));
                self.screen = Screen::Intake;
                self.draft.save(self.intake.as_ref().map(|i| &i.form));
                notes.push(tr!(lang, "signin-form-back").to_string());
            }
        }
        let role = match op.role {
            Role::Clerk => tr!(lang, "signin-role-clerk"),
            Role::Supervisor => tr!(lang, "signin-role-supervisor"),
        };
        notes.insert(0, tr!(lang, "signin-welcome", name = name.as_str(), role = role));
        tracing::info!(operator = %name, "signed in at the counter");
        self.env.operator = name;
        self.env.signed_in = Some(op);
        self.gate = None;
        self.last_key = self.env.clock.now();
        self.say(MessageKind::Info, notes.join("; "));
        let effects = self.queue.refresh(&self.env);
        self.apply(effects);
    }

    /// The sign-out key: the sign-in screen for the next operator (or, with no
    /// operator yet, the first supervisor's creation).
    pub(super) fn sign_out(&mut self) {
        self.message = None;
        self.gate = Some(if self.env.store.has_operators() {
            SignInScreen::new(Gate::SignedOut, "")
        } else {
            SignInScreen::new(Gate::FirstSupervisor, "")
        });
    }

    /// On every tick: an operator disabled (by a supervisor, meanwhile) loses
    /// the counter at once; the sign-in screen says why.
    pub(super) fn sign_out_when_disabled(&mut self) {
        if self.gate.is_some() {
            return;
        }
        let Some(op) = &self.env.signed_in else { return };
        let name = op.name.to_string();
        let disabled = match self.env.store.operator(&name) {
            Ok(Some(now)) => now.disabled,
            Ok(None) => true,
            Err(e) => {
                tracing::warn!("cannot read operator {name}: {e}");
                false
            }
        };
        if disabled {
            tracing::warn!(operator = %name, "disabled while signed in: signed out");
            self.sign_out();
            if let Some(gate) = &mut self.gate {
                gate.error = Some(tr!(self.env.lang, "signin-disabled", name = name.as_str()));
            }
        }
    }

    /// On every tick: locks the counter once nobody has pressed a key for
    /// `idle_lock_minutes`. Only an operator signed in is locked (without
    /// operators there is no PIN to ask).
    pub(super) fn lock_when_idle(&mut self, now: Moment) {
        let minutes = self.env.counter.idle_lock_minutes;
        if minutes == 0 || self.gate.is_some() {
            return;
        }
        let Some(op) = &self.env.signed_in else { return };
        if now - self.last_key < Duration::minutes(i64::from(minutes)) {
            return;
        }
        tracing::info!(operator = %op.name, "locked after {minutes} idle minutes");
        let name = op.name.to_string();
        self.message = None;
        self.gate = Some(SignInScreen::new(Gate::Idle { minutes }, &name));
    }
}

/// A refused sign-in in the clerk's words: unknown, disabled, a wrong PIN
/// (with the tries left) or a lockout (until when).
fn refusal(e: &WindowError, name: &str, now: Moment, lang: Lang) -> String {
    match e {
        WindowError::UnknownOperator(_) => tr!(lang, "signin-unknown", name = name),
        WindowError::OperatorDisabled(_) => tr!(lang, "signin-disabled", name = name),
        WindowError::WrongPin { left } => tr!(lang, "signin-wrong-pin", left = *left),
        WindowError::LockedOut { until } => {
            let until = until.with_timezone(now.offset());
            let shown = if until.date_naive() == now.date_naive() {
                until.format("%H:%M").to_string()
            } else {
                until.format("%Y-%m-%d %H:%M").to_string()
            };
            tr!(lang, "signin-locked-out", name = name, until = shown)
        }
        other => super::window_error(other, lang),
    }
}
