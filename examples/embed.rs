//! Embedding the counter in a larger ratatui program: the host owns the
//! terminal and draws its own header and side panel; the counter draws into
//! the area it is given and takes the key events the host passes on.
//!
//! Run: `cargo run --example embed` (a temporary store; F12 leaves the host).
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode};
use onedoor::config::CounterConfig;
use onedoor::store::{Store, StoreOptions};
use onedoor::ui::{Counter, Msg, Outcome};
use onedoor::Lang;
use ratatui::layout::{Constraint, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Paragraph};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("onedoor-embed-{}", std::process::id()));
    let store = Arc::new(Store::open(&dir, &StoreOptions::default())?);
    let mut counter = Counter::with_defaults(store, CounterConfig::default(), "host-demo", Lang::ZhCn, dir.clone());
    // A temporary store has no operators: straight to the queue (a real host
    // leaves the sign-in screen up, or the first supervisor's creation).
    counter.work_without_operators();
    let mut terminal = ratatui::try_init()?;
    let mut accepted = 0usize;
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        loop {
            terminal.draw(|frame| {
                let [header, body] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(frame.area());
                let [counter_area, side] =
                    Layout::horizontal([Constraint::Min(80), Constraint::Length(24)]).areas(body);
                frame.render_widget(
                    Paragraph::new("The host program: its own header. F12 leaves.")
                        .style(Style::new().add_modifier(Modifier::BOLD))
                        .block(Block::bordered()),
                    header,
                );
                frame.render_widget(
                    Paragraph::new(format!("accepted here: {accepted}")).block(Block::bordered().title("host panel")),
                    side,
                );
                counter.render(frame, counter_area);
            })?;
            if event::poll(Duration::from_secs(1))? {
                let e = event::read()?;
                if let Event::Key(k) = &e {
                    if k.code == KeyCode::F(12) {
                        return Ok(());
                    }
                }
                if counter.handle_event(e) == Outcome::Quit {
                    return Ok(());
                }
            } else {
                counter.update(Msg::Tick);
            }
            accepted +=
                counter.take_events().iter().filter(|e| matches!(e, onedoor::ui::CounterEvent::Accepted(_))).count();
        }
    })();
    counter.sync_draft();
    ratatui::restore();
    result
}
