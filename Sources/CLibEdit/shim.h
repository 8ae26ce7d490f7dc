// CLibEdit: libedit (histedit.h) plus non-variadic wrappers.
// el_set/el_get/history are variadic, so Swift cannot call them; these
// perfsh_-prefixed inline functions fix each call's argument list.
// Only Sources/Shell/Terminal/EditLineReader.swift imports this module.
#include <stdio.h>
#include <histedit.h>

/// The prompt text the prompt callback returns (libedit wants a function, not a string).
static char perfsh_el_prompt_text[256] = "";

static inline char *perfsh_el_prompt_callback(EditLine *el) {
  (void)el;
  return perfsh_el_prompt_text;
}

/// Sets the prompt shown by el_gets (copied, truncated to 255 bytes).
static inline void perfsh_el_set_prompt(EditLine *_Nonnull el, const char *_Nonnull text) {
  snprintf(perfsh_el_prompt_text, sizeof perfsh_el_prompt_text, "%s", text);
  el_set(el, EL_PROMPT, perfsh_el_prompt_callback);
}

/// Chooses the key bindings ("emacs" or "vi").
static inline int perfsh_el_set_editor(EditLine *_Nonnull el, const char *_Nonnull mode) {
  return el_set(el, EL_EDITOR, mode);
}

/// Turns libedit's own signal handling on or off (perfsh handles SIGINT itself).
static inline int perfsh_el_set_signal(EditLine *_Nonnull el, int on) {
  return el_set(el, EL_SIGNAL, on);
}

/// Connects a history list to the editor so Up/Down walk it.
static inline int perfsh_el_set_history(EditLine *_Nonnull el, History *_Nonnull h) {
  return el_set(el, EL_HIST, history, h);
}

/// Stores an opaque pointer for callbacks to find their owner.
static inline int perfsh_el_set_clientdata(EditLine *_Nonnull el, void *_Nullable data) {
  return el_set(el, EL_CLIENTDATA, data);
}

/// Returns the pointer stored with perfsh_el_set_clientdata.
static inline void *_Nullable perfsh_el_get_clientdata(EditLine *_Nonnull el) {
  void *data = NULL;
  el_get(el, EL_CLIENTDATA, &data);
  return data;
}

/// A libedit editor function (e.g. the completion handler).
typedef unsigned char (*perfsh_el_function)(EditLine *_Nonnull, int);

/// Registers an editor function under a name.
static inline int perfsh_el_add_function(EditLine *_Nonnull el, const char *_Nonnull name,
                                         const char *_Nonnull help, perfsh_el_function fn) {
  return el_set(el, EL_ADDFN, name, help, fn);
}

/// Binds a key sequence (e.g. "^I") to a named editor function.
static inline int perfsh_el_bind(EditLine *_Nonnull el, const char *_Nonnull key,
                                 const char *_Nonnull function) {
  return el_set(el, EL_BIND, key, function, (const char *)NULL);
}

/// Sets the maximum number of history entries kept.
static inline int perfsh_history_set_size(History *_Nonnull h, int size) {
  HistEvent ev;
  return history(h, &ev, H_SETSIZE, size);
}

/// Makes history drop an entry equal to the previous one.
static inline int perfsh_history_set_unique(History *_Nonnull h, int unique) {
  HistEvent ev;
  return history(h, &ev, H_SETUNIQUE, unique);
}

/// Appends a line to the history.
static inline int perfsh_history_enter(History *_Nonnull h, const char *_Nonnull line) {
  HistEvent ev;
  return history(h, &ev, H_ENTER, line);
}

/// Loads history from a file written by perfsh_history_save.
static inline int perfsh_history_load(History *_Nonnull h, const char *_Nonnull path) {
  HistEvent ev;
  return history(h, &ev, H_LOAD, path);
}

/// Saves history to a file.
static inline int perfsh_history_save(History *_Nonnull h, const char *_Nonnull path) {
  HistEvent ev;
  return history(h, &ev, H_SAVE, path);
}

/// Moves to the newest history entry (first) or the next older one; NULL at the end.
static inline const char *_Nullable perfsh_history_step(History *_Nonnull h, int first) {
  HistEvent ev;
  if (history(h, &ev, first ? H_FIRST : H_NEXT) < 0) return NULL;
  return ev.str;
}

/// The C standard streams (Swift 6 cannot read the global `stdin`/`stdout` variables).
static inline FILE *_Nonnull perfsh_stdin(void) { return stdin; }
static inline FILE *_Nonnull perfsh_stdout(void) { return stdout; }
static inline FILE *_Nonnull perfsh_stderr(void) { return stderr; }
