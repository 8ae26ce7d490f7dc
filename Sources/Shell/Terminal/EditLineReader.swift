import CLibEdit
import Foundation
import Syscalls

#if canImport(Glibc)
  import Glibc
#endif

/// The interactive line reader, backed by libedit: Emacs keys, Up/Down history saved
/// to a file, Tab completion, Ctrl-C clearing the line. The only file importing CLibEdit.
///
/// The corresponding C calls are `el_init`, `el_gets`, `history` and `el_insertstr`.
public final class EditLineReader: LineReader {
  private let editor: OpaquePointer
  private let historyList: OpaquePointer
  private let historyFile: String?
  private var completer: ((String) -> Completion)?
  /// History read from the file at start, oldest first.
  public private(set) var loadedHistory: [String] = []

  /// Opens libedit on the process's terminal. History is loaded from `historyFile`
  /// (its folder is created with mode 0700) and saved after every line.
  public init(historyFile: String?, historySize: Int) throws(ShellError) {
    guard let editor = el_init("perfsh", perfsh_stdin(), perfsh_stdout(), perfsh_stderr()) else {
      throw .terminal(.lineEditing(call: "el_init"))
    }
    guard let historyList = history_init() else {
      el_end(editor)
      throw .terminal(.lineEditing(call: "history_init"))
    }
    self.editor = editor
    self.historyList = historyList
    self.historyFile = historyFile
    perfsh_history_set_size(historyList, Int32(clamping: historySize))
    perfsh_history_set_unique(historyList, 1)
    perfsh_el_set_editor(editor, "emacs")
    perfsh_el_set_signal(editor, 0)
    perfsh_el_set_history(editor, historyList)
    perfsh_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
    perfsh_el_add_function(editor, "perfsh-complete", "complete the word under the cursor") { editor, _ in
      guard let data = perfsh_el_get_clientdata(editor) else { return UInt8(CC_ERROR) }
      return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().completeAtCursor()
    }
    perfsh_el_bind(editor, "^I", "perfsh-complete")
    if let historyFile {
      try Self.makeParentDirectory(of: historyFile)
      // Read by perfsh, not libedit's H_LOAD (which would block on a FIFO or read
      // /dev/zero without end, and rejects CRLF files); see HistoryFile.
      if !TextFile.isMissing(historyFile) {
        for entry in try HistoryFile.read(historyFile) { perfsh_history_enter(historyList, entry) }
      }
      loadedHistory = readHistory()
    }
    Self.installInterruptHandler()
  }

  deinit {
    el_end(editor)
    history_end(historyList)
  }

  /// Shows the prompt and reads a line with editing.
  public func readLine(prompt: String) -> LineInput {
    perfsh_el_set_prompt(editor, prompt)
    var count: Int32 = 0
    Syscall.clearLastError()
    guard let raw = el_gets(editor, &count) else {
      if count < 0 && Syscall.lastError.rawValue == EINTR {
        fputs("^C\n", perfsh_stdout())
        fflush(perfsh_stdout())
        return .interrupted
      }
      fputs("\n", perfsh_stdout())
      fflush(perfsh_stdout())
      return .endOfInput
    }
    var line = String(cString: raw)
    if line.hasSuffix("\n") { line.removeLast() }
    return .line(line)
  }

  /// Adds the line to the in-memory history and rewrites the history file.
  /// The file is saved only while it is a regular file (or missing): libedit's fopen would
  /// block on a FIFO put there since start, or write into a device.
  public func addHistory(_ line: String) {
    perfsh_history_enter(historyList, line)
    if let historyFile, TextFile.isSaveable(historyFile) { perfsh_history_save(historyList, historyFile) }
  }

  /// Installs the Tab handler's source of candidates.
  public func setCompleter(_ completer: @escaping (String) -> Completion) { self.completer = completer }

  /// Tab: inserts the candidates' common extension, or lists them when it is empty.
  private func completeAtCursor() -> UInt8 {
    guard let completer, let info = el_line(editor) else { return UInt8(CC_ERROR) }
    let length = UnsafeRawPointer(info.pointee.cursor) - UnsafeRawPointer(info.pointee.buffer)
    let before = String(
      decoding: UnsafeRawBufferPointer(start: UnsafeRawPointer(info.pointee.buffer), count: max(length, 0)),
      as: UTF8.self)
    let completion = completer(before)
    if completion.candidates.isEmpty { return UInt8(CC_REFRESH_BEEP) }
    let insertion = completion.insertion
    if !insertion.isEmpty {
      return el_insertstr(editor, insertion) == 0 ? UInt8(CC_REFRESH) : UInt8(CC_ERROR)
    }
    fputs("\n" + Self.columns(completion.candidates, width: Terminal.width(environment: [:])), perfsh_stdout())
    fflush(perfsh_stdout())
    return UInt8(CC_REDISPLAY)
  }

  /// Candidates laid out in columns, as shells list them.
  static func columns(_ words: [String], width: Int) -> String {
    let cell = (words.map(\.count).max() ?? 0) + 2
    let perRow = max(1, width / max(cell, 1))
    var text = ""
    for (index, word) in words.enumerated() {
      let isRowEnd = (index + 1) % perRow == 0 || index == words.count - 1
      text += isRowEnd ? word + "\n" : word.padding(toLength: cell, withPad: " ", startingAt: 0)
    }
    return text
  }

  private func readHistory() -> [String] {
    var entries: [String] = []
    var entry = perfsh_history_step(historyList, 1)
    while let current = entry {
      entries.append(String(cString: current))
      entry = perfsh_history_step(historyList, 0)
    }
    return entries.reversed().map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
  }

  private static func makeParentDirectory(of file: String) throws(ShellError) {
    let directory = (file as NSString).deletingLastPathComponent
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw .cannotWrite(path: directory, reason: error.localizedDescription)
    }
  }

  /// SIGINT without SA_RESTART, so `read` inside `el_gets` fails with EINTR and the
  /// prompt starts over; the handler does nothing else (children get their own SIGINT).
  private static func installInterruptHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0
    sigaction(SIGINT, &action, nil)
  }
}
