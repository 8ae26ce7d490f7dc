import ArgumentParser

/// `assert EXPR`: a check for regression gates; fails the script at its line when false.
struct AssertCommand: ShellCommand {
  static let configuration = CommandConfiguration(
    commandName: "assert",
    abstract: "Check a metric of a session against a limit; a failing check fails the script (exit 1).",
    discussion: """
      assert METRIC OP LIMIT [significant]     OP: < <= > >= == !=
      assert METRIC OP METRIC

      METRICS OF A SESSION (without a session: the current one)
        elapsed  cpu  parallelism  samples     e.g. elapsed(@prev), cpu(@last)
        self(PATTERN)  cum(PATTERN)            e.g. self("^parse", @3)
          a function's self or cumulative time; against a percentage, its
          share of the session's total: self("^parse") < 25%
        calls(F)  avg(F)  max(F)  p95(F)       traced sessions (run --trace): CPU time per call
        wall(F)                                traced: mean wall time per call (entry to return);
                                               run --off-cpu: F's inclusive wall time (CPU +
                                               off-CPU): wall("^load") < 40%

      CHANGES BETWEEN TWO SESSIONS
        compare(A, B).METRIC                   relative change B vs A, in %
          assert compare(@prev, @last).elapsed < +5%
        With repeats on both sides (run -n N, bench) the change is the
        Hodges-Lehmann median change (as compare shows), else the change of
        the means. Append 'significant' to fail only when the change is real:
        the rank test over the runs rejects (p < 0.05) AND the 95% interval of
        the change lies beyond the 1% noise floor:
          assert compare(@prev, @last).self("parse") < +10% significant
        The test is the one compare uses: for the two sessions of one bench
        (6 pairs or more), Wilcoxon signed-rank on the per-pair changes; else
        Mann-Whitney over the runs.
        Runs needed: 3 per side (5 bench pairs) can never be significant. A
        change of D% is caught ~90% of the time when
          bench (paired):  D >= 1% + k*s_d, s_d the standard deviation of the
                           per-pair change: k ~ 2.1 at 6 pairs, 1.2 at 10, 0.8 at 20
          run -n (unpaired): D >= 1% + k*s, s the run-to-run standard deviation
                           in %: k ~ 2.7 at 5 runs per side, 1.6 at 10, 1.1 at 20
        When the runs of a pair share nothing s_d = 1.41*s and both agree; when
        they share the machine's load, bench needs fewer runs (see
        docs/regression-gates.md).

      LIMITS: durations 20us 1.5ms 500ms 1.2s 2m; shares and changes 25%
      +5% -10%; plain numbers 40000 or 1.5x. PATTERN is a function name or a
      regular expression (an exact name wins); quotes are optional.
      Sessions: @last @prev @3 @name. A session captured with run -n N is
      measured per run (the mean over its runs).

      A failing check prints the expression, the measured value and the
      limit, and stops a script at that line with exit status 1. A malformed
      expression is an error naming its column; so is asking a sampled
      session for calls, avg, max or p95.

      EXAMPLES:
        assert elapsed < 500ms
        assert elapsed(@prev) < elapsed(@last)
        assert cpu(@last) <= 1.2s
        assert self("^parse") < 25%
        assert calls("scan_token") == 40000
        assert p95("scan_token") < 20us
        assert compare(@prev, @last).elapsed < +5%
      """)
  static var shell: CommandSpec { CommandSpec(group: .analysis, arguments: [.none]) }

  @Argument(parsing: .captureForPassthrough, help: "The expression.")
  var words: [String] = []

  func execute(in context: ShellContext) throws(ShellError) -> CommandStatus {
    let text = words.joined(separator: " ")
    let expression: AssertExpression
    do {
      expression = try AssertParser.parse(text)
    } catch {
      throw .assertSyntax(error)
    }
    let outcome = try AssertEvaluator(context: context).evaluate(expression)
    guard outcome.passed else { throw .assertionFailed(outcome.message) }
    context.out.write("assert ok: \(outcome.message)\n")
    return .success
  }
}
