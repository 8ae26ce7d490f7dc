import ProfileModel

/// A look at a run in progress (see `CommandCapture.run`): `proceed` gets the profile converted
/// so far, `after` into the run, and returns false to stop the target there.
public struct CaptureCheckpoint {
  /// How long after the start the look is taken.
  public var after: Duration
  /// Whether the run goes on.
  public var proceed: (Profile) -> Bool

  /// Creates a value from its parts.
  public init(after: Duration, proceed: @escaping (Profile) -> Bool) {
    self.after = after
    self.proceed = proceed
  }
}
