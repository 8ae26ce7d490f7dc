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

  /// The view these flags and the shell's settings ask for.
  func view(in context: ShellContext) -> ProfileView {
    ProfileView(names: names ?? context.settings.nameStyle, noInlines: noinlines)
  }

  /// `session`'s profile as this view shows it.
  func profile(of session: Session, in context: ShellContext) -> Profile {
    view(in: context).apply(to: session.profile)
  }
}

extension NameStyle: ExpressibleByArgument {}
