//! Everything the app reacts to, as one message type: keys and resizes from the terminal,
//! events from the agent session, and answers to commands the front end looked up.

use crossterm::event::KeyEvent;

pub use creor_core::agent::Event as CoreEvent;

/// One input to [`crate::App::update`].
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// A key press.
    Key(KeyEvent),
    /// Bracketed paste: inserted into the input as text, never interpreted as keys.
    Paste(String),
    /// The terminal changed size.
    Resize(u16, u16),
    /// Something the agent session reported.
    Core(CoreEvent),
    /// The answer to a [`crate::Effect::Show`] (`/permissions`, `/audit`, `/profile`).
    Info {
        /// Heading shown above the body.
        title: String,
        /// Body lines (trusted text built by creor, escaped anyway).
        body: String,
    },
    /// The front end could not do what an effect asked (no provider, session busy…).
    Notice(String),
    /// The network proxy asks about a host nobody listed; a connection waits on the answer.
    NetAsk(crate::net::NetAsk),
}
