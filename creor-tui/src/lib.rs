//! creor-tui: the terminal UI (timeline, permission cards, live output). It renders
//! `creor-core` events and answers its approval requests; it knows nothing of sandboxes.
//!
//! The cut follows the Elm shape: [`App`] is plain state whose [`App::update`] turns a
//! [`Msg`] into [`Effect`]s without doing any I/O, [`view::draw`] paints it, and
//! [`runtime::run`] owns the terminal and the loop, handing effects to a [`Driver`] that the
//! binary implements (it starts model turns, answers cards, looks up `/permissions`).
//!
//! ```
//! use creor_tui::{App, Msg, Status};
//! use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
//! let mut app = App::new(Status::default());
//! for c in "/quit".chars() {
//!     app.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
//! }
//! let effects = app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
//! assert_eq!(effects, vec![creor_tui::Effect::Quit]);
//! ```

pub mod app;
pub mod escape;
pub mod event;
pub mod net;
pub mod risk;
pub mod runtime;
pub mod view;
pub mod widgets;

pub use app::{App, Effect, NetworkState, SandboxState, Show, Status};
pub use event::Msg;
pub use net::{NetAsk, NetBridge};
pub use runtime::{run, Driver};
