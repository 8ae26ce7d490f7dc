import Analysis
import ProfileModel
import Render

extension ShellContext {
  /// The session a command names (an id, a name, `@last`, `@prev`), or the current one.
  public func session(_ reference: String?) throws(ShellError) -> Session {
    do {
      return try sessions.session(reference)
    } catch {
      throw .session(error)
    }
  }

  /// The compiled view filters of a session (pprof's focus / ignore / hide).
  public func filter(of session: Session) throws(ShellError) -> ProfileFilter {
    let f = session.filters
    func joined(_ patterns: [String]) -> String? { patterns.isEmpty ? nil : patterns.joined(separator: "|") }
    do {
      return try ProfileFilter(focus: joined(f.focus), ignore: joined(f.ignore), hide: joined(f.hide))
    } catch {
      throw .analysis(error)
    }
  }

  /// How renderers should decorate output for this shell: colour and the terminal width.
  public var renderOptions: RenderOptions { RenderOptions(color: useColor, width: terminalWidth) }

  /// Runs an analysis step, turning its error into the shell's.
  public func analyze<T>(_ body: () throws(AnalysisError) -> T) throws(ShellError) -> T {
    do {
      return try body()
    } catch {
      throw .analysis(error)
    }
  }

  /// Adds a profile as a new session, prints its one-line description, and returns it.
  @discardableResult
  public func addSession(_ profile: Profile, name: String, source: Session.Source) -> Session {
    let session = sessions.add(profile: profile, name: name, source: source)
    out.write(SessionDescription.line(session) + "\n")
    return session
  }
}

/// The one-line description `load` and `run` print: `[3] cpu.pb.gz  cpu 2.41s  samples 241  functions 87`.
public enum SessionDescription {
  /// The line for a session.
  public static func line(_ session: Session) -> String {
    var parts = ["[\(session.id)] \(session.name)"]
    let p = session.profile
    if let elapsed = p.run.elapsedNanos { parts.append("elapsed \(DurationFormat.string(nanoseconds: elapsed))") }
    if let cpu = p.run.cpuNanos {
      parts.append("cpu \(DurationFormat.string(nanoseconds: cpu))")
    } else if let column = Heatmap.timeColumn(of: p) {
      parts.append("\(p.sampleTypes[column].type) \(DurationFormat.string(nanoseconds: p.total(column: column)))")
    }
    if let calls = totalCalls(p) {
      // Calls paired in the kernel (the BPF trace path) are marked; the note in `info` says why.
      let bpf = p.run.notes.contains { $0.hasPrefix(TraceRun.bpfNotePrefix) }
      parts.append("calls \(CountFormat.grouped(calls))" + (bpf ? " (bpf)" : ""))
    }
    parts.append("samples \(CountFormat.grouped(sampleCount(p)))")
    parts.append("functions \(CountFormat.grouped(p.functionNameCount))")
    if p.run.lostRecords > 0 { parts.append("lost \(CountFormat.grouped(p.run.lostRecords))") }
    if p.run.unparsedRecords > 0 { parts.append("unparsed \(CountFormat.grouped(p.run.unparsedRecords))") }
    if let t = p.run.termination { parts.append("exit \(t)") }
    if p.run.interrupted { parts.append("(interrupted)") }
    return parts.joined(separator: "  ")
  }

  /// Samples: the total of a `samples/count` column when there is one, else the number of
  /// sample records.
  public static func sampleCount(_ p: Profile) -> Int64 {
    if let i = p.sampleTypes.firstIndex(where: { $0.type == "samples" && $0.unit == "count" }) {
      return p.total(column: i)
    }
    return Int64(p.samples.count)
  }

  /// Total traced calls, when the profile has exact call statistics.
  public static func totalCalls(_ p: Profile) -> Int64? {
    p.callStatistics.isEmpty ? nil : p.callStatistics.values.reduce(Int64(0)) { $0.addingSaturating($1.calls) }
  }
}
