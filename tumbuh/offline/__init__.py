"""The posyandu without signal: the visit entry page that works offline (service worker,
IndexedDB, the growth engine in JavaScript), and the sync that brings what was entered on the
phone to the server exactly once, showing every conflict instead of overwriting it."""
