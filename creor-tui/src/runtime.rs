//! The only I/O in the crate: terminal setup and restore, the input thread, and the loop.
//! The loop blocks on one channel (keys, resizes, core events and replies all arrive there),
//! applies every message already queued, then draws once: idle costs nothing, bursts of
//! streamed text cost one frame, and ratatui's diffing keeps redraws flicker-free.

use std::io::{self, Stdout};
use std::sync::mpsc::{Receiver, Sender};

use crossterm::event::{
    self, DisableBracketedPaste, EnableBracketedPaste, Event as TermEvent,
    KeyboardEnhancementFlags, PopKeyboardEnhancementFlags, PushKeyboardEnhancementFlags,
};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use crate::app::{App, Effect};
use crate::event::Msg;

/// Carries out effects for the app: starts turns, answers cards, cancels, looks things up.
/// Replies travel back as [`Msg`]s on the sender the driver was built with.
pub trait Driver {
    /// Performs one effect ([`Effect::Quit`] never reaches it).
    fn perform(&mut self, effect: Effect);
}

/// Errors of the terminal loop.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The terminal could not be set up, drawn or restored.
    #[error("terminal: {0}")]
    Terminal(#[from] io::Error),
}

struct Guard {
    enhanced: bool,
}

impl Guard {
    fn enter() -> io::Result<Guard> {
        enable_raw_mode()?;
        let mut out = io::stdout();
        execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
        // Lets terminals that support it report Shift-Enter apart from Enter.
        let enhanced = matches!(
            crossterm::terminal::supports_keyboard_enhancement(),
            Ok(true)
        ) && execute!(
            out,
            PushKeyboardEnhancementFlags(KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES)
        )
        .is_ok();
        Ok(Guard { enhanced })
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore(self.enhanced);
    }
}

fn restore(enhanced: bool) {
    let mut out = io::stdout();
    if enhanced {
        let _ = execute!(out, PopKeyboardEnhancementFlags);
    }
    let _ = execute!(
        out,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = disable_raw_mode();
}

/// Runs the TUI until the app asks to quit. `tx`/`rx` is the one channel every message goes
/// through; the driver must hold a clone of `tx`.
pub fn run(
    mut app: App,
    driver: &mut dyn Driver,
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
) -> Result<(), RuntimeError> {
    let guard = Guard::enter()?;
    let hook = std::panic::take_hook();
    let enhanced = guard.enhanced;
    std::panic::set_hook(Box::new(move |info| {
        restore(enhanced);
        hook(info);
    }));
    let mut terminal: Terminal<CrosstermBackend<Stdout>> =
        Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.clear()?;
    if let Ok((w, h)) = crossterm::terminal::size() {
        app.update(Msg::Resize(w, h));
    }
    std::thread::spawn(move || loop {
        let msg = match event::read() {
            Ok(TermEvent::Key(k)) => Msg::Key(k),
            Ok(TermEvent::Paste(s)) => Msg::Paste(s),
            Ok(TermEvent::Resize(w, h)) => Msg::Resize(w, h),
            Ok(_) => continue,
            Err(_) => break,
        };
        if tx.send(msg).is_err() {
            break;
        }
    });
    'outer: loop {
        terminal.draw(|f| crate::view::draw(f, &app))?;
        let Ok(first) = rx.recv() else { break };
        let mut next = Some(first);
        while let Some(msg) = next {
            for effect in app.update(msg) {
                match effect {
                    Effect::Quit => break 'outer,
                    other => driver.perform(other),
                }
            }
            next = rx.try_recv().ok();
        }
    }
    drop(terminal);
    drop(guard);
    Ok(())
}
