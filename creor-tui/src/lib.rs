//! creor-tui: the terminal UI (timeline, permission cards, live output). It renders
//! `creor-core` events and answers its approval requests; it knows nothing of sandboxes.
