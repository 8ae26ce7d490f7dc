import Analysis
import ArgumentParser
import ProfileModel

/// `--names simple|full` and `--noinlines`: how the commands that print function names show
/// them. `--names` overrides the `names` setting for one command.
struct ViewOptions: ParsableArguments {
  @Option(help: "Function names: simple (no return types, parameters or template arguments) or full.")
  var names: NameStyle?

  @Flag(help: "Charge inlined frames to the function they were inlined into (pprof's -noinlines).")
  var noinlines = false

  @Option(help: "Keep only samples with a matching label: KEY=REGEX (pid, tid, thread) or REGEX for any label.")
  var tagfocus: String?

  @Option(help: "Drop samples with a matching label: KEY=REGEX or REGEX.")
  var tagignore: String?

  @Option(help: "Group by labels: root frames KEY:VALUE for these keys, e.g. thread or pid,thread (pprof's -tagroot).")
  var tagroot: String?

  @Flag(
    name: .customLong("all-threads"),
    help:
      "Off-CPU sessions: also show waits nobody on the critical threads waited for (idle pools; label critical=no). Default: the allthreads setting."
  )
  var allThreads = false

  /// The view these flags and the shell's settings ask for.
  func view(in context: ShellContext) throws(ShellError) -> ProfileView {
    let focus = try tagfocus.map { e throws(ShellError) in
      try context.analyze { () throws(AnalysisError) in try TagFilter(e, option: "--tagfocus") }
    }
    let ignore = try tagignore.map { e throws(ShellError) in
      try context.analyze { () throws(AnalysisError) in try TagFilter(e, option: "--tagignore") }
    }
    var view = ProfileView(
      names: names ?? context.settings.nameStyle, noInlines: noinlines, tagFocus: focus, tagIgnore: ignore)
    view.allThreads = allThreads || context.settings.allThreads
    view.tagRoot = (tagroot ?? "").split(separator: ",").map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    return view
  }

  /// `session`'s profile as this view shows it.
  func profile(of session: Session, in context: ShellContext) throws(ShellError) -> Profile {
    let view = try view(in: context)
    if view.tagFocus == nil, view.tagIgnore == nil, view.tagRoot.isEmpty, !view.noInlines,
      view.allThreads || !UnwaitedTime.isPresent(in: session.profile)
    {
      return context.displayProfile(of: session, names: view.names)
    }
    return view.apply(to: session.profile)
  }
}

extension NameStyle: ExpressibleByArgument {}

extension ShellContext {
  /// `session`'s profile with display names, made once per session and name style (a
  /// simplified name costs a scan of the demangled name; reports run again and again).
  func displayProfile(of session: Session, names: NameStyle) -> Profile {
    let p = session.profile
    // The id is never reused; the sizes notice a profile replaced under the same id.
    let key = "\(session.id) \(names.rawValue) \(p.functions.count) \(p.locations.count) \(p.samples.count)"
    if let hit = displayProfiles[key] { return hit }
    var everything = ProfileView(names: names)
    everything.allThreads = true  // callers come here only when nothing is hidden
    let shown = everything.apply(to: p)
    if displayProfiles.count >= 8 { displayProfiles.removeAll() }
    displayProfiles[key] = shown
    return shown
  }
}
